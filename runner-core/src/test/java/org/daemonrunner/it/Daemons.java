// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.daemonrunner.internal.pidfile.PidFile;

/**
 * Runs real commands for the integration tests, with a {@link Command}, and cleans up every process they leave, by
 * exact pid. Public, in runner-core's test-jar, for the tests of runner-examples too.
 */
public final class Daemons implements AutoCloseable {
    public static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    /** How long {@link #run} lets a command run. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final List<ProcessHandle> daemons = new ArrayList<>(); // handles keep the start time: no pid reuse
    private final List<Process> processes = new ArrayList<>();

    /** Tracks the processes of one test, whose files are in {@code dir}; the commands' output goes there too. */
    public Daemons(Path dir) {
        this.dir = dir;
    }

    /** {@code java -cp <the test class path> ProbeApp ARGS}. */
    public static List<String> probe(String... args) {
        List<String> command = new ArrayList<>(List.of(JAVA, "-cp", System.getProperty("java.class.path"),
                ProbeApp.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * {@code command}, run in a private mount namespace after the shell command {@code setup} (a mount, say): the
     * namespace ends with the last process in it, so nothing of it is left on the host.
     */
    public static List<String> inMountNamespace(String setup, List<String> command) {
        List<String> all = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                setup + " && exec \"$@\"", "sh"));
        all.addAll(command);
        return all;
    }

    /** The argument that {@link #inLocale} replaces with the bytes of its {@code printf} format. */
    public static final String BYTES = "@BYTES@";

    /**
     * {@code command} run under the locale {@code locale} ({@code LC_ALL}; {@code LANG}, {@code LC_CTYPE} unset),
     * each argument {@link #BYTES} replaced with what {@code printf} makes of {@code format} (octal escapes for
     * non-ASCII bytes): the shell makes those bytes, so they reach the command as they are whatever this JVM's own
     * locale could encode.
     */
    public static List<String> inLocale(String locale, String format, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", "l=$1; b=$2; shift 2; for a do shift;"
                + " [ \"$a\" = " + BYTES + " ] && a=$(printf \"x$b\") && a=${a#x}; set -- \"$@\" \"$a\"; done;"
                + " exec env -u LANG -u LC_CTYPE LC_ALL=\"$l\" \"$@\"", "sh", locale, format));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * {@code command} run under the locale {@code locale} ({@code LC_ALL}; {@code LANG}, {@code LC_CTYPE} unset) in
     * the directory that {@code printf} makes of {@code directoryFormat}, created if missing: a name this JVM's own
     * locale might not be able to give a process.
     */
    public static List<String> inLocaleAndDirectory(String locale, String directoryFormat, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", "l=$1; d=$(printf \"x$2\") && d=${d#x}"
                + " && shift 2 && mkdir -p \"$d\" && cd \"$d\" && exec env -u LANG -u LC_CTYPE LC_ALL=\"$l\" \"$@\"",
                "sh", locale, directoryFormat));
        wrapped.addAll(command);
        return wrapped;
    }

    /** The arguments of process {@code pid} as the bytes its command line holds, each as ISO-8859-1 text. */
    public static List<String> rawArguments(long pid) throws IOException {
        String all = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")),
                StandardCharsets.ISO_8859_1);
        return List.of(all.split("\0"));
    }

    /**
     * Runs a command in {@code cwd} to its end (at most 60 s, or the test fails) and tracks every daemon it names
     * ("started with pid N", "already running with pid N").
     */
    public Command.Result run(Path cwd, List<String> command) {
        Command.Running running = Command.of(command).in(cwd).scratch(dir).start();
        processes.add(running.process());
        Command.Result result = running.finish(COMMAND_TIMEOUT);
        Command.daemonPids(result.out()).forEach(this::track);
        assertThat(result.finished()).as("%s", result).isTrue();
        return result;
    }

    /** Runs a command in the test directory; see {@link #run(Path, List)}. */
    public Command.Result run(List<String> command) {
        return run(dir, command);
    }

    /** Starts a command in {@code cwd} without waiting for it; it is killed at cleanup if still running. */
    public Command.Running spawn(Path cwd, List<String> command, Path out, Path err) {
        return spawn(Command.of(command).in(cwd).output(out, err));
    }

    /** Starts a command without waiting for it; it is killed at cleanup if still running. */
    public Command.Running spawn(Command command) {
        Command.Running running = command.start();
        processes.add(running.process());
        return running;
    }

    /** Kills {@code pid} at cleanup, if it is still the process it is now. */
    public void track(long pid) {
        ProcessHandle.of(pid).ifPresent(daemons::add);
    }

    /** Asserts a command's exit status; the failure message has the command line, stdout and stderr. */
    public static Command.Result assertExit(Command.Result result, int status) {
        return assertExit(result, status, "exit status of");
    }

    /**
     * Asserts a command's exit status; the failure message starts with {@code what} (a format, with {@code args}),
     * then has the command line, stdout and stderr.
     */
    public static Command.Result assertExit(Command.Result result, int status, String what, Object... args) {
        assertThat(result.exit()).as("%s%n%s", String.format(what, args), result).isEqualTo(status);
        return result;
    }

    /** Whether the process has exited: no {@code /proc/PID}, or a zombie waiting for init to reap it. */
    public static boolean isGone(long pid) {
        String[] stat = stat(pid);
        return stat == null || stat[0].equals("Z") || stat[0].equals("X"); // exited, or being reaped
    }

    /**
     * The fields of {@code /proc/PID/stat} after the command name: state, ppid, pgrp, session, tty_nr, ...; null when
     * the process is gone. The tests' one reader of that file.
     */
    public static String[] stat(long pid) {
        try {
            String text = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return text.substring(text.lastIndexOf(')') + 2).trim().split(" ");
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    public static List<String> cmdline(long pid) throws IOException {
        byte[] bytes = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
        return List.of(new String(bytes, StandardCharsets.UTF_8).split("\0"));
    }

    public static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Copies the test class path where user nobody can read it (under {@code dir}, made reachable: directories
     * 755, files 644), and returns the copy's class path.
     */
    public static String classPathForNobody(Path dir) throws IOException {
        Path cp = Files.createDirectories(dir.resolve("cp"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            Path target = cp.resolve(i++ + "-" + source.getFileName());
            if (Files.isDirectory(source)) {
                try (Stream<Path> files = Files.walk(source)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Path t = target.resolve(source.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else if (Files.exists(source)) {
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            }
            entries.add(target.toString());
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x"
                        : "rw-r--r--"));
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Kills, by exact pid, every daemon the tests started and every daemon holding a pidfile in the test dir. */
    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".pid") && Files.isRegularFile(f)).toList()) {
                PidFile.inspect(file).runningPid().ifPresent(this::track);
            }
        }
        for (ProcessHandle daemon : daemons) {
            if (daemon.pid() > 1 && daemon.pid() != ProcessHandle.current().pid()) {
                daemon.destroyForcibly();
            }
        }
        for (Process process : processes) {
            process.destroyForcibly();
        }
    }
}
