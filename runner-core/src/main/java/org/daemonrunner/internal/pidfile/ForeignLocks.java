// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.pidfile;

import static org.daemonrunner.internal.pidfile.Locks.LIFE;
import static org.daemonrunner.internal.pidfile.Locks.STARTING;
import static org.daemonrunner.internal.pidfile.Locks.STOPPING;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.daemonrunner.internal.proc.ProcessTable;

/**
 * Locks on a pidfile that no daemon holds, which keep every daemon from taking it, and the words that say whose they
 * are. While no daemon holds the file, a daemonrunner process only ever locks one byte of it, for a moment: byte 0
 * (a {@code stop} waiting, a probe, a tool removing the file) or, shared, byte 2 (a {@code start} waiting). Any other
 * lock on the bytes a daemon locks (0 to 4) is another program's: a shared {@code lockf()} over the whole file, a
 * backup tool's. A daemon cannot take the file while it is held, and waiting for it does not help.
 */
final class ForeignLocks {
    private ForeignLocks() {
    }

    /** The first lock in {@code locks} that no daemonrunner process takes while no daemon holds the file. */
    static Optional<LockTable.Entry> find(List<LockTable.Entry> locks) {
        for (LockTable.Entry e : locks) {
            boolean ours = e.start() == e.end() && (e.start() == LIFE || !e.write() && e.start() == STARTING);
            if (e.start() <= STOPPING && !ours) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** Why no daemon can take the file: whose lock {@code e} is, and what to do. */
    static String keepsDaemonsOut(LockTable.Entry e) {
        return describe(e) + ", a lock no daemonrunner daemon or command takes; " + advice(List.of(e));
    }

    /**
     * Whose locks still keep the file at {@code path} from this process after it waited {@code waited} for them: every
     * lock the lock table lists on it, and what to do; empty when it lists none (the holder is in another pid
     * namespace, or the locks went in the meantime).
     *
     * @throws IOException when {@code /proc/locks} cannot be read
     */
    static String stillHeld(Path path, Duration waited) throws IOException {
        List<LockTable.Entry> locks;
        try {
            locks = LockTable.locksOn(FileKey.of(path)).entries();
        } catch (NoSuchFileException e) {
            return "";
        }
        if (locks.isEmpty()) {
            return "";
        }
        List<String> each = new ArrayList<>();
        for (LockTable.Entry e : locks) {
            each.add(describe(e));
        }
        return String.join(", ", each) + ", still after a wait of " + waited.toMillis() + " ms; " + advice(locks);
    }

    /** {@code process 123 (python3) holds a read lock on bytes 0 to EOF of it}. */
    private static String describe(LockTable.Entry e) {
        String name = ProcessTable.commandLine(e.pid()).map(argv -> argv.get(0))
                .map(arg -> arg.substring(arg.lastIndexOf('/') + 1)).filter(n -> !n.isBlank())
                .map(n -> " (" + n + ")").orElse("");
        String bytes = e.start() == e.end() ? "byte " + e.start()
                : "bytes " + e.start() + " to " + (e.end() == Long.MAX_VALUE ? "EOF" : Long.toString(e.end()));
        return "process " + e.pid() + name + " holds a " + (e.write() ? "write" : "read") + " lock on " + bytes
                + " of it";
    }

    private static String advice(List<LockTable.Entry> locks) {
        List<String> pids = new ArrayList<>();
        for (LockTable.Entry e : locks) {
            if (!pids.contains(Long.toString(e.pid()))) {
                pids.add(Long.toString(e.pid()));
            }
        }
        return "end " + (locks.size() == 1 ? "that lock" : "those locks") + " ('ps -p " + String.join(",", pids)
                + "' shows " + (pids.size() == 1 ? "the process" : "the processes") + "), or give the daemon a pidfile"
                + " path of its own";
    }
}
