// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.pidfile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The lock layout of a pidfile and the primitives every role uses on it: opening without following links, taking
 * a lock now or before a deadline, and telling whether the file this process opened is still the one at the path.
 * See {@link PidFile} for the layout.
 */
final class Locks {
    static final long LIFE = 0;
    static final long DAEMON = 1;
    static final long STARTING = 2;
    static final long READY = 3;
    static final long STOPPING = 4;

    /** The most of a pidfile's first line that is read back (a pid is at most 19 digits). */
    static final int MAX_RECORDED = 64;
    /** The most a file may hold to be replaced or removed as a stale pidfile (a pid and a newline is 20 at most). */
    static final int MAX_PIDFILE_SIZE = 1024;
    /** How often an operation starts over when the file at the path was replaced while it looked. */
    static final int MAX_ATTEMPTS = 16;

    private Locks() {
    }

    static FileChannel open(Path path, OpenOption... options) throws IOException {
        Set<OpenOption> withNoFollow = new HashSet<>(Arrays.asList(options));
        withNoFollow.add(LinkOption.NOFOLLOW_LINKS);
        try {
            return FileChannel.open(path, withNoFollow);
        } catch (IOException e) {
            // O_NOFOLLOW fails with ELOOP, which the JDK reports as a plain IOException
            if (!(e instanceof NoSuchFileException) && Files.isSymbolicLink(path)) {
                throw new FileSystemException(path.toString(), null,
                        "refusing to open a pidfile that is a symbolic link; remove it or choose another path");
            }
            throw e;
        }
    }

    static FileLock tryLock(FileChannel channel, long position, long size, boolean shared) throws IOException {
        try {
            return channel.tryLock(position, size, shared);
        } catch (OverlappingFileLockException e) {
            throw new IOException("this JVM already holds a lock on the pidfile", e);
        }
    }

    /** Returns the {@code System.nanoTime()} deadline {@code timeout} from now, saturating (no overflow). */
    static long deadline(Duration timeout) {
        long max = Long.MAX_VALUE / 4; // about 73 years: far enough, and no overflow when added to nanoTime()
        long nanos = timeout.compareTo(Duration.ofNanos(max)) > 0 ? max : Math.max(0, timeout.toNanos());
        return System.nanoTime() + nanos;
    }

    /**
     * Blocks on a lock until it is granted or the deadline passes; a timer closes the channel at the deadline,
     * which ends the blocked call. Returns null on timeout (the channel is then closed).
     */
    static FileLock lockBefore(FileChannel channel, long position, long size, boolean shared, long deadline)
            throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return tryLock(channel, position, size, shared);
        }
        AtomicBoolean settled = new AtomicBoolean();
        Thread timer = new Thread("daemonrunner-lock-timeout") {
            @Override
            public void run() {
                try {
                    TimeUnit.NANOSECONDS.sleep(remaining);
                } catch (InterruptedException e) {
                    return; // the lock was granted
                }
                if (settled.compareAndSet(false, true)) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // closing is how we end the wait; nothing else to do
                    }
                }
            }
        };
        timer.setDaemon(true);
        timer.start();
        try {
            FileLock lock = channel.lock(position, size, shared);
            boolean mine = settled.compareAndSet(false, true);
            timer.interrupt();
            return mine ? lock : null;
        } catch (ClosedChannelException closed) {
            // AsynchronousCloseException while blocked, or ClosedChannelException if the timer was first
            if (settled.get()) {
                return null;
            }
            throw closed;
        } catch (OverlappingFileLockException e) {
            throw new IOException("this JVM already holds a lock on the pidfile", e);
        }
    }

    /** Whether the file this process has open is still the one at {@code path} (true where that cannot be told). */
    static boolean isStillAt(Path path) throws IOException {
        return !FileKey.canInspectDescriptors() || keyIfStillAt(path) != null;
    }

    /** Returns the identity of the file at {@code path} if this process has it open, else null. */
    static FileKey keyIfStillAt(Path path) throws IOException {
        try {
            FileKey key = FileKey.of(path);
            return key.openBy(0) == FileKey.Open.YES ? key : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Reads the first line of the file through {@code channel}: what it records. */
    static String readRecorded(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_RECORDED);
        long position = 0;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                break;
            }
            position += n;
        }
        return firstLine(buffer.array(), buffer.position());
    }

    /**
     * Why the file open as {@code channel} is not one a daemon could have left, so that it is never replaced nor
     * removed (a {@code --pidfile} that names a program's configuration, say); null when it may be a pidfile: at most
     * {@value #MAX_PIDFILE_SIZE} bytes, whose first line is empty, a pid, or only NUL bytes (what a crash can leave).
     */
    static String notAPidfile(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size > MAX_PIDFILE_SIZE) {
            return "it is " + size + " bytes long, which no pidfile is";
        }
        ByteBuffer buffer = ByteBuffer.allocate(MAX_RECORDED);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
            // read the first bytes
        }
        byte[] bytes = buffer.array();
        boolean nul = true;
        for (int i = 0; i < buffer.position() && bytes[i] != '\n'; i++) {
            nul &= bytes[i] == 0;
        }
        String line = firstLine(bytes, buffer.position());
        if (nul || line.isEmpty() || PidFileState.parsePid(line) > 0) {
            return null;
        }
        return "it records '" + line + "', not a pid, so it may be another program's file rather than a pidfile";
    }

    /** The first line of {@code bytes}, printable ASCII only (others as {@code ?}), stripped. */
    static String firstLine(byte[] bytes, int length) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < length && bytes[i] != '\n'; i++) {
            int c = bytes[i] & 0xff;
            line.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
        }
        return line.toString().strip();
    }
}
