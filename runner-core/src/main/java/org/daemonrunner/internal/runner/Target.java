// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.daemonrunner.Action;
import org.daemonrunner.DaemonApp;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.DaemonEnvironmentException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.StopSchedule;
import org.daemonrunner.internal.launch.ArgumentEncoding;
import org.daemonrunner.internal.launch.DaemonPaths;
import org.daemonrunner.internal.launch.JavaCommand;
import org.daemonrunner.internal.launch.Relaunch;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.proc.UserAccount;

/**
 * The app an action works on, as the action sees it: its paths resolved against the launch directory, its
 * context, timeouts, stop schedule and user, each asked of the app once per action. This is the one place that
 * calls those methods of the app: one that throws, or returns null or a negative timeout, fails here in one line
 * naming it ({@link AppMethodFailure}), never as a stack trace.
 */
public final class Target {
    private final DaemonApp app;
    private final Path launchDirectory;
    private final Action action;
    private DaemonPaths paths;
    private Path pidfile;
    private DaemonContext context;
    private Duration startTimeout;
    private Duration stopTimeout;
    private Duration pidfileTimeout;
    private StopSchedule stopSchedule;
    private Boolean readyAfterInit;
    private UserAccount.Lookup users;
    private final JavaCommand command;

    /** The target of {@code action} for {@code app}, run by this JVM's own command line; nothing is asked of it yet. */
    public Target(DaemonApp app, Path launchDirectory, Action action) {
        this(app, launchDirectory, action, null);
    }

    /**
     * The target of {@code action} for {@code app}, run by {@code command} (daemonrunner.jar's wrapped program), or
     * by this JVM's own command line when {@code command} is null; nothing is asked of it yet.
     *
     * @param action what the app's failures say could not be done ({@code Cannot stop: ...})
     */
    public Target(DaemonApp app, Path launchDirectory, Action action, JavaCommand command) {
        this.app = app;
        this.launchDirectory = launchDirectory;
        this.action = action;
        this.command = command;
    }

    /**
     * Returns the Java command line that runs the daemon: the one given, else this JVM's own.
     *
     * @throws IllegalStateException when this JVM's command line cannot be run again (see {@link JavaCommand#current})
     */
    public JavaCommand javaCommand() {
        return command != null ? command : JavaCommand.current(launchDirectory);
    }

    /** Returns the app. */
    public DaemonApp app() {
        return app;
    }

    /** Returns the directory relative paths are resolved against. */
    public Path launchDirectory() {
        return launchDirectory;
    }

    /**
     * Asks the app, before {@code start} or {@code run} launches anything, every value that it and a later
     * {@code stop} need: its paths, context, timeouts, stop schedule and readiness mode. A bad one fails now, not after the daemon
     * has detached or been reported started.
     *
     * @throws AppMethodFailure naming the first method that threw or returned a bad value
     * @throws DaemonEnvironmentException as {@link #paths()} does
     */
    public void checkAppAnswers() {
        paths();
        context();
        startTimeout();
        pidfileTimeout();
        stopTimeout(); // start's wait for a daemon it stops after a readiness timeout
        stopSchedule();
        readyAfterInit();
    }

    /**
     * Returns the app's paths, resolved against the launch directory.
     *
     * @throws AppMethodFailure when a path method of the app threw or returned null
     * @throws DaemonEnvironmentException as {@link #pidfile()} does
     */
    public DaemonPaths paths() {
        if (paths == null) {
            // plain calls, no method references: each lambda costs a class spun at run time on the command path
            paths = new DaemonPaths(resolve(path("stdinPath"), "stdinPath"), resolve(path("stdoutPath"), "stdoutPath"),
                    resolve(path("stderrPath"), "stderrPath"), pidfile());
        }
        return paths;
    }

    /**
     * Returns the app's pidfile, resolved against the launch directory: for the actions that need no other path
     * ({@code status}, {@code stop}, {@code reload}), so that a log path that cannot be resolved does not stop them.
     *
     * @throws AppMethodFailure when {@code pidfilePath()} threw or returned null
     * @throws DaemonEnvironmentException (status 1) for a relative path when this JVM read the working directory's
     *     name wrong: resolved against it, the path would name another file
     */
    public Path pidfile() {
        if (pidfile == null) {
            pidfile = resolve(path("pidfilePath"), "pidfilePath");
        }
        return pidfile;
    }

    /** Asks the app for the path {@code method} returns, never null. */
    private Path path(String method) {
        Path path;
        try {
            switch (method) {
                case "stdinPath":
                    path = app.stdinPath();
                    break;
                case "stdoutPath":
                    path = app.stdoutPath();
                    break;
                case "stderrPath":
                    path = app.stderrPath();
                    break;
                default:
                    path = app.pidfilePath();
                    break;
            }
        } catch (RuntimeException e) {
            throw AppMethodFailure.threw(action, app, method, e);
        }
        if (path == null) {
            throw AppMethodFailure.returned(action, app, method, "null, not a path");
        }
        return path;
    }

    private Path resolve(Path path, String name) {
        if (!path.isAbsolute() && !Relaunch.isDaemon()) {
            Optional<String> lossy = ArgumentEncoding.lossyWorkingDirectory();
            if (lossy.isPresent()) {
                throw new DaemonEnvironmentException("DaemonApp." + name + "() is relative (" + path + ") and would"
                        + " be resolved against the working directory, but " + lossy.get() + ".", ExitStatus.FAILURE,
                        null);
            }
        }
        return DaemonPaths.absolute(launchDirectory, path);
    }

    /**
     * Returns the app's context.
     *
     * @throws AppMethodFailure when {@code context()} threw (a builder's refusal, say) or returned null
     */
    public DaemonContext context() {
        if (context == null) {
            DaemonContext asked;
            try {
                asked = app.context();
            } catch (RuntimeException e) {
                throw AppMethodFailure.threw(action, app, "context", e);
            }
            if (asked == null) {
                throw AppMethodFailure.returned(action, app, "context", "null, not a DaemonContext");
            }
            context = asked;
        }
        return context;
    }

    /**
     * Returns how long {@code start} waits for readiness.
     *
     * @throws AppMethodFailure when {@code startTimeout()} threw, or returned null or a negative duration
     */
    public Duration startTimeout() {
        if (startTimeout == null) {
            startTimeout = timeout("startTimeout");
        }
        return startTimeout;
    }

    /**
     * Returns how long {@code stop} waits after SIGTERM by default.
     *
     * @throws AppMethodFailure when {@code stopTimeout()} threw, or returned null or a negative duration
     */
    public Duration stopTimeout() {
        if (stopTimeout == null) {
            stopTimeout = timeout("stopTimeout");
        }
        return stopTimeout;
    }

    /**
     * Returns how long a daemon waits for the pidfile of one that is stopping.
     *
     * @throws AppMethodFailure when {@code pidfileTimeout()} threw, or returned null or a negative duration
     */
    public Duration pidfileTimeout() {
        if (pidfileTimeout == null) {
            pidfileTimeout = timeout("pidfileTimeout");
        }
        return pidfileTimeout;
    }

    /**
     * Returns how {@code stop} ends the daemon.
     *
     * @throws AppMethodFailure when {@code stopSchedule()} threw (a schedule {@code StopSchedule.parse} refused,
     *     say) or returned null, or when {@code stopTimeout()}, of which the default schedule is made, failed
     */
    public StopSchedule stopSchedule() {
        if (stopSchedule == null) {
            StopSchedule asked;
            try {
                asked = app.stopSchedule();
            } catch (RuntimeException e) {
                stopTimeout(); // the default schedule is made of it: a failure there is named as its own
                throw AppMethodFailure.threw(action, app, "stopSchedule", e);
            }
            if (asked == null) {
                throw AppMethodFailure.returned(action, app, "stopSchedule", "null, not a StopSchedule");
            }
            stopSchedule = asked;
        }
        return stopSchedule;
    }

    /**
     * Returns whether the daemon is ready once {@code init()} has returned, or reports it from {@code run()}.
     *
     * @throws AppMethodFailure when {@code readyAfterInit()} threw
     */
    public boolean readyAfterInit() {
        if (readyAfterInit == null) {
            try {
                readyAfterInit = app.readyAfterInit();
            } catch (RuntimeException e) {
                throw AppMethodFailure.threw(action, app, "readyAfterInit", e);
            }
        }
        return readyAfterInit;
    }

    /**
     * Why a start timeout of 0 is refused: a start that waits no time at all could only fail, and the daemon would be
     * left to itself; it does not mean "no timeout" here, as {@code TimeoutStartSec=0} does to systemd.
     */
    public static final String ZERO_START_TIMEOUT = "which would give the daemon no time at all to become ready (0 does"
            + " not mean 'no timeout' here, as it does to systemd): give a positive timeout, a long one (1h, say) for"
            + " a slow start";

    /** Asks the app for the timeout {@code method} returns, never null nor negative, and a start timeout not 0. */
    private Duration timeout(String method) {
        Duration timeout;
        try {
            switch (method) {
                case "startTimeout":
                    timeout = app.startTimeout();
                    break;
                case "stopTimeout":
                    timeout = app.stopTimeout();
                    break;
                default:
                    timeout = app.pidfileTimeout();
                    break;
            }
        } catch (RuntimeException e) {
            throw AppMethodFailure.threw(action, app, method, e);
        }
        if (timeout == null) {
            throw AppMethodFailure.returned(action, app, method, "null, not a Duration");
        }
        if (timeout.isNegative()) {
            throw AppMethodFailure.returned(action, app, method, Wording.seconds(timeout) + ", a negative timeout");
        }
        if (timeout.isZero() && method.equals("startTimeout")) {
            throw AppMethodFailure.returned(action, app, method, "0s, " + ZERO_START_TIMEOUT);
        }
        return timeout;
    }

    /** Returns the context's user account, looked up at most once per action. */
    public UserAccount.Lookup users() {
        if (users == null) {
            users = new UserAccount.Lookup(context());
        }
        return users;
    }

    /**
     * As root, refuses a pidfile (or directory) another user could replace; see {@link PidFile#checkSafe}.
     * {@code status} checks it itself ({@link StatusAction}), to answer "unknown" in its own format.
     *
     * @throws DaemonEnvironmentException naming the path and what to do (status: 4, else 1)
     */
    public void checkPidfileIsSafe(Action action) {
        if (action == Action.STATUS) {
            return;
        }
        requirePidfileIsSafe(action);
    }

    /**
     * {@link #checkPidfileIsSafe}, for every action. The daemon's user is trusted too; {@code status}, {@code stop},
     * {@code force-stop} and {@code reload}, which need nothing else of the context, do without it when the app's
     * {@code context()} fails: then only root is trusted, and a refusal says why the user is not known.
     */
    void requirePidfileIsSafe(Action action) {
        if (UserAccount.currentUid() != 0) {
            return;
        }
        int trusted = -1;
        String userUnknown = "";
        String lookupFailed = null;
        try {
            if (context().user().isPresent()) {
                try {
                    trusted = users().get().uid();
                } catch (IOException | IllegalArgumentException e) {
                    // only root is trusted then; the refusal says why, not that no user is set
                    String user = context().user().get();
                    lookupFailed = "the daemon's user '" + user + "' could not be looked up (" + e.getMessage()
                            + "). Make 'getent passwd " + user + "' find it (getent on PATH, an entry for the user)";
                }
            }
        } catch (AppMethodFailure e) {
            if (!needsNoContext(action)) {
                throw e;
            }
            userUnknown = " (the daemon's user is not known: " + e.detail() + ". " + e.advice() + ")";
        }
        try {
            PidFile.checkSafe(pidfile(), trusted, lookupFailed);
        } catch (IOException e) {
            throw new DaemonEnvironmentException(Wording.cannot(action) + ": " + e.getMessage() + userUnknown + ".",
                    action == Action.STATUS ? ExitStatus.STATUS_UNKNOWN : ExitStatus.FAILURE, e);
        }
    }

    /** Whether {@code action} can do its work without the app's context: it only reads the pidfile and signals. */
    private static boolean needsNoContext(Action action) {
        return action == Action.STATUS || action == Action.STOP || action == Action.FORCE_STOP
                || action == Action.RELOAD;
    }
}
