// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.isGone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.daemonrunner.it.Command;
import org.daemonrunner.it.Daemons;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The LSB init script in {@code deploy/}, run for real with {@code sh} against the built sample jar. */
@EnabledOnOs(OS.LINUX)
@Timeout(180) // a dozen JVMs in a row per test
class InitScriptIT {
    static final Path SCRIPT = Path.of(System.getProperty("basedir", "")).toAbsolutePath()
            .resolve("deploy/sample-daemon.init");

    @TempDir
    Path dir;
    Daemons daemons;
    Path home;

    @BeforeEach
    void setUp() {
        daemons = new Daemons(dir);
        home = dir.resolve("run"); // not created: start must create it, as /run/sample-daemon after a boot
    }

    @AfterEach
    void killEverythingStarted() throws IOException {
        daemons.close();
    }

    /** Runs {@code sh sample-daemon.init ACTION} pointed at the built jar and the test directory. */
    private Command.Result script(String action, String... settings) {
        List<String> command = new ArrayList<>(List.of("/usr/bin/env", "SAMPLE_DEFAULTS=" + dir.resolve("none"),
                "SAMPLE_JAVA=" + Daemons.JAVA, "SAMPLE_JAR=" + SampleJar.PATH, "SAMPLE_DIR=" + home,
                "SAMPLE_OPTS=--interval 0.2"));
        command.addAll(List.of(settings));
        command.addAll(List.of("/bin/sh", SCRIPT.toString(), action));
        return daemons.run(command);
    }

    @Test
    void underACallersZeroUmaskTheScriptStillCreatesADirectoryOnlyItsOwnerCanWrite() throws IOException {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "umask 000; exec \"$@\"", "sh",
                "/usr/bin/env", "SAMPLE_DEFAULTS=" + dir.resolve("none"), "SAMPLE_JAVA=" + Daemons.JAVA,
                "SAMPLE_JAR=" + SampleJar.PATH, "SAMPLE_DIR=" + home, "/bin/sh", SCRIPT.toString(), "start"));
        Command.Result start = assertExit(daemons.run(command), 0); // as root, a 0777 directory would be refused
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).isEqualTo("rwxr-xr-x");
        assertThat(isGone(start.startedPid())).isFalse();
        assertExit(script("stop"), 0);
    }

    @Test
    void theScriptHasAnLsbHeader() throws IOException {
        String text = Files.readString(SCRIPT);
        assertThat(text).startsWith("#!/bin/sh\n### BEGIN INIT INFO\n").contains("### END INIT INFO",
                "# Provides:          sample-daemon", "# Default-Start:", "# Default-Stop:", "# Short-Description:");
    }

    @Test
    void startStatusReloadStopPassTheLsbStatusesThrough() throws IOException {
        Command.Result notRunning = script("status");
        assertExit(notRunning, 3);
        assertExit(script("reload"), 7, "reload while not running");
        assertExit(script("force-reload"), 7, "force-reload while not running");

        Command.Result start = script("start");
        assertExit(start, 0);
        long pid = start.startedPid();
        assertThat(Files.readAllLines(home.resolve("sample.pid"))).first().isEqualTo(Long.toString(pid));
        assertThat(Daemons.cmdline(pid)).containsSubsequence("start", "--dir", home.toString(), "--interval", "0.2");

        Command.Result again = script("start");
        assertExit(again, 0);
        assertThat(again.out()).contains("already running with pid " + pid);

        Command.Result status = script("status");
        assertExit(status, 0);
        assertThat(status.out()).contains("running with pid " + pid);

        Command.Result reload = script("reload");
        assertExit(reload, 0);
        assertThat(reload.out()).contains("SIGHUP sent to pid " + pid);
        assertExit(script("force-reload"), 0);

        Command.Result stop = script("stop");
        assertExit(stop, 0);
        assertThat(stop.out()).contains("stopped (pid " + pid + ")");
        assertThat(isGone(pid)).as("daemon %d gone when stop returned", pid).isTrue();
        assertExit(script("status"), 3);
        assertExit(script("stop"), 0, "stop when not running");
    }

    @Test
    void restartReplacesTheDaemonAndTryRestartLeavesAStoppedOneStopped() {
        Command.Result tryRestart = script("try-restart");
        assertExit(tryRestart, 0);
        assertThat(tryRestart.out()).doesNotContain("started with pid");
        assertExit(script("status"), 3);

        Command.Result restart = script("restart");
        assertExit(restart, 0);
        long first = restart.startedPid();
        Command.Result restarted = script("try-restart");
        assertExit(restarted, 0);
        long second = restarted.startedPid();
        assertThat(second).isNotEqualTo(first);
        assertThat(isGone(first)).isTrue();
        assertThat(script("status").out()).contains("running with pid " + second);
        assertExit(script("stop"), 0);
    }

    @Test
    void aMissingJarIsNotInstalledAndAnUnknownActionIsAUsageError() {
        String missing = "SAMPLE_JAR=" + dir.resolve("missing.jar");
        Command.Result start = script("start", missing);
        assertExit(start, 5);
        assertThat(start.err()).contains(dir.resolve("missing.jar").toString(), "SAMPLE_JAR");
        assertExit(script("status", missing), 4);

        Command.Result unknown = script("strat");
        assertExit(unknown, 2);
        assertThat(unknown.err()).contains("Usage:", "start", "stop", "restart", "force-reload", "status");
        assertThat(home).doesNotExist();
    }

    @Test
    void aStartThatFailsExits1WithTheReason() throws IOException {
        Files.writeString(dir.resolve("run"), "a file where the directory should be");
        Command.Result start = script("start");
        assertExit(start, 1);
        assertThat(start.err()).contains(home.toString());
    }
}
