// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import java.nio.file.Path;
import java.time.Duration;
import org.daemonrunner.Action;
import org.daemonrunner.DaemonRunnerException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.pidfile.PidFileState;
import org.daemonrunner.internal.proc.Signal;

/** How the actions write durations, exits and sentences in what they print. */
final class Wording {
    private Wording() {
    }

    /**
     * Refuses to signal a daemon that is pid 1 of this pid namespace (a container's first process), which is listed as
     * running: daemonrunner never signals pid 1. Returns normally for any other pid.
     *
     * @throws DaemonRunnerException (status 1) for pid 1, saying what to do instead
     */
    static void refuseInit(Action action, long pid, Path pidfile) {
        if (pid == 1) {
            throw new DaemonRunnerException(cannot(action) + ": the daemon holding " + pidfile + " is pid 1 of this pid"
                    + " namespace (a container's first process), and daemonrunner never signals pid 1. Nothing was"
                    + " sent. Signal it from the host's pid namespace, where it has another pid, or through the"
                    + " container's runtime (docker stop, docker kill -s HUP).", ExitStatus.FAILURE, null);
        }
    }

    /** {@code 10s}, or {@code 1500ms} when not whole seconds. */
    static String seconds(Duration d) {
        if (d.getSeconds() >= Long.MAX_VALUE / 1000) { // "forever" from an app: whole seconds, no overflow in millis
            return d.getSeconds() + "s";
        }
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** {@code 42s}, {@code 2m3s}, {@code 4h5m}, {@code 2d3h}: an uptime. */
    static String humanDuration(Duration d) {
        long s = d.toSeconds();
        return s < 60 ? s + "s" : s < 3600 ? (s / 60) + "m" + (s % 60) + "s"
                : s < 86400 ? (s / 3600) + "h" + (s % 3600 / 60) + "m" : (s / 86400) + "d" + (s % 86400 / 3600) + "h";
    }

    /** {@code exited with status 3}, or {@code was killed by SIGKILL (exit status 137)}. */
    static String describeExit(int status) {
        if (status > 128 && status < 128 + 65) {
            Signal signal = Signal.ofNumber(status - 128);
            return "was killed by " + (signal == null ? "signal " + (status - 128) : signal.fullName())
                    + " (exit status " + status + ")";
        }
        return "exited with status " + status;
    }

    /**
     * {@code Cannot stop}, {@code Cannot tell the status}, {@code Cannot reopen the logs}: how an error of
     * {@code action} begins, as a sentence (an action's name is not always a verb: "Cannot status").
     */
    static String cannot(Action action) {
        switch (action) {
            case STATUS:
                return "Cannot tell the status";
            case REOPEN_LOGS:
                return "Cannot reopen the logs";
            case SYSTEMD_UNIT:
                return "Cannot write a unit";
            default: // start, stop, force-stop, restart, reload, run: verbs as they are
                return "Cannot " + action.actionName();
        }
    }

    /**
     * {@code not running (no pidfile /run/app.pid)}, or {@code not running; stale pidfile /run/app.pid (process 42
     * is not running)}: what an action found when no daemon holds the pidfile, naming the file it looked at (a
     * relative path resolved against another directory names another file), as {@code running ..., pidfile P} does.
     */
    static String notRunning(PidFileState state) {
        return state.status() == PidFileState.Status.STALE ? "not running; " + staleFile(state, "")
                : "not running (no pidfile " + state.path() + ")";
    }

    /**
     * {@code stale pidfile /run/app.pid (process 42 is not running)}, then {@code after}, and, when another program's
     * lock keeps every daemon from taking it, {@code , which no daemon can take: } whose lock it is and what to do.
     */
    static String staleFile(PidFileState state, String after) {
        return "stale pidfile " + state.path() + " (" + state.staleReason() + ")" + after
                + (state.isBlocked() ? ", which no daemon can take: " + state.blockedBy() : "");
    }

    /** Ends {@code text} with a period unless it already ends a sentence. */
    /** {@code 21:40:03}: a time of day, to the second, seconds always written ({@code LocalTime} drops :00). */
    static String clock(java.time.LocalTime time) {
        return String.format(java.util.Locale.ROOT, "%02d:%02d:%02d", time.getHour(), time.getMinute(),
                time.getSecond());
    }

    static String sentence(String text) {
        return text.endsWith(".") || text.endsWith("!") || text.endsWith("?") ? text : text + ".";
    }
}
