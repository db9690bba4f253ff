// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.wrap;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.daemonrunner.Action;
import org.daemonrunner.DaemonRunnerException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.InvalidActionException;
import org.daemonrunner.internal.daemon.ForegroundChild;
import org.daemonrunner.internal.launch.ArgumentEncoding;
import org.daemonrunner.internal.launch.JavaCommand;
import org.daemonrunner.internal.runner.Actions;
import org.daemonrunner.internal.runner.Console;
import org.daemonrunner.internal.runner.ParsedCommand;
import org.daemonrunner.internal.runner.SignalAction;
import org.daemonrunner.internal.runner.SystemdUnitAction;
import org.daemonrunner.internal.runner.Target;

/**
 * {@code daemonrunner.jar}'s {@code Main-Class}: {@code java -jar daemonrunner.jar [options] ACTION [action
 * options] [-- JAVA_ARGS...]}. The library's own actions, on a target made of the options; the daemon is the
 * program's own foreground command, with this jar at the end of its class path and {@link ProgramMain} as the main
 * class that calls the program's ({@link ProgramCommand}).
 */
public final class Wrapper {
    private Wrapper() {
    }

    /** Runs the action and exits with its status. */
    public static void main(String[] args) {
        System.exit(doAction(args));
    }

    /**
     * Whether a word asks for the usage or the version somewhere: only then is {@link WrapperUsage} loaded (and its
     * text built), which every other command, {@code status} first, does without.
     */
    private static boolean mentionsUsage(String[] args) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h") || arg.equals("--version")) {
                return true;
            }
        }
        return false;
    }

    /** Performs the action and returns the exit status (2 for a usage error); or prints the usage or version, 0. */
    static int doAction(String[] args) {
        Console console = Console.system();
        WrapperUsage.Request request = mentionsUsage(args) ? WrapperUsage.requested(args) : null;
        if (request != null) {
            console.out().print(request == WrapperUsage.Request.HELP ? WrapperUsage.text()
                    : WrapperUsage.version() + System.lineSeparator());
            return ExitStatus.OK;
        }
        Path launchDirectory = Path.of("").toAbsolutePath();
        try {
            WrapperOptions options = WrapperOptions.parse(args, launchDirectory);
            ParsedCommand command = options.command;
            Action action = command.action();
            Actions.readyProcessApi(action);
            boolean needsProgram = action == Action.START || action == Action.RESTART || action == Action.RUN
                    || action == Action.SYSTEMD_UNIT;
            requirePassable(options, args, needsProgram);
            Optional<String> lossyDirectory = ArgumentEncoding.lossyWorkingDirectory();
            if (lossyDirectory.isPresent() && (needsProgram || !relativePaths(options).isEmpty())) {
                String use = needsProgram ? "'" + action.actionName() + "' makes the program's relative paths"
                        + " absolute against it" : String.join(", ", relativePaths(options)) + " would be resolved"
                        + " against it";
                throw new DaemonRunnerException("Bad working directory: " + use + ", but " + lossyDirectory.get() + ".",
                        ExitStatus.USAGE, null);
            }
            JavaCommand java = needsProgram ? javaCommand(options, launchDirectory) : null;
            if (action == Action.REOPEN_LOGS || action == Action.FORCE_STOP) {
                options.adoptRunningDaemonsLogs();
            }
            if (action == Action.SYSTEMD_UNIT && command.unitType().equals("forking")) {
                options.moveDefaultLogsOutOfRuntimeDirectory();
            }
            Target target = new Target(options.app(), launchDirectory, action, java);
            target.checkPidfileIsSafe(action);
            switch (action) {
                case RUN:
                    return run(java, options, launchDirectory);
                case SYSTEMD_UNIT:
                    return new SystemdUnitAction(target, console).print(command, new UnitCommandLines(java, options,
                            launchDirectory));
                case RELOAD:
                    return new SignalAction(target, console).reloadProgram();
                default:
                    return Actions.perform(command, target, console);
            }
        } catch (InvalidActionException e) {
            console.err().println(e.getMessage());
            console.err().println(WrapperUsage.pointer()); // the cause stays in sight; --help has the rest
            return e.exitStatus();
        } catch (DaemonRunnerException e) {
            console.err().println(e.getMessage());
            return e.exitStatus();
        }
    }

    /**
     * Refuses what reached this JVM altered, or cannot be given on unaltered: an action that starts the program
     * gives it every argument; the others need only their settings usable (not the JAVA_ARGS they ignore).
     */
    private static void requirePassable(WrapperOptions options, String[] args, boolean needsProgram) {
        // plain loops, no lambdas: the first one costs a JVM some milliseconds of class spinning, on every status
        if (needsProgram) {
            Optional<String> lossy = ArgumentEncoding.lossyOnThisCommandLine(List.of(args));
            if (lossy.isEmpty()) {
                lossy = ArgumentEncoding.unencodable(List.copyOf(options.values.values())); // --config's too
            }
            if (lossy.isPresent()) {
                throw new DaemonRunnerException("Bad command line: " + lossy.get() + ".", ExitStatus.USAGE, null);
            }
            return;
        }
        for (Map.Entry<String, String> setting : options.values.entrySet()) {
            Optional<String> unusable = ArgumentEncoding.unusable(setting.getValue());
            if (unusable.isPresent()) {
                throw new DaemonRunnerException("Bad --" + setting.getKey() + ": " + unusable.get() + ".",
                        ExitStatus.USAGE, null);
            }
        }
    }

    /**
     * The pidfile and log options that are relative (to the launch directory), as given ({@code --pidfile app.pid}):
     * the paths that every action resolves (the others matter only to the actions that start the program).
     */
    private static List<String> relativePaths(WrapperOptions options) {
        List<String> relative = new ArrayList<>();
        for (String key : new String[] {"pidfile", "stdout", "stderr"}) {
            if (options.values.containsKey(key) && !options.values.get(key).startsWith("/")) {
                relative.add("--" + key + " " + options.values.get(key));
            }
        }
        return relative;
    }

    /**
     * {@code --java}: a path, or a bare name looked up on {@code PATH} as a shell would; an executable file, or a
     * usage error that says so before anything is started.
     */
    private static String javaExecutable(WrapperOptions options) {
        String given = options.values.get("java");
        Path java = options.path("java");
        if (given.indexOf('/') < 0) {
            String path = System.getenv("PATH");
            for (String directory : (path == null ? "" : path).split(":")) {
                Path candidate = Path.of(directory.isEmpty() ? "." : directory, given);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    java = candidate.toAbsolutePath();
                    break;
                }
            }
        }
        if (!Files.isRegularFile(java) || !Files.isExecutable(java)) {
            throw new DaemonRunnerException("Bad --java: " + java + " is not an executable file"
                    + (given.indexOf('/') < 0 ? " (nor is '" + given + "' on PATH)" : "") + ". Give the path of a java"
                    + " launcher, e.g. /usr/lib/jvm/java-17-openjdk-amd64/bin/java.", ExitStatus.USAGE, null);
        }
        refuseWhatIsNoJavaLauncher(java);
        return java.toString();
    }

    /**
     * Refuses an executable that is plainly no java launcher ({@code /bin/true}, say, which would "exit with status
     * 0 before it was ready"): its real file is not named {@code java...}, and no JDK is around it (no
     * {@code release} file or {@code lib/modules} in the directory above its own). Two file checks, not a run of
     * {@code java -version}; a launcher script of another name (a version manager's shim) beside a JDK passes.
     */
    private static void refuseWhatIsNoJavaLauncher(Path java) {
        Path real;
        try {
            real = java.toRealPath();
        } catch (IOException e) {
            return; // readable enough to run: the launch says what went wrong
        }
        Path home = real.getParent() == null ? null : real.getParent().getParent();
        if (real.getFileName().toString().startsWith("java") || home != null
                && (Files.isRegularFile(home.resolve("release")) || Files.isRegularFile(home.resolve("lib/modules")))) {
            return;
        }
        throw new DaemonRunnerException("Bad --java: " + java + (real.equals(java) ? "" : " (the file " + real + ")")
                + " is not a java launcher: its name does not start with 'java', and no JDK is around it (no "
                + (home == null ? "release file" : home.resolve("release")) + "). Give the path of a java launcher,"
                + " e.g. /usr/lib/jvm/java-17-openjdk-amd64/bin/java.", ExitStatus.USAGE, null);
    }

    /** The daemon JVM's command: the program's foreground command, run through {@link ProgramMain}. */
    private static JavaCommand javaCommand(WrapperOptions options, Path launchDirectory) {
        if (options.javaArgs.isEmpty()) {
            throw new InvalidActionException("No JAVA_ARGS: '" + options.command.action().actionName()
                    + "' needs the program's java command after '--' (e.g. -- -jar app.jar), or after a '--' line"
                    + " in --config.");
        }
        Optional<String> unencodable = ArgumentEncoding.unencodable(options.javaArgs); // from --config, UTF-8
        if (unencodable.isPresent()) {
            throw new DaemonRunnerException("Bad JAVA_ARGS: " + unencodable.get() + ".", ExitStatus.USAGE, null);
        }
        String java = options.values.containsKey("java") ? javaExecutable(options)
                : Path.of(System.getProperty("java.home"), "bin", "java").toString(); // the java running this jar
        try {
            return ProgramCommand.of(JavaCommand.parse(java, options.javaArgs, launchDirectory), ownJar(),
                    options.programSettings(), launchDirectory);
        } catch (IllegalArgumentException e) {
            // a usage error (2), said in one line: the usage text does not tell what is wrong with a program
            throw new DaemonRunnerException("Bad JAVA_ARGS: " + e.getMessage() + ".", ExitStatus.USAGE, e);
        }
    }

    /** This jar, daemonrunner.jar, absolute. */
    static Path ownJar() {
        try {
            Path jar = Path.of(Wrapper.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(jar)) {
                throw new DaemonRunnerException("Cannot wrap a program: " + jar + " is not a jar file. Run"
                        + " daemonrunner.jar itself (java -jar daemonrunner.jar).", ExitStatus.FAILURE, null);
            }
            return jar.toAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            if (e instanceof DaemonRunnerException) {
                throw (DaemonRunnerException) e;
            }
            throw new DaemonRunnerException("Cannot find daemonrunner.jar: " + e + ".", ExitStatus.FAILURE, e);
        }
    }

    /**
     * The unit's command lines: {@code run} is the daemon JVM's command, with the options {@code start} gives it
     * (systemd sees one JVM, which tells it when it is ready); {@code start} and {@code reload} are
     * daemonrunner.jar's.
     */
    private static final class UnitCommandLines implements SystemdUnitAction.CommandLines {
        private final JavaCommand java;
        private final WrapperOptions options;
        private final Path launchDirectory;

        UnitCommandLines(JavaCommand java, WrapperOptions options, Path launchDirectory) {
            this.java = java;
            this.options = options;
            this.launchDirectory = launchDirectory;
        }

        @Override
        public String programName() {
            return java.programName();
        }

        @Override
        public Optional<Path> configFile() {
            return Optional.ofNullable(options.configFile);
        }

        @Override
        public boolean asksIsHealthy() {
            return false; // SystemdNotifier counts a wrapped program as healthy
        }

        @Override
        public boolean reloads() {
            return false; // its SIGHUP only notes that nothing was reloaded (WrappedProgram), unless it handles it
        }

        @Override
        public String moveLog(String stream, Path suggested) {
            return "Give --" + stream + " " + suggested;
        }

        @Override
        public List<String> forAction(String action) {
            List<String> argv = new ArrayList<>(List.of(java.java()));
            if (action.equals("run")) {
                argv.addAll(java.arguments(java.daemonOptions(launchDirectory)));
                return argv;
            }
            argv.addAll(List.of("-jar", ownJar().toString()));
            argv.addAll(options.asArguments());
            argv.add(action);
            if (action.equals("start")) {
                argv.add("--");
                argv.addAll(ProgramCommand.withExplicitClassPath(JavaCommand.parse(java.java(), options.javaArgs,
                        launchDirectory), launchDirectory));
            }
            return argv;
        }
    }

    /**
     * {@code run}: the program in the foreground, as a child JVM run through {@link ProgramMain} (a JVM cannot
     * exec): standard streams inherited, TERM, HUP and USR1 relayed, its exit status passed through.
     */
    private static int run(JavaCommand java, WrapperOptions options, Path launchDirectory) {
        List<String> argv = new ArrayList<>();
        argv.add(java.java());
        argv.addAll(java.arguments(java.daemonOptions(launchDirectory))); // as start's daemon JVM gets them
        try {
            return ForegroundChild.run(argv, options.chdir());
        } catch (IOException e) {
            throw new DaemonRunnerException("Cannot run " + java.java() + ": " + e.getMessage() + ".",
                    ExitStatus.FAILURE, e);
        }
    }
}
