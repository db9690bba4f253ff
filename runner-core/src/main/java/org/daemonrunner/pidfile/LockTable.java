package org.daemonrunner.pidfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the kernel's table of POSIX record locks ({@code /proc/locks}) for one file.
 *
 * <p>This is how a process that does not hold a pidfile's lock learns who does, without taking a lock itself
 * (a probe that took the lock, even for a moment, could make a starting daemon believe another one is running).
 * Linux only: where {@code /proc/locks} does not exist, {@link #isAvailable()} is false.
 */
final class LockTable {
    private static final Path PROC_LOCKS = Path.of("/proc/locks");

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
            if (f.length < 8 || !f[1].equals("POSIX") || !f[5].endsWith(inode)) {
                continue;
            }
            long pid = Long.parseLong(f[4]);
            long start = Long.parseLong(f[6]);
            long end = f[7].equals("EOF") ? Long.MAX_VALUE : Long.parseLong(f[7]);
            Entry entry = new Entry(pid, f[3].equals("WRITE"), start, end);
            (f[5].equals(wanted) ? exact : sameInode).add(entry);
        }
        return exact.isEmpty() && !sameInode.isEmpty() ? new Match(sameInode, false) : new Match(exact, true);
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
