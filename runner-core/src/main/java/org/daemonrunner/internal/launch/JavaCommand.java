// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

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
 * ({@code -XX:VMOptionsFile} and the like, {@code -Xlog} file outputs, {@code -XX:StartFlightRecording}'s
 * {@code filename}) are made absolute against the launch directory ({@link OptionPaths}). Other relative paths (in {@code -D} properties, or the program's own
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
    private static final String OWN_PROPERTIES = "-Ddaemonrunner.";
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
     *     started by the {@code java} launcher (a jpackage app image's native launcher, say); {@link Unpassable}
     *     when an argument would not reach the daemon unchanged
     */
    public static JavaCommand current(Path base) {
        ProcessHandle.Info info = ProcessHandle.current().info();
        Optional<String> command = info.command();
        Optional<String[]> arguments = info.arguments();
        if (command.isEmpty() || arguments.isEmpty()) {
            throw new IllegalStateException("this JVM's command line cannot be read (no /proc/self/cmdline?)");
        }
        requireJavaLauncher(command.get());
        // the working directory too: the daemon's relative paths are made absolute against it
        Optional<String> lossy = ArgumentEncoding.lossyOnThisCommandLine(List.of(arguments.get()))
                .or(ArgumentEncoding::lossyWorkingDirectory);
        if (lossy.isPresent()) {
            throw new Unpassable("this JVM's command line cannot be run again: " + lossy.get());
        }
        return parse(command.get(), List.of(arguments.get()), base);
    }

    /**
     * This JVM's command line cannot be passed on unchanged ({@link ArgumentEncoding}): the message says which
     * argument and what to set; there is nothing to do differently with the program.
     */
    public static final class Unpassable extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Unpassable(String message) {
            super(message);
        }
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
        UnaryOperator<String> absolute = OptionPaths.against(base);
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
                options.add(OptionPaths.value(arg, value, absolute));
                i++;
                continue;
            }
            options.add(OptionPaths.rewrite(arg, absolute, autoCreate));
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
            } else if (arg.equals(OptionPaths.AUTO_CREATE)) {
                on = true;
            } else if (arg.equals("-XX:-AutoCreateSharedArchive")) {
                on = false;
            }
        }
        return on;
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
        if (isThisJava()) {
            return Runtime.version().feature();
        }
        try {
            Path executable = Path.of(java).toRealPath();
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

    /** Whether the daemon's java is the executable running this JVM (after links). */
    public boolean isThisJava() {
        try {
            return Path.of(java).toRealPath()
                    .equals(Path.of(System.getProperty("java.home"), "bin", "java").toRealPath());
        } catch (IOException | RuntimeException e) {
            return false;
        }
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
        boolean limited = false;
        for (int i = 0; i < jvmOptions.size(); i++) {
            String option = jvmOptions.get(i);
            limited |= option.startsWith("--limit-modules");
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
        if ((module != null || limited) && !unsupported) {
            // an app in an automatic module (a fat jar on -p), or under --limit-modules, does not resolve
            // jdk.unsupported, home of the sun.misc.Signal the daemon's signal handlers need (--add-modules makes a
            // module observable whatever the limit); a named module that requires it loses nothing
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
