package org.daemonrunner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.daemonrunner.internal.pidfile.PidFile;

/**
 * Starts real commands for the integration tests and cleans up every process they leave, by exact pid. Public, with
 * the test-jar, for the tests of runner-examples.
 */
public final class Daemons implements AutoCloseable {
    public static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    private static final Pattern STARTED = Pattern.compile("started with pid (\\d+)");

    private final Path dir;
    private final List<ProcessHandle> daemons = new ArrayList<>(); // handles keep the start time: no pid reuse
    private final List<Process> processes = new ArrayList<>();

    public Daemons(Path dir) {
        this.dir = dir;
    }

    /** The result of one finished command. */
    public record Result(int exit, String out, String err) {
        public long startedPid() {
            Matcher m = STARTED.matcher(out);
            assertThat(m.find()).as("'started with pid N' in %s", this).isTrue();
            return Long.parseLong(m.group(1));
        }
    }

    public static List<String> probe(String... args) {
        List<String> command = new ArrayList<>(List.of(JAVA, "-cp", System.getProperty("java.class.path"),
                ProbeApp.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs a command in {@code cwd} to its end (at most 60 s) and tracks the daemon it reports having started. */
    public Result run(Path cwd, List<String> command) {
        try {
            Path out = Files.createTempFile(dir, "cmd", ".out");
            Path err = Files.createTempFile(dir, "cmd", ".err");
            Process process = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            processes.add(process);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("command did not finish within 60 s: %s", command);
            }
            Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            Matcher m = STARTED.matcher(result.out());
            while (m.find()) {
                track(Long.parseLong(m.group(1)));
            }
            return result;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Result run(List<String> command) {
        return run(dir, command);
    }

    /** Starts a command without waiting for it; it is killed at cleanup if still running. */
    public Process spawn(Path cwd, List<String> command, Path out, Path err) throws IOException {
        Process process = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        processes.add(process);
        return process;
    }

    public void track(long pid) {
        ProcessHandle.of(pid).ifPresent(daemons::add);
    }

    /** Waits, up to {@code timeout}, for {@code condition}; fails saying what was awaited. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after %s waiting for %s", timeout, what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Whether the process has exited: no {@code /proc/PID}, or a zombie waiting for init to reap it. */
    public static boolean isGone(long pid) {
        String[] stat = stat(pid);
        return stat == null || stat[0].equals("Z") || stat[0].equals("X"); // exited, or being reaped
    }

    /** The fields of {@code /proc/PID/stat} after the command name: state, ppid, pgrp, session, tty_nr, ... */
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
