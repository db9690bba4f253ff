package org.daemonrunner.internal.daemon;

import static org.daemonrunner.internal.launch.Relaunch.CAUSE_PREFIX;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.daemonrunner.DaemonApp;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.launch.Relaunch;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.pidfile.PidFileLockedException;
import org.daemonrunner.internal.posix.Posix;
import org.daemonrunner.internal.proc.Signal;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link DaemonApp} in this process, holding its pidfile: the daemon's side of {@code start}, and
 * {@code run}.
 *
 * <p>The steps, in order: install the signal map (ignored signals, HUP to {@code reload()}, the app's own
 * handlers); in the foreground only, apply the context's umask, core-file limit and user in-process; take the
 * pidfile's lock (waiting up to the pidfile timeout for a stopping daemon),
 * write this pid through the locked descriptor, arrange for the file's removal at exit, route SIGTERM to a
 * graceful stop, call {@code init()}, drop privileges if the context says so (jsvc's model), mark the pidfile
 * ready and report readiness, call {@code run()}.
 * SIGTERM calls {@code app.stop()} and interrupts the thread in {@code run()}; when {@code run()} returns, the
 * caller exits (status 0), the shutdown hooks run, and then the pidfile is removed, while the lock is still held.
 */
public final class AppLifecycle {
    private final DaemonApp app;
    private final DaemonContext context;
    private final boolean daemon;
    private final Path stdout;
    private final Path stderr;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final SystemdNotifier systemd;
    private volatile Thread worker;
    private volatile PidFile pidfile;

    /**
     * @param daemon true in a daemon {@code start} relaunched (its environment was set up before the JVM
     *     started); false in the foreground, where the context's settings are applied in-process
     */
    public AppLifecycle(DaemonApp app, DaemonContext context, boolean daemon, Path stdout, Path stderr) {
        this.app = app;
        this.context = context;
        this.daemon = daemon;
        this.stdout = stdout;
        this.stderr = stderr;
        this.systemd = SystemdNotifier.fromEnvironment();
    }

    /**
     * Runs the app to the end and returns the exit status for the process.
     *
     * @param pidfilePath the pidfile, absolute
     * @param onReady called once {@code init()} has returned, to tell whoever waits that the daemon is ready;
     *     null when nobody waits
     */
    public int run(Path pidfilePath, Runnable onReady) {
        worker = Thread.currentThread();
        try {
            installSignalMap();
            if (!daemon) {
                ForegroundSetup.apply(context);
            }
        } catch (RuntimeException e) {
            System.err.println(CAUSE_PREFIX + "cannot set up the daemon's environment: " + e.getMessage());
            return ExitStatus.FAILURE;
        }
        try {
            pidfile = PidFile.acquire(pidfilePath, app.pidfileTimeout());
            pidfile.writePid(ProcessHandle.current().pid());
        } catch (PidFileLockedException e) {
            System.err.println(CAUSE_PREFIX + e.getMessage() + " (pidfile " + pidfilePath + ")");
            return daemon ? Relaunch.EXIT_LOCK_HELD : ExitStatus.FAILURE;
        } catch (IOException e) {
            System.err.println(CAUSE_PREFIX + "cannot lock pidfile " + pidfilePath + ": " + e.getMessage());
            return ExitStatus.FAILURE;
        }
        pidfile.removeAtShutdownUnlessArranged();
        try {
            return runHoldingPidfile(pidfilePath, onReady);
        } finally {
            pidfile.removeOnExit(); // the exit is decided: remove the file last, if it is still ours
        }
    }

    private int runHoldingPidfile(Path pidfilePath, Runnable onReady) {
        if (!pidfile.previousContent().isEmpty()) {
            LoggerFactory.getLogger(AppLifecycle.class).info("Replaced stale pidfile {} (it recorded {}).",
                    pidfilePath, pidfile.previousContent());
        }
        Signals.handle(Signal.TERM, new Handler(Handler.STOP, Signal.TERM, null));

        try {
            app.init();
        } catch (Exception | LinkageError e) {
            return failed("init() failed: ", e);
        }
        if (stopRequested.get()) {
            return ExitStatus.OK;
        }
        if (context.dropPrivilegesAfterInit() && context.user().isPresent()) {
            try {
                ForegroundSetup.switchUser(context);
            } catch (RuntimeException e) {
                System.err.println(CAUSE_PREFIX + "cannot drop privileges after init(): " + e.getMessage());
                return ExitStatus.FAILURE;
            }
        }
        try {
            pidfile.markReady();
        } catch (IOException e) {
            System.err.println(CAUSE_PREFIX + "cannot mark pidfile " + pidfilePath + " ready: " + e.getMessage());
            return ExitStatus.FAILURE;
        }
        if (onReady != null) {
            onReady.run();
        }
        systemd.ready(app);

        try {
            app.run();
            return ExitStatus.OK;
        } catch (Exception e) {
            if (stopRequested.get()) {
                LoggerFactory.getLogger(AppLifecycle.class).debug("run() ended with an exception after a stop", e);
                return ExitStatus.OK;
            }
            return failed("run() failed: ", e);
        } finally {
            Thread.interrupted(); // our own stop interrupt must not disturb the exit
        }
    }

    /** Ignores the context's ignored signals, routes HUP to {@code reload()} and the app's own handlers. */
    private void installSignalMap() {
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
        private final Runnable appHandler;

        Handler(int kind, Signal signal, Runnable appHandler) {
            this.kind = kind;
            this.signal = signal;
            this.appHandler = appHandler;
        }

        @Override
        public void run() {
            switch (kind) {
                case STOP:
                    requestStop();
                    break;
                case RELOAD:
                    reload();
                    break;
                case REOPEN_LOGS:
                    reopenLogs();
                    break;
                default:
                    try {
                        appHandler.run();
                    } catch (RuntimeException e) {
                        System.err.println(CAUSE_PREFIX + "the " + signal.fullName() + " handler threw " + e);
                    }
            }
        }
    }

    private void reload() {
        systemd.reloading();
        try {
            app.reload();
        } catch (RuntimeException e) {
            System.err.println(CAUSE_PREFIX + "reload() threw " + e);
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
            System.err.println(CAUSE_PREFIX + "reopen-logs ignored: in the foreground, standard output and error"
                    + " belong to the supervisor");
            return;
        }
        synchronized (System.class) {
            System.out.flush();
            System.err.flush();
            try {
                Posix posix = Posix.get();
                posix.redirect(1, stdout);
                posix.redirect(2, stderr);
            } catch (RuntimeException | LinkageError e) {
                System.err.println(CAUSE_PREFIX + "cannot reopen the logs " + stdout + " and " + stderr + ": " + e);
            }
        }
    }

    private int failed(String what, Throwable e) {
        if (daemon) {
            e.printStackTrace(); // into the stderr log, before the one line start shows as the cause
        } else {
            LoggerFactory.getLogger(AppLifecycle.class).debug(what, e);
        }
        System.err.println(CAUSE_PREFIX + what + e);
        return ExitStatus.FAILURE;
    }

    private void requestStop() {
        if (!stopRequested.compareAndSet(false, true)) {
            return;
        }
        pidfile.removeOnExit(); // before the shutdown begins (deleteOnExit refuses after), if the file is ours
        systemd.stopping();
        try {
            pidfile.markStopping();
        } catch (IOException e) {
            System.err.println(CAUSE_PREFIX + "cannot mark pidfile stopping: " + e.getMessage());
        }
        try {
            app.stop();
        } catch (RuntimeException e) {
            System.err.println(CAUSE_PREFIX + "stop() threw " + e);
        }
        worker.interrupt();
    }
}
