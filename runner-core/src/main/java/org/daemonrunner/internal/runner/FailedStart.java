// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.daemonrunner.StopSchedule;
import org.daemonrunner.internal.launch.DaemonLauncher;
import org.daemonrunner.internal.launch.DaemonPaths;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.pidfile.PidFileState;
import org.daemonrunner.internal.proc.IoFailure;
import org.daemonrunner.internal.proc.ProcessGroup;

/** What {@code start} says of a daemon that failed before it was ready, and what it cleans up after it. */
final class FailedStart {
    private FailedStart() {
    }

    /** What became of a daemon that did not become ready in time, as far as the launcher and the pidfile know. */
    static String afterTimeout(DaemonLauncher.TimedOut timedOut, Path pidfile) {
        long pid = timedOut.pid();
        if (timedOut.exited()) {
            return (timedOut.sent() ? "it was sent SIGTERM and has exited" : "nothing was sent to it, and it has exited");
        }
        String sent = timedOut.sent() ? "it was sent SIGTERM but is still running"
                : pid > 1 ? "nothing was sent to it (it was no longer the launch shell's child), and it is still running"
                : "nothing was sent to it: its pid was not known yet. See 'status', and stop it with 'stop'";
        if (pid <= 1) {
            return sent;
        }
        PidFileState now = inspect(pidfile);
        if (now.status() == PidFileState.Status.RUNNING && now.holder() == pid && now.ready()) {
            return sent + ", and has become ready since (status: running): stop it with 'stop' if it should not run";
        }
        return sent + ": end it with 'kill -KILL " + pid + "'";
    }

    private static PidFileState inspect(Path pidfile) {
        try {
            return PidFile.inspect(pidfile);
        } catch (IOException e) {
            return new PidFileState(pidfile, PidFileState.Status.UNKNOWN, 0, false, false, "", IoFailure.reason(e));
        }
    }

    /**
     * What the failed daemon left to read: the last lines of its stderr log, or, when it wrote nothing there, of
     * its stdout log (a JVM that dies in start-up writes its fatal error there); the JVM's crash report, if any;
     * and a full file system, where its words may have been lost.
     */
    static String evidence(LogTail errors, DaemonPaths paths, long outputLogSize, Path workingDirectory,
                                   long pid) {
        StringBuilder text = new StringBuilder();
        LogTail output = errors.isEmpty() ? LogTail.of(paths.stdout(), outputLogSize) : errors;
        if (!errors.isEmpty()) {
            text.append(errors.lines(paths.stderr()));
        } else if (!output.isEmpty()) {
            text.append(" Nothing was written to ").append(paths.stderr()).append('.').append(output.lines(paths.stdout()));
        } else if (!Files.isRegularFile(paths.stderr()) && !Files.isRegularFile(paths.stdout())) {
            // /dev/null, say: there is nothing to read back, rather than nothing written
            text.append(" Its logs (").append(paths.stderr()).append(paths.stderr().equals(paths.stdout()) ? ""
                    : ", " + paths.stdout()).append(") are not files, so nothing it said can be read back: start it"
                    + " with logs in files (or run it in the foreground with 'run') to see why.");
        } else {
            text.append(" Nothing was written to ").append(paths.stderr()).append(" nor to ").append(paths.stdout())
                    .append('.');
        }
        for (Path directory : new Path[] {workingDirectory, Path.of(System.getProperty("java.io.tmpdir", "/tmp"))}) {
            Path crash = directory.resolve("hs_err_pid" + pid + ".log");
            if (pid > 0 && Files.isRegularFile(crash)) {
                text.append(System.lineSeparator()).append("The JVM wrote a crash report: ").append(crash).append('.');
                break;
            }
        }
        for (Path log : new Path[] {paths.stderr(), paths.stdout()}) {
            if (isFull(log)) {
                text.append(System.lineSeparator()).append("The file system of ").append(log).append(" is full (no"
                        + " space left on device, ENOSPC): the daemon's own words may have been lost. Free space there.");
                break;
            }
        }
        return text.toString();
    }

    private static boolean isFull(Path file) {
        try {
            return Files.getFileStore(file).getUsableSpace() < 4096;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Ends what the failed daemon, gone now, left running in its process group (its session's, the launch shell's:
     * never that leader itself), with the stop schedule, as {@code stop} does; returns the sentence that says so, or
     * an empty string when nothing was left.
     */
    static String endLeftovers(long session, long pid, StopSchedule schedule) {
        if (session <= 1) {
            return "";
        }
        String note = ProcessGroup.end(session, session, pid, schedule); // "; ended 2 process(es) it had started..."
        return note.isEmpty() ? "" : " " + Character.toUpperCase(note.charAt(2)) + note.substring(3) + ".";
    }
}
