// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.pidfile;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.time.Duration;

/**
 * An open pidfile and what it said when opened; see {@link PidFile#watch(java.nio.file.Path)}. It keeps the file
 * open, so that it can wait for the daemon's lock to be released even after the daemon has removed the file.
 */
public final class PidFileWatch implements AutoCloseable {
    private final PidFileState state;
    private final FileChannel channel;

    PidFileWatch(PidFileState state, FileChannel channel) {
        this.state = state;
        this.channel = channel;
    }

    /** Returns what the pidfile said when it was opened. */
    public PidFileState state() {
        return state;
    }

    /**
     * Waits until the daemon that held the lock has exited (the kernel releases its lock as it exits), blocking on
     * the lock rather than polling.
     *
     * @return true once the lock is free; false if it was still held after {@code timeout} (the watch is then
     *     closed: call this once)
     * @throws IOException when waiting fails
     */
    public boolean awaitRelease(Duration timeout) throws IOException {
        if (channel == null) {
            return true;
        }
        FileLock lock = Locks.lockBefore(channel, Locks.LIFE, 1, true, Locks.deadline(timeout));
        if (lock == null) {
            return false;
        }
        lock.release();
        return true;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
