package org.daemonrunner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.daemonrunner.pidfile.PidFile;
import org.daemonrunner.pidfile.PidFileLockedException;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs a {@link DaemonApp} in this process, holding its pidfile: the daemon's side of {@code start}, and
 * {@code run}.
 *
 * <p>The steps, in order: take the pidfile's lock (waiting up to the pidfile timeout for a stopping daemon),
 * write this pid through the locked descriptor, arrange for the file's removal at exit, route SIGTERM to a
 * graceful stop, call {@code init()}, mark the pidfile ready and report readiness, call {@code run()}.
 * SIGTERM calls {@code app.stop()} and interrupts the thread in {@code run()}; when {@code run()} returns, the
 * caller exits (status 0), the shutdown hooks run, and then the pidfile is removed, while the lock is still held.
 */
final class AppLifecycle {
    /** The daemon's exit status when it finds its pidfile held by another daemon (it lost a race to start). */
    static final int EXIT_LOCK_HELD = 75;
    /** Lines on stderr that start with this are read back by {@code start} as the cause of a failed start. */
    static final String CAUSE_PREFIX = "daemonrunner: ";

    private final DaemonApp app;
    private final boolean daemon;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private volatile Thread worker;
    private volatile PidFile pidfile;

    AppLifecycle(DaemonApp app, boolean daemon) {
        this.app = app;
        this.daemon = daemon;
    }

    /**
     * Runs the app to the end and returns the exit status for the process.
     *
     * @param pidfilePath the pidfile, absolute
     * @param onReady called once {@code init()} has returned, to tell whoever waits that the daemon is ready
     */
    int run(Path pidfilePath, Runnable onReady) {
        worker = Thread.currentThread();
        try {
            pidfile = PidFile.acquire(pidfilePath, app.pidfileTimeout());
            pidfile.writePid(ProcessHandle.current().pid());
        } catch (PidFileLockedException e) {
            System.err.println(CAUSE_PREFIX + e.getMessage() + " (pidfile " + pidfilePath + ")");
            return daemon ? EXIT_LOCK_HELD : ExitStatus.FAILURE;
        } catch (IOException e) {
            System.err.println(CAUSE_PREFIX + "cannot lock pidfile " + pidfilePath + ": " + e.getMessage());
            return ExitStatus.FAILURE;
        }
        pidfile.removeOnExit();
        if (!pidfile.previousContent().isEmpty()) {
            LoggerFactory.getLogger(AppLifecycle.class).info("Replaced stale pidfile {} (it recorded {}).",
                    pidfilePath, pidfile.previousContent());
        }
        Signal.handle(new Signal("TERM"), signal -> requestStop());

        try {
            app.init();
        } catch (Exception | LinkageError e) {
            return failed("init() failed: ", e);
        }
        if (stopRequested.get()) {
            return ExitStatus.OK;
        }
        try {
            pidfile.markReady();
        } catch (IOException e) {
            System.err.println(CAUSE_PREFIX + "cannot mark pidfile " + pidfilePath + " ready: " + e.getMessage());
            return ExitStatus.FAILURE;
        }
        onReady.run();

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

    private int failed(String what, Throwable e) {
        System.err.println(CAUSE_PREFIX + what + e);
        if (daemon) {
            e.printStackTrace();
        } else {
            LoggerFactory.getLogger(AppLifecycle.class).debug(what, e);
        }
        return ExitStatus.FAILURE;
    }

    private void requestStop() {
        if (!stopRequested.compareAndSet(false, true)) {
            return;
        }
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
