// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Asks a JVM for a thread dump (SIGQUIT) and waits until it is in its log, watching the file (inotify on Linux)
 * rather than sleeping.
 */
public final class ThreadDump {
    /** The last line HotSpot prints in a thread dump. */
    private static final String LAST_LINE = "JNI global refs";

    private ThreadDump() {
    }

    /**
     * Sends SIGQUIT to {@code pid} and waits, up to {@code timeout}, for the end of the dump in {@code log}.
     *
     * @return whether the dump was seen in the log
     */
    public static boolean request(long pid, Path log, Duration timeout) {
        long from = LogFile.size(log);
        Path directory = log.toAbsolutePath().getParent();
        try (WatchService watcher = directory.getFileSystem().newWatchService()) {
            directory.register(watcher, StandardWatchEventKinds.ENTRY_MODIFY);
            ProcessControl.signal(pid, Signal.QUIT);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!LogFile.appended(log, from, 4 << 20).contains(LAST_LINE)) {
                long remaining = deadline - System.nanoTime();
                WatchKey key = remaining > 0 ? watcher.poll(remaining, TimeUnit.NANOSECONDS) : null;
                if (key == null) {
                    return false;
                }
                key.pollEvents();
                key.reset();
            }
            return true;
        } catch (IOException | ClosedWatchServiceException | IllegalArgumentException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
