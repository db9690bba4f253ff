// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import java.io.IOException;

/**
 * Signals a daemon, found as the holder of its pidfile's lock; never anyone else. Every signal daemonrunner sends
 * passes {@link #requireSignallable(long)}, the one pid guard.
 */
public final class ProcessControl {
    private ProcessControl() {
    }

    /**
     * Checks that {@code pid} may be signalled at all: never pid 1 or below (init, the process group, every
     * process), never this process itself.
     *
     * @throws IllegalArgumentException for such a pid
     */
    public static void requireSignallable(long pid) {
        if (pid <= 1 || pid == ProcessHandle.current().pid()) {
            throw new IllegalArgumentException("refusing to signal pid " + pid);
        }
    }

    /**
     * Sends SIGTERM to {@code process}.
     *
     * @param process the holder of the pidfile's lock, as found in the kernel's lock table; the handle records
     *     the process's start time, and {@code ProcessHandle.destroy()} checks it, so a reused pid is never hit
     * @return false if the process was already gone (or the signal was not permitted)
     * @throws IllegalArgumentException for a pid {@link #requireSignallable} refuses
     */
    public static boolean terminate(ProcessHandle process) {
        requireSignallable(process.pid());
        return process.destroy();
    }

    /**
     * Sends SIGKILL to {@code process}; see {@link #terminate(ProcessHandle)}.
     *
     * @return false if the process was already gone (or the signal was not permitted)
     */
    public static boolean kill(ProcessHandle process) {
        requireSignallable(process.pid());
        return process.destroyForcibly();
    }

    /**
     * Sends {@code signal} to {@code pid}: the JDK can only send TERM and KILL, so this runs the shell's
     * {@code kill}, a few milliseconds, rather than loading native code.
     *
     * @throws IOException when the process is gone or the signal cannot be sent, with what {@code kill} said
     * @throws IllegalArgumentException for a pid {@link #requireSignallable} refuses
     */
    public static void signal(long pid, Signal signal) throws IOException {
        requireSignallable(pid);
        Command.Result kill = Command.run("/bin/sh", "-c", "kill -s " + signal.name() + " \"$1\"", "kill",
                Long.toString(pid));
        if (kill.exit() != 0) {
            throw new IOException("kill -s " + signal.name() + " " + pid + " failed: " + kill.output());
        }
    }
}
