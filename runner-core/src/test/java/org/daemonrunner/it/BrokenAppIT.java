// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.isGone;

import org.junit.jupiter.api.Test;

/**
 * An app whose own methods throw or return null: every action says so in one line with its status, {@code start}
 * finds it before launching anything, and a running daemon stays within reach of {@code status}, {@code reload} and
 * {@code stop}.
 */
class BrokenAppIT extends ProbeTest {
    private static final String BUG = ". This is a bug in the app (org.daemonrunner.it.ProbeApp): fix its ";

    /** The one line an action printed on stderr, after checking that it printed no other, nor a stack trace. */
    private static String oneLine(Command.Result result) {
        assertThat(result.err().strip().lines()).as("stderr of %s", result).hasSize(1);
        assertThat(result.err()).doesNotContain("Exception in thread", "\tat ");
        return result.err().strip();
    }

    @Test
    void aContextTheBuilderRefusesFailsEveryActionThatNeedsItInOneLineNamingTheMethodWithStatus1() {
        for (String action : new String[] {"start", "run", "restart", "systemd-unit", "reopen-logs"}) {
            Command.Result result = assertExit(probeRun(action, "--map-signal", "USR2"), 1, action);
            assertThat(oneLine(result)).as(action).matches("Cannot (" + action + "|write a unit|reopen the logs):"
                    + " the app's DaemonApp.context\\(\\) threw java.lang.IllegalArgumentException: Cannot map SIGUSR2:"
                    + " SIGUSR2 replaces HotSpot's internal suspend/resume handler\\Q" + BUG + "context().\\E");
        }
        assertThat(oneLine(assertExit(probeRun("start", "--returns-null", "context"), 1)))
                .isEqualTo("Cannot start: the app's DaemonApp.context() returned null, not a DaemonContext" + BUG
                        + "context().");
        assertThat(pidfile).doesNotExist();
        assertThat(events()).isEmpty();
    }

    @Test
    void aPidfilePathThatFailsIsOneLineForEveryActionWithStatus1AndForStatus4() {
        for (String action : new String[] {"start", "stop", "reload", "status"}) {
            Command.Result result = assertExit(probeRun(action, "--returns-null", "pidfilePath"),
                    action.equals("status") ? 4 : 1, action);
            assertThat(oneLine(result)).as(action).endsWith(": the app's DaemonApp.pidfilePath() returned null, not a"
                    + " path" + BUG + "pidfilePath().");
        }
    }

    @Test
    void startChecksEveryValueTheDaemonAndALaterStopNeedBeforeItLaunchesAnything() {
        // each of these let start say 'started with pid N' (exit 0), or failed in the detached daemon
        assertThat(oneLine(assertExit(probeRun("start", "--returns-null", "stopSchedule"), 1)))
                .isEqualTo("Cannot start: the app's DaemonApp.stopSchedule() returned null, not a StopSchedule" + BUG
                        + "stopSchedule().");
        assertThat(oneLine(assertExit(probeRun("start", "--schedule", "TERM/abc"), 1)))
                .isEqualTo("Cannot start: the app's DaemonApp.stopSchedule() threw java.lang.IllegalArgumentException:"
                        + " Not a stop schedule: 'TERM/abc': 'abc' is not a number of seconds; root cause:"
                        + " java.lang.NumberFormatException: For input string: \"abc\"" + BUG + "stopSchedule().");
        assertThat(oneLine(assertExit(probeRun("start", "--returns-null", "pidfileTimeout"), 1)))
                .isEqualTo("Cannot start: the app's DaemonApp.pidfileTimeout() returned null, not a Duration" + BUG
                        + "pidfileTimeout().");
        assertThat(oneLine(assertExit(probeRun("run", "--returns-null", "stopTimeout"), 1)))
                .startsWith("Cannot run: the app's DaemonApp.stopTimeout() returned null");
        // asked only in the daemon, it made the daemon die with a stack trace after init() had run
        assertThat(oneLine(assertExit(probeRun("start", "--throws", "readyAfterInit"), 1)))
                .isEqualTo("Cannot start: the app's DaemonApp.readyAfterInit() threw java.lang.IllegalStateException:"
                        + " no readiness mode configured" + BUG + "readyAfterInit().");
        assertThat(oneLine(assertExit(probeRun("run", "--throws", "readyAfterInit"), 1)))
                .startsWith("Cannot run: the app's DaemonApp.readyAfterInit() threw");
        assertThat(pidfile).doesNotExist();
        assertThat(events()).as("no daemon ran init()").isEmpty();
    }

    @Test
    void aRunningDaemonWhoseAppIsNowBrokenCanStillBeToldReloadedAndStoppedButNotRestarted() {
        long pid = startProbe();

        assertThat(assertExit(probeRun("status", "--map-signal", "USR2"), 0).out()).startsWith("running with pid "
                + pid);
        assertThat(assertExit(probeRun("reload", "--map-signal", "USR2"), 0).out()).contains("sent to pid " + pid);
        Command.Result restart = assertExit(probeRun("restart", "--schedule", "TERM/abc"), 1);
        assertThat(oneLine(restart)).startsWith("Cannot restart: the app's DaemonApp.stopSchedule() threw");
        assertThat(isGone(pid)).as("restart stopped nothing").isFalse();

        Command.Result stop = assertExit(probeRun("stop", "--schedule", "TERM/abc", "--map-signal", "USR2"), 0);
        assertThat(stop.out()).startsWith("stopped (pid " + pid + ")");
        assertThat(stop.err()).contains("daemonrunner: the app's DaemonApp.stopSchedule() threw"
                + " java.lang.IllegalArgumentException: Not a stop schedule: 'TERM/abc': 'abc' is not a number of"
                + " seconds; root cause: java.lang.NumberFormatException: For input string: \"abc\"; stopping with"
                + " SIGTERM and a wait of 10s (its stopTimeout()) instead" + BUG + "stopSchedule().",
                "daemonrunner: the app's DaemonApp.context() threw java.lang.IllegalArgumentException: Cannot map"
                + " SIGUSR2: SIGUSR2 replaces HotSpot's internal suspend/resume handler; so its process group was not"
                + " ended: only the daemon itself was signalled" + BUG + "context().");
        assertThat(isGone(pid)).isTrue();
        assertThat(events()).contains("stop " + pid, "hook " + pid);
        assertThat(pidfile).doesNotExist();
    }
}
