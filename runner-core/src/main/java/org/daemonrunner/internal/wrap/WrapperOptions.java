// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.wrap;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.daemonrunner.Action;
import org.daemonrunner.DaemonApp;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.DaemonRunnerException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.InvalidActionException;
import org.daemonrunner.StopSchedule;
import org.daemonrunner.internal.daemon.Readiness;
import org.daemonrunner.internal.launch.ArgumentEncoding;
import org.daemonrunner.internal.launch.DaemonPaths;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.proc.ProcessTable;
import org.daemonrunner.internal.runner.ActionParser;
import org.daemonrunner.internal.runner.ParsedCommand;
import org.daemonrunner.internal.runner.Target;
import org.daemonrunner.internal.runner.UnitDirectories;

/**
 * {@code daemonrunner.jar}'s command line: {@code [options] ACTION [action options] [-- JAVA_ARGS...]}, and the
 * same settings from {@code --config FILE} ({@code key=value} lines, the keys the long option names; the lines
 * after a {@code --} line are the {@code JAVA_ARGS}, one argument a line; read by {@link ConfigFile}). The command
 * line wins over the file.
 * Every value is checked here: a bad one is a usage error (status 2) naming the option or key.
 */
final class WrapperOptions {
    static final Set<String> KEYS = Set.of("pidfile", "stdout", "stderr", "stdin", "user", "group", "umask", "chdir",
            "java", "start-timeout", "stop-timeout", "stop-schedule", "pidfile-timeout", "ready");
    static final Set<String> PATH_KEYS = Set.of("pidfile", "stdout", "stderr", "stdin", "chdir", "java");
    static final Duration DEFAULT_PIDFILE_TIMEOUT = Duration.ofSeconds(10);

    final Map<String, String> values = new LinkedHashMap<>();
    List<String> javaArgs = List.of();
    ParsedCommand command;
    /** {@code --config}, absolute; null without one. */
    Path configFile;
    private final Path base;

    private WrapperOptions(Path base) {
        this.base = base;
    }

    /**
     * Parses {@code args}, reading {@code --config} when given, relative paths against {@code base}.
     *
     * @throws InvalidActionException naming the bad option, key or value
     */
    static WrapperOptions parse(String[] args, Path base) {
        WrapperOptions options = new WrapperOptions(base);
        List<String> actionArgs = new ArrayList<>();
        List<String> javaArgs = null;
        String config = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                javaArgs = List.of(args).subList(i + 1, args.length);
                break;
            }
            String name = arg.startsWith("--") ? arg.substring(2) : null;
            String value = null;
            if (name != null && name.indexOf('=') > 0) {
                value = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            }
            if (name != null && (KEYS.contains(name) || name.equals("config"))) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new InvalidActionException("Option --" + name + " needs a value.");
                    }
                    value = args[++i];
                }
                if (name.equals("config") ? config != null : options.values.containsKey(name)) {
                    throw new InvalidActionException("Option --" + name + " given twice: give it once.");
                }
                if (name.equals("config")) {
                    config = value;
                } else {
                    options.set(name, value, "option --" + name);
                }
            } else if (name != null && actionArgs.isEmpty()) {
                throw new InvalidActionException(ActionParser.optionBeforeAction(arg,
                        List.of(args).subList(i + 1, args.length)).orElse("Unknown option '" + arg + "' (before the"
                        + " action)."));
            } else {
                actionArgs.add(arg); // the action, then its own options (checked by ActionParser)
            }
        }
        boolean javaArgsGiven = javaArgs != null && !javaArgs.isEmpty(); // a bare '--' gives none
        if (config != null) {
            Optional<String> lossyDirectory = config.startsWith("/") ? Optional.empty()
                    : ArgumentEncoding.lossyWorkingDirectory();
            if (lossyDirectory.isPresent()) {
                throw new DaemonRunnerException("Bad working directory: --config " + config + " would be resolved"
                        + " against it, but " + lossyDirectory.get() + ".", ExitStatus.USAGE, null);
            }
            options.configFile = DaemonPaths.absolute(base, Path.of(config));
            options.readConfig(options.configFile, javaArgsGiven);
        }
        if (javaArgsGiven) {
            options.javaArgs = List.copyOf(javaArgs);
        }
        options.command = ActionParser.parseCommand(actionArgs.toArray(new String[0]));
        Action action = options.command.action();
        if (options.values.containsKey("group") && !options.values.containsKey("user") && (action == Action.START
                || action == Action.RESTART || action == Action.RUN || action == Action.SYSTEMD_UNIT)) {
            // only the actions that start the program use it: a running daemon can still be stopped
            throw new InvalidActionException("A group (" + options.values.get("group") + ") without a user: the"
                    + " daemon would keep the groups of whoever starts it. Give the user too (--user, or user= in"
                    + " --config); the group replaces its primary group.");
        }
        if (!options.values.containsKey("pidfile")) {
            throw new InvalidActionException("No pidfile: give --pidfile FILE (or pidfile=FILE in --config).");
        }
        return options;
    }

    private void readConfig(Path file, boolean javaArgsGiven) {
        ConfigFile config = ConfigFile.read(file);
        for (ConfigFile.Setting setting : config.settings()) {
            if (values.containsKey(setting.key())) {
                check(setting.key(), setting.value(), setting.where()); // the command line wins; still checked
            } else {
                set(setting.key(), setting.value(), setting.where());
            }
        }
        if (config.javaArgs() != null && !javaArgsGiven) {
            javaArgs = config.javaArgs();
        }
    }

    /** Checks {@code value} for {@code key} and stores it. */
    private void set(String key, String value, String where) {
        check(key, value, where);
        values.put(key, value);
    }

    /** Checks {@code value} for {@code key}: a usage error naming {@code where} if it is bad. */
    private void check(String key, String value, String where) {
        if (value.isEmpty()) {
            throw new InvalidActionException("Empty value for " + where + ".");
        }
        try {
            switch (key) {
                case "start-timeout":
                    if (ActionParser.duration(value).isZero()) {
                        throw new IllegalArgumentException("'" + value + "' is 0, " + Target.ZERO_START_TIMEOUT + ".");
                    }
                    break;
                case "stop-timeout":
                case "pidfile-timeout":
                    ActionParser.duration(value);
                    break;
                case "umask":
                    int mask = Integer.parseInt(value, 8);
                    if (mask < 0 || mask > 0777) {
                        throw new IllegalArgumentException("Not a umask: '" + value + "' (write octal, e.g. 027)");
                    }
                    break;
                case "stop-schedule":
                    StopSchedule.parse(value);
                    break;
                case "ready":
                    if (ArgumentEncoding.unusable(value).isEmpty()) { // else the encoding check says it, in one line
                        Readiness.parse(value, base);
                    }
                    break;
                default:
                    break;
            }
        } catch (NumberFormatException e) {
            throw new InvalidActionException("Bad value for " + where + ": '" + value + "' is not an octal umask (e.g. 027).");
        } catch (IllegalArgumentException | InvalidActionException e) {
            throw new InvalidActionException("Bad value for " + where + ": " + e.getMessage());
        }
    }

    Path path(String key) {
        return DaemonPaths.absolute(base, Path.of(values.get(key)));
    }

    Duration duration(String key, Duration otherwise) {
        return values.containsKey(key) ? ActionParser.duration(values.get(key)) : otherwise;
    }

    Readiness readiness() {
        return Readiness.parse(values.getOrDefault("ready", Readiness.MAIN_RETURNED), base);
    }

    /** The pidfile's name without {@code .pid}: the default logs are {@code NAME.out} and {@code NAME.err} beside it. */
    private Path beside(String extension) {
        Path pidfile = path("pidfile");
        String name = pidfile.getFileName().toString();
        name = name.endsWith(".pid") ? name.substring(0, name.length() - 4) : name;
        return pidfile.resolveSibling(name + extension);
    }

    /**
     * For {@code reopen-logs} and {@code force-stop} without {@code --stdout} or {@code --stderr}: the logs the
     * running daemon was started with, read from its command line ({@link ProgramMain}'s settings), so that those
     * actions check the files it really writes, not the defaults beside the pidfile. Only what is checked or read
     * comes from there; whom to signal is still the pidfile lock's holder alone.
     */
    void adoptRunningDaemonsLogs() {
        if (values.containsKey("stdout") && values.containsKey("stderr")) {
            return;
        }
        long pid;
        try {
            pid = PidFile.inspect(path("pidfile")).runningPid().orElse(0);
        } catch (IOException | RuntimeException e) {
            return; // the action says what is wrong with the pidfile
        }
        List<String> argv = ProcessTable.commandLine(pid).orElse(List.of());
        int main = argv.indexOf(ProgramCommand.PROGRAM_MAIN);
        if (pid <= 1 || main < 0 || main + 1 >= argv.size()) {
            return;
        }
        Map<String, String> settings = ProgramSettings.decode(argv.get(main + 1));
        for (String key : new String[] {ProgramSettings.STDOUT, ProgramSettings.STDERR}) {
            String log = settings.get(key);
            // whatever absolute path it was started with: a regular file, nothing (renamed away), or /dev/null,
            // which reopen-logs then says at once it cannot confirm, rather than check a default it never had
            if (!values.containsKey(key) && log != null && log.startsWith("/")) {
                values.put(key, log);
            }
        }
    }

    /**
     * For a forking unit ({@code systemd-unit --type forking}): the logs not given, which go beside the pidfile, go
     * to {@code /var/log/DIR/NAME.out} and {@code .err} instead when the pidfile is in {@code /run/DIR}, the unit's
     * {@code RuntimeDirectory=}, which systemd removes on every stop, restart and failure (systemd creates
     * {@code /var/log/DIR} for them: {@code LogsDirectory=}).
     */
    void moveDefaultLogsOutOfRuntimeDirectory() {
        Optional<String> runtime = UnitDirectories.runtimeDirectory(path("pidfile").getParent());
        if (runtime.isPresent()) {
            Path logs = Path.of("/var/log", runtime.get());
            values.putIfAbsent("stdout", logs.resolve(beside(".out").getFileName()).toString());
            values.putIfAbsent("stderr", logs.resolve(beside(".err").getFileName()).toString());
        }
    }

    Path stdout() {
        return values.containsKey("stdout") ? path("stdout") : beside(".out");
    }

    Path stderr() {
        return values.containsKey("stderr") ? path("stderr") : beside(".err");
    }

    /** The working directory: {@code --chdir}, else {@code /} (python-daemon's default). */
    Path chdir() {
        return values.containsKey("chdir") ? path("chdir") : Path.of("/");
    }

    DaemonContext context() {
        DaemonContext.Builder context = DaemonContext.builder().workingDirectory(chdir());
        if (values.containsKey("umask")) {
            context.umask(Integer.parseInt(values.get("umask"), 8));
        }
        if (values.containsKey("user")) {
            context.user(values.get("user"));
        }
        if (values.containsKey("group") && values.containsKey("user")) { // refused without a user where it counts
            context.group(values.get("group"));
        }
        return context.build();
    }

    /** The settings as a {@link DaemonApp}, for the library's actions; it has no code to run. */
    DaemonApp app() {
        DaemonContext context = context();
        Path stdin = values.containsKey("stdin") ? path("stdin") : Path.of("/dev/null");
        Path pidfile = path("pidfile");
        Path stdout = stdout();
        Path stderr = stderr();
        Duration start = duration("start-timeout", DaemonApp.DEFAULT_START_TIMEOUT);
        Duration stop = duration("stop-timeout", DaemonApp.DEFAULT_STOP_TIMEOUT);
        Duration pidfileTimeout = duration("pidfile-timeout", DEFAULT_PIDFILE_TIMEOUT);
        StopSchedule schedule = values.containsKey("stop-schedule") ? StopSchedule.parse(values.get("stop-schedule"))
                : StopSchedule.graceful(stop);
        return new DaemonApp() {
            @Override
            public Path stdinPath() {
                return stdin;
            }

            @Override
            public Path stdoutPath() {
                return stdout;
            }

            @Override
            public Path stderrPath() {
                return stderr;
            }

            @Override
            public Path pidfilePath() {
                return pidfile;
            }

            @Override
            public Duration pidfileTimeout() {
                return pidfileTimeout;
            }

            @Override
            public Duration startTimeout() {
                return start;
            }

            @Override
            public Duration stopTimeout() {
                return stop;
            }

            @Override
            public StopSchedule stopSchedule() {
                return schedule;
            }

            @Override
            public DaemonContext context() {
                return context;
            }

            @Override
            public void run() {
                throw new UnsupportedOperationException("a wrapped program runs through daemonrunner.jar's ProgramMain");
            }
        };
    }

    /**
     * The options as daemonrunner.jar's own arguments, every path absolute and {@code --ready file:} too, so that
     * they mean the same from any directory (for the units {@code systemd-unit} writes).
     */
    List<String> asArguments() {
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, String> entry : values.entrySet()) {
            String key = entry.getKey();
            String value = PATH_KEYS.contains(key) ? path(key).toString() : key.equals("ready")
                    ? readiness().toString() : entry.getValue();
            args.add("--" + key);
            args.add(value);
        }
        return args;
    }

    /** The settings {@link ProgramMain} gets in the daemon JVM. */
    String programSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(ProgramSettings.PIDFILE, path("pidfile").toString());
        settings.put(ProgramSettings.STDOUT, stdout().toString());
        settings.put(ProgramSettings.STDERR, stderr().toString());
        settings.put(ProgramSettings.READY, readiness().toString());
        settings.put(ProgramSettings.PIDFILE_TIMEOUT_MS,
                Long.toString(duration("pidfile-timeout", DEFAULT_PIDFILE_TIMEOUT).toMillis()));
        for (String key : new String[] {"umask", "user", "group"}) {
            if (values.containsKey(key)) {
                settings.put(key, values.get(key));
            }
        }
        return ProgramSettings.encode(settings);
    }
}
