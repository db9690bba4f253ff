// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.daemonrunner.examples.systemd.Deployment.FORKING;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.daemonrunner.it.Await;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code deploy/sample-daemon-forking.service} under a real systemd, installed as shipped: {@code start} detaches
 * and systemd takes the main pid from the pidfile; reload, stop, {@code Restart=on-failure}, and failed starts.
 */
@EnabledOnOs(OS.LINUX)
@ExtendWith(SystemdExtension.class)
@Timeout(60)
class SystemdForkingUnitIT {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @BeforeEach
    void installTheUnit(SystemdSandbox systemd) throws IOException {
        Deployment.installJar(systemd);
        Deployment.installUnit(systemd, FORKING);
        systemd.daemonReload();
    }

    @Test
    void systemdTakesTheMainPidFromThePidfileThenReloadsAndStops(SystemdSandbox systemd) throws IOException {
        SystemdSandbox.Result start = systemd.systemctl("start", FORKING);

        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(systemd.properties(FORKING, "ActiveState", "SubState"))
                .containsExactly(entry("ActiveState", "active"), entry("SubState", "running"));
        long pid = Long.parseLong(systemd.property(FORKING, "MainPID"));
        assertThat(pid).isPositive().isEqualTo(Deployment.pidfilePid(systemd));
        systemd.awaitJournal(null, "started with pid " + pid, FORKING + ": Main PID loaded: " + pid);

        String cursor = systemd.journalCursor();
        SystemdSandbox.Result reload = systemd.systemctl("reload", FORKING);
        assertThat(reload.exit()).as(reload.toString()).isZero();
        assertThat(systemd.properties(FORKING, "SubState", "MainPID", "ReloadResult"))
                .containsExactly(entry("SubState", "running"), entry("MainPID", Long.toString(pid)),
                        entry("ReloadResult", "success"));
        systemd.awaitJournal(cursor, "reload requested (SIGHUP sent to pid " + pid + ")");

        cursor = systemd.journalCursor();
        SystemdSandbox.Result stop = systemd.systemctl("stop", FORKING);
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(systemd.properties(FORKING, "ActiveState", "Result", "ExecMainStatus"))
                .containsExactly(entry("ActiveState", "inactive"), entry("Result", "success"), entry("ExecMainStatus", "0"));
        systemd.awaitJournal(cursor, "stopped (pid " + pid + ")",
                FORKING + ": Main process exited, code=exited, status=0/SUCCESS");
        assertThat(Deployment.isAlive(systemd, pid)).isFalse();
        assertThat(Deployment.data(systemd)).as("the shutdown hook ran").contains("Stopped at");
    }

    @Test
    void aDaemonKilledBySigkillIsStartedAgain(SystemdSandbox systemd) throws IOException {
        assertThat(systemd.systemctl("start", FORKING).exit()).isZero();
        long pid = Long.parseLong(systemd.property(FORKING, "MainPID"));

        SystemdSandbox.Result kill = systemd.systemctl("kill", "--kill-who=main", "--signal=SIGKILL", FORKING);

        assertThat(kill.exit()).as(kill.toString()).isZero();
        long restarted = awaitRestart(systemd, pid);
        systemd.awaitJournal(null, FORKING + ": Main process exited, code=killed, status=9/KILL",
                FORKING + ": Failed with result 'signal'.");
        assertThat(Deployment.pidfilePid(systemd)).isEqualTo(restarted);
    }

    @Test
    @Timeout(120)
    void aRestartAfterSigkillStartsOverAStalePidfile(SystemdSandbox systemd) throws IOException {
        // systemd removes a dead main process's PIDFile= itself (and, as shipped, empties RuntimeDirectory=) before
        // it restarts the service. A daemon killed where systemd does not clean up leaves its pidfile behind: the
        // test puts the dead daemon's pidfile back while the restart is pending, and the restart must start over it.
        Deployment.dropIn(systemd, FORKING, "slow-restart", "RuntimeDirectoryPreserve=yes", "RestartSec=5");
        systemd.daemonReload();
        assertThat(systemd.systemctl("start", FORKING).exit()).isZero();
        long pid = Long.parseLong(systemd.property(FORKING, "MainPID"));
        String stale = Files.readString(systemd.path(Deployment.PIDFILE));

        assertThat(systemd.systemctl("kill", "--kill-who=main", "--signal=SIGKILL", FORKING).exit()).isZero();
        Await.await("the service to wait for its restart (auto-restart)", DEADLINE,
                () -> systemd.property(FORKING, "SubState"), state -> !state.equals("running"));
        assertThat(systemd.property(FORKING, "SubState")).as("waiting out RestartSec=5").isEqualTo("auto-restart");
        assertThat(systemd.path(Deployment.PIDFILE)).as("systemd removed the dead daemon's PIDFile=").doesNotExist();
        Files.writeString(systemd.path(Deployment.PIDFILE), stale);
        assertThat(systemd.property(FORKING, "SubState"))
                .as("still waiting out RestartSec=5 once the stale pidfile is back (else this test was too slow)")
                .isEqualTo("auto-restart");

        long restarted = awaitRestart(systemd, pid);
        assertThat(Deployment.pidfilePid(systemd)).isEqualTo(restarted);
        systemd.awaitJournal(null, "replacing stale pidfile " + Deployment.PIDFILE + " (");
    }

    @Test
    void aRestartByHandOfTheServicesDaemonIsRefusedAndStopsNothing(SystemdSandbox systemd) throws IOException {
        assertThat(systemd.systemctl("start", FORKING).exit()).isZero();
        long pid = Long.parseLong(systemd.property(FORKING, "MainPID"));

        // as the unit's ExecStart= runs it, but from outside the unit: the new daemon would not be the service's
        SystemdSandbox.Result restart = systemd.exec("/usr/bin/java", "-jar", Deployment.INSTALLED_JAR, "restart",
                "--dir", "/run/sample-daemon", "--data", Deployment.DATA,
                "--stdout", "/var/log/sample-daemon/sample.out", "--stderr", "/var/log/sample-daemon/sample.err");

        assertThat(restart.exit()).as(restart.toString()).isEqualTo(1);
        assertThat(restart.err()).contains("Cannot restart: pid " + pid + " (holder of " + Deployment.PIDFILE
                + ") is the main process of systemd's unit " + FORKING + " (cgroup /system.slice/" + FORKING + "), and"
                + " this command does not run in that unit", "Restart the service with 'systemctl restart " + FORKING
                + "'. Nothing was stopped.");
        assertThat(systemd.properties(FORKING, "ActiveState", "MainPID"))
                .containsExactly(entry("ActiveState", "active"), entry("MainPID", Long.toString(pid)));
        assertThat(Deployment.isAlive(systemd, pid)).isTrue();

        // what it advises works, and so does a stop by hand (systemd sees its main process exit 0)
        assertThat(systemd.systemctl("restart", FORKING).exit()).isZero();
        long restarted = Long.parseLong(systemd.property(FORKING, "MainPID"));
        assertThat(restarted).isNotEqualTo(pid);
        SystemdSandbox.Result stop = systemd.exec("/usr/bin/java", "-jar", Deployment.INSTALLED_JAR, "stop", "--dir",
                "/run/sample-daemon");
        assertThat(stop.exit()).as(stop.toString()).isZero();
        Await.await("systemd to see its main process exit", DEADLINE, () -> systemd.property(FORKING, "ActiveState"),
                state -> state.equals("inactive"));
    }

    /** Waits for systemd's restart of the forking service and returns its new main pid. */
    private static long awaitRestart(SystemdSandbox systemd, long pid) throws IOException {
        Map<String, String> state = Await.await("systemd to start the service again", DEADLINE.plusSeconds(10),
                () -> systemd.properties(FORKING, "ActiveState", "SubState", "MainPID", "NRestarts"),
                s -> s.get("NRestarts").equals("1") && s.get("ActiveState").equals("active")
                        && s.get("SubState").equals("running"));
        long restarted = Long.parseLong(state.get("MainPID"));
        assertThat(restarted).as("a new daemon").isPositive().isNotEqualTo(pid);
        assertThat(Deployment.isAlive(systemd, restarted)).isTrue();
        return restarted;
    }

    @Test
    void startFailsWhenThePidfileDirectoryIsMissingAndTheJournalSaysWhy(SystemdSandbox systemd) throws IOException {
        Deployment.dropIn(systemd, FORKING, "no-runtime-directory", "RuntimeDirectory=", "Restart=no");
        systemd.daemonReload();

        SystemdSandbox.Result start = systemd.systemctl("start", FORKING);

        assertThat(start.exit()).as(start.toString()).isNotZero();
        assertThat(systemd.properties(FORKING, "ActiveState", "Result"))
                .containsExactly(entry("ActiveState", "failed"), entry("Result", "exit-code"));
        systemd.awaitJournal(null, "Cannot start: directory /run/sample-daemon does not exist (for pidfile "
                + Deployment.PIDFILE + "). Create it, or set another pidfile path.");
    }

    @Test
    void startFailsOnABusyPortAndTheJournalHasTheCause(SystemdSandbox systemd) throws IOException {
        Deployment.occupyPort(systemd, 8080);
        Deployment.dropIn(systemd, FORKING, "http-service", "Restart=no",
                Deployment.httpServiceExecStart("start", "--port", "8080"));
        systemd.daemonReload();

        SystemdSandbox.Result start = systemd.systemctl("start", FORKING);

        assertThat(start.exit()).as(start.toString()).isNotZero();
        assertThat(systemd.properties(FORKING, "ActiveState", "Result"))
                .containsExactly(entry("ActiveState", "failed"), entry("Result", "exit-code"));
        String cause = "exited with status 1 before it was ready: init() failed: java.net.BindException: Cannot listen"
                + " on 127.0.0.1:8080: the address is already in use (another process listens on port 8080). Stop that"
                + " process, or choose another port with --port";
        assertThat(systemd.awaitJournal(null, cause)).containsPattern("Daemon \\(pid \\d+\\) " + Pattern.quote(cause));
    }

    @Test
    void httpServiceServesPort80AsNobody(SystemdSandbox systemd) throws IOException {
        Deployment.dropIn(systemd, FORKING, "http-service",
                Deployment.httpServiceExecStart("start", "--port", "80", "--user", "nobody"));
        systemd.daemonReload();

        HttpServiceChecks.assertServesPort80AsNobody(systemd, FORKING);
    }
}
