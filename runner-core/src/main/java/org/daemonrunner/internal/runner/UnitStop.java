// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import java.time.Duration;
import java.util.List;
import org.daemonrunner.StopSchedule;

/**
 * The stop schedule in a unit's terms. systemd stops a service with one signal ({@code KillSignal=}), then, after
 * {@code TimeoutStopSec=}, SIGKILL (and waits {@code TimeoutStopSec=} once more before it gives up on a process
 * that survives even that). So {@code SIG/N} and {@code SIG/N/KILL/M} are said as {@code KillSignal=SIG} and
 * {@code TimeoutStopSec=N}: the same signals at the same times, less the thread dump {@code stop} asks for before a
 * KILL (and, for {@code SIG/N}, systemd sends the SIGKILL where {@code stop} would leave the process running). Any
 * other schedule (more steps, a second signal other than KILL) is run by {@code stop} itself, as {@code ExecStop=},
 * thread dump included, with a {@code TimeoutStopSec=} that covers it.
 */
final class UnitStop {
    /** What {@code ExecStop=}'s {@code TimeoutStopSec=} adds to the schedule's waits: its JVM starting. */
    static final Duration EXEC_STOP_MARGIN = Duration.ofSeconds(15);
    /** How long {@code stop} waits for a thread dump before a KILL. */
    private static final Duration THREAD_DUMP_WAIT = Duration.ofSeconds(2);

    private UnitStop() {
    }

    /** Whether systemd's own stop says {@code schedule}: {@code SIG/N} or {@code SIG/N/KILL/M}. */
    static boolean isSystemdsOwn(StopSchedule schedule) {
        List<StopSchedule.Step> steps = schedule.steps();
        return steps.size() == 1 || steps.size() == 2 && steps.get(1).signal().equals("KILL");
    }

    /**
     * The unit's lines for {@code schedule}, each ending in a newline: a comment saying how systemd stops the
     * daemon, then {@code KillSignal=} and {@code TimeoutStopSec=}, or {@code ExecStop=} with {@code stopCommand} (an
     * escaped {@code Exec} line running the {@code stop} action) and a {@code TimeoutStopSec=} that covers it.
     */
    static String lines(StopSchedule schedule, String stopCommand) {
        List<StopSchedule.Step> steps = schedule.steps();
        StopSchedule.Step first = steps.get(0);
        long wait = seconds(first.timeout());
        if (isSystemdsOwn(schedule)) {
            String kill = steps.size() == 2 ? "no thread dump first, which 'stop' asks for"
                    : "which 'stop' would not send: it would leave the process running";
            return "# The stop schedule " + schedule + ": SIG" + first.signal() + ", then SIGKILL " + wait + " s later ("
                    + kill + ")\n"
                    + "KillSignal=SIG" + first.signal() + "\n"
                    + "TimeoutStopSec=" + wait + "\n";
        }
        Duration total = EXEC_STOP_MARGIN;
        for (StopSchedule.Step step : steps) {
            total = total.plus(step.timeout()).plus(step.signal().equals("KILL") ? THREAD_DUMP_WAIT : Duration.ZERO);
        }
        return "# The stop schedule " + schedule + " is more than systemd's one signal and SIGKILL: 'stop' runs it,"
                + " thread dump\n# before a KILL included; TimeoutStopSec= is its waits and "
                + EXEC_STOP_MARGIN.toSeconds() + " s for its JVM to start (then systemd sends\n# SIGTERM to what is"
                + " left, and SIGKILL after TimeoutStopSec= more)\n"
                + "ExecStop=" + stopCommand + "\n"
                + "TimeoutStopSec=" + seconds(total) + "\n";
    }

    /** Whole seconds, rounded up, at least 1 ({@code 0} would mean no timeout at all to systemd). */
    static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
