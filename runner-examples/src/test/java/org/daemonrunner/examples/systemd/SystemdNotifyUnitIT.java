// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.daemonrunner.examples.systemd.Deployment.NOTIFY;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.daemonrunner.it.Await;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code deploy/sample-daemon-notify.service} under a real systemd, installed as shipped: readiness, reload and
 * stop notifications, the watchdog, and failed starts. What a test changes (a slow {@code init()}, a shorter
 * {@code WatchdogSec=}, another app) it changes with a drop-in.
 */
@EnabledOnOs(OS.LINUX)
@ExtendWith(SystemdExtension.class)
@Timeout(60)
class SystemdNotifyUnitIT {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @BeforeEach
    void installTheUnit(SystemdSandbox systemd) throws IOException {
        Deployment.installJar(systemd);
        Deployment.installUnit(systemd, NOTIFY);
        systemd.daemonReload();
    }

    @Test
    void startReturnsOnlyOnceInitHasReturnedAndTheUnitIsActiveThen(SystemdSandbox systemd) throws IOException {
        Deployment.dropIn(systemd, NOTIFY, "slow-init", Deployment.execStartWith(NOTIFY, "--init-delay", "2"));
        systemd.daemonReload();

        SystemdSandbox.Result start = systemd.systemctl("start", NOTIFY);

        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(start.took()).as("systemctl start, with an init() of 2 s").isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(systemd.properties(NOTIFY, "ActiveState", "SubState", "Result"))
                .as("as soon as systemctl start has returned")
                .containsExactly(entry("ActiveState", "active"), entry("SubState", "running"), entry("Result", "success"));
        long pid = Long.parseLong(systemd.property(NOTIFY, "MainPID"));
        assertThat(Deployment.pidfilePid(systemd)).as("the pidfile's pid").isEqualTo(pid);
        // the daemon's output and systemd's messages reach the journal on different paths: no order between them
        String journal = systemd.awaitJournal(null, "sample daemon " + pid + " initialising for 2000 ms",
                "sample daemon " + pid + " appending to", "Started " + NOTIFY);
        assertThat(journal.indexOf("Got notification message from PID " + pid + " (READY=1, MAINPID=" + pid + ")"))
                .as("READY=1 from the daemon, before 'Started'").isPositive()
                .isLessThan(journal.indexOf("Started " + NOTIFY));
    }

    @Test
    void theMainPidIsThePidfilesPidAndTheShippedWatchdogHasItsFirstPing(SystemdSandbox systemd) throws IOException {
        SystemdSandbox.Result start = systemd.systemctl("start", NOTIFY);

        assertThat(start.exit()).as(start.toString()).isZero();
        long pid = Long.parseLong(systemd.property(NOTIFY, "MainPID"));
        assertThat(pid).isPositive();
        assertThat(Deployment.pidfilePid(systemd)).as("the pidfile's pid").isEqualTo(pid);
        assertThat(systemd.property(NOTIFY, "WatchdogUSec")).isEqualTo("30s");
        Await.await("the first watchdog ping (WatchdogTimestampMonotonic set)", DEADLINE,
                () -> systemd.property(NOTIFY, "WatchdogTimestampMonotonic"), stamp -> !stamp.equals("0"));
    }

    @Test
    void reloadGoesThroughReloadingThenReadyAndKeepsThePid(SystemdSandbox systemd) throws IOException {
        assertThat(systemd.systemctl("start", NOTIFY).exit()).isZero();
        long pid = Long.parseLong(systemd.property(NOTIFY, "MainPID"));
        String cursor = systemd.journalCursor();

        SystemdSandbox.Result reload = systemd.systemctl("reload", NOTIFY);

        assertThat(reload.exit()).as(reload.toString()).isZero();
        assertThat(systemd.properties(NOTIFY, "ActiveState", "SubState", "MainPID", "ReloadResult"))
                .containsExactly(entry("ActiveState", "active"), entry("SubState", "running"),
                        entry("MainPID", Long.toString(pid)), entry("ReloadResult", "success"));
        // the reload action returns once SIGHUP is delivered: the daemon's notifications may come after it
        String reloading = "Got notification message from PID " + pid + " (RELOADING=1, MONOTONIC_USEC=";
        String ready = "Got notification message from PID " + pid + " (READY=1)";
        String journal = systemd.awaitJournal(cursor, reloading, ready,
                "reload requested (SIGHUP sent to pid " + pid + ")", "Reloaded " + NOTIFY);
        assertThat(journal.indexOf(ready)).as("READY=1 after RELOADING=1").isGreaterThan(journal.indexOf(reloading));
        assertThat(systemd.property(NOTIFY, "MainPID")).isEqualTo(Long.toString(pid));
    }

    @Test
    void stopEndsWithResultSuccessAndExitStatusZero(SystemdSandbox systemd) throws IOException {
        assertThat(systemd.systemctl("start", NOTIFY).exit()).isZero();
        long pid = Long.parseLong(systemd.property(NOTIFY, "MainPID"));
        String cursor = systemd.journalCursor();

        SystemdSandbox.Result stop = systemd.systemctl("stop", NOTIFY);

        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(systemd.properties(NOTIFY, "ActiveState", "Result", "ExecMainStatus"))
                .containsExactly(entry("ActiveState", "inactive"), entry("Result", "success"), entry("ExecMainStatus", "0"));
        assertThat(Deployment.isAlive(systemd, pid)).isFalse();
        systemd.awaitJournal(cursor, "Got notification message from PID " + pid + " (STOPPING=1)",
                NOTIFY + ": Main process exited, code=exited, status=0/SUCCESS");
        assertThat(Deployment.data(systemd)).as("the shutdown hook ran").contains("Stopped at");
    }

    @Test
    void watchdogPingsArriveAndKeepTheServiceRunning(SystemdSandbox systemd) throws IOException {
        // 6 s, not the 2 s of the tests that let it fire: a ping every 3 s leaves a loaded machine room for a stall
        Deployment.dropIn(systemd, NOTIFY, "watchdog", "WatchdogSec=6");
        systemd.daemonReload();
        assertThat(systemd.systemctl("start", NOTIFY).exit()).isZero();
        long pid = Long.parseLong(systemd.property(NOTIFY, "MainPID"));
        long started = System.nanoTime();

        // a ping every WatchdogSec/2 = 3 s, the first at READY=1: four distinct ping times take about 9 s, so the
        // service has outlived a whole WatchdogSec on its pings
        Set<String> pings = new HashSet<>();
        Await.await("four watchdog pings", DEADLINE, () -> {
            pings.add(systemd.property(NOTIFY, "WatchdogTimestampMonotonic"));
            pings.remove("0");
            return pings;
        }, seen -> seen.size() >= 4);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofSeconds(6));
        assertThat(systemd.properties(NOTIFY, "ActiveState", "SubState", "MainPID", "NRestarts"))
                .containsExactly(entry("ActiveState", "active"), entry("SubState", "running"),
                        entry("MainPID", Long.toString(pid)), entry("NRestarts", "0"));
        assertThat(systemd.awaitJournal(null, "Got notification message from PID " + pid + " (WATCHDOG=1)"))
                .doesNotContain("Watchdog timeout");
    }

    @Test
    void aFrozenDaemonEndsInResultWatchdogAndARestart(SystemdSandbox systemd) throws IOException {
        Deployment.dropIn(systemd, NOTIFY, "watchdog", "WatchdogSec=2");
        systemd.daemonReload();
        assertThat(systemd.systemctl("start", NOTIFY).exit()).isZero();
        long pid = Long.parseLong(systemd.property(NOTIFY, "MainPID"));

        SystemdSandbox.Result freeze = systemd.systemctl("kill", "--kill-who=main", "--signal=SIGSTOP", NOTIFY);

        assertThat(freeze.exit()).as(freeze.toString()).isZero();
        assertRestartedByTheWatchdog(systemd, pid);
    }

    @Test
    void anUnhealthyDaemonEndsInResultWatchdogAndARestart(SystemdSandbox systemd) throws IOException {
        String unhealthy = "/run/sample-daemon/unhealthy";
        Deployment.dropIn(systemd, NOTIFY, "watchdog", "WatchdogSec=2");
        Deployment.dropIn(systemd, NOTIFY, "health",
                Deployment.execStartWith(NOTIFY, "--unhealthy-file", unhealthy));
        systemd.daemonReload();
        assertThat(systemd.systemctl("start", NOTIFY).exit()).isZero();
        long pid = Long.parseLong(systemd.property(NOTIFY, "MainPID"));

        Files.writeString(systemd.path(unhealthy), "isHealthy() answers false while this file exists\n");

        // systemd empties RuntimeDirectory= before the restart, so the new daemon is healthy
        assertRestartedByTheWatchdog(systemd, pid);
        assertThat(systemd.path(unhealthy)).doesNotExist();
    }

    /** The watchdog's end of a daemon that stopped pinging: a timeout, Result=watchdog, and a new daemon. */
    private static void assertRestartedByTheWatchdog(SystemdSandbox systemd, long pid) throws IOException {
        String journal = systemd.awaitJournal(null, NOTIFY + ": Watchdog timeout (limit 2s)!",
                NOTIFY + ": Failed with result 'watchdog'.", "Scheduled restart job, restart counter is at 1");
        assertThat(journal.indexOf("Failed with result 'watchdog'"))
                .isLessThan(journal.indexOf("Scheduled restart job, restart counter is at 1"));
        long restarted = Long.parseLong(Await.await("the restarted service to be active", DEADLINE,
                () -> systemd.properties(NOTIFY, "ActiveState", "SubState", "MainPID"),
                state -> state.get("ActiveState").equals("active") && state.get("SubState").equals("running"))
                .get("MainPID"));
        assertThat(restarted).as("a new daemon").isNotEqualTo(pid).isPositive();
        assertThat(Deployment.pidfilePid(systemd)).isEqualTo(restarted);
        assertThat(systemd.property(NOTIFY, "NRestarts")).isEqualTo("1");
        assertThat(Deployment.isAlive(systemd, pid)).as("the old daemon").isFalse();
    }

    @Test
    void startFailsWhenThePidfileDirectoryIsMissingAndTheJournalSaysWhy(SystemdSandbox systemd) throws IOException {
        // no RuntimeDirectory=: nothing creates /run/sample-daemon; no restarts, so there is one failed start
        Deployment.dropIn(systemd, NOTIFY, "no-runtime-directory", "RuntimeDirectory=", "Restart=no");
        systemd.daemonReload();

        SystemdSandbox.Result start = systemd.systemctl("start", NOTIFY);

        assertThat(start.exit()).as(start.toString()).isNotZero();
        assertThat(systemd.properties(NOTIFY, "ActiveState", "Result", "ExecMainStatus"))
                .containsExactly(entry("ActiveState", "failed"), entry("Result", "exit-code"), entry("ExecMainStatus", "1"));
        systemd.awaitJournal(null, "daemonrunner: cannot run: directory /run/sample-daemon does not exist (for pidfile "
                + Deployment.PIDFILE + "). Create it, or set another pidfile path.");
    }

    @Test
    void underProtectSystemStrictStartFailsAtOnceAndTheJournalSaysWhatToSet(SystemdSandbox systemd)
            throws IOException {
        // what systemd-analyze security points at first; it leaves /tmp, where jffi unpacks its library, read-only
        Deployment.dropIn(systemd, NOTIFY, "protect-system", "ProtectSystem=strict", "Restart=no");
        systemd.daemonReload();

        SystemdSandbox.Result start = systemd.systemctl("start", NOTIFY);

        // it used to serve without READY=1 until TimeoutStartSec= (90 s) ended it with Result=timeout
        assertThat(start.exit()).as(start.toString()).isNotZero();
        assertThat(systemd.properties(NOTIFY, "ActiveState", "Result", "ExecMainStatus"))
                .containsExactly(entry("ActiveState", "failed"), entry("Result", "exit-code"), entry("ExecMainStatus", "1"));
        systemd.awaitJournal(null, "daemonrunner: systemd asked for notifications (NOTIFY_SOCKET), but they cannot be"
                + " sent: Native code cannot be loaded: jffi (jnr) unpacks its library into /tmp (the temp directory),"
                + " which cannot be written: read-only file system", "PrivateTmp=yes");
        Deployment.dropIn(systemd, NOTIFY, "private-tmp", "PrivateTmp=yes"); // as the message says
        systemd.daemonReload();
        SystemdSandbox.Result again = systemd.systemctl("start", NOTIFY);
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(systemd.property(NOTIFY, "ActiveState")).isEqualTo("active");
    }

    @Test
    void startFailsOnABusyPortAndTheJournalHasTheCause(SystemdSandbox systemd) throws IOException {
        Deployment.occupyPort(systemd, 8080);
        Deployment.dropIn(systemd, NOTIFY, "http-service", "Restart=no",
                Deployment.httpServiceExecStart("run", "--port", "8080"));
        systemd.daemonReload();

        SystemdSandbox.Result start = systemd.systemctl("start", NOTIFY);

        assertThat(start.exit()).as(start.toString()).isNotZero();
        assertThat(systemd.properties(NOTIFY, "ActiveState", "Result", "ExecMainStatus"))
                .containsExactly(entry("ActiveState", "failed"), entry("Result", "exit-code"), entry("ExecMainStatus", "1"));
        systemd.awaitJournal(null, "daemonrunner: init() failed: java.net.BindException: Cannot listen on"
                + " 127.0.0.1:8080: the address is already in use (another process listens on port 8080). Stop that"
                + " process, or choose another port with --port");
    }

    @Test
    void httpServiceServesPort80AsNobody(SystemdSandbox systemd) throws IOException {
        Deployment.dropIn(systemd, NOTIFY, "http-service",
                Deployment.httpServiceExecStart("run", "--port", "80", "--user", "nobody"));
        systemd.daemonReload();

        HttpServiceChecks.assertServesPort80AsNobody(systemd, NOTIFY);
    }
}
