// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.pidfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The identity of a file (device and inode), as {@code stat(2)} gives it.
 *
 * <p>Used to tell whether the file a process has open (and locked) is still the file at the pidfile's path,
 * and to match the file against {@code /proc/locks}. Linux only.
 */
record FileKey(long dev, long ino) {
    private static final Path SELF_FD = Path.of("/proc/self/fd");

    /**
     * Returns the identity of the file at {@code path}, without following a symbolic link.
     *
     * @throws NoSuchFileException when nothing is at {@code path}
     * @throws IOException when {@code stat} fails otherwise
     */
    static FileKey of(Path path) throws IOException {
        return of(path, LinkOption.NOFOLLOW_LINKS);
    }

    private static FileKey of(Path path, LinkOption... options) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino", options);
        return new FileKey((Long) a.get("dev"), (Long) a.get("ino"));
    }

    /** The device and inode as {@code /proc/locks} prints them: {@code MAJ:MIN:INODE}, device in hex. */
    String procLocksId() {
        // glibc's gnu_dev_major/gnu_dev_minor decoding of st_dev
        long major = ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xffL) | ((dev >>> 12) & ~0xffL);
        return hex2(major) + ":" + hex2(minor) + ":" + ino;
    }

    private static String hex2(long v) {
        String h = Long.toHexString(v);
        return h.length() < 2 ? "0" + h : h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileKey && ((FileKey) o).dev == dev && ((FileKey) o).ino == ino;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(dev) * 31 + Long.hashCode(ino);
    }

    /** Whether this machine lets us look at open descriptors through {@code /proc}. */
    static boolean canInspectDescriptors() {
        return Files.isDirectory(SELF_FD);
    }

    /** Whether a process has a file open, as far as {@code /proc/PID/fd} tells. */
    enum Open { YES, NO, UNKNOWN }

    /**
     * Returns whether the process {@code pid} has this file open, looking at {@code /proc/PID/fd}: UNKNOWN
     * when that cannot be read (another user's process), NO when the process is gone or has no such descriptor.
     *
     * @param pid a process id, or 0 for this process
     */
    Open openBy(long pid) {
        Path fds = pid == 0 ? SELF_FD : Path.of("/proc", Long.toString(pid), "fd");
        // java.io's list(): a directory stream of NIO makes a lambda (one generated class more) on first use
        String[] entries = fds.toFile().list();
        if (entries == null) {
            // not ours to read (another user's process), or gone
            return Files.isDirectory(fds) ? Open.UNKNOWN : Open.NO;
        }
        for (String fd : entries) {
            if (isOpenAs(fds.resolve(fd))) {
                return Open.YES;
            }
        }
        return Open.NO;
    }

    /** Whether the descriptor {@code fd} (an entry of {@code /proc/PID/fd}) is this file. */
    boolean isOpenAs(Path fd) {
        try {
            return equals(of(fd, new LinkOption[0])); // follows the magic link to the open file
        } catch (IOException closedMeanwhile) {
            return false; // the descriptor was closed while we listed them (or is the directory stream itself)
        }
    }
}
