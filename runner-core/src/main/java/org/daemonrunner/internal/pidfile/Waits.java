// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.pidfile;

import static org.daemonrunner.internal.pidfile.Locks.LIFE;
import static org.daemonrunner.internal.pidfile.Locks.MAX_ATTEMPTS;
import static org.daemonrunner.internal.pidfile.Locks.STARTING;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;

/**
 * What other processes do with a pidfile they do not own: wait for its daemon to be ready, watch it exit, and
 * remove the file once nobody holds it. Each wait blocks on a lock the daemon releases; nothing polls.
 */
final class Waits {
    /** How long {@link #removeIfStale} waits for a lock that no daemon holds before it names that lock's holder. */
    private static final Duration HOLDER_WAIT = Duration.ofSeconds(1);

    private Waits() {
    }

    /** See {@link PidFile#awaitStarted(Path, Duration)}. */
    static PidFileState awaitStarted(Path path, Duration timeout) throws IOException {
        long deadline = Locks.deadline(timeout);
        PidFileState state = Inspection.inspect(path);
        for (int round = 0; round < MAX_ATTEMPTS && isStarting(state) && System.nanoTime() < deadline; round++) {
            FileChannel channel;
            try {
                channel = Locks.open(path, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return PidFileState.absent(path);
            }
            try (channel) {
                // Granted when the daemon releases its "starting" byte (ready) or dies. If it has not taken that byte
                // yet, this is granted at once and the next round waits again.
                FileLock lock = Locks.lockBefore(channel, STARTING, 1, true, deadline);
                if (lock != null) {
                    lock.release();
                }
            }
            state = Inspection.inspect(path);
        }
        return Inspection.confirmStale(path, state); // every wait's lock is released: this process holds none
    }

    private static boolean isStarting(PidFileState state) {
        return state.status() == PidFileState.Status.RUNNING && !state.ready() && !state.stopping();
    }

    /** See {@link PidFile#removeIfStale(Path)}. */
    static PidFileState removeIfStale(Path path) throws IOException {
        if (HeldFiles.holds(path)) {
            return HeldFiles.runningHere(path);
        }
        FileChannel channel;
        try {
            channel = Locks.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return PidFileState.absent(path);
        }
        try (channel) {
            if (Locks.tryLock(channel, LIFE, 1, false) == null) {
                PidFileState now = Inspection.inspect(path);
                if (now.status() != PidFileState.Status.STALE || now.isBlocked()) {
                    return now; // a daemon holds it, or another program's lock keeps it: nothing to wait for
                }
                // The kernel refused the lock, and no daemon holds it: a command's lock for a moment (a tool removing
                // the file, a stop waiting), another program's on byte 0 alone, or a holder in another pid namespace.
                // Give a holder that is letting go a moment, waking when it does.
                if (Locks.lockBefore(channel, LIFE, 1, false, Locks.deadline(HOLDER_WAIT)) == null) {
                    PidFileState after = Inspection.inspect(path);
                    if (after.status() != PidFileState.Status.STALE) {
                        return after;
                    }
                    String held = ForeignLocks.stillHeld(path, HOLDER_WAIT);
                    return held.isEmpty() ? Inspection.invisibleHolder(path)
                            : PidFileState.stale(path, after.recorded(), held); // not removed: blocked, and says why
                }
            }
            if (!Locks.isStillAt(path)) {
                return PidFileState.absent(path);
            }
            String recorded = Locks.readRecorded(channel);
            String notAPidfile = Locks.notAPidfile(channel);
            if (notAPidfile != null) { // stale, and kept: the detail says why
                return new PidFileState(path, PidFileState.Status.STALE, 0, false, false, recorded, notAPidfile);
            }
            Files.delete(path);
            return new PidFileState(path, PidFileState.Status.STALE, 0, false, false, recorded, "");
        }
    }

    /** See {@link PidFile#watch(Path)}. */
    static PidFileWatch watch(Path path) throws IOException {
        if (HeldFiles.holds(path)) {
            throw new IOException("this process holds pidfile " + path + "; it cannot wait for itself");
        }
        int unconfirmed = 0;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Optional<PidFileState> odd = Inspection.checkRegular(path);
            if (odd.isPresent()) {
                return new PidFileWatch(odd.get(), null);
            }
            FileChannel channel;
            try {
                channel = Locks.open(path, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return new PidFileWatch(PidFileState.absent(path), null);
            }
            FileKey key = Locks.keyIfStillAt(path);
            if (key != null) {
                Optional<PidFileState> state = FileKey.canInspectDescriptors() ? Inspection.inspect(path, key)
                        : Optional.of(Inspection.inspect(path));
                if (state.isPresent()) {
                    return new PidFileWatch(state.get(), channel);
                }
                if (++unconfirmed == 3) { // the same file each time: its holder cannot be seen, it was not replaced
                    channel.close();
                    return new PidFileWatch(Inspection.unconfirmedHolder(path), null);
                }
            }
            channel.close();
        }
        throw new IOException("Cannot open pidfile " + path + ": it was replaced " + MAX_ATTEMPTS
                + " times while we tried. Is another program removing it?");
    }
}
