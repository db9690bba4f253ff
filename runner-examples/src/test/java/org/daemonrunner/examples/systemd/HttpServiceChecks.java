// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import org.daemonrunner.it.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The checks of {@code HttpService} on port 80 as {@code nobody}, the same under the notify and the forking unit:
 * {@code init()} binds the port as root, then the service runs and serves as nobody, reloads its configuration
 * and stops cleanly.
 */
final class HttpServiceChecks {
    private HttpServiceChecks() {
    }

    /** Starts {@code unit} (its drop-in runs HttpService with {@code --port 80 --user nobody}), then checks it. */
    static void assertServesPort80AsNobody(SystemdSandbox systemd, String unit) throws IOException {
        SystemdSandbox.Result start = systemd.systemctl("start", unit);
        assertThat(start.exit()).as(start.toString()).isZero();
        long pid = Long.parseLong(systemd.property(unit, "MainPID"));
        assertThat(pid).isPositive();
        assertThat(Deployment.pidfilePid(systemd)).as("the pidfile's pid").isEqualTo(pid);
        String nobody = uid(systemd, "nobody");
        assertThat(uids(systemd, pid)).as("real, effective, saved and file-system uid of the service")
                .containsExactly(nobody, nobody, nobody, nobody);

        assertThat(Deployment.httpGet(systemd, 80, "/health")).startsWith("HTTP/1.1 200").endsWith("\nok");
        assertThat(Deployment.httpGet(systemd, 80, "/")).endsWith("\nhello");

        Files.writeString(systemd.path("/run/sample-daemon/http-service.properties"), "greeting=bonjour\n");
        SystemdSandbox.Result reload = systemd.systemctl("reload", unit);
        assertThat(reload.exit()).as(reload.toString()).isZero();
        assertThat(systemd.property(unit, "MainPID")).isEqualTo(Long.toString(pid));
        // reload() runs on a thread of its own: the reload action returns once SIGHUP is delivered
        Await.await("GET / to answer the reloaded greeting", Duration.ofSeconds(10),
                () -> Deployment.httpGet(systemd, 80, "/"), answer -> answer.endsWith("\nbonjour"));

        SystemdSandbox.Result stop = systemd.systemctl("stop", unit);
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(systemd.properties(unit, "ActiveState", "Result", "ExecMainStatus"))
                .containsExactly(entry("ActiveState", "inactive"), entry("Result", "success"), entry("ExecMainStatus", "0"));
        assertThat(Deployment.isAlive(systemd, pid)).isFalse();
    }

    /** Returns the uid of {@code user} in the sandbox's {@code /etc/passwd}. */
    private static String uid(SystemdSandbox systemd, String user) throws IOException {
        return Files.readAllLines(systemd.path("/etc/passwd")).stream().filter(line -> line.startsWith(user + ":"))
                .map(line -> line.split(":")[2]).findFirst()
                .orElseThrow(() -> new AssertionError("no user " + user + " in /etc/passwd"));
    }

    /** Returns the four uids on the {@code Uid:} line of the sandbox's {@code /proc/PID/status}. */
    private static List<String> uids(SystemdSandbox systemd, long pid) throws IOException {
        Path status = systemd.path("/proc/" + pid + "/status");
        return Files.readAllLines(status).stream().filter(line -> line.startsWith("Uid:"))
                .map(line -> List.of(line.substring(4).strip().split("\\s+"))).findFirst()
                .orElseThrow(() -> new AssertionError("no Uid: line in " + status));
    }
}
