// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.pidfile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pidfiles this JVM holds. A POSIX lock belongs to the process, and closing any descriptor of the file drops it,
 * so every role asks here first and answers from memory for a file this process holds, never opening it again.
 * Process-wide by nature, as the locks are.
 */
final class HeldFiles {
    private static final Map<FileKey, PidFile> HELD = new ConcurrentHashMap<>();

    private HeldFiles() {
    }

    static void add(FileKey key, PidFile pidfile) {
        HELD.put(key, pidfile);
    }

    static void remove(FileKey key, PidFile pidfile) {
        HELD.remove(key, pidfile);
    }

    /** Whether this JVM holds the pidfile at {@code path}. */
    static boolean holds(Path path) {
        if (HELD.isEmpty()) {
            return false;
        }
        try {
            return HELD.containsKey(FileKey.of(path));
        } catch (IOException e) {
            return false;
        }
    }

    /** The state of a pidfile this JVM holds: running, with this pid. */
    static PidFileState runningHere(Path path) {
        return new PidFileState(path, PidFileState.Status.RUNNING, ProcessHandle.current().pid(), false, false,
                Long.toString(ProcessHandle.current().pid()), "");
    }
}
