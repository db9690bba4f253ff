// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.daemonrunner.internal.proc.FileAccess;

/**
 * The files the daemon's JVM reads before it runs a line of the app, told from its command line: the {@code java}
 * executable (to execute), argument files, the class path (the last {@code -cp}, {@code -classpath} or
 * {@code --class-path}, else {@code CLASSPATH}; a {@code DIR/*} entry and the jars in it), the {@code -jar} file
 * and the entries of its manifest's {@code Class-Path},
 * the module path and upgrade module path (a directory and what is in it), and {@code -javaagent} jars. A class path
 * directory needs search permission (the class loader opens files in it by name); a directory the JVM lists needs
 * read permission too. Every directory on the way needs search permission ({@link FileAccess}).
 */
final class JvmFiles {
    /** A file the JVM needs, what it is to the JVM, and the permission bits it needs on it (as a directory). */
    record Needed(Path path, String what, int need, int directoryNeed) {
    }

    private static final int READ = FileAccess.READ;
    private static final int SEARCH = FileAccess.EXECUTE;
    private static final String JAVA = "the daemon's java";
    private static final String CLASS_PATH = "class path of the daemon's JVM";
    private static final String MODULE_PATH = "module path of the daemon's JVM";

    private JvmFiles() {
    }

    /**
     * Returns the first file of {@code command} that {@code access}'s user cannot reach, why, and what to do, as
     * {@code read P (class path of the daemon's JVM): D is drwx------ root:root. Give the user access, or put the
     * jars where it can read them.}; empty when it can reach them all.
     *
     * @param workingDirectory what a relative {@code CLASSPATH} entry is resolved against, as the daemon would
     */
    static Optional<String> firstDenied(JavaCommand command, Path workingDirectory, FileAccess access) {
        for (Needed needed : of(command, workingDirectory)) {
            Optional<String> denied = access.denial(needed.path(), needed.need(), needed.directoryNeed());
            if (denied.isPresent()) {
                boolean java = needed.what().equals(JAVA);
                return Optional.of((java ? "run " : "read ") + needed.path() + " (" + needed.what() + "): "
                        + denied.get() + ". Give the user access, or " + (java ? "use a java it can run."
                        : "put the jars where it can read them."));
            }
        }
        return Optional.empty();
    }

    /** The files {@code command}'s JVM reads, in the order it needs them. */
    static List<Needed> of(JavaCommand command, Path workingDirectory) {
        List<Needed> files = new ArrayList<>();
        files.add(new Needed(Path.of(command.java()), JAVA, SEARCH, SEARCH));
        String classPath = null;
        List<String> modulePaths = new ArrayList<>();
        List<String> options = command.jvmOptions();
        for (int i = 0; i < options.size(); i++) {
            String option = options.get(i);
            String next = i + 1 < options.size() ? options.get(i + 1) : "";
            if (option.equals("-cp") || option.equals("-classpath") || option.equals("--class-path")) {
                classPath = next; // the last one counts, as with java
                i++;
            } else if (option.startsWith("--class-path=")) {
                classPath = option.substring("--class-path=".length());
            } else if (option.equals("-p") || option.equals("--module-path") || option.equals("--upgrade-module-path")) {
                modulePaths.add(next);
                i++;
            } else if (option.startsWith("--module-path=") || option.startsWith("--upgrade-module-path=")) {
                modulePaths.add(option.substring(option.indexOf('=') + 1));
            } else if (option.startsWith("-javaagent:")) {
                String agent = option.substring("-javaagent:".length());
                int optionsAt = agent.indexOf('=');
                addFile(files, optionsAt < 0 ? agent : agent.substring(0, optionsAt), "agent of the daemon's JVM");
            } else if (option.startsWith("@") && !option.startsWith("@@")) {
                addFile(files, option.substring(1), "argument file of the daemon's JVM");
            }
        }
        List<String> main = command.mainAndArguments();
        boolean jar = main.size() > 1 && main.get(0).equals("-jar");
        if (jar) {
            addFile(files, main.get(1), "the -jar file of the daemon's JVM");
            if (Path.of(main.get(1)).isAbsolute()) {
                addManifestClassPath(files, realPath(Path.of(main.get(1))), new HashSet<>());
            }
        } else {
            if (classPath == null) {
                classPath = System.getenv("CLASSPATH"); // inherited by the daemon, read by its java
            }
            addPathList(files, classPath, workingDirectory, CLASS_PATH, SEARCH);
        }
        for (String modulePath : modulePaths) {
            addPathList(files, modulePath, workingDirectory, MODULE_PATH, READ | SEARCH);
        }
        return files;
    }

    /**
     * The entries of {@code jar}'s manifest {@code Class-Path} (relative URLs, against the jar's directory), which
     * the JVM opens when it looks for a class there, and theirs in turn; nothing when the jar cannot be read here.
     */
    private static void addManifestClassPath(List<Needed> files, Path jar, Set<Path> seen) {
        if (!seen.add(jar) || !Files.isRegularFile(jar)) {
            return;
        }
        String classPath;
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        } catch (IOException | SecurityException e) {
            return; // the JVM says why, if it cannot read it either
        }
        if (classPath == null) {
            return;
        }
        for (String entry : classPath.trim().split("\\s+")) {
            Path path;
            try {
                URI uri = jar.toUri().resolve(entry);
                if (!"file".equals(uri.getScheme())) {
                    continue;
                }
                path = Path.of(uri).normalize();
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                continue; // not a URL the JVM would use either
            }
            files.add(new Needed(path, "Class-Path of " + jar.getFileName() + "'s manifest", READ, SEARCH));
            addManifestClassPath(files, path, seen);
        }
    }

    /**
     * The real path of {@code jar}, against which the JVM resolves its manifest's {@code Class-Path} (it opens a
     * class path entry by its real path); {@code jar} as it is when it cannot be resolved.
     */
    private static Path realPath(Path jar) {
        try {
            return jar.toRealPath();
        } catch (IOException | RuntimeException e) {
            return jar;
        }
    }

    private static void addFile(List<Needed> files, String file, String what) {
        Path path = Path.of(file);
        if (path.isAbsolute()) { // the command line's paths were made absolute; others are not ours to guess
            files.add(new Needed(path, what, READ, READ | SEARCH)); // as the kernel resolves it: not normalized
        }
    }

    /**
     * The entries of a class or module path; {@code DIR/*} on a class path, and a directory on a module path, are
     * listed, and each file in it needs reading.
     */
    private static void addPathList(List<Needed> files, String list, Path workingDirectory, String what,
                                    int directoryNeed) {
        if (list == null) {
            return;
        }
        for (String entry : list.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            boolean wildcard = what.equals(CLASS_PATH) && (entry.equals("*") || entry.endsWith(File.separator + "*"));
            Path path = DaemonPaths.absolute(workingDirectory, Path.of(wildcard ? entry.substring(0,
                    entry.length() - 1) : entry));
            if (wildcard || (what.equals(MODULE_PATH) && Files.isDirectory(path))) {
                files.add(new Needed(path, what, READ | SEARCH, READ | SEARCH));
                addListed(files, path, what, wildcard);
            } else {
                files.add(new Needed(path, what, READ, directoryNeed));
            }
        }
    }

    /** What is in {@code directory}: its jars for a class path wildcard, everything for a module path. */
    private static void addListed(List<Needed> files, Path directory, String what, boolean jarsOnly) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!jarsOnly || name.endsWith(".jar") || name.endsWith(".JAR")) {
                    files.add(new Needed(entry, what, READ, READ | SEARCH));
                }
            }
        } catch (IOException e) {
            // not there, or not a directory: the JVM skips it, or says why
        }
    }
}
