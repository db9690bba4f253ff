// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.pidfile;

import static org.daemonrunner.internal.pidfile.Locks.DAEMON;
import static org.daemonrunner.internal.pidfile.Locks.LIFE;
import static org.daemonrunner.internal.pidfile.Locks.MAX_RECORDED;
import static org.daemonrunner.internal.pidfile.Locks.READY;
import static org.daemonrunner.internal.pidfile.Locks.STOPPING;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import org.daemonrunner.internal.proc.ProcessTable;

/**
 * Finds out, without taking any lock, whether a daemon holds a pidfile, and which. The kernel's answer decides;
 * the file's content only says which process to ask first (see {@link LockTable}).
 */
final class Inspection {
    private Inspection() {
    }

    /** See {@link PidFile#inspect(Path)}. */
    static PidFileState inspect(Path path) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return PidFileState.absent(path);
        }
        if (!attributes.isRegularFile()) {
            return notAPidfile(path, attributes);
        }
        if (HeldFiles.holds(path)) {
            return HeldFiles.runningHere(path);
        }
        if (!LockTable.isAvailable()) {
            return PidFileState.unknown(path, "/proc/locks cannot be read, so the holder of " + path
                    + " cannot be found (daemonrunner needs Linux's /proc)");
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            FileKey key;
            try {
                key = FileKey.of(path);
            } catch (NoSuchFileException e) {
                return PidFileState.absent(path);
            }
            Optional<PidFileState> state = inspect(path, key);
            if (state.isPresent()) {
                return state.get();
            }
        }
        return unconfirmedHolder(path);
    }

    /** The answer when the lock is held and its holder, though listed, cannot be seen with the file open. */
    static PidFileState unconfirmedHolder(Path path) {
        return PidFileState.unknown(path, "the lock on " + path + " is held, but its holder could not be confirmed"
                + " (it does not have the file open, or /proc/PID/fd cannot be read: a /proc mounted with hidepid="
                + " hides other users' processes); run this as root or as the daemon's user");
    }

    /**
     * The answer when the kernel refuses a lock on the file that no process in the lock table holds: its holder
     * runs in another pid namespace, whose locks {@code /proc/locks} does not list (Linux 4.9 and later).
     */
    static PidFileState invisibleHolder(Path path) {
        return PidFileState.unknown(path, "the lock on " + path + " is held by a process that cannot be seen from"
                + " here: /proc/locks lists only the locks of processes in this pid namespace, so its holder runs in"
                + " another (a container's, or the host's). Nothing was removed or signalled; run this command in"
                + " the daemon's pid namespace");
    }

    /** See {@link PidFile#inspectChecked(Path)}; only for a process that holds no lock on the file. */
    static PidFileState confirmStale(Path path, PidFileState state) throws IOException {
        if (state.status() != PidFileState.Status.STALE || HeldFiles.holds(path) || anyLockListed(path)) {
            return state;
        }
        try (FileChannel channel = Locks.open(path, StandardOpenOption.READ)) {
            FileLock probe = Locks.tryLock(channel, LIFE, 1, true);
            if (probe == null) {
                return invisibleHolder(path);
            }
            probe.release();
            return state;
        } catch (NoSuchFileException e) {
            return PidFileState.absent(path);
        }
    }

    /** Whether the lock table lists any POSIX lock on the file now at {@code path} (false when it is gone). */
    static boolean anyLockListed(Path path) throws IOException {
        try {
            return !LockTable.locksOn(FileKey.of(path)).entries().isEmpty();
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    static PidFileState notAPidfile(Path path, BasicFileAttributes attributes) {
        return PidFileState.unknown(path, "pidfile " + path + " is "
                + (attributes.isSymbolicLink() ? "a symbolic link" : attributes.isDirectory() ? "a directory"
                : attributes.isOther() ? "a FIFO, socket or device" : "not a regular file")
                + ", not a pidfile; remove it or choose another pidfile path");
    }

    /**
     * Returns UNKNOWN when something other than a regular file is at {@code path}, else empty. Checked before
     * opening it for reading: opening a FIFO blocks until someone writes to it.
     */
    static Optional<PidFileState> checkRegular(Path path) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? Optional.empty() : Optional.of(notAPidfile(path, a));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Reads the lock table for the file with identity {@code key}; empty when the answer was not consistent (the
     * holder does not have the file open: it changed while we looked), and the caller looks again.
     */
    static Optional<PidFileState> inspect(Path path, FileKey key) throws IOException {
        if (!ProcessTable.procIsOurs()) {
            return Optional.of(PidFileState.unknown(path, "/proc belongs to another pid namespace than this process"
                    + " (a new pid namespace without its own /proc, as after 'unshare --pid' without '--mount-proc'),"
                    + " so the pids it shows are not the ones a signal from here would reach; run this in the"
                    + " daemon's namespace, or mount a /proc for this one"));
        }
        Content content = Content.read(path);
        String recorded = content.recorded;
        Optional<PidFileState> named = heldByRecordedPid(path, key, content);
        if (named.isPresent()) {
            return named;
        }
        LockTable.Match match = LockTable.locksOn(key);
        List<LockTable.Entry> locks = match.entries();
        LockTable.Entry life = null;
        for (LockTable.Entry e : locks) {
            if (e.write() && e.covers(LIFE)) {
                life = e;
                break;
            }
        }
        if (life != null && locksPastLayout(locks, life.pid())) {
            return Optional.of(PidFileState.unknown(path, "pidfile " + path + " is locked by process " + life.pid()
                    + " over bytes a daemonrunner daemon never locks (a program's lock on the whole file, as lockf()"
                    + " takes): another program uses this file, so nothing was signalled; give the daemon a pidfile"
                    + " path of its own"));
        }
        boolean daemon = life != null && holds(locks, life.pid(), DAEMON);
        if (life == null) {
            Optional<PidFileState> lost = lostLock(path, key, recorded);
            if (lost.isPresent()) {
                return lost;
            }
        }
        if (!daemon) {
            // Nobody holds it, or a tool holds byte 0 for a moment to remove it: either way no daemon owns it. Another
            // program's lock (a shared lockf() over the whole file) would keep every daemon from taking it: say whose.
            Optional<LockTable.Entry> foreign = ForeignLocks.find(locks); // no method reference: spun at each use
            return Optional.of(PidFileState.stale(path, recorded,
                    foreign.isPresent() ? ForeignLocks.keepsDaemonsOut(foreign.get()) : ""));
        }
        long holder = life.pid();
        FileKey.Open open = key.openBy(holder);
        // An exact device match may be trusted when /proc/PID/fd is not ours to read; an inode-only match
        // (overlayfs, btrfs report another device in stat) needs the holder to be seen with the file open.
        // pid 1 is listed only when the daemon is the init of this pid namespace (a container's first process):
        // it is running, and no command signals it (ProcessControl refuses pid 1)
        if (holder < 1 || open == FileKey.Open.NO || (open == FileKey.Open.UNKNOWN && !match.exactDevice())) {
            return Optional.empty();
        }
        return Optional.of(new PidFileState(path, PidFileState.Status.RUNNING, holder, holds(locks, holder, READY),
                holds(locks, holder, STOPPING), recorded, ""));
    }

    /**
     * The fast path of {@link #inspect(Path, FileKey)}: asks the process the file records whether it holds the
     * daemon's lock, from the locks the kernel lists for its descriptor of the file. Returns RUNNING if it does,
     * else empty (no pid recorded, another holder, none, or its descriptors are not ours to read): then only the
     * whole lock table can tell. A recorded pid that another process has since been given is safe to ask: that
     * process cannot hold locks through a descriptor of this file unless it holds the pidfile.
     */
    static Optional<PidFileState> heldByRecordedPid(Path path, FileKey key, Content content) {
        String recorded = content.recorded;
        long pid = PidFileState.parsePid(recorded);
        if (pid <= 1) {
            return Optional.empty();
        }
        List<LockTable.Entry> locks = LockTable.heldThrough(pid, key, path.getFileName().toString());
        if (!holds(locks, pid, LIFE) || !holds(locks, pid, DAEMON) || locksPastLayout(locks, pid)) {
            return Optional.empty();
        }
        return Optional.of(new PidFileState(path, PidFileState.Status.RUNNING, pid, holds(locks, pid, READY),
                holds(locks, pid, STOPPING), recorded, ""));
    }

    /**
     * UNKNOWN when nobody holds the file's lock but the process it records has it open: a daemon that lost its lock,
     * as a process does when any of its descriptors of the file is closed (a wrapped program that reads or writes
     * its own pidfile). Calling it stale would let {@code stop} say "not running" and {@code start} run a second one.
     */
    private static Optional<PidFileState> lostLock(Path path, FileKey key, String recorded) {
        long pid = PidFileState.parsePid(recorded);
        if (pid <= 1 || pid == ProcessHandle.current().pid() || key.openBy(pid) != FileKey.Open.YES) {
            return Optional.empty();
        }
        return Optional.of(PidFileState.unknown(path, "pidfile " + path + " is open in process " + pid + ", the pid it"
                + " records, but nobody holds its lock: that daemon lost its lock, as a process does when any of its"
                + " descriptors of the file is closed (a program that opens its own pidfile, to read or write its pid,"
                + " drops it). It was left running, and nothing was signalled or removed: stop it by its pid (kill "
                + pid + ") once you have checked that it is the daemon, and give the program another file for its"
                + " own pid"));
    }

    /**
     * Whether {@code pid} holds a lock on bytes past the layout's last ({@code STOPPING}): a daemon never does, however
     * the kernel merges its adjacent locks, while another program's lock on the whole file ({@code lockf()}, an
     * {@code fcntl} lock to EOF) covers every byte, and would otherwise read as a daemon's.
     */
    static boolean locksPastLayout(List<LockTable.Entry> locks, long pid) {
        for (LockTable.Entry e : locks) {
            if (e.pid() == pid && e.end() > STOPPING) {
                return true;
            }
        }
        return false;
    }

    static boolean holds(List<LockTable.Entry> locks, long pid, long offset) {
        for (LockTable.Entry e : locks) {
            if (e.pid() == pid && e.write() && e.covers(offset)) {
                return true;
            }
        }
        return false;
    }

    /** What a pidfile says, read once: its first line (the pid, at most {@value Locks#MAX_RECORDED} bytes of it). */
    static final class Content {
        final String recorded;

        Content(String recorded) {
            this.recorded = recorded;
        }

        /** Reads the file's first bytes (not following a symbolic link); an empty line if it cannot be read. */
        static Content read(Path path) {
            byte[] bytes;
            try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readNBytes(MAX_RECORDED);
            } catch (IOException e) {
                return new Content("");
            }
            return new Content(Locks.firstLine(bytes, bytes.length));
        }
    }
}
