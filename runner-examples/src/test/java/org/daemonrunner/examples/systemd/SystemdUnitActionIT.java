// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.daemonrunner.it.Await;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The unit the sample's {@code systemd-unit} action writes, installed as it is under a real systemd, as the README
 * says: {@code java -jar sample-daemon.jar systemd-unit --dir /var/lib/sample > /etc/systemd/system/sample.service},
 * then {@code systemctl daemon-reload && systemctl start sample}; for both types, and with arguments that systemd
 * would otherwise split, expand or substitute.
 */
@EnabledOnOs(OS.LINUX)
@ExtendWith(SystemdExtension.class)
@Timeout(60)
class SystemdUnitActionIT {
    private static final String UNIT = "sample.service";
    private static final String JAR = "/opt/sample-daemon/sample-daemon.jar";
    private static final String PIDFILE = "/var/lib/sample/sample.pid";

    @BeforeEach
    void installTheJar(SystemdSandbox systemd) throws IOException {
        Deployment.installJar(systemd);
    }

    /** Runs the action inside the sandbox, as an operator would, writing the unit where systemd reads it. */
    private static void writeUnit(SystemdSandbox systemd, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c",
                "cd / && /usr/bin/java -jar " + JAR + " systemd-unit \"$@\" > /etc/systemd/system/" + UNIT, "sh"));
        command.addAll(Arrays.asList(options));
        SystemdSandbox.Result written = systemd.exec(command.toArray(String[]::new));
        assertThat(written.exit()).as(written.toString()).isZero();
        SystemdSandbox.Result verify = systemd.exec("systemd-analyze", "verify", "/etc/systemd/system/" + UNIT);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.err()).as(verify.toString()).doesNotContain(UNIT + ":");
        systemd.daemonReload();
    }

    private static long pidfilePid(SystemdSandbox systemd) throws IOException {
        return Long.parseLong(Files.readString(systemd.path(PIDFILE)).strip());
    }

    /** Start, MainPID from the pidfile, reload keeping the pid, stop with a clean exit. */
    private static void startReloadStop(SystemdSandbox systemd) throws IOException {
        SystemdSandbox.Result start = systemd.systemctl("start", UNIT);
        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(systemd.properties(UNIT, "ActiveState", "SubState"))
                .containsExactly(entry("ActiveState", "active"), entry("SubState", "running"));
        long pid = Long.parseLong(systemd.property(UNIT, "MainPID"));
        assertThat(pid).isPositive().isEqualTo(pidfilePid(systemd));

        SystemdSandbox.Result reload = systemd.systemctl("reload", UNIT);
        assertThat(reload.exit()).as(reload.toString()).isZero();
        assertThat(systemd.properties(UNIT, "SubState", "MainPID"))
                .containsExactly(entry("SubState", "running"), entry("MainPID", Long.toString(pid)));

        SystemdSandbox.Result stop = systemd.systemctl("stop", UNIT);
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(systemd.properties(UNIT, "ActiveState", "Result", "ExecMainStatus"))
                .containsExactly(entry("ActiveState", "inactive"), entry("Result", "success"),
                        entry("ExecMainStatus", "0"));
        assertThat(Deployment.isAlive(systemd, pid)).isFalse();
    }

    @Test
    void theNotifyUnitItWritesStartsReloadsAndStopsAsItIs(SystemdSandbox systemd) throws IOException {
        writeUnit(systemd, "--dir", "/var/lib/sample");

        assertThat(Files.readString(systemd.path("/etc/systemd/system/" + UNIT)))
                .contains("Type=notify\n", " run --dir /var/lib/sample\n", "StateDirectory=sample\n");
        startReloadStop(systemd);
        assertThat(Files.readString(systemd.path("/var/lib/sample/sample.data"))).contains("Stopped at");
    }

    @Test
    void theForkingUnitItWritesStartsReloadsAndStopsAsItIs(SystemdSandbox systemd) throws IOException {
        writeUnit(systemd, "--type", "forking", "--dir", "/var/lib/sample");

        assertThat(Files.readString(systemd.path("/etc/systemd/system/" + UNIT)))
                .contains("Type=forking\n", "PIDFile=" + PIDFILE + "\n", " start --dir /var/lib/sample\n")
                .doesNotContain("--type");
        startReloadStop(systemd);
    }

    @Test
    void everyArgumentReachesTheDaemonAsWritten(SystemdSandbox systemd) throws IOException {
        String data = "/var/lib/sample/a b %i $HOME \"quoted\" it's \\ done";
        writeUnit(systemd, "--dir", "/var/lib/sample", "--data", data);

        SystemdSandbox.Result start = systemd.systemctl("start", UNIT);
        assertThat(start.exit()).as(start.toString()).isZero();
        long pid = Long.parseLong(systemd.property(UNIT, "MainPID"));
        List<String> cmdline = Arrays.asList(new String(Files.readAllBytes(systemd.path("/proc/" + pid + "/cmdline")),
                StandardCharsets.UTF_8).split("\0"));
        assertThat(cmdline).containsSubsequence("-jar", JAR, "run", "--dir", "/var/lib/sample", "--data", data);
        // the data file's first line comes from run(), a moment after READY=1
        Await.until("the daemon to write to " + data, Duration.ofSeconds(20), () -> Files.exists(systemd.path(data)));
        assertThat(systemd.systemctl("stop", UNIT).exit()).isZero();
    }
}
