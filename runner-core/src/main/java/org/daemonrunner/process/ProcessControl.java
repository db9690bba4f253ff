package org.daemonrunner.process;

/**
 * Signals a daemon, found as the holder of its pidfile's lock; never anyone else.
 */
public final class ProcessControl {
    private ProcessControl() {
    }

    /**
     * Sends SIGTERM to {@code pid}.
     *
     * @param pid the holder of the pidfile's lock, as found in the kernel's lock table
     * @return false if the process was already gone
     * @throws IllegalArgumentException for pid 1 or below, or this process's own pid: never signalled
     */
    public static boolean terminate(long pid) {
        if (pid <= 1 || pid == ProcessHandle.current().pid()) {
            throw new IllegalArgumentException("refusing to signal pid " + pid);
        }
        // ProcessHandle.destroy() sends SIGTERM, after checking the process is the one the handle was made for.
        return ProcessHandle.of(pid).map(ProcessHandle::destroy).orElse(false);
    }
}
