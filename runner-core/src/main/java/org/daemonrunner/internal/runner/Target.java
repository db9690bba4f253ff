// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.daemonrunner.Action;
import org.daemonrunner.DaemonApp;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.DaemonEnvironmentException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.launch.ArgumentEncoding;
import org.daemonrunner.internal.launch.DaemonPaths;
import org.daemonrunner.internal.launch.JavaCommand;
import org.daemonrunner.internal.launch.Relaunch;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.proc.UserAccount;

/**
 * The app an action works on, as the action sees it: its paths resolved against the launch directory, its
 * context, and its user, each asked of the app once per action.
 */
public final class Target {
    private final DaemonApp app;
    private final Path launchDirectory;
    private DaemonPaths paths;
    private Path pidfile;
    private DaemonContext context;
    private UserAccount.Lookup users;
    private final JavaCommand command;

    /** The target for {@code app}, run by this JVM's own command line; nothing is asked of it yet. */
    public Target(DaemonApp app, Path launchDirectory) {
        this(app, launchDirectory, null);
    }

    /**
     * The target for {@code app}, run by {@code command} (daemonrunner.jar's wrapped program), or by this JVM's own
     * command line when {@code command} is null; nothing is asked of it yet.
     */
    public Target(DaemonApp app, Path launchDirectory, JavaCommand command) {
        this.app = app;
        this.launchDirectory = launchDirectory;
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
     * Returns the app's paths, resolved against the launch directory.
     *
     * @throws NullPointerException naming the method of the app that returned null
     */
    public DaemonPaths paths() {
        if (paths == null) {
            // plain calls, no method references: each lambda costs a class spun at run time on the command path
            paths = new DaemonPaths(resolve(app.stdinPath(), "stdinPath"), resolve(app.stdoutPath(), "stdoutPath"),
                    resolve(app.stderrPath(), "stderrPath"), pidfile());
        }
        return paths;
    }

    /**
     * Returns the app's pidfile, resolved against the launch directory: for the actions that need no other path
     * ({@code status}, {@code stop}, {@code reload}), so that a log path that cannot be resolved does not stop them.
     *
     * @throws DaemonEnvironmentException (status 1) as {@link #paths()} does, for the pidfile alone
     */
    public Path pidfile() {
        if (pidfile == null) {
            pidfile = resolve(app.pidfilePath(), "pidfilePath");
        }
        return pidfile;
    }

    /**
     * @throws DaemonEnvironmentException (status 1) for a relative path when this JVM read the working directory's
     *     name wrong: resolved against it, the path would name another file
     */
    private Path resolve(Path path, String name) {
        if (path == null) {
            throw new NullPointerException("DaemonApp." + name + "() returned null");
        }
        if (!path.isAbsolute() && !Relaunch.isDaemon()) {
            Optional<String> lossy = ArgumentEncoding.lossyWorkingDirectory();
            if (lossy.isPresent()) {
                throw new DaemonEnvironmentException("DaemonApp." + name + "() is relative (" + path + ") and would"
                        + " be resolved against the working directory, but " + lossy.get() + ".", ExitStatus.FAILURE,
                        null);
            }
        }
        return launchDirectory.resolve(path).normalize();
    }

    /** Returns the app's context. */
    public DaemonContext context() {
        if (context == null) {
            context = Objects.requireNonNull(app.context(), "DaemonApp.context() returned null");
        }
        return context;
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

    /** {@link #checkPidfileIsSafe}, for every action. */
    void requirePidfileIsSafe(Action action) {
        if (UserAccount.currentUid() != 0) {
            return;
        }
        int trusted = -1;
        if (context().user().isPresent()) {
            try {
                trusted = users().get().uid();
            } catch (IOException | IllegalArgumentException e) {
                trusted = -1; // start explains an unknown user; here only root is trusted then
            }
        }
        try {
            PidFile.checkSafe(pidfile(), trusted);
        } catch (IOException e) {
            throw new DaemonEnvironmentException(Wording.cannot(action) + ": " + e.getMessage() + ".",
                    action == Action.STATUS ? ExitStatus.STATUS_UNKNOWN : ExitStatus.FAILURE, e);
        }
    }
}
