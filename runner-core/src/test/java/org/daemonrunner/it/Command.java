// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command the process tests run as a child process, and the one way they run one: standard input from
 * {@code /dev/null} (or a file), standard output and error to files (so that a daemon that inherited them can never
 * keep a reader waiting), and a deadline after which the command is killed by its exact pid. Uses neither JUnit nor
 * AssertJ, so that a driver such as {@link HostilePidfiles} can run commands with it too.
 */
public final class Command {
    /** How long a command killed at its deadline gets to be reaped. */
    private static final Duration REAP = Duration.ofSeconds(10);
    /** The runner's pid lines: the one parser of "started with pid N" and "already running with pid N". */
    private static final Pattern DAEMON_PID = Pattern.compile("(started|already running) with pid (\\d+)");

    private final List<String> argv;
    private Path directory;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Path stdin = Path.of("/dev/null");
    private Path stdout;
    private Path stderr;
    private Path scratch;

    private Command(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("an empty command");
        }
        this.argv = List.copyOf(argv);
    }

    /** A command; it runs in the current directory unless {@link #in} says otherwise. */
    public static Command of(List<String> argv) {
        return new Command(argv);
    }

    /** A command; it runs in the current directory unless {@link #in} says otherwise. */
    public static Command of(String... argv) {
        return new Command(List.of(argv));
    }

    /** Runs the command in {@code directory}. */
    public Command in(Path directory) {
        this.directory = directory;
        return this;
    }

    /** Adds {@code name=value} to the environment the command inherits. */
    public Command env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Reads standard input from {@code file} instead of {@code /dev/null}. */
    public Command stdin(Path file) {
        this.stdin = file;
        return this;
    }

    /** Writes standard output and error to these files, which are kept; by default they are temporary files. */
    public Command output(Path stdout, Path stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
        return this;
    }

    /** Creates the temporary output files in {@code directory} instead of {@code java.io.tmpdir}. */
    public Command scratch(Path directory) {
        this.scratch = directory;
        return this;
    }

    /** Starts the command without waiting for it. */
    public Running start() {
        try {
            boolean temporary = stdout == null;
            Path out = temporary ? temporaryFile(".out") : stdout;
            Path err = temporary ? temporaryFile(".err") : stderr;
            ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(stdin.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            builder.environment().putAll(environment);
            long started = System.nanoTime();
            return new Running(argv, builder.start(), out, err, temporary, started);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + shown(argv), e);
        }
    }

    /** Runs the command to its end, or kills it (by its exact pid) once {@code timeout} has passed. */
    public Result run(Duration timeout) {
        return start().finish(timeout);
    }

    private Path temporaryFile(String suffix) throws IOException {
        return scratch == null ? Files.createTempFile("cmd", suffix) : Files.createTempFile(scratch, "cmd", suffix);
    }

    /** A started command. */
    public static final class Running {
        private final List<String> argv;
        private final Process process;
        private final Path out;
        private final Path err;
        private final boolean temporary;
        private final long startedNanos;

        private Running(List<String> argv, Process process, Path out, Path err, boolean temporary, long startedNanos) {
            this.argv = argv;
            this.process = process;
            this.out = out;
            this.err = err;
            this.temporary = temporary;
            this.startedNanos = startedNanos;
        }

        public long pid() {
            return process.pid();
        }

        public Process process() {
            return process;
        }

        /** Sends SIGTERM to exactly this process. */
        public void destroy() {
            process.destroy();
        }

        /**
         * Waits, up to {@code timeout}, for the command to end; past it, SIGKILLs it by its exact pid and waits (10 s
         * at most) for it to be reaped. Returns what it did; its temporary output files are deleted.
         */
        public Result finish(Duration timeout) {
            try {
                boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!finished) {
                    process.destroyForcibly();
                    process.waitFor(REAP.toMillis(), TimeUnit.MILLISECONDS);
                }
                Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
                Result result = new Result(argv, finished ? process.exitValue() : Result.UNFINISHED,
                        Files.readString(out), Files.readString(err), took, finished ? null : timeout);
                if (temporary) {
                    Files.deleteIfExists(out);
                    Files.deleteIfExists(err);
                }
                return result;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the output of " + shown(argv), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + shown(argv), e);
            }
        }
    }

    /**
     * What a command did.
     *
     * @param command the command line
     * @param exit its exit status, or {@link #UNFINISHED} when it was killed at its deadline
     * @param out its standard output
     * @param err its standard error
     * @param took how long it ran
     * @param deadline the deadline it missed, or null
     */
    public record Result(List<String> command, int exit, String out, String err, Duration took, Duration deadline) {
        /** The exit status of a command that did not finish by its deadline (no real exit status is negative). */
        public static final int UNFINISHED = -1;
        private static final int SHOWN_OUTPUT = 8000;

        public boolean finished() {
            return deadline == null;
        }

        /** Standard output, a newline and standard error. */
        public String text() {
            return out + "\n" + err;
        }

        /** The pid of the daemon this command says it started ("started with pid N"); an error if it says none. */
        public long startedPid() {
            return Command.startedPid(out).orElseThrow(() -> new AssertionError("no 'started with pid N' in " + this));
        }

        /** The command line, how it ended, and everything it printed: for assertion messages. */
        @Override
        public String toString() {
            return "command: " + shown(command) + "\n"
                    + (finished() ? "exit status: " + exit + " after " + took.toMillis() + " ms"
                            : "did not finish within " + deadline.toMillis() + " ms: killed (SIGKILL)") + "\n"
                    + "stdout: " + (out.isEmpty() ? "(empty)" : abbreviated(out.strip(), SHOWN_OUTPUT)) + "\n"
                    + "stderr: " + (err.isEmpty() ? "(empty)" : abbreviated(err.strip(), SHOWN_OUTPUT));
        }
    }

    /** The pid in the first "started with pid N" of {@code text}, if any. */
    public static OptionalLong startedPid(CharSequence text) {
        Matcher m = DAEMON_PID.matcher(text);
        while (m.find()) {
            if (m.group(1).equals("started")) {
                return OptionalLong.of(Long.parseLong(m.group(2)));
            }
        }
        return OptionalLong.empty();
    }

    /** Every pid {@code text} names as a daemon: "started with pid N" and "already running with pid N". */
    public static List<Long> daemonPids(CharSequence text) {
        List<Long> pids = new ArrayList<>();
        Matcher m = DAEMON_PID.matcher(text);
        while (m.find()) {
            pids.add(Long.parseLong(m.group(2)));
        }
        return pids;
    }

    /** The command line for messages, with long arguments (a class path, say) shortened. */
    static String shown(List<String> argv) {
        StringBuilder line = new StringBuilder();
        for (String arg : argv) {
            line.append(line.length() == 0 ? "" : " ").append(abbreviated(arg, 200));
        }
        return line.toString();
    }

    private static String abbreviated(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int half = max / 2;
        return text.substring(0, half) + "...(" + (text.length() - 2 * half) + " more chars)..."
                + text.substring(text.length() - half);
    }
}
