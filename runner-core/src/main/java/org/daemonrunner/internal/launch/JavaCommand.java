// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The command line that started this JVM, rewritten so that it can be run again from another working directory.
 *
 * <p>It is read from the process itself ({@code ProcessHandle.current().info()}, i.e. {@code /proc/self/cmdline}
 * and {@code /proc/self/exe} on Linux), so it keeps every JVM option ({@code -Xmx}, {@code -D}, agents), the class
 * path or {@code -jar} or module, the main class and all the arguments. Relative class-path and module-path
 * entries (an empty entry, which the JVM reads as the working directory, too), {@code --patch-module} paths, the
 * {@code -jar} file, agent paths, argument files, a source-file main, class-data archives
 * ({@code -XX:SharedArchiveFile}, {@code -XX:AOTCache}) and the files the JVM itself reads or writes
 * ({@link #JVM_FILES}, {@code -Xlog} file outputs, {@code -XX:StartFlightRecording}'s {@code filename}) are made
 * absolute against the launch directory. Other relative paths (in {@code -D} properties, or the program's own
 * arguments) are passed as they are: the program resolves them against its working directory.
 *
 * <p>The launcher and the daemon load different classes, so each can have a class-data archive of its own. The
 * options that make a JVM write a file as it runs or exits ({@code -XX:DumpLoadedClassList},
 * {@code -XX:ArchiveClassesAtExit}, {@code -XX:AOTCacheOutput}, {@code -XX:AOTConfiguration}) name another file
 * for the daemon, with {@code -daemon} before the extension ({@code app.jsa} becomes {@code app-daemon.jsa}): two
 * JVMs writing one file would corrupt it, and a training {@code start} then records both. The daemon reads the
 * archive of that name ({@code -XX:SharedArchiveFile}, {@code -XX:AOTCache}) when it exists, and always with
 * {@code -XX:+AutoCreateSharedArchive} (JDK 19 and later), which then keeps it up to date; else the launcher's.
 * Options given through {@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS} or {@code -XX:VMOptionsFile} are not
 * on the command line, so they reach the daemon unchanged.
 */
public final class JavaCommand {
    /** Launcher options whose value is the next argument. */
    private static final Set<String> WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p",
            "--module-path", "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-exports",
            "--add-opens", "--add-reads", "--patch-module", "--enable-native-access", "--source");
    private static final Set<String> CLASS_PATH = Set.of("-cp", "-classpath", "--class-path");
    private static final Set<String> PATH_LISTS = Set.of("-cp", "-classpath", "--class-path", "-p",
            "--module-path", "--upgrade-module-path");
    private static final String OWN_PROPERTIES = "-Ddaemonrunner.";
    private static final String SHARED_ARCHIVE = "-XX:SharedArchiveFile=";
    private static final String AUTO_CREATE = "-XX:+AutoCreateSharedArchive";
    /** Class-data archives the JVM reads (a list, on JDK 17: base and top). */
    private static final List<String> ARCHIVES_READ = List.of(SHARED_ARCHIVE, "-XX:AOTCache=");
    /** Files the JVM writes while it runs or as it exits: the daemon writes its own. */
    private static final List<String> FILES_WRITTEN = List.of("-XX:DumpLoadedClassList=", "-XX:ArchiveClassesAtExit=",
            "-XX:AOTCacheOutput=", "-XX:AOTConfiguration=");
    /** Other options whose value is a file the JVM reads or writes. */
    private static final List<String> JVM_FILES = List.of("-XX:VMOptionsFile=", "-XX:Flags=", "-XX:HeapDumpPath=",
            "-XX:ErrorFile=", "-XX:LogFile=", "-Xloggc:");
    /** What a file the daemon writes is called, before its extension. */
    private static final String DAEMON_SUFFIX = "-daemon";

    private final String java;
    private final List<String> jvmOptions;
    private final List<String> mainAndArguments;
    private final String programName;

    private JavaCommand(String java, List<String> jvmOptions, List<String> mainAndArguments, String programName) {
        this.java = java;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.mainAndArguments = List.copyOf(mainAndArguments);
        this.programName = programName;
    }

    /**
     * Returns this JVM's command line, with relative paths resolved against {@code base}.
     *
     * @throws IllegalStateException when the platform does not tell the command line, or the program was not
     *     started by the {@code java} launcher (a jpackage app image's native launcher, say)
     */
    public static JavaCommand current(Path base) {
        ProcessHandle.Info info = ProcessHandle.current().info();
        Optional<String> command = info.command();
        Optional<String[]> arguments = info.arguments();
        if (command.isEmpty() || arguments.isEmpty()) {
            throw new IllegalStateException("this JVM's command line cannot be read (no /proc/self/cmdline?)");
        }
        requireJavaLauncher(command.get());
        return parse(command.get(), List.of(arguments.get()), base);
    }

    /**
     * Refuses an executable that is not the {@code java} launcher: a jpackage app image starts through a native
     * launcher of its own ({@code bin/NAME}), whose arguments are not a Java command line; run again as if they
     * were, the daemon would die with "Could not find or load main class start".
     *
     * @throws IllegalStateException naming the executable
     */
    static void requireJavaLauncher(String executable) {
        if (!Path.of(executable).getFileName().toString().equals("java")) {
            throw new IllegalStateException("this program runs from " + executable + ", a native launcher (as a"
                    + " jpackage app image has), not from the java launcher, so its command line cannot be run again"
                    + " as the daemon");
        }
    }

    /**
     * Parses a java launcher command line (without the executable).
     *
     * @param java the java executable, absolute
     * @param arguments everything after the executable
     * @param base the directory relative paths are resolved against
     * @throws IllegalArgumentException when the arguments name no main class, {@code -jar} file or module
     */
    public static JavaCommand parse(String java, List<String> arguments, Path base) {
        UnaryOperator<String> absolute = new Absolute(base);
        boolean autoCreate = autoCreatesArchive(arguments);
        List<String> options = new ArrayList<>();
        boolean argumentFile = false;
        for (int i = 0; i < arguments.size(); i++) {
            String arg = arguments.get(i);
            if (arg.startsWith(OWN_PROPERTIES)) {
                continue;
            }
            if (arg.equals("-jar")) {
                String jar = value(arguments, i, arg);
                return new JavaCommand(java, options, concat(List.of("-jar", absolute.apply(jar)),
                        arguments.subList(i + 2, arguments.size())), "java -jar " + Path.of(jar).getFileName());
            }
            if (arg.equals("-m") || arg.equals("--module")) {
                String module = value(arguments, i, arg);
                return new JavaCommand(java, options, concat(List.of(arg, module),
                        arguments.subList(i + 2, arguments.size())), module);
            }
            if (arg.startsWith("--module=")) {
                return new JavaCommand(java, options, arguments.subList(i, arguments.size()),
                        arg.substring("--module=".length()));
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                if (arg.startsWith("@") && !arg.startsWith("@@")) {
                    options.add("@" + absolute.apply(arg.substring(1)));
                    argumentFile = true;
                    continue;
                }
                String main = arg.endsWith(".java") ? absolute.apply(arg) : arg;
                return new JavaCommand(java, options, concat(List.of(main), arguments.subList(i + 1, arguments.size())),
                        main.substring(main.lastIndexOf(main.endsWith(".java") ? '/' : '.') + 1));
            }
            if (WITH_VALUE.contains(arg)) {
                String value = value(arguments, i, arg);
                options.add(arg);
                options.add(PATH_LISTS.contains(arg) ? absolutePathList(value, absolute, CLASS_PATH.contains(arg))
                        : arg.equals("--patch-module") ? patchedModule(value, absolute) : value);
                i++;
                continue;
            }
            options.add(rewriteOption(arg, absolute, autoCreate));
        }
        if (argumentFile) {
            // the main class is inside an argument file: the order of the arguments is kept, so it still works
            return new JavaCommand(java, options, List.of(), "daemon");
        }
        throw new IllegalArgumentException("the java command line names no main class, -jar file or module: "
                + String.join(" ", arguments));
    }

    /** Whether the JVM options (not the app's arguments) turn on {@code AutoCreateSharedArchive}; the last wins. */
    private static boolean autoCreatesArchive(List<String> arguments) {
        boolean on = false;
        for (int i = 0; i < arguments.size(); i++) {
            String arg = arguments.get(i);
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("-jar") || arg.equals("-m")
                    || arg.equals("--module") || arg.startsWith("--module=")) {
                break; // the main class, jar or module: what follows is the app's
            }
            if (WITH_VALUE.contains(arg)) {
                i++;
            } else if (arg.equals(AUTO_CREATE)) {
                on = true;
            } else if (arg.equals("-XX:-AutoCreateSharedArchive")) {
                on = false;
            }
        }
        return on;
    }

    /** Makes a path absolute against the launch directory (a class, not a lambda: no bootstrap at start-up). */
    private static final class Absolute implements UnaryOperator<String> {
        private final Path base;

        Absolute(Path base) {
            this.base = base;
        }

        @Override
        public String apply(String path) {
            return path.isEmpty() ? path : base.resolve(path).normalize().toString();
        }
    }

    private static String rewriteOption(String arg, UnaryOperator<String> absolute, boolean autoCreate) {
        int eq = arg.indexOf('=');
        if (arg.startsWith("--") && eq > 0 && PATH_LISTS.contains(arg.substring(0, eq))) {
            return arg.substring(0, eq + 1) + absolutePathList(arg.substring(eq + 1), absolute,
                    CLASS_PATH.contains(arg.substring(0, eq)));
        }
        for (String prefix : List.of("-javaagent:", "-agentpath:")) {
            if (arg.startsWith(prefix)) {
                String rest = arg.substring(prefix.length());
                int optionsAt = rest.indexOf('=');
                String path = optionsAt < 0 ? rest : rest.substring(0, optionsAt);
                return prefix + absolute.apply(path) + (optionsAt < 0 ? "" : rest.substring(optionsAt));
            }
        }
        for (String prefix : ARCHIVES_READ) {
            if (arg.startsWith(prefix)) {
                return prefix + daemonsArchive(absolutePathList(arg.substring(prefix.length()), absolute, false),
                        autoCreate && prefix.equals(SHARED_ARCHIVE));
            }
        }
        for (String prefix : FILES_WRITTEN) {
            if (arg.startsWith(prefix) && arg.length() > prefix.length()) {
                return prefix + daemonsOwn(absolute.apply(arg.substring(prefix.length())));
            }
        }
        if (arg.startsWith("--patch-module=")) {
            return "--patch-module=" + patchedModule(arg.substring("--patch-module=".length()), absolute);
        }
        for (String prefix : JVM_FILES) {
            if (arg.startsWith(prefix) && arg.length() > prefix.length()) {
                return prefix + absolute.apply(arg.substring(prefix.length()));
            }
        }
        if (arg.startsWith("-Xlog:")) {
            return logOption(arg, absolute);
        }
        if (arg.startsWith("-XX:StartFlightRecording:") || arg.startsWith("-XX:StartFlightRecording=")) {
            String options = arg.substring("-XX:StartFlightRecording:".length()); // KEY=VALUE,...
            int key = options.startsWith("filename=") ? 0 : options.indexOf(",filename=") + 1;
            return key < 0 || key == 0 && !options.startsWith("filename=") ? arg
                    : arg.substring(0, arg.length() - options.length())
                    + fileIn(options, key + "filename=".length(), ',', absolute);
        }
        if (arg.startsWith("-Xbootclasspath/a:")) {
            return "-Xbootclasspath/a:" + absolutePathList(arg.substring("-Xbootclasspath/a:".length()), absolute,
                    false); // the JVM skips an empty boot class path entry
        }
        if (arg.startsWith("-splash:")) {
            return "-splash:" + absolute.apply(arg.substring("-splash:".length()));
        }
        return arg;
    }

    /**
     * Returns the archive the daemon reads instead of the launcher's {@code archive}: its own, when it exists or the
     * JVM creates it ({@code autoCreate}); a list ({@code base:top}) is used as it is.
     */
    static String daemonsArchive(String archive, boolean autoCreate) {
        if (archive.isEmpty() || archive.indexOf(File.pathSeparatorChar) >= 0) {
            return archive;
        }
        String own = daemonsOwn(archive);
        return autoCreate || new File(own).isFile() ? own : archive;
    }

    /** Returns {@code file} with {@link #DAEMON_SUFFIX} before its extension: {@code /a/app-daemon.jsa}. */
    static String daemonsOwn(String file) {
        int slash = file.lastIndexOf('/');
        int dot = file.lastIndexOf('.');
        return dot > slash + 1 ? file.substring(0, dot) + DAEMON_SUFFIX + file.substring(dot) : file + DAEMON_SUFFIX;
    }

    /**
     * The entries of a path list made absolute; with {@code classPath}, an empty entry too, which is the working
     * directory to the class path (the launch directory, made explicit), where other lists skip it.
     */
    private static String absolutePathList(String list, UnaryOperator<String> absolute, boolean classPath) {
        List<String> entries = new ArrayList<>();
        for (String entry : list.split(File.pathSeparator, -1)) {
            entries.add(entry.equals("*") ? absolute.apply(".") + File.separator + "*"
                    : absolute.apply(entry.isEmpty() && classPath ? "." : entry));
        }
        return String.join(File.pathSeparator, entries);
    }

    /** {@code MODULE=PATH[:PATH...]}, its paths made absolute. */
    private static String patchedModule(String value, UnaryOperator<String> absolute) {
        int eq = value.indexOf('=');
        return eq <= 0 ? value : value.substring(0, eq + 1) + absolutePathList(value.substring(eq + 1), absolute,
                false);
    }

    /**
     * {@code -Xlog:WHAT:OUTPUT[:...]}: an output that is a file ({@code file=NAME}, or a name other than
     * {@code stdout}, {@code stderr} or {@code #N}) made absolute.
     */
    private static String logOption(String arg, UnaryOperator<String> absolute) {
        int output = arg.indexOf(':', "-Xlog:".length()) + 1; // after WHAT
        if (output == 0 || output == arg.length()) {
            return arg;
        }
        String rest = arg.substring(output);
        int colon = rest.indexOf(':');
        String name = colon < 0 ? rest : rest.substring(0, colon);
        if (name.isEmpty() || name.equals("stdout") || name.equals("stderr") || name.startsWith("#")) {
            return arg;
        }
        String file = rest.startsWith("file=") ? rest : "file=" + rest;
        return arg.substring(0, output) + fileIn(file, "file=".length(), ':', absolute);
    }

    /**
     * {@code options} with the path that starts at {@code at} (up to {@code separator}, or quoted) made absolute,
     * and quoted when it holds the options' own separators ({@code :}, {@code ,}, {@code =}), as {@code -Xlog} and
     * {@code -XX:StartFlightRecording} allow.
     */
    private static String fileIn(String options, int at, char separator, UnaryOperator<String> absolute) {
        boolean quoted = options.startsWith("\"", at);
        int end = quoted ? options.indexOf('"', at + 1) + 1 : options.indexOf(separator, at);
        if (quoted && end == 0) {
            return options; // no closing quote: the JVM says what is wrong
        }
        end = end < 0 ? options.length() : end;
        String path = quoted ? options.substring(at + 1, end - 1) : options.substring(at, end);
        if (path.isEmpty()) {
            return options;
        }
        String file = absolute.apply(path);
        boolean quote = quoted || file.indexOf(':') >= 0 || file.indexOf(',') >= 0 || file.indexOf('=') >= 0;
        return options.substring(0, at) + (quote ? "\"" + file + "\"" : file) + options.substring(end);
    }

    private static String value(List<String> arguments, int i, String option) {
        if (i + 1 >= arguments.size()) {
            throw new IllegalArgumentException("the java command line ends after " + option);
        }
        return arguments.get(i + 1);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * Returns this command with other JVM options and another main part (the program's name stays): how
     * {@code daemonrunner.jar} runs a program through its own main class.
     */
    public JavaCommand withMain(List<String> options, List<String> main) {
        return new JavaCommand(java, options, main, programName);
    }

    /**
     * The feature version of the daemon's java ({@code 17}, {@code 25}): this JVM's when it is the same executable,
     * else read from the {@code release} file of its JDK; 0 when that cannot be told, which adds no option that an
     * older JVM would refuse.
     */
    public int feature() {
        Path home = Path.of(System.getProperty("java.home"));
        try {
            Path executable = Path.of(java).toRealPath();
            if (executable.equals(home.resolve("bin/java").toRealPath())) {
                return Runtime.version().feature();
            }
            for (String line : Files.readAllLines(executable.getParent().getParent().resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    version = version.startsWith("1.") ? version.substring(2) : version;
                    int end = 0;
                    while (end < version.length() && Character.isDigit(version.charAt(end))) {
                        end++;
                    }
                    return Integer.parseInt(version.substring(0, end));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not told
        }
        return 0;
    }

    /** Returns the java executable. */
    public String java() {
        return java;
    }

    /** Returns the JVM options, rewritten, without daemonrunner's own {@code -Ddaemonrunner.*} properties. */
    public List<String> jvmOptions() {
        return jvmOptions;
    }

    /** Returns what follows the options: the main class (or {@code -jar FILE}, or the module) and its arguments. */
    public List<String> mainAndArguments() {
        return mainAndArguments;
    }

    /**
     * Returns a short name of the program for usage texts: {@code java -jar FILE.jar}, the main class's simple
     * name, the module, or {@code daemon} when the main class is in an argument file.
     */
    public String programName() {
        return programName;
    }

    /**
     * Returns the arguments after the executable: {@code extraOptions} first (an argument file may hold the main
     * class, so nothing can safely go after the options), then the options, then main and arguments.
     */
    public List<String> arguments(List<String> extraOptions) {
        List<String> all = new ArrayList<>(extraOptions);
        all.addAll(jvmOptions);
        all.addAll(mainAndArguments);
        return all;
    }

    /**
     * Returns the JVM options {@code start} adds for the daemon: the launch directory, and HotSpot's own output (a
     * thread dump on SIGQUIT, say) to stderr, where {@code force-stop} looks for it, unless the command line decides
     * that; on JDK 23 and later, what keeps jnr-posix from warning.
     */
    public List<String> daemonOptions(Path launchDirectory) {
        List<String> options = new ArrayList<>(List.of("-D" + Relaunch.LAUNCH_DIRECTORY_PROPERTY + "=" + launchDirectory));
        boolean vmOutput = false;
        boolean nativeAccess = false;
        boolean unsafeAccess = false;
        boolean unsupported = false;
        for (int i = 0; i < jvmOptions.size(); i++) {
            String option = jvmOptions.get(i);
            vmOutput |= option.contains("DisplayVMOutputTo");
            nativeAccess |= option.startsWith("--enable-native-access");
            unsafeAccess |= option.startsWith("--sun-misc-unsafe");
            unsupported |= option.startsWith("--add-modules") && (option.contains("jdk.unsupported")
                    || option.contains("ALL-SYSTEM") || (i + 1 < jvmOptions.size()
                    && (jvmOptions.get(i + 1).contains("jdk.unsupported") || jvmOptions.get(i + 1).contains("ALL-SYSTEM"))));
        }
        if (!vmOutput) {
            options.add("-XX:+DisplayVMOutputToStderr");
        }
        String module = mainModule();
        if (module != null && !unsupported) {
            // an app in an automatic module (a fat jar on -p) does not resolve jdk.unsupported, home of the
            // sun.misc.Signal the daemon's signal handlers need; a named module that requires it loses nothing
            options.add("--add-modules=jdk.unsupported");
        }
        // jnr-posix, loaded for reopen-logs or a privilege drop, makes JDK 24+ warn about native access and
        // sun.misc.Unsafe unless these are allowed; an older JVM refuses the options, so they follow the daemon's
        // java (daemonrunner.jar's --java may name another JDK than the launcher's). The option turns off CDS's
        // archived module graph (about 6 ms more at start-up), so it is added only where that warning exists and
        // the -jar file's manifest does not allow native access itself.
        int feature = feature();
        if (feature >= 24 && !nativeAccess && !jarAllowsNativeAccess()) {
            // on the module path, jnr runs in the app's module (a fat jar) or in modules of their own
            options.add("--enable-native-access=ALL-UNNAMED" + (module == null ? "" : "," + module));
        }
        if (feature >= 23 && !unsafeAccess) {
            options.add("--sun-misc-unsafe-memory-access=allow");
        }
        return options;
    }

    /** The main module's name when the command runs one ({@code -m MODULE/CLASS}), else null. */
    private String mainModule() {
        if (mainAndArguments.isEmpty()) {
            return null;
        }
        String first = mainAndArguments.get(0);
        String module = first.equals("-m") || first.equals("--module")
                ? (mainAndArguments.size() > 1 ? mainAndArguments.get(1) : null)
                : first.startsWith("--module=") ? first.substring("--module=".length()) : null;
        return module == null ? null : module.indexOf('/') < 0 ? module : module.substring(0, module.indexOf('/'));
    }

    /** Whether the command runs a {@code -jar} file whose manifest says {@code Enable-Native-Access: ALL-UNNAMED}. */
    private boolean jarAllowsNativeAccess() {
        if (mainAndArguments.size() < 2 || !mainAndArguments.get(0).equals("-jar")) {
            return false;
        }
        try (JarFile jar = new JarFile(mainAndArguments.get(1))) {
            Manifest manifest = jar.getManifest();
            return manifest != null && "ALL-UNNAMED".equals(manifest.getMainAttributes().getValue("Enable-Native-Access"));
        } catch (IOException | RuntimeException e) {
            return false; // the option is added: harmless, only slower
        }
    }
}
