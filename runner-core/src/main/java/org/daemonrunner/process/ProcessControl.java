package org.daemonrunner.process;

import java.io.IOException;

/**
 * Signals a daemon, found as the holder of its pidfile's lock; never anyone else.
 */
public final class ProcessControl {
    private ProcessControl() {
    }

    /**
     * Whether {@code name} looks like a signal name without {@code SIG}: upper-case letters and digits (a loop, not
     * a regular expression: this runs on every command, and a regex costs its compilation and, on a fresh JVM,
     * the lambda bootstrap of {@code java.util.regex}).
     */
    public static boolean isSignalName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if ((c < 'A' || c > 'Z') && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sends SIGTERM to {@code process}.
     *
     * @param process the holder of the pidfile's lock, as found in the kernel's lock table; the handle records
     *     the process's start time, and {@code ProcessHandle.destroy()} checks it, so a reused pid is never hit
     * @return false if the process was already gone (or the signal was not permitted)
     * @throws IllegalArgumentException for pid 1 or below, or this process's own pid: never signalled
     */
    public static boolean terminate(ProcessHandle process) {
        long pid = process.pid();
        if (pid <= 1 || pid == ProcessHandle.current().pid()) {
            throw new IllegalArgumentException("refusing to signal pid " + pid);
        }
        return process.destroy();
    }

    /**
     * Sends SIGKILL to {@code process}; see {@link #terminate(ProcessHandle)}.
     *
     * @return false if the process was already gone (or the signal was not permitted)
     */
    public static boolean kill(ProcessHandle process) {
        long pid = process.pid();
        if (pid <= 1 || pid == ProcessHandle.current().pid()) {
            throw new IllegalArgumentException("refusing to signal pid " + pid);
        }
        return process.destroyForcibly();
    }

    /**
     * Sends signal {@code name} (e.g. {@code HUP}) to {@code pid}: the JDK can only send TERM and KILL, so this
     * runs the shell's {@code kill}, a few milliseconds, rather than loading native code.
     *
     * @throws IOException when the process is gone or the signal cannot be sent, with what {@code kill} said
     * @throws IllegalArgumentException for pid 1 or below, or this process's own pid
     */
    public static void signal(long pid, String name) throws IOException {
        if (pid <= 1 || pid == ProcessHandle.current().pid()) {
            throw new IllegalArgumentException("refusing to signal pid " + pid);
        }
        if (!isSignalName(name)) {
            throw new IllegalArgumentException("not a signal name: " + name);
        }
        Command.Result kill = Command.run("/bin/sh", "-c", "kill -s " + name + " \"$1\"", "kill", Long.toString(pid));
        if (kill.exit() != 0) {
            throw new IOException("kill -s " + name + " " + pid + " failed: " + kill.output());
        }
    }
}
