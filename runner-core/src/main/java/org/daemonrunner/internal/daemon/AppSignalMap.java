// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;


import java.nio.file.Path;
import java.util.Map;
import org.daemonrunner.DaemonApp;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.daemon.DaemonSteps.StepFailed;
import org.daemonrunner.internal.proc.Signal;

/**
 * The signal map of a {@link DaemonApp}'s daemon ({@link AppLifecycle}): the context's ignored signals, HUP to
 * {@code reload()}, the reopen signal to the logs, the app's own handlers; then, once the pidfile is the daemon's,
 * TERM (and, in the foreground, INT) to the graceful stop that the lifecycle gives.
 */
final class AppSignalMap {
    private final DaemonApp app;
    private final DaemonContext context;
    private final boolean daemon;
    private final Path stdout;
    private final Path stderr;
    private final SystemdNotifier systemd;

    AppSignalMap(DaemonApp app, DaemonContext context, boolean daemon, Path stdout, Path stderr,
            SystemdNotifier systemd) {
        this.app = app;
        this.context = context;
        this.daemon = daemon;
        this.stdout = stdout;
        this.stderr = stderr;
        this.systemd = systemd;
    }

    /**
     * Ignores the context's ignored signals, routes HUP to {@code reload()}, the reopen signal to
     * {@link #reopenLogs()}, and the app's own handlers: before the pidfile names this JVM, so that none of these
     * signals meets the JVM's default handling, which ends it.
     */
    void install() throws StepFailed {
        try {
            for (String name : context.ignoredSignals()) {
                Signals.ignore(Signal.parse(name));
            }
            Signals.handle(Signal.HUP, new Handler(Handler.RELOAD, Signal.HUP, null));
            Signal reopen = Signal.parse(context.reopenLogsSignal());
            Signals.handle(reopen, new Handler(Handler.REOPEN_LOGS, reopen, null));
            for (Map.Entry<String, Runnable> entry : context.signalHandlers().entrySet()) {
                Signal signal = Signal.parse(entry.getKey());
                Signals.handle(signal, new Handler(Handler.APP, signal, entry.getValue()));
            }
        } catch (RuntimeException | LinkageError e) {
            throw new StepFailed("cannot set up the daemon's environment: " + e.getMessage(), ExitStatus.FAILURE);
        }
    }

    /**
     * SIGTERM runs {@code stop} (the lifecycle's graceful stop, which marks the pidfile: only once it is ours); so
     * does SIGINT in the foreground (Ctrl-C in a terminal), unless the context maps or ignores it.
     */
    void routeStopSignals(Runnable stop) {
        Signals.handle(Signal.TERM, new Handler(Handler.STOP, Signal.TERM, stop));
        String interrupt = Signal.INT.name();
        if (!daemon && !context.signalHandlers().containsKey(interrupt) && !context.ignoredSignals().contains(interrupt)) {
            Signals.handle(Signal.INT, new Handler(Handler.STOP, Signal.INT, stop));
        }
    }

    /**
     * What a signal does in the daemon. One named class rather than a lambda per signal: on JDK 24 and later
     * every lambda class is generated at run time by the class-file API, and a daemon that generates about 25
     * such classes has the JIT compile that API's stack-map generator, whose compiler memory (about 6 MiB) then
     * stays in the daemon's RSS.
     */
    private final class Handler implements Runnable {
        static final int STOP = 0;
        static final int RELOAD = 1;
        static final int REOPEN_LOGS = 2;
        static final int APP = 3;

        private final int kind;
        private final Signal signal;
        /** The app's handler, or the lifecycle's stop. */
        private final Runnable action;

        Handler(int kind, Signal signal, Runnable action) {
            this.kind = kind;
            this.signal = signal;
            this.action = action;
        }

        @Override
        public void run() {
            switch (kind) {
                case STOP:
                    action.run();
                    break;
                case RELOAD:
                    reload();
                    break;
                case REOPEN_LOGS:
                    reopenLogs();
                    break;
                default:
                    try {
                        action.run();
                    } catch (RuntimeException | LinkageError e) {
                        AppFailures.survived("the " + signal.fullName() + " handler", e);
                    }
            }
        }
    }

    private void reload() {
        systemd.reloading();
        try {
            app.reload();
        } catch (RuntimeException | LinkageError e) {
            AppFailures.survived("reload()", e);
        } finally {
            systemd.reloaded();
        }
    }

    /**
     * Points standard output and error at their paths again, so that after logrotate renamed the files, all
     * output (the JVM's own too) goes to the new ones. Loads jnr-posix on first use.
     */
    private void reopenLogs() {
        if (!daemon) {
            DaemonStreams.say("reopen-logs ignored: in the foreground, standard output and error"
                    + " belong to the supervisor");
            return;
        }
        DaemonStreams.reopen(stdout, stderr);
    }
}
