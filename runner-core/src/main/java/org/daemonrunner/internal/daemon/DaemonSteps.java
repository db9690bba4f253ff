// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.launch.LaunchSteps;
import org.daemonrunner.internal.launch.Relaunch;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.pidfile.PidFileLockedException;
import org.daemonrunner.internal.proc.IoFailure;
import org.daemonrunner.internal.proc.ProcessTable;

/**
 * The daemon's steps that an app ({@link AppLifecycle}) and a wrapped program ({@link WrappedProgram}) share, each
 * with its own error: one home, so the two sides cannot drift.
 */
final class DaemonSteps {
    private DaemonSteps() {
    }

    /** A step failed: its one line for stderr (after {@code daemonrunner: }), and the exit status. */
    static final class StepFailed extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        StepFailed(String message, int status) {
            super(message, null, false, false);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    /** In the foreground only: the context's umask, core-file limit and user, applied in-process. */
    static void applyContextInForeground(DaemonContext context, boolean daemon) throws StepFailed {
        if (daemon) {
            return; // set up before the JVM started (LaunchSteps)
        }
        try {
            ForegroundSetup.apply(context);
        } catch (RuntimeException e) {
            throw new StepFailed("cannot set up the daemon's environment: " + e.getMessage(), ExitStatus.FAILURE);
        }
    }

    /**
     * Takes the pidfile's lifetime lock and writes this pid through the locked descriptor.
     *
     * @param daemon true in a daemon {@code start} relaunched: losing the pidfile to another daemon is then the
     *     status {@code start} knows as a lost race ({@link Relaunch#EXIT_LOCK_HELD})
     */
    static PidFile lockPidfile(Path pidfilePath, Duration waitForRelease, boolean daemon) throws StepFailed {
        PidFile pidfile = lock(pidfilePath, waitForRelease, daemon);
        writePid(pidfile);
        return pidfile;
    }

    private static PidFile lock(Path pidfilePath, Duration waitForRelease, boolean daemon) throws StepFailed {
        try {
            return PidFile.acquire(pidfilePath, waitForRelease);
        } catch (PidFileLockedException e) {
            // a daemon that lost a race to start shares its stderr log with the winner: its line names its own pid,
            // so that the winner's start does not take it for its daemon's cause (see LogTail)
            throw new StepFailed((daemon ? Relaunch.givesWay(ProcessTable.selfPid(), e.state().holder()) : "")
                    + e.getMessage()
                    + " (pidfile " + pidfilePath + ")", daemon ? Relaunch.EXIT_LOCK_HELD : ExitStatus.FAILURE);
        } catch (IOException e) {
            Path directory = pidfilePath.getParent();
            throw new StepFailed(Files.isDirectory(directory) ? "cannot lock pidfile " + pidfilePath + ": "
                    + IoFailure.reason(e)
                    : "cannot " + (daemon ? "start" : "run") + ": " + LaunchSteps.missingDirectory(directory, pidfilePath),
                    ExitStatus.FAILURE);
        }
    }

    /**
     * Writes this pid into the locked pidfile; when that fails (a full file system: ENOSPC), lets go of the file,
     * removing it (nothing runs that it could name), and says what was tried, on which file, what the OS said and
     * what to do.
     */
    private static void writePid(PidFile pidfile) throws StepFailed {
        long pid = ProcessTable.selfPid();
        try {
            pidfile.writePid(pid);
        } catch (IOException e) {
            try {
                pidfile.close();
            } catch (IOException notRemoved) {
                // left as an empty stale file, which the next start replaces and stop removes; the lock goes at exit
            }
            throw new StepFailed("cannot write pid " + pid + " to pidfile " + pidfile.path() + ": " + IoFailure.reason(e)
                    + ". " + (IoFailure.isNoSpace(e) ? "Free space on its file system"
                    : "Check its file system (the kernel's log may say more)")
                    + ", or give the daemon a pidfile path on another.", ExitStatus.FAILURE);
        }
    }

    /**
     * The first step of a requested stop: the pidfile arranged for removal at exit (before the shutdown begins, when
     * {@code deleteOnExit} still takes it, and only if the file is still ours), systemd told STOPPING=1, and the
     * pidfile marked stopping for other processes to see.
     */
    static void beginStop(PidFile pidfile, SystemdNotifier systemd) {
        pidfile.removeOnExit();
        systemd.stopping();
        try {
            pidfile.markStopping();
        } catch (IOException e) {
            DaemonStreams.say("cannot mark pidfile stopping: " + e.getMessage());
        }
    }

    /**
     * Under systemd ({@code NOTIFY_SOCKET}), loads the native code that tells it READY, before anything else: a
     * daemon that cannot notify fails at once rather than leave systemd waiting.
     */
    static void loadSystemdNotifier(SystemdNotifier systemd) throws StepFailed {
        if (systemd.isActive()) {
            try {
                systemd.load();
            } catch (RuntimeException | LinkageError e) {
                throw new StepFailed("systemd asked for notifications (NOTIFY_SOCKET), but they cannot be sent: "
                        + e.getMessage(), ExitStatus.FAILURE);
            }
        }
    }
}
