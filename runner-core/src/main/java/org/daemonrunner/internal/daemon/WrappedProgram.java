// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;

import static org.daemonrunner.internal.launch.Relaunch.CAUSE_PREFIX;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.daemon.DaemonSteps.StepFailed;
import org.daemonrunner.internal.launch.Relaunch;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.proc.Signal;

/**
 * The daemon's side for a program that knows nothing of daemonrunner ({@code daemonrunner.jar}'s agent): set up
 * before the program's {@code main} runs, then a watcher reports readiness.
 *
 * <p>{@link #install} reads as its steps: in the foreground only, apply the umask and user in-process; take the
 * pidfile's lock and write this pid; install the signal map (TERM: a graceful stop that runs the shutdown hooks
 * and exits 0; HUP: a note that the program has no reload hook, until the program installs its own; USR1: reopen
 * the logs); a default uncaught-exception handler that names a failed {@code main}'s root cause on one
 * {@code daemonrunner: } line; then a watcher thread that marks the pidfile ready and tells the waiting
 * {@code start} (or systemd) once the readiness condition holds.
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
    private final AtomicBoolean mainFailed = new AtomicBoolean();
    private volatile boolean ready;
    private PidFile pidfile;
    private Thread main;

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
     * Sets the daemon up on the thread that will run the program's {@code main}, and returns; or ends the JVM when
     * a step fails (75 when another daemon holds the pidfile, else 1), after one {@code daemonrunner: } line.
     */
    public void install() {
        main = Thread.currentThread();
        try {
            DaemonSteps.applyContextInForeground(context, daemon);
            pidfile = DaemonSteps.lockPidfile(pidfilePath, pidfileTimeout, daemon);
            DaemonSteps.loadSystemdNotifier(systemd);
        } catch (StepFailed e) {
            System.err.println(CAUSE_PREFIX + e.getMessage());
            System.err.flush();
            Runtime.getRuntime().halt(e.status()); // before the program ran: nothing of its own to shut down
        }
        pidfile.removeAtShutdownUnlessArranged();
        installSignalMap();
        Thread.setDefaultUncaughtExceptionHandler(new Failures());
        Thread watcher = new Thread(new Watcher(), "daemonrunner-ready");
        watcher.setDaemon(true);
        watcher.start();
    }





    /** TERM stops gracefully, HUP is noted (the program may install its own handler later), USR1 reopens the logs. */
    private void installSignalMap() {
        Signals.handle(Signal.TERM, new Handler(Signal.TERM));
        Signals.handle(Signal.HUP, new Handler(Signal.HUP));
        Signals.handle(Signal.USR1, new Handler(Signal.USR1));
    }

    /** What a signal does; a named class rather than lambdas (see {@code AppLifecycle.Handler}). */
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
                System.err.println(CAUSE_PREFIX + signal.fullName() + " received: the program has no reload hook"
                        + " (it installed no " + signal.fullName() + " handler); nothing reloaded, it keeps running");
            } else if (daemon) {
                DaemonStreams.reopen(stdout, stderr);
            } else {
                System.err.println(CAUSE_PREFIX + "reopen-logs ignored: in the foreground, standard output and error"
                        + " belong to the supervisor");
            }
        }
    }

    /** The graceful stop: the pidfile marked stopping, then {@code System.exit(0)}, which runs the shutdown hooks. */
    private void stop() {
        if (!stopRequested.compareAndSet(false, true)) {
            return;
        }
        DaemonSteps.beginStop(pidfile, systemd);
        System.exit(ExitStatus.OK);
    }

    /**
     * Prints an uncaught exception as the JVM would, and, for the program's {@code main} before it is ready, the
     * one line that {@code start} reports: the exception and its root cause.
     */
    private final class Failures implements Thread.UncaughtExceptionHandler {
        @Override
        public void uncaughtException(Thread thread, Throwable e) {
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            e.printStackTrace();
            if (thread == main && !ready) {
                mainFailed.set(true);
                System.err.println(CAUSE_PREFIX + "main() failed: " + DaemonStreams.describe(e));
            }
        }
    }

    /** Waits for the readiness condition, then marks the pidfile ready and tells whoever waits. */
    private final class Watcher implements Runnable, Readiness.MainFailure {
        @Override
        public boolean happened() {
            return mainFailed.get() || stopRequested.get();
        }

        @Override
        public void run() {
            try {
                if (!readiness.await(main, this) || happened()) {
                    return;
                }
                pidfile.markReady();
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                System.err.println(CAUSE_PREFIX + "cannot mark pidfile " + pidfilePath + " ready: " + e.getMessage());
                System.exit(ExitStatus.FAILURE);
                return;
            }
            ready = true;
            if (daemon) {
                Relaunch.reportReady();
            }
            systemd.ready(null);
        }
    }
}
