// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.daemonrunner.examples.systemd.Deployment.SIMPLE;

import java.io.IOException;
import java.time.Duration;
import org.daemonrunner.it.Await;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code deploy/sample-daemon-simple.service} under a real systemd, installed as shipped: the daemon runs in the
 * foreground as the main process, and a reload right after the start must not end it (it did with
 * {@code ExecReload=/bin/kill -HUP $MAINPID}: the JVM has no SIGHUP handler in its first ~100 ms).
 */
@EnabledOnOs(OS.LINUX)
@ExtendWith(SystemdExtension.class)
@Timeout(60)
class SystemdSimpleUnitIT {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @BeforeEach
    void installTheUnit(SystemdSandbox systemd) throws IOException {
        Deployment.installJar(systemd);
        Deployment.installUnit(systemd, SIMPLE);
        systemd.daemonReload();
    }

    @Test
    void theMainProcessHoldsThePidfileReloadsAndStopsCleanly(SystemdSandbox systemd) throws IOException {
        SystemdSandbox.Result start = systemd.systemctl("start", SIMPLE);

        assertThat(start.exit()).as(start.toString()).isZero();
        long pid = Long.parseLong(systemd.property(SIMPLE, "MainPID"));
        assertThat(pid).isPositive();
        Await.until("the main process to hold the pidfile", DEADLINE, () -> Deployment.pidfilePid(systemd) == pid);
        Await.until("the first line in the data file", DEADLINE, () -> Deployment.data(systemd).contains("Processing at"));

        String cursor = systemd.journalCursor();
        SystemdSandbox.Result reload = systemd.systemctl("reload", SIMPLE);
        assertThat(reload.exit()).as(reload.toString()).isZero();
        assertThat(systemd.properties(SIMPLE, "SubState", "MainPID", "ReloadResult"))
                .containsExactly(entry("SubState", "running"), entry("MainPID", Long.toString(pid)),
                        entry("ReloadResult", "success"));
        systemd.awaitJournal(cursor, "reload requested (SIGHUP sent to pid " + pid + ")");

        cursor = systemd.journalCursor();
        SystemdSandbox.Result stop = systemd.systemctl("stop", SIMPLE);
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(systemd.properties(SIMPLE, "ActiveState", "Result", "ExecMainStatus"))
                .containsExactly(entry("ActiveState", "inactive"), entry("Result", "success"), entry("ExecMainStatus", "0"));
        systemd.awaitJournal(cursor, SIMPLE + ": Main process exited, code=exited, status=0/SUCCESS");
        assertThat(Deployment.data(systemd)).as("the shutdown hook ran").contains("Stopped at");
    }

    /**
     * A reload {@code delayMillis} after {@code systemctl start} returned. Either it reached the daemon (exit 0), or
     * it came before the daemon held its pidfile and the reload action answered 7, "not running", which systemd
     * reports as a failed reload; in both cases the service runs on, with the same pid, and a later reload works.
     */
    @ParameterizedTest(name = "{0} ms after start")
    @ValueSource(ints = {0, 30})
    void aReloadRightAfterStartLeavesTheServiceRunningWithTheSamePid(int delayMillis, SystemdSandbox systemd)
            throws IOException {
        SystemdSandbox.Result start = systemd.systemctl("start", SIMPLE);
        long started = System.nanoTime();
        assertThat(start.exit()).as(start.toString()).isZero();
        Await.pauseUntil(started + Duration.ofMillis(delayMillis).toNanos());

        SystemdSandbox.Result reload = systemd.systemctl("reload", SIMPLE);

        long pid = Long.parseLong(systemd.property(SIMPLE, "MainPID"));
        if (reload.exit() == 0) {
            assertThat(systemd.property(SIMPLE, "ReloadResult")).isEqualTo("success");
            systemd.awaitJournal(null, "reload requested (SIGHUP sent to pid " + pid + ")");
        } else {
            assertThat(systemd.property(SIMPLE, "ReloadResult")).as(reload.toString()).isEqualTo("exit-code");
            systemd.awaitJournal(null, SIMPLE + ": Control process exited, code=exited, status=7/NOTRUNNING",
                    "Reload failed for " + SIMPLE);
        }
        // the daemon gets past start-up, and the service is the same one: no exit, no restart
        Await.until("the main process to hold the pidfile", DEADLINE, () -> Deployment.pidfilePid(systemd) == pid);
        Await.until("the first line in the data file", DEADLINE, () -> Deployment.data(systemd).contains("Processing at"));
        assertThat(systemd.properties(SIMPLE, "ActiveState", "SubState", "MainPID", "NRestarts"))
                .containsExactly(entry("ActiveState", "active"), entry("SubState", "running"),
                        entry("MainPID", Long.toString(pid)), entry("NRestarts", "0"));
        assertThat(systemd.journalAfter(null)).doesNotContain(SIMPLE + ": Main process exited");

        SystemdSandbox.Result later = systemd.systemctl("reload", SIMPLE);
        assertThat(later.exit()).as(later.toString()).isZero();
        assertThat(systemd.property(SIMPLE, "MainPID")).isEqualTo(Long.toString(pid));
        System.out.println("reload " + delayMillis + " ms after start: exit " + reload.exit()
                + (reload.exit() == 0 ? " (reached the daemon)" : " (before the daemon held its pidfile)"));
    }
}
