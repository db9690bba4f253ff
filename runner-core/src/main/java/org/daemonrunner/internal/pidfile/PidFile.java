// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.pidfile;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A pidfile whose lock is held for the whole life of the process that owns it.
 *
 * <p>The lock, not the file's content, is the truth: the kernel releases a POSIX record lock when its holder
 * dies, even by {@code SIGKILL}, so a file nobody holds is stale whatever it says. The content (the owner's
 * pid and a newline, as python-daemon writes it) is for people and other tools; it is never used to decide
 * whom to signal.
 *
 * <p>Locks on the file's first bytes carry the owner's state, so that other processes can read it from
 * {@code /proc/locks} without taking a lock themselves:
 * <table>
 *   <caption>Lock layout</caption>
 *   <tr><th>bytes</th><th>lock</th><th>held by</th><th>meaning</th></tr>
 *   <tr><td>0-1</td><td>write</td><td>the daemon, for its whole life</td><td>running (byte 0: alive; byte 1: a daemon, not a tool)</td></tr>
 *   <tr><td>2</td><td>write</td><td>the daemon, until {@code init()} has returned</td><td>starting</td></tr>
 *   <tr><td>3</td><td>write</td><td>the daemon, once {@code init()} has returned</td><td>ready</td></tr>
 *   <tr><td>4</td><td>write</td><td>the daemon</td><td>asked to stop, on its way out</td></tr>
 *   <tr><td>0</td><td>write</td><td>a tool, for a moment</td><td>removing a stale pidfile</td></tr>
 *   <tr><td>0</td><td>read</td><td>{@code stop} or {@code start}</td><td>waiting for the daemon to exit</td></tr>
 *   <tr><td>2</td><td>read</td><td>{@code start}</td><td>waiting for a starting daemon to be ready (or die)</td></tr>
 * </table>
 *
 * <p>An owner removes the file while still holding the lock, and whoever locks the file checks afterwards that
 * the file it locked is still the one at the path (it may have been removed while it waited), so two owners can
 * never each believe they own the path. The owner never opens the file a second time: closing any descriptor
 * of the file would drop its POSIX lock.
 *
 * <p>This class is the owner's side (the lifetime lock) and the face of the package; each other role has a class
 * of its own: {@link Inspection} (who holds it, lock-free), {@link Waits} (for readiness, for exit, and removing a
 * stale file), {@link SafetyCheck} (root's check of the path), {@link Locks} (the layout and the lock primitives),
 * {@link ForeignLocks} (another program's lock, which keeps every daemon out).
 *
 * <p>Finding the holder needs Linux's {@code /proc/locks} and {@code /proc/PID/fd}. The process the file names
 * is asked first, through the locks {@code /proc/PID/fdinfo} lists for its descriptor of the file, which is
 * cheaper than reading {@code /proc/locks} (see {@link LockTable}); the content only says whom to ask first,
 * and the kernel's answer decides.
 */
public final class PidFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final String previous;
    private final FileKey key;
    private final FileLock starting;
    private volatile boolean removalArranged;

    private PidFile(Path path, FileChannel channel, String previous, FileKey key, FileLock starting) {
        this.path = path;
        this.channel = channel;
        this.previous = previous;
        this.key = key;
        this.starting = starting;
    }

    /**
     * Takes the pidfile's lifetime lock for this process, creating the file if needed.
     *
     * <p>A stale file (nobody holds its lock) is taken over. A file held by a daemon that is stopping, or
     * by a tool for a moment, is waited for, up to {@code waitForRelease}, waking the moment the lock is released.
     *
     * @param path the pidfile; its directory must exist
     * @param waitForRelease how long to wait for a stopping daemon to exit
     * @return the pidfile, locked by this process; nothing is written to it yet
     * @throws PidFileLockedException when a running daemon holds the lock, or it was not released in time
     * @throws IOException when the file cannot be opened or locked (the message names the path), or no daemon holds
     *     it but another program's lock keeps it (at once when that lock is not one a daemonrunner command takes for a
     *     moment, else after the wait; the message names the lock and its holder)
     */
    public static PidFile acquire(Path path, Duration waitForRelease) throws IOException {
        Objects.requireNonNull(path, "path");
        long deadline = Locks.deadline(waitForRelease);
        for (int attempt = 0; attempt < Locks.MAX_ATTEMPTS; attempt++) {
            if (HeldFiles.holds(path)) {
                throw new PidFileLockedException(HeldFiles.runningHere(path), "this process already holds pidfile "
                        + path);
            }
            FileChannel channel = Locks.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            boolean keep = false;
            try {
                FileLock lock = Locks.tryLock(channel, Locks.LIFE, 2, false);
                if (lock == null) {
                    PidFileState state = Inspection.inspect(path);
                    if (state.status() == PidFileState.Status.RUNNING && !state.stopping()) {
                        throw new PidFileLockedException(state, "already running with pid " + state.holder());
                    }
                    if (state.isBlocked()) { // another program's lock, which waiting does not end
                        throw new IOException("no daemon can take it: " + state.blockedBy());
                    }
                    lock = Locks.lockBefore(channel, Locks.LIFE, 2, false, deadline);
                    if (lock == null) {
                        throw stillLocked(path, waitForRelease);
                    }
                }
                if (!Locks.isStillAt(path)) {
                    continue; // the file we locked was removed by its previous owner while we waited
                }
                String notAPidfile = Locks.notAPidfile(channel);
                if (notAPidfile != null) {
                    throw new IOException("pidfile " + path + " was left as it is: " + notAPidfile + ". Check the"
                            + " pidfile's path; if it is a stale pidfile, remove it");
                }
                String previous = Locks.readRecorded(channel);
                // blocking: a start waiting for readiness may hold a shared lock on this byte for a moment
                FileLock starting = channel.lock(Locks.STARTING, 1, false);
                PidFile pidfile = new PidFile(path, channel, previous, FileKey.of(path), starting);
                HeldFiles.add(pidfile.key, pidfile);
                keep = true;
                return pidfile;
            } finally {
                if (!keep) {
                    channel.close();
                }
            }
        }
        throw new IOException("Cannot lock pidfile " + path + ": it was replaced " + Locks.MAX_ATTEMPTS
                + " times while we tried. Is another program removing it?");
    }

    /**
     * What keeps the pidfile locked after a wait of {@code waited}: a daemon that is still stopping, or was let go
     * of just now (the lost race {@code start} knows: {@link PidFileLockedException}), or what cannot be waited out:
     * locks that no daemon holds (another program's), named, or a holder that cannot be told.
     */
    private static IOException stillLocked(Path path, Duration waited) throws IOException {
        PidFileState state = Inspection.inspect(path);
        String after = " after waiting " + waited.toMillis() + " ms for it to be released";
        if (state.status() == PidFileState.Status.UNKNOWN) {
            return new IOException("it is still locked" + after + ": " + state.detail());
        }
        String held = state.status() == PidFileState.Status.RUNNING ? "" : ForeignLocks.stillHeld(path, waited);
        if (!held.isEmpty()) {
            return new IOException("no daemon can take it: " + held);
        }
        return new PidFileLockedException(state, "pidfile " + path + " is still locked"
                + (state.status() == PidFileState.Status.RUNNING ? " by pid " + state.holder() : "") + after);
    }

    /** Returns the pidfile's path. */
    public Path path() {
        return path;
    }

    /**
     * Returns what the file recorded before this process took it over (a stale pid), or an empty string.
     */
    public String previousContent() {
        return previous;
    }

    /**
     * Writes {@code pid} and a newline into the file, through the locked descriptor, replacing what was there:
     * nothing else, so that {@code kill $(cat F)}, {@code ps -p $(cat F)} and every tool that reads a pidfile work.
     * Nothing more is needed to tell a reused pid apart: the kernel lists the lock under its holder's pid, and
     * only the process that holds it has it (see {@link Inspection}).
     *
     * @throws IOException when the write fails
     */
    public void writePid(long pid) throws IOException {
        channel.truncate(0);
        ByteBuffer bytes = ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII));
        long position = 0;
        while (bytes.hasRemaining()) {
            position += channel.write(bytes, position);
        }
    }

    /** Records, for other processes to see, that this daemon is ready, and wakes those waiting for it. */
    public void markReady() throws IOException {
        Locks.tryLock(channel, Locks.READY, 1, false);
        starting.release();
    }

    /** Records, for other processes to see, that this daemon is stopping. */
    public void markStopping() throws IOException {
        Locks.tryLock(channel, Locks.STOPPING, 1, false);
    }

    /**
     * Arranges for the file to be removed when this JVM exits, after every shutdown hook has run, while the
     * lock is still held (the kernel releases it only when the process is gone) — if the file at the path is
     * still the one this process locked. Call it when the exit is decided (a stop was requested, {@code run()}
     * returned), not earlier: a file someone removed and another daemon re-created at the path must not go.
     *
     * @return whether the removal was arranged
     */
    public boolean removeOnExit() {
        if (!isOurs()) {
            return false;
        }
        removalArranged = true;
        new File(path.toString()).deleteOnExit();
        return true;
    }

    /**
     * Arranges, at shutdown, what {@link #removeOnExit()} arranges when a stop is requested, if it was never called
     * (the program called {@code System.exit} itself, or its last thread ended): the pidfile marked stopping, and
     * removed once every shutdown hook has run, the program's own included. Until then the file says that a
     * daemon runs, which is true: a slow or stuck hook keeps the process alive, and with it the lock, the ports it
     * holds and whatever else a second daemon would trip over.
     */
    public void removeAtShutdownUnlessArranged() {
        Thread hook = new Thread("daemonrunner-pidfile") {
            @Override
            public void run() {
                if (removalArranged) {
                    return;
                }
                try {
                    markStopping();
                } catch (IOException e) {
                    // a stop being requested at this moment holds it already, or the channel is closed: either way
                    // the file's state is not this hook's to fix
                }
                // registered during the shutdown, deleteOnExit still runs after every application hook (the JDK
                // keeps its hook last for exactly this)
                removeOnExit();
            }
        };
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private boolean isOurs() {
        try {
            return key.equals(FileKey.of(path));
        } catch (IOException e) {
            return false; // gone, or not ours to look at: nothing to remove
        }
    }

    /**
     * Removes the file and releases the lock. A daemon does not call this: it keeps the lock until it exits.
     */
    @Override
    public void close() throws IOException {
        if (!channel.isOpen()) {
            return;
        }
        try {
            if (Locks.isStillAt(path)) {
                Files.deleteIfExists(path);
            }
        } finally {
            HeldFiles.remove(key, this);
            channel.close();
        }
    }

    /**
     * Finds out, without taking any lock, whether a daemon holds the pidfile. In the JVM that holds it, the
     * answer comes from memory (reading the file would drop the lock).
     *
     * @throws IOException when the pidfile's attributes cannot be read for another reason than its absence
     */
    public static PidFileState inspect(Path path) throws IOException {
        return Inspection.inspect(path);
    }

    /**
     * Why the file at {@code path} is not one a daemon could have left, so that it is never replaced nor removed
     * (see {@link #removeIfStale}); empty when it may be a pidfile, or is gone. For a process that holds no lock on it.
     *
     * @throws IOException when it cannot be read
     */
    public static Optional<String> notAPidfile(Path path) throws IOException {
        try (FileChannel channel = Locks.open(path, StandardOpenOption.READ)) {
            return Optional.ofNullable(Locks.notAPidfile(channel));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * As {@link #inspect}, for a command that holds no lock on the file ({@code status}, {@code reload}): a stale
     * answer with no lock listed at all is checked with the kernel, by a shared lock on byte 0 for a moment (as a
     * waiting {@code stop} takes), and is UNKNOWN when the kernel refuses it: the holder runs in another pid
     * namespace, whose locks {@code /proc/locks} does not list.
     *
     * @throws IOException as {@link #inspect} does
     */
    public static PidFileState inspectChecked(Path path) throws IOException {
        return Inspection.confirmStale(path, Inspection.inspect(path));
    }

    /**
     * Waits while a daemon holding the pidfile is still starting, up to {@code timeout}, waking the moment it is
     * ready or gone; returns what the pidfile says then.
     *
     * @throws IOException when the pidfile cannot be read
     */
    public static PidFileState awaitStarted(Path path, Duration timeout) throws IOException {
        return Waits.awaitStarted(path, timeout);
    }

    /**
     * Removes the pidfile if no daemon holds it, taking the lock for the moment of the removal.
     *
     * @return the state of the file that was removed ({@code STALE}, no detail), or the state found if it was not
     *     removed: {@code STALE} with a detail for a file that is not one a daemon could have left ({@link
     *     #notAPidfile}), which is kept; {@code STALE} and {@link PidFileState#isBlocked() blocked} for a file another
     *     program's lock keeps (its lock is named), after a wait of a second for a lock that might be let go of
     * @throws IOException when the file exists but cannot be opened, locked or removed
     */
    public static PidFileState removeIfStale(Path path) throws IOException {
        return Waits.removeIfStale(path);
    }

    /**
     * Opens the pidfile to watch its daemon: the returned watch keeps the file open, so that it can wait for the
     * lock to be released even after the daemon has removed the file.
     *
     * @throws IOException when the pidfile exists but cannot be opened, or this process holds it
     */
    public static PidFileWatch watch(Path path) throws IOException {
        return Waits.watch(path);
    }

    /**
     * When this process runs as root, refuses a pidfile, or a pidfile directory, that another user could
     * replace: world-writable, or owned by a user other than root and {@code trustedUid} (the daemon's user).
     *
     * @param trustedUid the uid of the daemon's configured user, or -1
     * @throws IOException naming the path, its owner or mode, and what to do
     */
    public static void checkSafe(Path path, int trustedUid) throws IOException {
        SafetyCheck.checkSafe(path, trustedUid, null);
    }

    /**
     * {@link #checkSafe(Path, int)}, for a configured user whose uid could not be looked up ({@code trustedUid}
     * -1): the refusal then says why only root is trusted, not that no user is set.
     *
     * @param trustedUid the uid of the daemon's configured user, or -1
     * @param userNotKnown with -1: null when no user is configured, else why the configured user's uid is not known
     *     and what to do, for the refusal
     * @throws IOException naming the path, its owner or mode, and what to do
     */
    public static void checkSafe(Path path, int trustedUid, String userNotKnown) throws IOException {
        SafetyCheck.checkSafe(path, trustedUid, userNotKnown);
    }
}
