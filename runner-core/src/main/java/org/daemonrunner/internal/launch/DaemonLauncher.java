// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.pidfile.PidFileState;
import org.daemonrunner.internal.pidfile.PidFileWatch;
import org.daemonrunner.internal.proc.ProcessControl;
import org.daemonrunner.internal.proc.ProcessTable;

/**
 * Relaunches this JVM's command line as a detached daemon and waits until it is ready or has died.
 *
 * <p>A JVM cannot {@code fork()}, so the detaching is done by standard POSIX tools before the new JVM runs:
 * {@code setsid} puts a small {@code sh} in a new session (no controlling terminal) and its working directory;
 * the shell sets the umask and the core-file limit and starts the JVM in the background, so the JVM is not a
 * session leader and can never acquire a terminal. {@code env --default-signal} resets every signal
 * disposition, so a launcher started under {@code nohup} or {@code &} does not hand down ignored signals;
 * {@code setpriv}, when a user is set, switches user and groups just before the JVM runs. The JVM gets standard
 * input from the given file and its output appended to the given files, all opened by a shell as the daemon's
 * user, after the switch (root never opens a path that user could point elsewhere); {@code ProcessBuilder}
 * closes every other descriptor.
 *
 * <p>The shell stays the daemon's parent only until the daemon is ready: it waits for the JVM, and the
 * daemon, once ready, sends it SIGTERM, upon which it reports {@code READY} and exits, leaving the daemon to
 * init (or the nearest subreaper), as python-daemon's double fork does. If the JVM exits first, the shell
 * reports its exit status. Both reach this launcher through a pipe within milliseconds: nothing polls.
 */
public final class DaemonLauncher {
    /** What became of a launched daemon. */
    public sealed interface Outcome permits Ready, Exited, Lost, TimedOut {
        /** The daemon's pid, or 0 if it was never started. */
        long pid();
    }

    /** The daemon is ready: it holds its pidfile, and the pidfile says so. */
    public record Ready(long pid) implements Outcome {
    }

    /**
     * The daemon's JVM exited with {@code status} before it was ready (128+N: killed by signal N). In this and the
     * other failures, {@code session} is the daemon's session and process group (the launch shell's pid), in which
     * what it started may be left running.
     */
    public record Exited(long pid, int status, long session) implements Outcome {
    }

    /**
     * The launch shell ended without a report the launcher could trust (killed, or made to say {@code READY} by a
     * signal that did not come from the daemon), and the pidfile did not show the daemon ready either.
     *
     * @param why what happened to the launch shell
     * @param exited whether the daemon has exited (its status is unknown: the shell that would have reported it is
     *     gone)
     */
    public record Lost(long pid, String why, boolean exited, long session) implements Outcome {
    }

    /**
     * The daemon did not become ready in time.
     *
     * @param sent whether it was sent SIGTERM (not when its pid was not known yet, or it was no longer the launch
     *     shell's child)
     * @param exited whether it has exited since (reported by the launch shell, or no such process any more)
     */
    public record TimedOut(long pid, boolean sent, boolean exited, long session) implements Outcome {
    }

    private DaemonLauncher() {
    }

    /**
     * Runs {@code launch} with {@code command} (the daemon's JVM) and waits until the daemon is ready, has exited,
     * or {@code timeout} has passed.
     *
     * @param launch the setup command from {@link LaunchSteps}, its working directory and files
     * @param command the Java command to run
     * @param extraOptions JVM options to add (daemonrunner's own properties)
     * @param timeout how long to wait for readiness; then the daemon is sent SIGTERM
     * @param grace how long to wait for the daemon to exit after that SIGTERM
     * @param pidfile the daemon's pidfile: a {@code READY} from the shell counts only once the pidfile says that the
     *     daemon holds it and is ready; when the shell ends without a word, the pidfile alone tells
     * @param interrupted called with the daemon's pid (0 if not known yet) when this JVM is ended (SIGTERM, SIGINT)
     *     while it waits: the daemon is left starting, and stops itself at the deadline if not ready by then
     * @throws IOException when the launch itself fails
     */
    public static Outcome launch(LaunchSteps.Launch launch, JavaCommand command, List<String> extraOptions,
                                 Duration timeout, Duration grace, Path pidfile, LongConsumer interrupted)
            throws IOException {
        long deadline = System.nanoTime() + Math.min(Long.MAX_VALUE / 4, nanos(timeout));
        long deadlineMillis = System.currentTimeMillis() + Math.min(Long.MAX_VALUE / 4, nanos(timeout) / 1_000_000);
        List<String> argv = new ArrayList<>(launch.argv());
        argv.add(command.java());
        List<String> options = new ArrayList<>(List.of(Relaunch.PARENT_PLACEHOLDER,
                Relaunch.launcherOption(deadlineMillis, timeout)));
        options.addAll(extraOptions);
        argv.addAll(command.arguments(options));
        Process shell = new ProcessBuilder(argv)
                .directory(launch.workingDirectory().toFile())
                .redirectInput(new File("/dev/null")) // the daemon's is opened as its user (LaunchScripts.LOGS)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(launch.shellErrors())
                .start();
        AtomicLong pid = new AtomicLong();
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        Thread reader = new Thread(new Reader(shell, pid, outcome), "daemonrunner-launch");
        reader.setDaemon(true);
        reader.start();
        AtomicBoolean waiting = new AtomicBoolean(true);
        Thread hook = new Thread(new Interrupted(waiting, pid, interrupted), "daemonrunner-start-interrupted");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Outcome reported = outcome.get(millisUntil(deadline), TimeUnit.MILLISECONDS);
            if (reported instanceof Ready && isStillStarting(pidfile, reported.pid())) {
                // a TERM or CONT that did not come from the daemon (systemd's, at its start timeout) made it say READY
                return byPidfile(pidfile, reported.pid(), shell.pid(), deadline, grace, "the launch shell reported"
                        + " the daemon ready, but pidfile " + pidfile + " said that pid " + reported.pid() + " was not");
            }
            return reported;
        } catch (TimeoutException e) {
            return giveUp(shell, pid.get(), outcome, grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the daemon to become ready", e);
        } catch (ExecutionException e) {
            return byPidfile(pidfile, pid.get(), shell.pid(), deadline, grace, e.getCause().getMessage());
        } finally {
            waiting.set(false);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs, and says nothing now
            }
            reap(shell);
        }
    }

    /** Reads the launch shell's report ({@link #read}); named classes here, not lambdas spun at each start. */
    private static final class Reader implements Runnable {
        private final Process shell;
        private final AtomicLong pid;
        private final CompletableFuture<Outcome> outcome;

        Reader(Process shell, AtomicLong pid, CompletableFuture<Outcome> outcome) {
            this.shell = shell;
            this.pid = pid;
            this.outcome = outcome;
        }

        @Override
        public void run() {
            read(shell, pid, outcome);
        }
    }

    /** The shutdown hook of a launcher ended while it waits: says what it leaves, while it still waits. */
    private static final class Interrupted implements Runnable {
        private final AtomicBoolean waiting;
        private final AtomicLong pid;
        private final LongConsumer interrupted;

        Interrupted(AtomicBoolean waiting, AtomicLong pid, LongConsumer interrupted) {
            this.waiting = waiting;
            this.pid = pid;
            this.interrupted = interrupted;
        }

        @Override
        public void run() {
            if (waiting.get()) {
                interrupted.accept(pid.get());
            }
        }
    }

    /**
     * Whether the pidfile refutes a {@code READY}: {@code pid} holds it and has not marked it ready (the daemon marks
     * it before it signals the shell). A daemon that no longer holds it may have been ready and exited at once (its
     * {@code run()} returned): that {@code READY} stands, as it did before the pidfile was checked.
     */
    private static boolean isStillStarting(Path pidfile, long pid) {
        try {
            PidFileState state = PidFile.inspect(pidfile);
            return pid <= 1 || state.status() == PidFileState.Status.RUNNING && state.holder() == pid && !state.ready();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The launch shell's word cannot be had or trusted: waits, up to the deadline, for the pidfile to say that the
     * daemon is ready, or for the daemon to be gone. Before the daemon has locked the pidfile, it looks every
     * {@value #LOOK_MILLIS} ms (this is the rare path); once it holds it, the wait blocks on the pidfile's lock. At the
     * deadline a daemon that holds the pidfile (the kernel's lock says it is this pid) is sent SIGTERM, as
     * {@link #giveUp} does; one that does not is left alone: the pid may no longer be the daemon's.
     */
    private static Outcome byPidfile(Path pidfile, long pid, long session, long deadline, Duration grace,
                                     String why) throws IOException {
        if (pid <= 1) {
            return new Lost(pid, why, false, session);
        }
        try {
            while (true) {
                PidFileState state = PidFile.awaitStarted(pidfile, Duration.ofMillis(millisUntil(deadline)));
                boolean holds = state.status() == PidFileState.Status.RUNNING && state.holder() == pid;
                if (holds && state.ready()) {
                    return new Ready(pid);
                }
                if (!holds && isGone(pid)) {
                    return new Lost(pid, why, true, session);
                }
                if (System.nanoTime() - deadline >= 0) {
                    return holds ? stopHolder(pidfile, pid, session, grace) : new TimedOut(pid, false, false, session);
                }
                if (!holds || state.stopping()) {
                    TimeUnit.MILLISECONDS.sleep(LOOK_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the daemon to become ready", e);
        }
    }

    /**
     * SIGTERM to {@code pid}, which holds the pidfile, then a wait of {@code grace} for its exit: blocked on the
     * pidfile's lock, which the kernel releases as the daemon exits, then on {@code /proc} for the last moments.
     */
    private static Outcome stopHolder(Path pidfile, long pid, long session, Duration grace) throws IOException {
        ProcessHandle daemon = ProcessHandle.of(pid).orElse(null);
        Optional<ProcessTable.Stat> stat = ProcessTable.stat(pid);
        try (PidFileWatch watch = PidFile.watch(pidfile)) {
            PidFileState state = watch.state();
            boolean holds = state.status() == PidFileState.Status.RUNNING && state.holder() == pid;
            // take the handle and its start time first, then check the lock: a pid reused in between is never sent
            if (daemon == null || stat.isEmpty() || !holds || !ProcessControl.terminate(daemon)) {
                return new TimedOut(pid, false, isGone(pid), session);
            }
            boolean exited = watch.awaitRelease(grace)
                    && ProcessTable.awaitExited(new ArrayList<>(List.of(stat.get())), grace);
            return new TimedOut(pid, true, exited, session);
        }
    }

    private static final long LOOK_MILLIS = 20;

    private static long nanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    private static long millisUntil(long deadline) {
        return Math.max(0, (deadline - System.nanoTime() + 999_999) / 1_000_000);
    }

    private static void read(Process shell, AtomicLong pid, CompletableFuture<Outcome> outcome) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(shell.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("PID ")) {
                    pid.set(Long.parseLong(line.substring(4).trim()));
                } else if (line.equals("READY")) {
                    outcome.complete(new Ready(pid.get()));
                    return;
                } else if (line.startsWith("EXIT ")) {
                    outcome.complete(new Exited(pid.get(), Integer.parseInt(line.substring(5).trim()), shell.pid()));
                    return;
                }
            }
            int status = shell.waitFor();
            outcome.completeExceptionally(new IOException("the launch shell ended (status " + status
                    + ") without reporting on the daemon (pid " + pid.get() + ")"));
        } catch (IOException | RuntimeException e) {
            outcome.completeExceptionally(e);
        } catch (InterruptedException e) {
            outcome.completeExceptionally(e);
        }
    }

    private static Outcome giveUp(Process shell, long pid, CompletableFuture<Outcome> outcome, Duration grace)
            throws IOException {
        if (outcome.isDone() && !outcome.isCompletedExceptionally()) {
            return outcome.join(); // it was reported just as the wait timed out
        }
        // The daemon is the shell's child: until the shell reaps it, its pid cannot be reused.
        boolean sent = pid > 1 && shell.isAlive() && ProcessHandle.of(pid)
                .filter(p -> p.parent().map(ProcessHandle::pid).orElse(0L) == shell.pid())
                .map(ProcessControl::terminate).orElse(false);
        if (!sent) {
            return new TimedOut(pid, false, pid > 1 && isGone(pid), shell.pid());
        }
        try {
            // EXIT: it has exited; READY: it ignored SIGTERM and became ready since, and runs on
            return new TimedOut(pid, true, outcome.get(grace.toMillis(), TimeUnit.MILLISECONDS) instanceof Exited,
                    shell.pid());
        } catch (TimeoutException e) {
            return new TimedOut(pid, true, false, shell.pid());
        } catch (ExecutionException e) { // the shell ended without a word: look for the daemon itself
            return new TimedOut(pid, true, isGone(pid), shell.pid());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping a daemon that did not become ready", e);
        }
    }

    private static boolean isGone(long pid) {
        return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    private static void reap(Process shell) {
        try {
            if (!shell.waitFor(1, TimeUnit.SECONDS)) {
                shell.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
