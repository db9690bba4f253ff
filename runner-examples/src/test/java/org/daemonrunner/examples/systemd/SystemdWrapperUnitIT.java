// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.daemonrunner.it.Await;
import org.daemonrunner.it.Wrapped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unit daemonrunner.jar's {@code systemd-unit} writes for a plain program (a JDK {@code HttpServer} that knows
 * nothing of daemonrunner), installed as it is under a real systemd: {@code Type=notify}, one JVM (the program's,
 * through {@code ProgramMain}) as {@code MainPID}, READY when its port listens, no {@code ExecReload=} (the program
 * has no reload hook: {@code systemctl reload} is refused, and the program runs on), a clean stop; its commented
 * log lines, uncommented, work and outlive a restart.
 */
@EnabledOnOs(OS.LINUX)
@ExtendWith(SystemdExtension.class)
@Timeout(90)
class SystemdWrapperUnitIT {
    private static final String UNIT = "hello.service";
    private static final String WRAPPER = "/opt/hello/daemonrunner.jar";
    private static final String PROGRAM = "/opt/hello/plain.jar";
    private static final String PIDFILE = "/run/hello/hello.pid";
    private static final int PORT = 8093;

    @TempDir
    Path dir;

    @Test
    void theNotifyUnitRunsTheProgramAsTheOneJvmAndStartsAndStopsItAndRefusesAReload(SystemdSandbox systemd)
            throws IOException {
        Deployment.installJar(systemd); // skips the test without /usr/bin/java
        systemd.install(Wrapped.jar(), WRAPPER, "rw-r--r--");
        systemd.install(Wrapped.plainJar(dir), PROGRAM, "rw-r--r--");
        SystemdSandbox.Result written = systemd.exec("/bin/sh", "-c", "cd / && /usr/bin/java -jar " + WRAPPER
                + " --pidfile " + PIDFILE + " --user nobody --ready port:" + PORT + " systemd-unit -- -jar " + PROGRAM
                + " " + PORT + " /run/hello/stopped.marker > /etc/systemd/system/" + UNIT);
        assertThat(written.exit()).as(written.toString()).isZero();
        SystemdSandbox.Result verify = systemd.exec("systemd-analyze", "verify", "/etc/systemd/system/" + UNIT);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(Files.readString(systemd.path("/etc/systemd/system/" + UNIT)))
                .contains("Type=notify\n", "User=nobody\n", "RuntimeDirectory=hello\n",
                        "A wrapped program counts as healthy", " -cp " + PROGRAM + ":" + WRAPPER
                        + " org.daemonrunner.internal.wrap.ProgramMain pidfile=" + PIDFILE,
                        // the default logs, beside the pidfile, are in the RuntimeDirectory=, which goes at every stop
                        "\n#StandardOutput=append:/var/log/hello.out\n", "\n#StandardError=append:/var/log/hello.err\n")
                .doesNotContain("append:/run");
        systemd.daemonReload();

        SystemdSandbox.Result start = systemd.systemctl("start", UNIT);
        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(systemd.properties(UNIT, "ActiveState", "SubState"))
                .containsExactly(entry("ActiveState", "active"), entry("SubState", "running"));
        long pid = Long.parseLong(systemd.property(UNIT, "MainPID"));
        assertThat(pid).isPositive().isEqualTo(Long.parseLong(Files.readString(systemd.path(PIDFILE)).strip()));
        assertThat(Deployment.httpGet(systemd, PORT, "/")).as("GET / once systemctl start returned").contains("hello");

        SystemdSandbox.Result reload = systemd.systemctl("reload", UNIT);
        assertThat(reload.exit()).as("no ExecReload=, so no reload that reloads nothing: %s", reload).isNotZero();
        assertThat(reload.err()).contains("reload is not applicable");
        assertThat(systemd.properties(UNIT, "SubState", "MainPID"))
                .containsExactly(entry("SubState", "running"), entry("MainPID", Long.toString(pid)));

        SystemdSandbox.Result stop = systemd.systemctl("stop", UNIT);
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(systemd.properties(UNIT, "ActiveState", "Result", "ExecMainStatus"))
                .containsExactly(entry("ActiveState", "inactive"), entry("Result", "success"),
                        entry("ExecMainStatus", "0"));
        assertThat(Deployment.isAlive(systemd, pid)).isFalse();

        // its log lines uncommented, as an operator would: systemd opens the files as root, and they outlive a restart
        SystemdSandbox.Result uncomment = systemd.exec("sed", "-i", "s/^#\\(Standard[A-Za-z]*=append:\\)/\\1/",
                "/etc/systemd/system/" + UNIT);
        assertThat(uncomment.exit()).as(uncomment.toString()).isZero();
        systemd.daemonReload();
        assertThat(systemd.systemctl("start", UNIT).exit()).isZero();
        awaitLines(systemd, "/var/log/hello.out", "listening on " + PORT, 1);
        SystemdSandbox.Result restart = systemd.systemctl("restart", UNIT);
        assertThat(restart.exit()).as(restart.toString()).isZero();
        awaitLines(systemd, "/var/log/hello.out", "listening on " + PORT, 2);
        SystemdSandbox.Result owners = systemd.exec("stat", "-c", "%U %a", "/var/log/hello.out", "/var/log/hello.err");
        assertThat(owners.out()).as(owners.toString()).isEqualTo("root 644\nroot 644\n");
        assertThat(systemd.systemctl("stop", UNIT).exit()).isZero();
    }

    /** Waits until {@code file} in the sandbox has {@code count} lines that are {@code line}. */
    private static void awaitLines(SystemdSandbox systemd, String file, String line, long count) throws IOException {
        Await.await(count + " lines '" + line + "' in " + file, Duration.ofSeconds(20),
                () -> Files.exists(systemd.path(file)) ? Files.readAllLines(systemd.path(file)) : List.<String>of(),
                lines -> lines.stream().filter(line::equals).count() == count);
    }

    @Test
    void aForkingUnitKeepsTheDefaultLogsOutOfTheRuntimeDirectorySoTheyOutliveARestart(SystemdSandbox systemd)
            throws IOException {
        Deployment.installJar(systemd); // skips the test without /usr/bin/java
        systemd.install(Wrapped.jar(), WRAPPER, "rw-r--r--");
        systemd.install(Wrapped.plainJar(dir), PROGRAM, "rw-r--r--");
        SystemdSandbox.Result written = systemd.exec("/bin/sh", "-c", "cd / && /usr/bin/java -jar " + WRAPPER
                + " --pidfile " + PIDFILE + " --ready port:" + PORT + " systemd-unit --type forking -- -jar " + PROGRAM
                + " " + PORT + " /run/hello/stopped.marker > /etc/systemd/system/" + UNIT);
        assertThat(written.exit()).as(written.toString()).isZero();
        assertThat(written.err()).as("no warning: no log is left in /run").isEmpty();
        assertThat(Files.readString(systemd.path("/etc/systemd/system/" + UNIT)))
                .contains("RuntimeDirectory=hello\n", "LogsDirectory=hello\n",
                        " --stdout /var/log/hello/hello.out --stderr /var/log/hello/hello.err start -- ");
        systemd.daemonReload();
        assertThat(systemd.systemctl("start", UNIT).exit()).isZero();
        long pid = Long.parseLong(systemd.property(UNIT, "MainPID"));

        Deployment.httpGet(systemd, PORT, "/exit"); // System.exit(3): a failure, which systemd restarts

        Await.await("systemd to restart the unit", Duration.ofSeconds(40),
                () -> systemd.properties(UNIT, "NRestarts", "SubState"),
                state -> !"0".equals(state.get("NRestarts")) && "running".equals(state.get("SubState")));
        assertThat(Files.readString(systemd.path("/var/log/hello/hello.err")))
                .as("the exit's account, after the restart").contains("pid " + pid + " is exiting",
                        "System.exit() was called by");
        assertThat(systemd.systemctl("stop", UNIT).exit()).isZero();
    }

    @Test
    void aPidfileUnderVarRunHasItsDirectoryCreatedUnderRun(SystemdSandbox systemd) throws IOException {
        Deployment.installJar(systemd); // skips the test without /usr/bin/java
        systemd.install(Wrapped.jar(), WRAPPER, "rw-r--r--");
        systemd.install(Wrapped.plainJar(dir), PROGRAM, "rw-r--r--");
        SystemdSandbox.Result written = systemd.exec("/bin/sh", "-c", "cd / && /usr/bin/java -jar " + WRAPPER
                + " --pidfile /var/run/hv/hv.pid --ready port:" + PORT + " systemd-unit --type forking -- -jar "
                + PROGRAM + " " + PORT + " /run/hv/stopped.marker > /etc/systemd/system/" + UNIT);
        assertThat(written.exit()).as(written.toString()).isZero();
        SystemdSandbox.Result verify = systemd.exec("systemd-analyze", "verify", "/etc/systemd/system/" + UNIT);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.err()).as("no 'legacy directory /var/run/'").doesNotContain(UNIT + ":");
        assertThat(Files.readString(systemd.path("/etc/systemd/system/" + UNIT)))
                .contains("PIDFile=/run/hv/hv.pid\n", "RuntimeDirectory=hv\n");
        systemd.daemonReload();

        SystemdSandbox.Result start = systemd.systemctl("start", UNIT);

        assertThat(start.exit()).as("with no /run/hv before: " + start).isZero();
        assertThat(Long.parseLong(systemd.property(UNIT, "MainPID")))
                .isEqualTo(Long.parseLong(Files.readString(systemd.path("/run/hv/hv.pid")).strip()));
        assertThat(systemd.systemctl("stop", UNIT).exit()).isZero();
    }

    @Test
    void aForkingUnitsStartThatTimesOutSaysWhyBeforeSystemdsTimerFires(SystemdSandbox systemd) throws IOException {
        Deployment.installJar(systemd); // skips the test without /usr/bin/java
        systemd.install(Wrapped.jar(), WRAPPER, "rw-r--r--");
        systemd.install(Wrapped.plainJar(dir), PROGRAM, "rw-r--r--");
        // ready when port 8094 listens, which the program never opens: it listens on 8093
        SystemdSandbox.Result written = systemd.exec("/bin/sh", "-c", "cd / && /usr/bin/java -jar " + WRAPPER
                + " --pidfile " + PIDFILE + " --ready port:" + (PORT + 1) + " --start-timeout 3s systemd-unit --type"
                + " forking -- -jar " + PROGRAM + " " + PORT + " /run/hello/stopped.marker > /etc/systemd/system/" + UNIT);
        assertThat(written.exit()).as(written.toString()).isZero();
        systemd.daemonReload();
        String cursor = systemd.journalCursor();

        SystemdSandbox.Result start = systemd.systemctl("start", UNIT);

        assertThat(start.exit()).as(start.toString()).isNotZero();
        String journal = systemd.awaitJournal(cursor, "did not become ready within 3s; it was sent SIGTERM and has"
                + " exited", "Control process exited, code=exited, status=1/FAILURE");
        assertThat(journal).doesNotContain("timed out", "started with pid");
        assertThat(systemd.systemctl("stop", UNIT).exit()).isZero();
    }
}
