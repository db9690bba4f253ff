// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Checks, from {@code /proc/PID/fd}, where a process's standard output and error go, and waits for them to be the
 * files at given paths: how {@code reopen-logs} knows that the daemon really reopened its logs. When the logs were
 * renamed, descriptors that now are the new files at the paths show it by themselves. When they were not, the
 * descriptors are those files before the signal too, so the process's own line saying it reopened them decides, and
 * the descriptors confirm it. It watches
 * the logs' directories (inotify on Linux) and looks again on every change there, rather than polling.
 */
public final class StreamCheck {
    private final long pid;
    private final Path stdout;
    private final Path stderr;
    private Path errorLog;
    private long errorLogSize;
    private Object stderrKey;
    private long stderrSize;
    private boolean openAsBefore;

    /** A check of process {@code pid}'s descriptors 1 and 2 against {@code stdout} and {@code stderr}. */
    public StreamCheck(long pid, Path stdout, Path stderr) {
        this.pid = pid;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** What became of the wait. */
    public enum Outcome {
        /** Descriptors 1 and 2 moved to the files at the paths, or the process said it reopened them where they were. */
        REDIRECTED,
        /** The process wrote a line saying why it could not (see {@link #error()}). */
        FAILED,
        /** The process is gone. */
        GONE,
        /** Neither happened in time, or {@code /proc/PID/fd} cannot be read (see {@link #detail()}). */
        UNCONFIRMED
    }

    private String error = "";
    private String detail = "";
    private boolean unreadableLog;

    /**
     * Remembers where the process's standard error goes now, and how long that file and the file at the stderr
     * path are, so that what it writes after the signal can be read back. Call it before signalling.
     */
    public void before() {
        errorLog = target(2);
        errorLogSize = errorLog == null ? 0 : LogFile.size(errorLog);
        stderrKey = fileKey(stderr);
        stderrSize = LogFile.size(stderr);
        openAsBefore = isOpenAs(1, stdout) && isOpenAs(2, stderr);
    }

    /**
     * Waits up to {@code timeout} for descriptors 1 and 2 to be the files at their paths (when they already were,
     * for the process to write a line starting with {@code donePrefix} to the file at the stderr path too), for it
     * to write a line starting with {@code errorPrefix} to the standard error it had before, or to exit.
     */
    public Outcome await(Duration timeout, String donePrefix, String errorPrefix) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<Path> directories = new LinkedHashSet<>();
        for (Path file : new Path[] {stdout, stderr, errorLog}) {
            if (file != null && file.toAbsolutePath().getParent() != null) {
                directories.add(file.toAbsolutePath().getParent());
            }
        }
        try (WatchService watcher = stdout.getFileSystem().newWatchService()) {
            for (Path directory : directories) {
                try {
                    directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
                } catch (IOException unwatchable) {
                    // gone or unreadable: the deadline still ends the wait, and the last look decides
                }
            }
            while (true) {
                Outcome now = look(donePrefix, errorPrefix);
                if (now != null) {
                    return now;
                }
                long remaining = deadline - System.nanoTime();
                WatchKey key = remaining > 0 ? watcher.poll(remaining, TimeUnit.NANOSECONDS) : null;
                if (key == null) {
                    Outcome last = look(donePrefix, errorPrefix);
                    if (last != null) {
                        return last;
                    }
                    detail = isOpenAs(1, stdout) && isOpenAs(2, stderr)
                            ? "after " + timeout.toMillis() + " ms its standard output and error are " + stdout
                                    + " and " + stderr + ", but it wrote no line '" + donePrefix + " ...' to " + stderr
                            : "after " + timeout.toMillis() + " ms its standard output is " + describe(target(1))
                                    + " and its standard error " + describe(target(2)) + ", not " + stdout + " and "
                                    + stderr;
                    return Outcome.UNCONFIRMED;
                }
                key.pollEvents();
                key.reset();
            }
        } catch (IOException | ClosedWatchServiceException e) {
            detail = "its descriptors could not be watched: " + e;
            return Outcome.UNCONFIRMED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            detail = "interrupted while waiting";
            return Outcome.UNCONFIRMED;
        }
    }

    /** The process's own line about why it failed, without the prefix; after {@link Outcome#FAILED}. */
    public String error() {
        return error;
    }

    /**
     * Whether, after {@link Outcome#UNCONFIRMED}, the daemon's streams were on the files at the paths, but its line
     * could not be read there (its stderr path is {@code /dev/null}, say).
     */
    public boolean isUnreadableLog() {
        return unreadableLog;
    }

    /** What was seen, after {@link Outcome#UNCONFIRMED}. */
    public String detail() {
        return detail;
    }

    private Outcome look(String donePrefix, String errorPrefix) {
        if (!ProcessTable.isLive(pid)) {
            return Outcome.GONE;
        }
        if (errorLog != null) {
            String line = lineStartingWith(errorLog, errorLogSize, errorPrefix);
            if (line != null) {
                error = line;
                return Outcome.FAILED;
            }
        }
        // the file at the stderr path: the old one when nothing was renamed (read on from where it ended), else new
        long from = stderrKey != null && stderrKey.equals(fileKey(stderr)) ? stderrSize : 0;
        boolean open = isOpenAs(1, stdout) && isOpenAs(2, stderr);
        if (open && (!openAsBefore || lineStartingWith(stderr, from, donePrefix) != null)) {
            return Outcome.REDIRECTED; // moved to the files at the paths, or said so where they already were
        }
        if (open && !Files.isRegularFile(stderr)) { // /dev/null, say: nothing written there can be read back
            detail = "its standard output and error are " + stdout + " and " + stderr + ", but " + stderr + " is not"
                    + " a regular file, so its line saying that it reopened them cannot be read";
            unreadableLog = true;
            return Outcome.UNCONFIRMED;
        }
        if (!Files.isReadable(fd(1))) {
            detail = "/proc/" + pid + "/fd cannot be read by this user, so where its output goes cannot be checked";
            return Outcome.UNCONFIRMED;
        }
        return null;
    }

    /** The first line appended to {@code file} after {@code from} bytes that starts with {@code prefix}, or null. */
    private static String lineStartingWith(Path file, long from, String prefix) {
        for (String line : LogFile.appended(file, from, 64 * 1024).split("\n")) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        return null;
    }

    /** The identity (device and inode) of the file at {@code file}, or null when there is none. */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private Path fd(int fd) {
        return Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd));
    }

    /** Whether descriptor {@code fd} of the process is the file at {@code file} (same device and inode). */
    private boolean isOpenAs(int fd, Path file) {
        try {
            Map<String, Object> open = Files.readAttributes(fd(fd), "unix:dev,ino"); // follows the magic link
            Map<String, Object> there = Files.readAttributes(file, "unix:dev,ino");
            return Objects.equals(open.get("dev"), there.get("dev")) && Objects.equals(open.get("ino"), there.get("ino"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Where descriptor {@code fd} of the process points, or null. */
    private Path target(int fd) {
        try {
            return Files.readSymbolicLink(fd(fd));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String describe(Path target) {
        return target == null ? "unknown" : target.toString();
    }
}
