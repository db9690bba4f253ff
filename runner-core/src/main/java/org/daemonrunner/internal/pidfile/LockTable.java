// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.pidfile;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the kernel's POSIX record locks on one file: all of them from {@code /proc/locks}, or those one process
 * set through one descriptor from {@code /proc/PID/fdinfo/FD}.
 *
 * <p>This is how a process that does not hold a pidfile's lock learns who does, without taking a lock itself
 * (a probe that took the lock, even for a moment, could make a starting daemon believe another one is running).
 * Reading {@code /proc/locks} makes the kernel take its file-lock semaphore for writing, which waits for an RCU
 * grace period (10 to 30 ms on the test machines, and every lock and unlock on the machine waits meanwhile); a
 * descriptor's {@code fdinfo} takes only that file's spinlock (under 0.1 ms). So the process a pidfile names is
 * asked first ({@link #heldThrough}), and the whole table read only when that process is not the holder.
 * Linux only: where {@code /proc/locks} does not exist, {@link #isAvailable()} is false.
 */
final class LockTable {
    private static final Path PROC_LOCKS = Path.of("/proc/locks");
    /** How {@code /proc/PID/fdinfo/FD} starts each line on a lock set through that descriptor. */
    private static final String FDINFO_LOCK = "lock:";

    /** One POSIX lock on the file: its owner, whether it is a write lock, and the bytes it covers. */
    record Entry(long pid, boolean write, long start, long end) {
        boolean covers(long offset) {
            return start <= offset && offset <= end;
        }
    }

    /**
     * The locks found for a file, and whether they matched its device as well as its inode. On overlayfs and
     * btrfs {@code stat} reports another device than {@code /proc/locks}; then only the inode matches.
     */
    record Match(List<Entry> entries, boolean exactDevice) {
    }

    private LockTable() {
    }

    static boolean isAvailable() {
        return Files.isReadable(PROC_LOCKS);
    }

    /**
     * Returns the POSIX locks held on the file with the given identity: those on its device and inode, or, if
     * there are none, those on its inode on any device (see {@link Match}).
     *
     * @param key the file's identity, from {@link FileKey#of(Path)}
     * @throws IOException when {@code /proc/locks} cannot be read
     */
    static Match locksOn(FileKey key) throws IOException {
        String wanted = key.procLocksId();
        String inode = ":" + key.ino();
        List<Entry> exact = new ArrayList<>();
        List<Entry> sameInode = new ArrayList<>();
        for (String line : Files.readAllLines(PROC_LOCKS)) {
            // "1: POSIX  ADVISORY  WRITE 1989 fe:00:2146338 0 2"; blocked requests are shown as "1: -> POSIX ..."
            String[] f = fields(line);
            Entry entry = entry(f, inode);
            if (entry != null) {
                (f[5].equals(wanted) ? exact : sameInode).add(entry);
            }
        }
        return exact.isEmpty() && !sameInode.isEmpty() ? new Match(sameInode, false) : new Match(exact, true);
    }

    /**
     * Returns the POSIX locks that process {@code pid} set on the file with identity {@code key}, as the kernel
     * lists them for the descriptor through which it has the file open ({@code /proc/PID/fdinfo/FD}); empty when
     * it has no such descriptor, set no lock through it, or its descriptors cannot be read (another user's).
     * Only descriptors whose link names a file called {@code name} are looked at further: reading a link does not
     * reach the file system, while the {@code stat} that confirms the identity would, and a descriptor of the
     * process the file names may be on a hung network mount.
     */
    static List<Entry> heldThrough(long pid, FileKey key, String name) {
        String inode = ":" + key.ino();
        String proc = "/proc/" + pid;
        String suffix = "/" + name;
        // java.io's list(): a directory stream of NIO makes a lambda (one generated class more) on first use
        String[] fds = new File(proc, "fd").list();
        if (fds == null) {
            return List.of(); // gone, or not ours to read: the caller falls back to the whole table
        }
        try {
            for (String number : fds) {
                Path fd = Path.of(proc, "fd", number);
                if (!linkEndsWith(fd, suffix) || !key.isOpenAs(fd)) {
                    continue;
                }
                List<Entry> locks = new ArrayList<>(4);
                // "lock:\t1: POSIX  ADVISORY  WRITE 1989 fe:00:2146338 0 1": only locks set through this descriptor
                for (String line : Files.readAllLines(Path.of(proc, "fdinfo", number))) {
                    Entry entry = line.startsWith(FDINFO_LOCK)
                            ? entry(fields(line.substring(FDINFO_LOCK.length())), inode) : null;
                    if (entry != null) {
                        locks.add(entry);
                    }
                }
                if (!locks.isEmpty() && key.isOpenAs(fd)) { // still that file: the number was not reused meanwhile
                    return locks;
                }
            }
        } catch (IOException | RuntimeException unreadableOrGone) {
            return List.of(); // the caller falls back to the whole table
        }
        return List.of();
    }

    private static boolean linkEndsWith(Path fd, String suffix) {
        try {
            return Files.readSymbolicLink(fd).toString().endsWith(suffix);
        } catch (IOException | RuntimeException closedMeanwhile) {
            return false;
        }
    }

    /** The entry for the fields of one lock line, or null if it is not a granted POSIX lock on that inode. */
    private static Entry entry(String[] f, String inode) {
        if (f.length < 8 || !f[1].equals("POSIX") || !f[5].endsWith(inode)) {
            return null;
        }
        long pid = Long.parseLong(f[4]);
        long start = Long.parseLong(f[6]);
        long end = f[7].equals("EOF") ? Long.MAX_VALUE : Long.parseLong(f[7]);
        return new Entry(pid, f[3].equals("WRITE"), start, end);
    }

    private static String[] fields(String line) {
        List<String> out = new ArrayList<>(9);
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(line.substring(start, i));
            }
        }
        return out.toArray(new String[0]);
    }
}
