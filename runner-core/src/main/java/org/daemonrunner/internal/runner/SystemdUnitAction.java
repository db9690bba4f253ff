// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import static org.daemonrunner.internal.runner.UnitSyntax.commentText;
import static org.daemonrunner.internal.runner.UnitSyntax.escapeCommand;
import static org.daemonrunner.internal.runner.UnitSyntax.escapeValue;
import static org.daemonrunner.internal.runner.UnitSyntax.isAscii;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.DaemonEnvironmentException;
import org.daemonrunner.DaemonRunnerException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.StartFailureException;
import org.daemonrunner.StopSchedule;
import org.daemonrunner.internal.launch.DaemonPaths;
import org.daemonrunner.internal.launch.JavaCommand;
import org.daemonrunner.internal.launch.Relaunch;

/**
 * {@code systemd-unit}: prints a unit that runs this very Java command line under systemd, ready to install as it
 * is: {@code Type=notify} with the {@code run} action (systemd learns of readiness once {@code init()} returned),
 * or {@code Type=forking} with {@code start} and {@code PIDFile=}; {@code ExecReload=} with the {@code reload}
 * action, for an app (a wrapped program has no reload hook: a comment says how to add one); the user, group, working
 * directory, umask and core limit of the app's {@link DaemonContext}; timeouts
 * from the app's start timeout, and its stop schedule as systemd's signal and timeout or, where those cannot say
 * it, as {@code ExecStop=} with the {@code stop} action ({@link UnitStop}). Every argument is written so that systemd hands it to the JVM
 * as it is ({@link UnitSyntax}): quoted, with systemd's {@code %} specifiers and {@code $} expansion escaped.
 */
public final class SystemdUnitAction {
    private static final String ACTION = "systemd-unit";
    /**
     * What a forking unit's {@code TimeoutStartSec=} adds to start's own timeout and the stop after it: the
     * launcher's JVM and the daemon's starting (the sample's shipped forking unit has 90 s for 60).
     */
    static final Duration FORKING_START_MARGIN = Duration.ofSeconds(30);

    private final Target target;
    private final Console console;

    /** The action for {@code target}, writing to {@code console}. */
    public SystemdUnitAction(Target target, Console console) {
        this.target = target;
        this.console = console;
    }

    /**
     * Prints the unit: 0.
     *
     * @throws StartFailureException (status 1) when this JVM's command line cannot be run again, or does not show
     *     the {@code systemd-unit} word to replace with {@code run}
     */
    public int print(ParsedCommand command) {
        JavaCommand java;
        try {
            java = target.javaCommand();
        } catch (JavaCommand.Unpassable e) { // the message says it all: no cause to log
            throw new StartFailureException("Cannot write a unit: " + e.getMessage() + ".", null);
        } catch (RuntimeException e) {
            throw new StartFailureException("Cannot write a unit: " + e.getMessage() + ". Start the program with the"
                    + " java launcher to have its unit written.", e);
        }
        return print(command, new OwnCommandLine(java));
    }

    /**
     * Prints the unit whose {@code Exec} lines are {@code commands}' (daemonrunner.jar's, for a wrapped program): 0.
     *
     * @throws DaemonRunnerException (status 1) when a command line cannot be written
     * @throws DaemonEnvironmentException (status 1) when the working directory or the user does not exist, as
     *     {@code start} checks them (systemd would fail the unit's start)
     */
    public int print(ParsedCommand command, CommandLines commands) {
        checkWorkingDirectory();
        checkUser();
        // a unit file is UTF-8 whatever the locale (under LANG=C, a PrintStream would write '?' for a non-ASCII char)
        boolean forking = command.unitType().equals("forking");
        byte[] unit = unit(commands, forking, command.networkOnline()).getBytes(StandardCharsets.UTF_8);
        if (forking) {
            UnitDirectories.warnOfLogsSystemdRemoves(target.paths(), commands, console);
        }
        console.out().write(unit, 0, unit.length);
        console.out().flush();
        return ExitStatus.OK;
    }

    /**
     * As {@code start} does: the working directory must exist, or systemd fails the unit's start
     * ({@code 200/CHDIR}).
     */
    private void checkWorkingDirectory() {
        Path directory = DaemonPaths.absolute(target.launchDirectory(), target.context().workingDirectory());
        if (!Files.isDirectory(directory)) {
            throw new DaemonEnvironmentException("Cannot write a unit: working directory " + directory
                    + (Files.exists(directory) ? " is not a directory" : " does not exist") + ". Create it, or set"
                    + " another one.", ExitStatus.FAILURE, null);
        }
    }

    /** As {@code start} does: the user (and groups) must exist, or systemd fails the unit's start ({@code 217/USER}). */
    private void checkUser() {
        if (target.context().user().isEmpty()) {
            return;
        }
        try {
            target.users().get();
        } catch (IllegalArgumentException e) {
            throw new DaemonEnvironmentException("Cannot write a unit: " + e.getMessage() + ". Create it, or set"
                    + " another user.", ExitStatus.FAILURE, e);
        } catch (IOException e) {
            throw new DaemonEnvironmentException("Cannot write a unit: looking up user "
                    + target.context().user().get() + " failed: " + e.getMessage() + ".", ExitStatus.FAILURE, e);
        }
    }

    /** The unit's command lines: what runs the program for an action, as arguments (escaped by the unit). */
    public interface CommandLines {
        /** A short name of the program, for the description. */
        String programName();

        /**
         * The command line for {@code action}: {@code start} (forking), {@code run} (notify: the program itself, in
         * the foreground, telling systemd when it is ready), {@code reload} or {@code stop}.
         */
        List<String> forAction(String action);

        /**
         * Whether the daemon's watchdog pings ask {@code DaemonApp.isHealthy()}: true for an app; false for a
         * wrapped program, which has none and counts as healthy.
         */
        default boolean asksIsHealthy() {
            return true;
        }

        /**
         * What to do instead of writing the {@code stream} log ({@code stdout} or {@code stderr}) into a directory
         * systemd removes: one sentence without its period, naming {@code suggested}.
         */
        default String moveLog(String stream, Path suggested) {
            return "Have the app's " + stream + "Path() return a path under /var/log, such as " + suggested;
        }

        /**
         * Whether {@code reload} has something to call: {@code DaemonApp.reload()}; false for a wrapped program, whose
         * SIGHUP only writes a note that nothing was reloaded, unless the program handles it itself.
         */
        default boolean reloads() {
            return true;
        }

        /** The {@code --config} file the settings were read from, if any: the unit copies them, it does not read it. */
        default Optional<Path> configFile() {
            return Optional.empty();
        }
    }

    /** This JVM's own command line, the action word replaced (see {@link #commandLine}). */
    private final class OwnCommandLine implements CommandLines {
        private final JavaCommand java;

        OwnCommandLine(JavaCommand java) {
            this.java = java;
        }

        @Override
        public String programName() {
            return java.programName();
        }

        @Override
        public List<String> forAction(String action) {
            return commandLine(java, action);
        }
    }

    /** The unit's text, for {@code java}, this JVM's command line. */
    String unit(JavaCommand java, boolean forking, boolean networkOnline) {
        return unit(new OwnCommandLine(java), forking, networkOnline);
    }

    /** The unit's text, with {@code commands}' command lines. */
    String unit(CommandLines commands, boolean forking, boolean networkOnline) {
        DaemonContext context = target.context();
        String program = commands.programName();
        StringBuilder unit = new StringBuilder();
        unit.append("# ").append(program).append(" under systemd, as written by its '").append(ACTION)
                .append("' action (daemonrunner).\n")
                .append("# Install: save it as /etc/systemd/system/NAME.service, then\n")
                .append("#   systemctl daemon-reload && systemctl enable --now NAME\n");
        if (commands.configFile().isPresent()) {
            unit.append("# Generated from ").append(commentText(commands.configFile().get().toString()))
                    .append(": its settings are copied here, not read from it, so\n# edits to it do not reach the"
                            + " service: write this unit again after editing it.\n");
        }
        unit.append("[Unit]\n")
                .append("Description=").append(escapeValue(program)).append(" (daemonrunner)\n");
        if (networkOnline) {
            unit.append("Wants=network-online.target\nAfter=network-online.target\n");
        }
        unit.append("\n[Service]\n");
        if (forking) {
            unit.append("Type=forking\n")
                    .append("PIDFile=").append(escapeValue(UnitDirectories.underRun(target.paths().pidfile()).toString())).append('\n')
                    .append("ExecStart=").append(escapeCommand(commands.forAction("start"))).append('\n');
        } else {
            unit.append("Type=notify\n")
                    .append("ExecStart=").append(escapeCommand(commands.forAction("run"))).append('\n');
        }
        if (!commands.reloads()) { // no reload that reloads nothing: without ExecReload=, systemd refuses one
            unit.append("# No ExecReload=: the program has no reload hook (SIGHUP only makes it note that nothing was\n"
                    + "# reloaded), so 'systemctl reload' is refused. If it handles SIGHUP itself, add:\n#");
        }
        unit.append("ExecReload=").append(escapeCommand(commands.forAction("reload"))).append('\n');
        if (context.user().isPresent()) {
            if (context.dropPrivilegesAfterInit()) {
                unit.append("# no User=: init() runs as root, then the app switches to ")
                        .append(context.user().get()).append(" (dropPrivilegesAfterInit)\n");
            } else {
                unit.append("User=").append(context.user().get()).append('\n');
                if (context.group().isPresent()) {
                    unit.append("Group=").append(context.group().get()).append('\n');
                }
                if (context.supplementaryGroups().isPresent()) {
                    unit.append("SupplementaryGroups=").append(String.join(" ", context.supplementaryGroups().get()))
                            .append('\n');
                }
            }
        }
        unit.append(UnitDirectories.lines(target.paths()));
        unit.append("WorkingDirectory=").append(escapeValue(DaemonPaths.absolute(target.launchDirectory(),
                context.workingDirectory()).toString())).append('\n')
                .append("UMask=").append(String.format("%04o", context.umask())).append('\n');
        if (context.preventCoreDumps()) {
            unit.append("LimitCORE=0\n");
        }
        if (!isAscii(unit)) {
            // systemd starts services without LANG unless its own has one: under the C locale a JVM reads these
            // lines' non-ASCII bytes as U+FFFD, and start refuses them
            unit.append("# Not ASCII: the JVM reads the command line in its locale's encoding, UTF-8 here\n")
                    .append("Environment=LC_CTYPE=C.UTF-8\n");
        }
        StopSchedule schedule = target.stopSchedule();
        unit.append("Restart=on-failure\n");
        if (forking) {
            // systemd's timer must not fire first: it would end start and its daemon with SIGTERM, and start's own
            // account (did not become ready, what the logs say, what to do) would never be written
            unit.append("# start's own timeout (").append(seconds(target.startTimeout())).append(" s) and the stop it"
                    + " then does (").append(seconds(target.stopTimeout())).append(" s) come first, and say why;\n"
                    + "# systemd allows ").append(FORKING_START_MARGIN.toSeconds()).append(" s more for the JVMs to"
                    + " start\n")
                    .append("TimeoutStartSec=").append(seconds(target.startTimeout().plus(target.stopTimeout())
                            .plus(FORKING_START_MARGIN))).append('\n');
        } else {
            unit.append("TimeoutStartSec=").append(seconds(target.startTimeout())).append('\n');
        }
        unit                .append(UnitStop.lines(schedule, UnitStop.isSystemdsOwn(schedule) ? ""
                        : escapeCommand(commands.forAction("stop"))));
        if (!forking) {
            unit.append(commands.asksIsHealthy()
                            ? "# To have systemd restart the daemon when its isHealthy() says false (or throws), or when"
                            + " its JVM\n# stops running threads altogether (hung, stopped, or paused for longer than"
                            + " this):\n"
                            : "# To have systemd restart the daemon when its JVM stops running threads altogether"
                            + " (hung, stopped,\n# or paused for longer than this). A wrapped program counts as"
                            + " healthy: its own threads\n# deadlocked, with the JVM running, go unnoticed:\n")
                    .append("#WatchdogSec=30\n")
                    .append(UnitLogHints.lines(target.paths(), context.user().isPresent()
                            && !context.dropPrivilegesAfterInit() ? context.user() : Optional.empty()));
        }
        unit.append("\n[Install]\nWantedBy=multi-user.target\n");
        return unit.toString();
    }

    private static long seconds(Duration d) {
        return UnitStop.seconds(d);
    }

    /**
     * This JVM's command line with the action word replaced by {@code action} and the {@code systemd-unit} options
     * left out, the launch directory passed on (so that the app's relative paths mean the same).
     */
    List<String> commandLine(JavaCommand java, String action) {
        List<String> main = new ArrayList<>(java.mainAndArguments());
        int first = main.isEmpty() ? 0 : main.get(0).equals("-jar") || main.get(0).equals("-m")
                || main.get(0).equals("--module") ? 2 : 1;
        int at = -1;
        for (int i = first; i < main.size(); i++) {
            String arg = main.get(i);
            if (arg.equals("--network-online")) {
                main.remove(i--);
            } else if (arg.equals("--type")) {
                main.remove(i);
                if (i < main.size()) {
                    main.remove(i);
                }
                i--;
            } else if (arg.startsWith("--type=")) {
                main.remove(i--);
            } else if (arg.equals(ACTION) && at < 0) {
                at = i;
            }
        }
        if (at < 0) {
            throw new DaemonRunnerException("Cannot write a unit: the word '" + ACTION + "' is not among this"
                    + " program's arguments (" + String.join(" ", java.mainAndArguments()) + "), so the action to run"
                    + " cannot be put in its place.", ExitStatus.FAILURE, null);
        }
        main.set(at, action);
        List<String> options = new ArrayList<>();
        options.add("-D" + Relaunch.LAUNCH_DIRECTORY_PROPERTY + "=" + target.launchDirectory());
        options.addAll(java.jvmOptions());
        List<String> line = new ArrayList<>(List.of(java.java()));
        line.addAll(options);
        line.addAll(main);
        return line;
    }
}
