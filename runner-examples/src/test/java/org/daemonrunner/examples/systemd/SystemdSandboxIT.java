// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The test harness itself: a {@link SystemdSandbox} boots, leaves the host as it was, and its teardown leaves no
 * process, cgroup, mount or file behind, also when systemd will not exit in time.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(60)
class SystemdSandboxIT {
    private static final Duration BOOT = SystemdExtension.BOOT_TIMEOUT;

    @BeforeEach
    void needsASandbox() {
        Optional<String> why = SystemdSandbox.whyUnavailable();
        Assumptions.assumeTrue(why.isEmpty(), () -> "no sandboxed systemd on this machine: " + why.orElseThrow());
    }

    @Test
    void closeLeavesNoProcessCgroupMountOrFileBehind() throws IOException {
        List<Long> pids;
        Path work;
        Path cgroup;
        long hostPid;
        SystemdSandbox.Teardown teardown;
        try (SystemdSandbox systemd = SystemdSandbox.boot(BOOT)) {
            hostPid = systemd.hostPid();
            work = systemd.work();
            cgroup = systemd.cgroup();
            assertThat(systemd.exec("systemctl", "is-system-running").out().strip()).isIn("running", "degraded");
            // a unit's process too, so that teardown has a service to stop
            SystemdSandbox.Result run = systemd.exec("systemd-run", "--unit=sleeper", "/bin/sleep", "600");
            assertThat(run.exit()).as(run.toString()).isZero();
            pids = systemd.hostPids();
            assertThat(pids).as("systemd, journald and sleep, in the sandbox's cgroups").contains(hostPid)
                    .hasSizeGreaterThanOrEqualTo(3);
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).as("the host's mounts")
                    .doesNotContain(work.toString());
            teardown = systemd.tearDown(SystemdSandbox.EXIT_TIMEOUT);
        }
        assertThat(teardown.killed()).as("systemd exited on 'systemctl exit'").isFalse();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("process %d", pid).isEmpty();
        }
        assertThat(cgroup).doesNotExist();
        assertThat(work).doesNotExist();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(work.toString());
    }

    @Test
    void theHostsFilesAndSysctlsStayAsTheyWere() throws IOException {
        Path marker = Path.of("/etc/daemonrunner-sandbox-" + ProcessHandle.current().pid());
        assertThat(marker).doesNotExist();
        try (SystemdSandbox systemd = SystemdSandbox.boot(BOOT)) {
            SystemdSandbox.Result write = systemd.exec("sh", "-c", "echo inside > " + marker);
            assertThat(write.exit()).as(write.toString()).isZero();
            systemd.write("/opt/sample-daemon/marker", "through /proc/PID/root");
            assertThat(systemd.path(marker.toString())).hasContent("inside");
            assertThat(marker).as("the host's " + marker).doesNotExist();
            assertThat(Path.of("/opt/sample-daemon/marker")).doesNotExist();
            // /proc/sys is read-only inside: looked up in systemd's mount table, never tried by writing a sysctl
            String procSys = Files.readAllLines(Path.of("/proc/" + systemd.hostPid() + "/mountinfo")).stream()
                    .filter(line -> line.split(" ")[4].equals("/proc/sys")).reduce((first, last) -> last)
                    .orElseThrow(() -> new AssertionError("no /proc/sys mount in the sandbox"));
            assertThat(procSys.split(" ")[5].split(",")).as(procSys).contains("ro");
        }
    }

    @Test
    void closeKillsASystemdThatDoesNotExitInTime() throws IOException {
        List<Long> pids;
        SystemdSandbox.Teardown teardown;
        Path cgroup;
        try (SystemdSandbox systemd = SystemdSandbox.boot(BOOT)) {
            cgroup = systemd.cgroup();
            // a service whose stop takes a minute: "systemctl exit" waits for it
            systemd.write("/etc/systemd/system/slow-stop.service", "[Service]\nExecStart=/bin/sleep 600\n"
                    + "ExecStop=/bin/sleep 60\nTimeoutStopSec=90\n");
            systemd.daemonReload();
            SystemdSandbox.Result start = systemd.systemctl("start", "slow-stop.service");
            assertThat(start.exit()).as(start.toString()).isZero();
            pids = systemd.hostPids();
            teardown = systemd.tearDown(Duration.ofSeconds(1));
        }
        assertThat(teardown.killed()).as("SIGKILL to systemd after the exit deadline").isTrue();
        assertThat(teardown.took()).isLessThan(Duration.ofSeconds(20));
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("process %d", pid).isEmpty();
        }
        assertThat(cgroup).doesNotExist();
    }
}
