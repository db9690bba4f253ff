// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.daemonrunner.internal.daemon.AppLifecycle;
import org.daemonrunner.internal.launch.JavaCommand;
import org.daemonrunner.internal.launch.Relaunch;
import org.daemonrunner.internal.runner.ActionParser;
import org.daemonrunner.internal.runner.Actions;
import org.daemonrunner.internal.runner.Console;
import org.daemonrunner.internal.runner.DebugLog;
import org.daemonrunner.internal.runner.ParsedCommand;
import org.daemonrunner.internal.runner.StartAction;
import org.daemonrunner.internal.runner.SystemdUnitAction;
import org.daemonrunner.internal.runner.Target;

/**
 * The controller: performs the action named on the command line for a {@link DaemonApp}, like python-daemon's
 * {@code daemon.runner.DaemonRunner}.
 *
 * <p>Use it from {@code main} as {@code System.exit(new DaemonRunner(app).doAction(args))}, passing the action
 * and the runner's options (not the app's own). Results go to standard output, one line; failures to standard
 * error, one line, with an LSB exit status ({@link ExitStatus}):
 * <ul>
 *   <li>{@code start}: relaunches this Java command line as a detached daemon and returns once it is ready
 *       ({@code started with pid N}, 0), or at once if a daemon is already running ({@code already running with
 *       pid N}, 0). If the daemon dies, {@code init()} throws or readiness times out: 1, with the cause and the
 *       last lines of the daemon's stderr. A missing or unwritable directory: 1 (4 for a permission problem).</li>
 *   <li>{@code stop}: sends SIGTERM to the holder of the pidfile's lock and returns once it has exited (0); not
 *       running, or a stale pidfile (removed): 0; still running after the stop timeout: 1; this user may not
 *       signal it: 4.</li>
 *   <li>{@code restart}: {@code stop}, then {@code start}.</li>
 *   <li>{@code status}: running 0, stale pidfile 1, not running 3, cannot tell 4.</li>
 *   <li>{@code run}: runs the app in the foreground, holding the pidfile; returns the app's status.</li>
 *   <li>no action, an unknown action, or a bad option: the usage text on stderr, 2.</li>
 *   <li>a second call in a process that already runs the app (the daemon, or {@code run}): nothing is done, one
 *       line on stderr says so and what to do, 1.</li>
 *   <li>one of the app's own methods threw, or returned null or a negative timeout: one line naming it, 1 (for
 *       {@code status}, 4); see {@link DaemonApp}.</li>
 * </ul>
 * {@code doAction} never calls {@code System.exit}.
 *
 * <p>This class parses, dispatches and prints; each action is a class of its own in the runner's internal
 * package, and the OS work is done by the pidfile, launch and process packages (see the README's "Architecture").
 */
public final class DaemonRunner {
    private final DaemonApp app;

    /**
     * Creates a runner for {@code app}. Does no work: arguments are parsed and files opened in {@link #doAction}.
     *
     * @throws NullPointerException when {@code app} is null
     */
    public DaemonRunner(DaemonApp app) {
        this.app = Objects.requireNonNull(app, "app");
    }

    /**
     * Returns the directory {@code start} was run from: relative paths of the {@link DaemonApp} are resolved
     * against it. In the daemon, whose working directory is {@code /}, this is still the launcher's directory.
     */
    public static Path launchDirectory() {
        return Relaunch.launchDirectory();
    }

    /**
     * Adds the runner's own options ({@code --timeout}, {@code --force}, {@code --json}) to an app's commons-cli
     * options, so that one parser reads the app's options and the runner's, wherever they stand on the line.
     *
     * @return {@code appOptions}, with the runner's options added
     * @throws IllegalArgumentException when the app already has an option of the same name
     */
    public static Options withRunnerOptions(Options appOptions) {
        for (Option option : ActionParser.allOptions().getOptions()) {
            if (appOptions.hasLongOption(option.getLongOpt())) {
                throw new IllegalArgumentException("The app's option --" + option.getLongOpt()
                        + " is also one of the runner's; rename it");
            }
            appOptions.addOption(option);
        }
        return appOptions;
    }

    /**
     * Returns the arguments for {@link #doAction(String...)} from a command line parsed with
     * {@link #withRunnerOptions(Options)}: its non-option arguments (the action), then the runner's options.
     */
    public static String[] runnerArguments(CommandLine line) {
        List<String> args = new ArrayList<>(line.getArgList());
        for (Option option : line.getOptions()) {
            if (ActionParser.isRunnerOption(option.getLongOpt())) {
                args.add("--" + option.getLongOpt());
                if (option.hasArg()) {
                    args.add(option.getValue());
                }
            }
        }
        return args.toArray(new String[0]);
    }

    /**
     * Says that the daemon is ready, for an app whose {@link DaemonApp#readyAfterInit()} is false: {@code start}
     * (and systemd, under {@code Type=notify}) learns of it now. Call it from {@code run()}, or any thread, once.
     *
     * @return true if this call made the daemon ready; false when it already was, or this JVM runs no such app
     */
    public static boolean ready() {
        return AppLifecycle.reportReady();
    }

    /** Returns whether this process is a daemon that {@code start} relaunched. */
    public static boolean isDaemon() {
        return Relaunch.isDaemon();
    }

    /**
     * Performs the action named by {@code args[0]} and returns the exit status for the process.
     *
     * @param args the action, then the runner's options for it
     * @return an {@link ExitStatus} code (for {@code run} and in the daemon: the app's status)
     */
    public int doAction(String... args) {
        Console console = Console.system();
        try {
            ParsedCommand command = ActionParser.parseCommand(args);
            Action action = command.action();
            if (!isDaemon()) {
                Actions.readyProcessApi(action);
            }
            Target target = new Target(app, launchDirectory(), action);
            target.checkPidfileIsSafe(action);
            if (isDaemon() && (action == Action.START || action == Action.RESTART || action == Action.RUN)) {
                // the relaunch of a start or restart: this process is the daemon
                return new StartAction(target, console).runAsDaemon();
            }
            switch (action) {
                case RUN:
                    return new StartAction(target, console).foreground();
                case SYSTEMD_UNIT:
                    return new SystemdUnitAction(target, console).print(command);
                default:
                    return Actions.perform(command, target, console);
            }
        } catch (InvalidActionException e) {
            console.err().println(e.getMessage());
            console.err().println(ActionParser.usage(programName()));
            return e.exitStatus();
        } catch (DaemonRunnerException e) {
            console.err().println(e.getMessage());
            if (e.getCause() != null) {
                DebugLog.failure(String.join(" ", args), e);
            }
            return e.exitStatus();
        }
    }

    private static String programName() {
        try {
            return JavaCommand.current(launchDirectory()).programName();
        } catch (RuntimeException e) {
            return "daemon";
        }
    }
}
