// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;


import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.daemonrunner.DaemonApp;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.daemon.DaemonSteps.StepFailed;
import org.daemonrunner.internal.launch.DaemonPaths;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.posix.Posix;
import org.daemonrunner.internal.proc.ProcessTable;
import org.daemonrunner.internal.proc.UserAccount;

/**
 * Runs a {@link DaemonApp} in this process, holding its pidfile: the daemon's side of {@code start} (step 8 of
 * {@code DaemonContext}'s list), and {@code run}.
 *
 * <p>{@link #run} reads as its steps, each a method with its own error: install the signal map
 * ({@link AppSignalMap}: ignored signals, HUP to {@code reload()}, the app's own handlers); in a daemon, have
 * {@link ExitCause} tell the lifecycle when the JVM begins to end; in the foreground only, apply the context's umask,
 * core-file limit and user in-process; take the pidfile's lock (waiting up to the pidfile timeout for a stopping
 * daemon) and write this pid through the locked descriptor; route SIGTERM (and, in the foreground, SIGINT: Ctrl-C)
 * to a graceful stop; call {@code init()}; drop privileges if the context says so (jsvc's model); mark the pidfile
 * ready and report readiness, unless the JVM has begun to end (a {@code System.exit()} in another thread during
 * {@code init()}, or a SIGTERM that came as the pidfile first named this JVM, before its stop was routed, and met
 * the JVM's default handling); call {@code run()}. SIGTERM calls {@code app.stop()} and interrupts the thread in
 * {@code run()}; when {@code run()} returns, the caller exits (status 0), the shutdown hooks run, and then the
 * pidfile is removed, while the lock is still held. A daemon that ends otherwise (the app calls
 * {@code System.exit()}, say) gets one line from {@link ExitCause} saying how. Nothing here uses the app's
 * logging: a stop or a start without an SLF4J binding prints no warning about it.
 */
public final class AppLifecycle {
    private final DaemonApp app;
    private final DaemonContext context;
    private final boolean daemon;
    private final boolean readyAfterInit;
    private final Path stdout;
    private final Path stderr;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final SystemdNotifier systemd;
    private final AppSignalMap signalMap;
    /** The pidfile of the app this JVM runs, from the start of {@link #run}: one app per process. */
    private static final AtomicReference<Path> RUNNING = new AtomicReference<>();
    /** The lifecycle of an app that reports its own readiness; see {@link #reportReady()}. */
    private static volatile AppLifecycle reporting;

    /** Starting, then ready or never ready (the JVM began to end, or the start timeout gave up), once. */
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
    /** The start timeout's watch, ended once the daemon is ready. */
    private volatile StartTimeout startTimeout = StartTimeout.NONE;
    private volatile Thread worker;
    private volatile PidFile pidfile;
    private volatile Path pidfilePath;
    private volatile Runnable onReady;
    private volatile boolean returned;

    /**
     * @param daemon true in a daemon {@code start} relaunched (its environment was set up before the JVM
     *     started); false in the foreground, where the context's settings are applied in-process
     * @param readyAfterInit the app's {@code readyAfterInit()}, asked by the caller (which says when it throws)
     * @param paths the app's paths, of which the standard output and error are reopened by {@code reopen-logs}
     */
    public AppLifecycle(DaemonApp app, DaemonContext context, boolean daemon, boolean readyAfterInit,
            DaemonPaths paths) {
        this.app = app;
        this.context = context;
        this.daemon = daemon;
        this.readyAfterInit = readyAfterInit;
        this.stdout = paths.stdout();
        this.stderr = paths.stderr();
        this.systemd = SystemdNotifier.fromEnvironment();
        this.signalMap = new AppSignalMap(app, context, daemon, stdout, stderr, systemd);
    }

    /**
     * Runs the app to the end and returns the exit status for the process.
     *
     * @param pidfilePath the pidfile, absolute
     * @param pidfileTimeout how long to wait for the lock of a daemon that is stopping (the app's, checked)
     * @param onReady called once {@code init()} has returned, to tell whoever waits that the daemon is ready;
     *     null when nobody waits
     */
    public int run(Path pidfilePath, Duration pidfileTimeout, Runnable onReady) {
        if (!RUNNING.compareAndSet(null, pidfilePath)) {
            DaemonStreams.say(calledAgain(RUNNING.get()));
            return ExitStatus.FAILURE;
        }
        worker = Thread.currentThread();
        this.pidfilePath = pidfilePath;
        this.onReady = onReady;
        AtExit atExit = new AtExit();
        try {
            signalMap.install();
            if (daemon) { // before the pidfile names this JVM: from then on, an end that begins is never ready
                ExitCause.sayAtShutdown(stderr, atExit);
            }
            loadNativeCodeItNeeds();
            DaemonSteps.applyContextInForeground(context, daemon);
            pidfile = DaemonSteps.lockPidfile(pidfilePath, pidfileTimeout, daemon);
        } catch (StepFailed e) {
            DaemonStreams.say(e.getMessage());
            returned = true; // its line is said: the exit needs no other
            RUNNING.set(null); // no pidfile was taken: another attempt may take it
            return e.status();
        }
        signalMap.routeStopSignals(new Stop());
        try {
            pidfile.removeAtShutdownUnlessArranged();
        } catch (IllegalStateException shutdownInProgress) { // a SIGTERM came before its stop was routed
            pidfile.removeOnExit(); // not 'returned': the exit-cause hook says how it ends
            return ExitStatus.FAILURE; // never ready: the exit under way, SIGTERM's, is the one start reports
        }
        if (daemon) {
            startTimeout = StartTimeout.watch(atExit);
        }
        boolean exitUnderWay = false;
        try {
            noteReplacedStaleFile(pidfilePath);
            init();
            if (stopRequested.get()) {
                if (daemon || systemd.isActive()) { // someone waits for ready: the line its start quotes
                    DaemonStreams.say("it was stopped during init(): the stop came before init()"
                            + " returned, so it exits (status 0) without becoming ready");
                }
                return ExitStatus.OK;
            }
            dropPrivilegesAfterInit();
            if (readyAfterInit) {
                if (!markReady()) { // the JVM has begun to end, or the start timeout gave up: said at the exit
                    exitUnderWay = true; // so not 'returned', which would keep the exit-cause hook from saying it
                    return ExitStatus.FAILURE; // the exit under way sets the JVM's status
                }
            } else {
                reporting = this; // the app reports readiness from run(): DaemonRunner.ready()
            }
            return runApp();
        } catch (StepFailed e) {
            DaemonStreams.say(e.getMessage());
            return e.status();
        } finally {
            returned = !exitUnderWay; // how the app ended is said, or the caller's exit was asked for
            pidfile.removeOnExit(); // the exit is decided: remove the file last, if it is still ours
        }
    }

    /**
     * What a second {@code doAction} in a process that already runs the app says, for the developer who wrote it:
     * it names the process (so that {@code start} does not take it for another daemon's line, see {@code LogTail})
     * and the pidfile, once. Nothing of the first app is touched: its signal map, pidfile and lock stay as they are.
     */
    private static String calledAgain(Path running) {
        return "pid " + ProcessTable.selfPid() + " already runs the app, holding pidfile " + running
                + ": DaemonRunner.doAction was called a second time in this process and did nothing (status 1)."
                + " Call doAction once, from main: the daemon runs main again with the same arguments, and that"
                + " call is the daemon (DaemonRunner.isDaemon() tells it apart).";
    }

    /**
     * What {@link ExitCause} needs at the JVM's end, and {@link StartTimeout}'s way to end a start nobody waits for
     * any more: no word on a stop, or once {@link #run} has returned (it said how
     * the app ended, and the caller exits with its status); otherwise the end came from the app's own code (a
     * {@code System.exit()}), before readiness or after. (In the foreground, the supervisor sees the exit.)
     */
    private final class AtExit implements ExitCause.Lifecycle, StartTimeout.Starting {
        private volatile boolean timedOut;

        /** The JVM has begun to end: a daemon not ready by now never is ({@code init()} may still return). */
        @Override
        public void ending() {
            phase.compareAndSet(Phase.STARTING, Phase.ENDED);
        }

        @Override
        public boolean quiet() {
            return stopRequested.get() || returned || timedOut; // StartTimeout said it
        }

        @Override
        public boolean giveUp() {
            if (stopRequested.get() || !phase.compareAndSet(Phase.STARTING, Phase.ENDED)) { // never ready after this
                return false;
            }
            timedOut = true;
            DaemonSteps.beginStop(pidfile, systemd);
            return true;
        }

        @Override
        public boolean ready() {
            return phase.get() == Phase.READY;
        }

        // no lastThreadNote(): the thread that runs the app returns from run(), which says how
    }

    /**
     * Loads, before anything else happens, the native code that a feature asked for will need later: systemd's
     * notification ({@code NOTIFY_SOCKET}), a privilege drop after {@code init()}. A daemon that cannot do what was
     * asked of it fails at once, saying why, rather than leaving systemd to wait for a READY that never comes.
     */
    private void loadNativeCodeItNeeds() throws StepFailed {
        DaemonSteps.loadSystemdNotifier(systemd);
        if (context.dropPrivilegesAfterInit() && context.user().isPresent() && UserAccount.currentUid() == 0) {
            try {
                Posix.get();
            } catch (RuntimeException | LinkageError e) {
                throw new StepFailed("cannot drop privileges after init() without native code: " + e.getMessage(),
                        ExitStatus.FAILURE);
            }
        }
    }

    /** Says on stderr that a stale pidfile was taken over (for {@code run}; {@code start} said so already). */
    private void noteReplacedStaleFile(Path pidfilePath) {
        if (!daemon && !pidfile.previousContent().isEmpty()) {
            System.err.println("replaced stale pidfile " + pidfilePath + " (it recorded " + pidfile.previousContent()
                    + ")");
        }
    }

    private void init() throws StepFailed {
        try {
            app.init();
        } catch (Exception | Error e) { // an Error too (an assert, a stack overflow): its one line, not the JVM's
            throw AppFailures.failed(stopRequested.get()
                    ? "it was stopped during init(): after the stop came, init() threw " : "init() failed: ", e);
        }
    }

    /** jsvc's model: {@code init()} ran with the launcher's privileges; {@code run()} gets the user's. */
    private void dropPrivilegesAfterInit() throws StepFailed {
        if (context.dropPrivilegesAfterInit() && context.user().isPresent()) {
            try {
                ForegroundSetup.switchUser(context);
            } catch (RuntimeException e) {
                throw new StepFailed("cannot drop privileges after init(): " + e.getMessage(), ExitStatus.FAILURE);
            }
        }
    }

    /**
     * The app's own report that it is ready, from {@code run()} or any thread, when it asked to report readiness
     * itself ({@code DaemonApp.readyAfterInit()} false): marks the daemon ready, once, with the same truth rules as
     * after {@code init()}.
     *
     * @return true if this call made the daemon ready; false if there is no such daemon in this JVM, it is ready
     *     already, or marking it failed (said on stderr)
     */
    public static boolean reportReady() {
        AppLifecycle lifecycle = reporting;
        if (lifecycle == null) {
            return false;
        }
        try {
            return lifecycle.markReady();
        } catch (StepFailed e) {
            DaemonStreams.say(e.getMessage());
            return false;
        }
    }

    /**
     * Marks the pidfile ready (waking {@code start}s that wait), then tells the waiting launcher and systemd; once,
     * and never once the JVM has begun to end ({@link AtExit#ending()}) or the start timeout gave up.
     *
     * @return whether this call did it
     */
    private boolean markReady() throws StepFailed {
        if (!phase.compareAndSet(Phase.STARTING, Phase.READY)) {
            return false;
        }
        try {
            pidfile.markReady();
        } catch (IOException e) {
            throw new StepFailed("cannot mark pidfile " + pidfilePath + " ready: " + e.getMessage(), ExitStatus.FAILURE);
        }
        startTimeout.cancel();
        if (onReady != null) {
            onReady.run();
        }
        systemd.ready(app);
        return true;
    }

    private int runApp() throws StepFailed {
        try {
            app.run();
            if (!stopRequested.get()) {
                DaemonStreams.say("run() returned; the daemon exits (status 0)");
            }
            return ExitStatus.OK;
        } catch (Exception e) {
            if (stopRequested.get()) {
                return ExitStatus.OK; // run() ended by our own stop's interrupt
            }
            throw AppFailures.failed("run() failed: ", e);
        } finally {
            Thread.interrupted(); // our own stop interrupt must not disturb the exit
        }
    }

    /**
     * The graceful stop that SIGTERM asks for: the pidfile marked stopping, {@code app.stop()}, and an interrupt of
     * the thread in {@code init()} or {@code run()}; once. A named class, not a lambda (see {@link AppSignalMap}).
     */
    private final class Stop implements Runnable {
        @Override
        public void run() {
            if (!stopRequested.compareAndSet(false, true)) {
                return;
            }
            DaemonSteps.beginStop(pidfile, systemd);
            try {
                app.stop();
            } catch (RuntimeException | LinkageError e) {
                AppFailures.survived("stop()", e);
            }
            worker.interrupt();
        }
    }

    /** ENDED: never ready, without a failure of its own: the JVM began to end, or the start timeout gave up. */
    private enum Phase { STARTING, READY, ENDED }
}
