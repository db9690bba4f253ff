// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short system command ({@code kill}, {@code getent}) with a deadline, and finds system tools. */
public final class Command {
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    /**
     * What a finished command said.
     *
     * @param exit its exit status
     * @param output its standard output and error, trimmed
     */
    record Result(int exit, String output) {
    }

    private Command() {
    }

    /**
     * Runs {@code argv} and returns its exit status and output, ending it if it runs past 10 seconds. The
     * commands run here print a line or two, well within a pipe's buffer, so the wait comes before the read.
     *
     * @throws IOException when it cannot be started, or did not finish in time
     */
    static Result run(String... argv) throws IOException {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", argv) + " did not finish within " + DEADLINE.toSeconds() + "s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while running " + String.join(" ", argv), e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return new Result(process.exitValue(), output);
    }

    /**
     * Whether this system's {@code env} can reset signal dispositions ({@code --default-signal}, GNU coreutils 8.31
     * and later; busybox's cannot). Told from the program itself, which names the option it takes, rather than by
     * running it.
     */
    public static boolean envResetsSignals() {
        try {
            // as ISO-8859-1, every byte is one char, and String.indexOf is the JDK's intrinsic: well under a
            // millisecond for coreutils' 48 KB, where a loop in the interpreter took several on the start path
            String program = new String(Files.readAllBytes(Path.of(tool("env"))), StandardCharsets.ISO_8859_1);
            return program.contains("default-signal");
        } catch (IOException | RuntimeException e) {
            return true; // cannot tell: try it, and the launch reports what env said
        }
    }

    /** Returns {@code /usr/bin/NAME} or {@code /bin/NAME}, whichever is executable, else NAME (found on PATH). */
    public static String tool(String name) {
        for (String candidate : List.of("/usr/bin/" + name, "/bin/" + name)) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return name;
    }
}
