// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.pidfile;

import java.nio.file.Path;
import java.util.OptionalLong;
import org.daemonrunner.internal.proc.ProcessTable;

/**
 * What a pidfile says about its daemon, found without taking its lock.
 *
 * @param path the pidfile
 * @param status what was found
 * @param holder the pid of the process that holds the pidfile's lock, when {@code status} is {@link Status#RUNNING}
 * @param ready whether the holder has finished {@code init()}
 * @param stopping whether the holder has been asked to stop and is on its way out
 * @param recorded the pidfile's first line as written (never trusted; for messages), or empty
 * @param detail why the state is {@link Status#UNKNOWN}, or empty
 * @param blockedBy for a {@link Status#STALE} file that no daemon can take: whose lock keeps daemons out (another
 *     program's, as {@link ForeignLocks} tells), and what to do; else empty
 */
public record PidFileState(Path path, Status status, long holder, boolean ready, boolean stopping, String recorded,
                           String detail, String blockedBy) {

    /** The four answers a pidfile can give; they map onto LSB status codes. */
    public enum Status {
        /** No file at the path: not running. */
        ABSENT,
        /** A file nobody holds the lock of: the daemon that wrote it is gone. */
        STALE,
        /** A live daemon holds the lock. */
        RUNNING,
        /** The pidfile exists, but who holds it cannot be told (see {@link #detail()}). */
        UNKNOWN
    }

    /** A state that no other program's lock blocks: {@code blockedBy} empty. */
    public PidFileState(Path path, Status status, long holder, boolean ready, boolean stopping, String recorded,
                        String detail) {
        this(path, status, holder, ready, stopping, recorded, detail, "");
    }

    /** A file no daemon holds, that {@code blockedBy} (if not empty) says no daemon can take. */
    static PidFileState stale(Path path, String recorded, String blockedBy) {
        return new PidFileState(path, Status.STALE, 0, false, false, recorded, "", blockedBy);
    }

    /** Whether another program's lock keeps every daemon from taking this stale file ({@link #blockedBy()}). */
    public boolean isBlocked() {
        return !blockedBy.isEmpty();
    }

    static PidFileState absent(Path path) {
        return new PidFileState(path, Status.ABSENT, 0, false, false, "", "");
    }

    static PidFileState unknown(Path path, String detail) {
        return new PidFileState(path, Status.UNKNOWN, 0, false, false, "", detail);
    }

    /** Returns the holder's pid when a daemon is running. */
    public OptionalLong runningPid() {
        return status == Status.RUNNING ? OptionalLong.of(holder) : OptionalLong.empty();
    }

    /**
     * Says why a file nobody holds is stale, for messages: {@code process 42 is not running}, {@code it is empty},
     * or {@code it records 'abc', not a pid}.
     */
    public String staleReason() {
        if (recorded.isEmpty()) {
            return "it is empty";
        }
        long pid = parsePid(recorded);
        if (pid < 0) {
            return "it records '" + recorded + "', not a pid";
        }
        return ProcessTable.isLive(pid) ? "it records pid " + recorded + ", a live process that does not hold its lock"
                : "process " + recorded + " is not running";
    }

    /** Returns the pid {@code recorded} spells ({@code [1-9][0-9]*}, at most {@code Long.MAX_VALUE}), or -1. */
    static long parsePid(String recorded) {
        int n = recorded.length();
        if (n == 0 || n > 19 || recorded.charAt(0) == '0') {
            return -1;
        }
        for (int i = 0; i < n; i++) {
            if (recorded.charAt(i) < '0' || recorded.charAt(i) > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(recorded);
        } catch (NumberFormatException aboveLongMax) {
            return -1;
        }
    }
}
