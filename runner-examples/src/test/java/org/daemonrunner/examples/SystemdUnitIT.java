// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Await.await;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.isGone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.daemonrunner.it.Command;
import org.daemonrunner.it.Daemons;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd units in {@code deploy/}, without systemd: their Exec lines, with the installed paths replaced by
 * the built jar and the test directory, run the way systemd runs them.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(60)
class SystemdUnitIT {
    static final Path DEPLOY = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("deploy");

    @TempDir
    Path dir;
    Daemons daemons;
    Map<String, String> installed;

    @BeforeEach
    void setUp() throws IOException {
        daemons = new Daemons(dir);
        installed = new LinkedHashMap<>();
        installed.put("/usr/bin/java", Daemons.JAVA);
        installed.put("/opt/sample-daemon/sample-daemon.jar", SampleJar.PATH);
        // RuntimeDirectory=, StateDirectory= and LogsDirectory=, created as systemd would
        installed.put("/run/sample-daemon", Files.createDirectories(dir.resolve("run")).toString());
        installed.put("/var/lib/sample-daemon", Files.createDirectories(dir.resolve("lib")).toString());
        installed.put("/var/log/sample-daemon", Files.createDirectories(dir.resolve("log")).toString());
    }

    @AfterEach
    void killEverythingStarted() throws IOException {
        daemons.close();
    }

    /** The value of {@code key=} in the unit's [Service] section, continuation lines joined. */
    private String setting(String unit, String key) throws IOException {
        String text = Files.readString(DEPLOY.resolve(unit)).replace("\\\n", " ");
        return text.lines().filter(l -> l.startsWith(key + "=")).findFirst()
                .map(l -> l.substring(key.length() + 1).trim()).orElseThrow(() -> new AssertionError(unit + ": no "
                        + key + "="));
    }

    /** The command of an Exec line, with the installed paths replaced (the lines hold no quotes). */
    private List<String> command(String unit, String key) throws IOException {
        String line = setting(unit, key);
        for (Map.Entry<String, String> path : installed.entrySet()) {
            line = line.replace(path.getKey(), path.getValue());
        }
        return List.of(line.split("\\s+"));
    }

    private String installedPath(String path) {
        for (Map.Entry<String, String> p : installed.entrySet()) {
            path = path.replace(p.getKey(), p.getValue());
        }
        return path;
    }

    @Test
    void theForkingUnitsExecStartReturnsOnceReadyEvenWhenItsParentIsInit() throws IOException {
        assertThat(setting("sample-daemon-forking.service", "Type")).isEqualTo("forking");
        List<String> start = command("sample-daemon-forking.service", "ExecStart");
        // systemd starts ExecStart as a child of pid 1, with INVOCATION_ID set: orphan it so that init adopts it
        Path out = dir.resolve("execstart.out");
        List<String> orphan = new ArrayList<>(List.of("/bin/sh", "-c",
                "INVOCATION_ID=0123456789abcdef \"$@\" </dev/null >" + out + " 2>&1 &", "sh"));
        orphan.addAll(start);
        assertExit(daemons.run(orphan), 0);
        await("ExecStart to report 'started with pid N' in " + out, Duration.ofSeconds(20),
                () -> Command.startedPid(Daemons.readOrEmpty(out)).isPresent());
        long pid = Command.startedPid(Daemons.readOrEmpty(out)).orElseThrow();
        daemons.track(pid);
        Path pidfile = Path.of(installedPath(setting("sample-daemon-forking.service", "PIDFile")));
        assertThat(Files.readAllLines(pidfile)).as("the PIDFile= systemd reads").first().isEqualTo(Long.toString(pid));
        await("the data file", Duration.ofSeconds(10), () -> Files.exists(dir.resolve("lib/sample.data")));
        assertThat(dir.resolve("log/sample.out")).exists();

        Command.Result reload = daemons.run(command("sample-daemon-forking.service", "ExecReload"));
        assertExit(reload, 0);
        assertThat(reload.out()).contains("SIGHUP sent to pid " + pid);
        assertThat(isGone(pid)).isFalse();

        Command.Result stop = daemons.run(command("sample-daemon-forking.service", "ExecStop"));
        assertExit(stop, 0);
        assertThat(stop.out()).contains("stopped (pid " + pid + ")");
        assertThat(isGone(pid)).isTrue();
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void theSimpleUnitsExecStartRunsInTheForegroundAndStopsOnSigterm() throws Exception {
        assertThat(setting("sample-daemon-simple.service", "Type")).isEqualTo("simple");
        Command.Running main = daemons.spawn(dir, command("sample-daemon-simple.service", "ExecStart"),
                dir.resolve("journal.out"), dir.resolve("journal.err"));
        await("the main process to append to the data file", Duration.ofSeconds(20),
                () -> Files.exists(dir.resolve("lib/sample.data")));
        Command.Result reload = daemons.run(command("sample-daemon-simple.service", "ExecReload"));
        assertExit(reload, 0);
        assertThat(reload.out()).contains("SIGHUP sent to pid " + main.pid());
        assertThat(main.process().isAlive()).as("alive after SIGHUP").isTrue();

        main.destroy(); // systemd's stop: SIGTERM to the main process
        assertExit(main.finish(Duration.ofSeconds(20)), 0); // exited within 20 s of SIGTERM, with status 0
        assertThat(Files.readString(dir.resolve("lib/sample.data"))).contains("Stopped at"); // shutdown hook ran
        assertThat(Files.readString(dir.resolve("journal.out"))).contains("appending to");
    }

    @Test
    void everyUnitPassesSystemdAnalyzeVerify() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        Assumptions.assumeTrue(Files.isExecutable(analyze), "needs systemd-analyze");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/java")), "the units run /usr/bin/java");
        Command.Result verify = daemons.run(List.of(analyze.toString(), "verify", "--man=no",
                DEPLOY.resolve("sample-daemon-forking.service").toString(),
                DEPLOY.resolve("sample-daemon-simple.service").toString(),
                DEPLOY.resolve("sample-daemon-notify.service").toString()));
        assertExit(verify, 0);
        assertThat(verify.err()).doesNotContain("sample-daemon");
    }
}
