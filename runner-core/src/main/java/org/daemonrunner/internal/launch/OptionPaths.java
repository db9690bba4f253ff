// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The paths in a JVM command line's options, made absolute against the launch directory for a daemon that runs
 * elsewhere ({@link JavaCommand}): class and module paths, {@code --patch-module}, agents, the files the JVM reads
 * or writes, and class-data archives, with a file of its own for each file the daemon's JVM writes.
 */
final class OptionPaths {
    private static final Set<String> PATH_LISTS = Set.of("-cp", "-classpath", "--class-path", "-p",
            "--module-path", "--upgrade-module-path");
    private static final Set<String> CLASS_PATH = Set.of("-cp", "-classpath", "--class-path");
    private static final String SHARED_ARCHIVE = "-XX:SharedArchiveFile=";
    static final String AUTO_CREATE = "-XX:+AutoCreateSharedArchive";
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

    private OptionPaths() {
    }

    /** Makes paths absolute against {@code base}. */
    static UnaryOperator<String> against(Path base) {
        return new Absolute(base);
    }

    /** The value of {@code option} (one that takes the next argument), with its paths made absolute. */
    static String value(String option, String value, UnaryOperator<String> absolute) {
        return PATH_LISTS.contains(option) ? absolutePathList(value, absolute, CLASS_PATH.contains(option))
                : option.equals("--patch-module") ? patchedModule(value, absolute) : value;
    }

    /**
     * Makes a path absolute against the launch directory, as the kernel resolves it there
     * ({@link DaemonPaths#absolute}: {@code a/link/../x} stays so); a class, not a lambda: no bootstrap at start-up.
     */
    private static final class Absolute implements UnaryOperator<String> {
        private final Path base;

        Absolute(Path base) {
            this.base = base;
        }

        @Override
        public String apply(String path) {
            return path.isEmpty() ? path : DaemonPaths.absolute(base, Path.of(path)).toString();
        }
    }

    /** {@code arg}, one JVM option, with the paths in it made absolute (and the daemon's own files named). */
    static String rewrite(String arg, UnaryOperator<String> absolute, boolean autoCreate) {
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
}
