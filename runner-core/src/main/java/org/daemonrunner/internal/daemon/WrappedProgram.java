// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;


import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.daemon.DaemonSteps.StepFailed;
import org.daemonrunner.internal.launch.Relaunch;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.proc.Signal;

/**
 * The daemon's side for a program that knows nothing of daemonrunner ({@code daemonrunner.jar}'s
 * {@code ProgramMain}): set up before the program's {@code main} runs; told when {@code main} returned or failed.
 *
 * <p>{@link #install} reads as its steps: map HUP (a note that the program has no reload hook, until the program
 * installs its own) and USR1 (reopen the logs), before any {@code reload} or {@code reopen-logs} can find this pid,
 * so that neither signal's default action ends the JVM; in the foreground only, apply the umask and user in-process;
 * take the pidfile's lock and write this pid; in a daemon, have {@link ExitCause} say why the JVM ends if it ends on
 * its own after it was ready; note the {@code --ready file:} marker as it is (one left by an earlier run counts only
 * once it changes); map TERM (a graceful stop that runs the shutdown hooks and exits 0); then, for
 * {@code --ready port:N} or {@code file:PATH}, a watcher thread. Once the readiness condition
 * holds ({@code main} returned, for {@code main-returned}), the pidfile is marked ready and the waiting
 * {@code start} (or systemd) told; never when {@code main} returned with no other non-daemon thread running (the JVM
 * then ends: the program is not a daemon), nor once the JVM has begun to end. A {@code main} that fails before that
 * is named, with its root cause, on the one {@code daemonrunner: } line that {@code start} reports.
 */
public final class WrappedProgram {
    private final Path pidfilePath;
    private final Path stdout;
    private final Path stderr;
    private final Readiness readiness;
    private final Duration pidfileTimeout;
    private final DaemonContext context;
    private final boolean daemon;
    private final SystemdNotifier systemd = SystemdNotifier.fromEnvironment();
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    /** Starting, then ready, failed or ended, once: {@code main} failing and readiness may come at once. */
    private final AtomicReference<Outcome> outcome = new AtomicReference<>(Outcome.STARTING);
    /** The start timeout's watch, ended once the daemon is ready. */
    private volatile StartTimeout startTimeout = StartTimeout.NONE;
    /**
     * Set when {@code main} returned with no other non-daemon thread running, before it was ready: what that was
     * ({@link #returnedAlone}); null otherwise.
     */
    private volatile String returnedAlone;
    /** What {@code main} threw after the program was ready, for the exit line; null if it did not. */
    private volatile String thrownAfterReady;
    private PidFile pidfile;
    /** The {@code --ready file:} marker as it was before the program ran: null when there was none. */
    private Readiness.Marker markerBefore;

    /**
     * @param daemon true in a daemon {@code start} relaunched; false in the foreground ({@code run}, systemd)
     */
    public WrappedProgram(Path pidfile, Path stdout, Path stderr, Readiness readiness, Duration pidfileTimeout,
                          DaemonContext context, boolean daemon) {
        this.pidfilePath = pidfile;
        this.stdout = stdout;
        this.stderr = stderr;
        this.readiness = readiness;
        this.pidfileTimeout = pidfileTimeout;
        this.context = context;
        this.daemon = daemon;
    }

    /**
     * Sets the daemon up, and returns; or ends the JVM when a step fails (75 when another daemon holds the
     * pidfile, else 1), after one {@code daemonrunner: } line.
     */
    public void install() {
        AtExit atExit = new AtExit();
        try {
            mapReloadAndReopenSignals();
            DaemonSteps.applyContextInForeground(context, daemon);
            markerBefore = readiness.markerBefore(); // before main runs: a marker it writes must look new
            if (daemon) { // before the pidfile names this JVM: from then on, an end that begins is never ready
                ExitCause.sayAtShutdown(stderr, atExit);
            }
            pidfile = DaemonSteps.lockPidfile(pidfilePath, pidfileTimeout, daemon);
            // at once: a stop that reads the pid the moment it is written finds the handler (it marks the pidfile,
            // so not before the pidfile is ours)
            Signals.handle(Signal.TERM, new Handler(Signal.TERM));
            DaemonSteps.loadSystemdNotifier(systemd);
        } catch (StepFailed e) {
            DaemonStreams.say(e.getMessage());
            System.err.flush();
            Runtime.getRuntime().halt(e.status()); // before the program ran: nothing of its own to shut down
        }
        try {
            pidfile.removeAtShutdownUnlessArranged();
        } catch (IllegalStateException shutdownInProgress) { // a SIGTERM came before its stop was routed
            pidfile.removeOnExit();
            System.exit(ExitStatus.FAILURE); // waits for the exit under way (SIGTERM's), the one start reports
        }
        if (daemon) {
            startTimeout = StartTimeout.watch(atExit);
        }
        if (daemon || !readiness.kind().equals(Readiness.MAIN_RETURNED)) {
            Thread watcher = new Thread(new Watcher(), "daemonrunner-ready");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    /**
     * The program's {@code main} returned: ready now, for {@code main-returned}; for {@code port:N}, ready now if
     * the port listens (most servers listen before {@code main} returns), without waiting for the watcher's next look.
     * Not ready, whatever the condition, when no other non-daemon thread runs: the JVM ends with this thread, as it
     * would in the foreground, and a program that ends when its {@code main} returns is no daemon; {@link ExitCause}
     * (or, under systemd in the foreground, a line now) says so. A thread that the program started and that ends just
     * after this look does not count: the program was running when it was reported ready, and its end is said as one
     * after readiness.
     */
    public void mainReturned() {
        if (stopRequested.get()) {
            return;
        }
        boolean listening = readiness.kind().equals("port") && Readiness.isListening(readiness.port());
        if (!otherNonDaemonThreadRuns()) {
            if (outcome.get() != Outcome.STARTING) {
                return; // ready already (the watcher saw the port or the file), or failed, or the JVM ends
            }
            boolean held = readiness.kind().equals(Readiness.MAIN_RETURNED) || listening
                    || readiness.kind().equals("file") && readiness.markerIsNew(markerBefore);
            String condition = held ? "" : ", and " + notYet(false);
            returnedAlone = "its main() returned with no other non-daemon thread running" + condition + ": a program"
                    + " that ends when its main() returns is not a daemon. Run a batch job without daemonrunner (cron, a"
                    + " systemd timer); a server must keep a non-daemon thread running, or block in main() (then give"
                    + " --ready port:N or --ready file:PATH)";
            if (outcome.compareAndSet(Outcome.STARTING, Outcome.ENDED) && !daemon && systemd.isActive()) {
                DaemonStreams.say(returnedAlone); // no ExitCause in the foreground: systemd's journal
                System.err.flush();
            }
            return;
        }
        if (readiness.kind().equals(Readiness.MAIN_RETURNED) || listening) {
            reportReady();
        }
    }

    /**
     * Whether a live non-daemon thread other than the caller keeps this JVM up once the caller ends: the platform
     * threads of every group (virtual threads are daemon threads, and not listed).
     */
    private static boolean otherNonDaemonThreadRuns() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads;
        int count;
        do {
            threads = new Thread[root.activeCount() + 16];
            count = root.enumerate(threads, true);
        } while (count == threads.length); // more threads than room: some may be missing
        for (int i = 0; i < count; i++) {
            if (threads[i] != Thread.currentThread() && threads[i].isAlive() && !threads[i].isDaemon()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The program's {@code main} threw {@code e}: before the program was ready, the one line {@code start} reports,
     * naming the exception and its root cause; readiness is then never reported. After, it is kept for the line
     * {@link ExitCause} writes if the JVM ends with its last thread. (The JVM then handles {@code e} as it would in
     * the foreground.)
     */
    public void mainFailed(Throwable e) {
        if (outcome.compareAndSet(Outcome.STARTING, Outcome.FAILED)) {
            DaemonStreams.say("main() failed: " + DaemonStreams.describe(e));
            System.err.flush();
        } else {
            thrownAfterReady = DaemonStreams.describe(e); // the JVM prints its trace; the exit line names it
        }
    }

    /**
     * Whether the JVM is to end now that {@code main} threw before the program was ready, rather than run on with
     * the program's other threads as it would in the foreground: someone waits for a readiness that can no longer
     * come (a {@code start}, or systemd), and would otherwise wait for its whole timeout before it ends the program.
     */
    public boolean endsAfterMainFailed() {
        return outcome.get() == Outcome.FAILED && (daemon || systemd.isActive());
    }

    /**
     * The program's {@code main} could not be called: the one line {@code start} reports, then
     * {@code System.exit(1)}, so that the shutdown hooks remove the pidfile (and {@link ExitCause} adds nothing).
     */
    public void cannotCallMain(String message) {
        outcome.set(Outcome.FAILED);
        DaemonStreams.say(message);
        System.err.flush();
        System.exit(ExitStatus.FAILURE);
    }

    /** Marks the pidfile ready and tells whoever waits, once, unless {@code main} failed first. */
    private void reportReady() {
        if (!outcome.compareAndSet(Outcome.STARTING, Outcome.READY)) {
            return;
        }
        try {
            pidfile.markReady();
        } catch (IOException e) {
            DaemonStreams.say("cannot mark pidfile " + pidfilePath + " ready: " + e.getMessage());
            outcome.set(Outcome.FAILED); // not ready after all: start reports this exit
            System.exit(ExitStatus.FAILURE);
            return;
        }
        startTimeout.cancel();
        if (daemon) {
            Relaunch.reportReady();
        }
        systemd.ready(null);
    }

    /**
     * HUP is noted (the program may install its own handler later), USR1 reopens the logs; mapped before the pidfile
     * names this JVM, whose default handling of HUP would end it (status 129) on a {@code reload} that found its pid
     * there.
     *
     * @throws StepFailed when the JVM does not let them be handled ({@code -Xrs}), saying so
     */
    private void mapReloadAndReopenSignals() throws StepFailed {
        try {
            Signals.handle(Signal.HUP, new Handler(Signal.HUP));
            Signals.handle(Signal.USR1, new Handler(Signal.USR1));
        } catch (IllegalArgumentException e) {
            throw new StepFailed("cannot handle " + Signal.HUP.fullName() + " and " + Signal.TERM.fullName() + ": "
                    + e.getMessage() + ". -Xrs (or -XX:+ReduceSignalUsage) among the JVM options leaves them to the OS,"
                    + " whose default ends the JVM without its shutdown hooks: remove it (daemonrunner stops the"
                    + " program with SIGTERM, and maps SIGHUP so that a reload does not end it)", ExitStatus.FAILURE);
        }
    }

    /**
     * What {@link ExitCause} needs at the JVM's end: no word on a stop, or when {@code main} failed (its line is
     * written); otherwise the end came from the program, before readiness (with what had not happened yet) or after.
     */
    private final class AtExit implements ExitCause.Lifecycle, StartTimeout.Starting {
        /** The JVM has begun to end: a daemon not ready by now never is (its {@code main} may still return). */
        @Override
        public void ending() {
            outcome.compareAndSet(Outcome.STARTING, Outcome.ENDED);
        }

        @Override
        public boolean quiet() {
            return outcome.get() == Outcome.FAILED || stopRequested.get();
        }

        /** The start timeout passed with nobody waiting: failed, never ready (StartTimeout says it). */
        @Override
        public boolean giveUp() {
            if (stopRequested.get() || !outcome.compareAndSet(Outcome.STARTING, Outcome.FAILED)
                    && (returnedAlone == null || !outcome.compareAndSet(Outcome.ENDED, Outcome.FAILED))) {
                return false;
            }
            DaemonSteps.beginStop(pidfile, systemd);
            return true;
        }

        @Override
        public boolean ready() {
            return outcome.get() == Outcome.READY;
        }

        @Override
        public String lastThreadNote() {
            String threw = thrownAfterReady;
            String alone = returnedAlone;
            return outcome.get() == Outcome.READY ? threw == null ? "" : "after its main() had thrown " + threw
                    : alone != null ? "as " + alone : "and " + notYet(true);
        }
    }

    /** What a signal does; a named class rather than lambdas (see {@code AppSignalMap.Handler}). */
    private final class Handler implements Runnable {
        private final Signal signal;

        Handler(Signal signal) {
            this.signal = signal;
        }

        @Override
        public void run() {
            if (signal == Signal.TERM) {
                stop();
            } else if (signal == Signal.HUP) {
                DaemonStreams.say(signal.fullName() + " received: the program has no reload hook"
                        + " (it installed no " + signal.fullName() + " handler); nothing reloaded, it keeps running");
            } else if (daemon) {
                DaemonStreams.reopen(stdout, stderr);
            } else {
                DaemonStreams.say("reopen-logs ignored: in the foreground, standard output and error"
                        + " belong to the supervisor");
            }
        }
    }

    /** The graceful stop: the pidfile marked stopping, then {@code System.exit(0)}, which runs the shutdown hooks. */
    private void stop() {
        if (!stopRequested.compareAndSet(false, true)) {
            return;
        }
        Outcome now = outcome.get();
        if ((now == Outcome.STARTING || now == Outcome.ENDED && returnedAlone != null)
                && (daemon || systemd.isActive())) { // someone waits for ready
            Duration sinceLaunch = sinceLaunch();
            DaemonStreams.say(sinceLaunch == null
                    ? "SIGTERM came before the program was ready: " + notYet(true)
                    : "it was stopped before it was ready: SIGTERM came " + seconds(sinceLaunch) + " after its"
                    + " launch, before start's " + seconds(Relaunch.startDeadline().get().timeout()) + " wait for readiness ended (a stop, not"
                    + " start's timeout), while " + notYet(false) + "; it exits (status 0) without becoming ready");
            System.err.flush();
        }
        DaemonSteps.beginStop(pidfile, systemd);
        System.exit(ExitStatus.OK);
    }

    /**
     * In a daemon, how long after its launch a SIGTERM came, when that was before the deadline of the {@code start}
     * that waits for it ({@link Relaunch#startDeadline()}, which {@link StartTimeout} uses too): a stop, not
     * {@code start}'s timeout, whose SIGTERM comes only at that deadline. Null otherwise, or when it cannot be told.
     */
    private Duration sinceLaunch() {
        Optional<Relaunch.StartDeadline> start = daemon ? Relaunch.startDeadline() : Optional.empty();
        if (start.isEmpty()) {
            return null;
        }
        Duration left = Duration.between(Instant.now(), start.get().deadline());
        return left.isNegative() || left.isZero() ? null : start.get().timeout().minus(left);
    }

    /** {@code 3s}, {@code 1.2s}: a duration as the stop line says it. */
    private static String seconds(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis / 1000 + "." + millis % 1000 / 100 + "s";
    }

    /** What had not happened yet ({@link Readiness#notYet}), or that {@code main} returned with no thread left. */
    private String notYet(boolean advice) {
        String alone = returnedAlone;
        return alone != null ? alone : readiness.notYet(markerBefore, advice);
    }

    /**
     * In a daemon, readies the JDK's process API that reports readiness to the waiting shell, beside the program's
     * start rather than after it (its first use costs about 20 ms); then waits for the port or the file, and
     * reports readiness, unless {@code main} failed or a stop began.
     */
    private final class Watcher implements Runnable, Readiness.MainFailure {
        @Override
        public boolean happened() {
            return outcome.get() != Outcome.STARTING || stopRequested.get();
        }

        @Override
        public void run() {
            if (daemon) {
                ProcessHandle.current();
            }
            if (readiness.kind().equals(Readiness.MAIN_RETURNED)) {
                return;
            }
            try {
                if (readiness.await(this, markerBefore) && !happened()) {
                    reportReady();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** ENDED: never ready, without a failure of its own: {@code main} returned alone, or the JVM began to end. */
    private enum Outcome { STARTING, READY, FAILED, ENDED }
}
