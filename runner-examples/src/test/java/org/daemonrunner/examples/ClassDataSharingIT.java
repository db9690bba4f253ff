// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.isGone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
 * The README's AppCDS recipes, run for real: a training {@code start} writes the launcher's and the daemon's
 * archives (or class lists) to two files, and a daemon started with an archive named by a relative path maps its
 * own, or the launcher's.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(240) // each test starts and stops daemons that write archives as they exit
class ClassDataSharingIT {
    @TempDir
    Path dir;
    Daemons daemons;

    @BeforeEach
    void setUp() throws IOException {
        daemons = new Daemons(dir);
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("cds"));
    }

    @AfterEach
    void killEverythingStarted() throws IOException {
        daemons.close();
    }

    @Test
    void aTrainingStartRecordsBothJvmsAndTheDaemonMapsTheArchiveItIsGiven() throws IOException {
        long trained = run("start", "-XX:DumpLoadedClassList=cds/app.classlist");
        assertThat(Daemons.cmdline(trained)).as("the daemon writes its own list, named absolutely")
                .contains("-XX:DumpLoadedClassList=" + dir.resolve("cds/app-daemon.classlist"));
        stop(trained);

        List<String> launcher = withoutIds(dir.resolve("cds/app.classlist"));
        List<String> daemon = withoutIds(dir.resolve("cds/app-daemon.classlist"));
        assertThat(launcher).as("the launcher's list").contains("org/daemonrunner/internal/launch/DaemonLauncher")
                .doesNotContain("org/daemonrunner/internal/daemon/AppLifecycle");
        assertThat(daemon).as("the daemon's list").contains("org/daemonrunner/internal/daemon/AppLifecycle")
                .doesNotContain("org/daemonrunner/internal/launch/DaemonLauncher");

        Set<String> merged = new LinkedHashSet<>(launcher);
        merged.addAll(daemon);
        Files.write(dir.resolve("cds/all.classlist"), new ArrayList<>(merged));
        Command.Result dump = daemons.run(dir, List.of(Daemons.JAVA, "-Xshare:dump",
                "-XX:SharedClassListFile=cds/all.classlist", "-XX:SharedArchiveFile=cds/app.jsa",
                "-jar", SampleJar.PATH));
        assertExit(dump, 0);

        long pid = startMapping("cds/app.jsa", "-XX:SharedArchiveFile=cds/app.jsa");
        assertThat(Daemons.cmdline(pid)).contains("-XX:SharedArchiveFile=" + dir.resolve("cds/app.jsa"));
        Command.Result status = runSample("status", "-Xshare:on", "-XX:SharedArchiveFile=cds/app.jsa"); // or fails
        assertThat(status.out()).contains("running with pid " + pid);
        stop(pid);
    }

    @Test
    void aTrainingRestartWritesAnArchivePerJvmAndTheDaemonMapsItsOwn() throws IOException {
        stop(run("restart", "-XX:ArchiveClassesAtExit=cds/app.jsa"));
        assertThat(dir.resolve("cds/app.jsa")).as("the launcher's archive, written as it exited").isRegularFile();
        assertThat(dir.resolve("cds/app-daemon.jsa")).as("the daemon's, written as it exited").isRegularFile();

        stop(startMapping("cds/app-daemon.jsa", "-XX:SharedArchiveFile=cds/app.jsa"));
    }

    @Test
    void withAutoCreateEachJvmKeepsItsOwnArchiveUpToDate() throws IOException {
        Assumptions.assumeTrue(Runtime.version().feature() >= 19, "-XX:+AutoCreateSharedArchive needs JDK 19");
        String[] options = {"-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=cds/app.jsa"};
        long first = run("start", options);
        assertThat(Daemons.cmdline(first)).contains("-XX:SharedArchiveFile=" + dir.resolve("cds/app-daemon.jsa"));
        stop(first);
        assertThat(dir.resolve("cds/app.jsa")).isRegularFile();
        assertThat(dir.resolve("cds/app-daemon.jsa")).as("created by the daemon as it exited").isRegularFile();

        stop(startMapping("cds/app-daemon.jsa", options));
    }

    @Test
    void onJdk25ATrainingRestartWritesAnAotCachePerJvmAndTheDaemonMapsItsOwn() throws IOException {
        Assumptions.assumeTrue(Runtime.version().feature() >= 25, "-XX:AOTCacheOutput needs JDK 25");
        stop(run("restart", "-XX:AOTCacheOutput=cds/app.aot"));
        assertThat(dir.resolve("cds/app.aot")).isRegularFile();
        assertThat(dir.resolve("cds/app-daemon.aot")).as("the daemon's, assembled as it exited").isRegularFile();

        stop(startMapping("cds/app-daemon.aot", "-XX:AOTCache=cds/app.aot"));
    }

    /** Runs {@code java OPTIONS -jar sample-daemon.jar ACTION --dir run} in the test dir; returns the daemon's pid. */
    private long run(String action, String... options) {
        return runSample(action, options).startedPid();
    }

    private Command.Result runSample(String action, String... options) {
        List<String> command = new ArrayList<>(List.of(Daemons.JAVA));
        command.addAll(List.of(options));
        command.addAll(List.of("-jar", SampleJar.PATH, action, "--dir", "run"));
        Command.Result result = daemons.run(dir, command);
        assertExit(result, 0);
        return result;
    }

    /** Starts the sample with {@code options} and checks that the daemon maps {@code archive}; returns its pid. */
    private long startMapping(String archive, String... options) throws IOException {
        Command.Result start = runSample("start", options);
        assertThat(start.out() + start.err()).as("no JVM complaint about the archive").doesNotContain("cds");
        long pid = start.startedPid();
        assertThat(Files.readString(Path.of("/proc/" + pid + "/maps"))).as("the daemon maps %s", archive)
                .contains(dir.resolve(archive).toString());
        return pid;
    }

    private void stop(long pid) {
        // the JVM writes its archive (JDK 25: assembles its AOT cache in a child JVM) on the way out: on a loaded
        // machine that outlasts the sample's 10 s stop timeout
        Command.Result stop = daemons.run(dir, SampleJar.command("stop", "--timeout", "60s", "--dir", "run"));
        assertExit(stop, 0);
        assertThat(isGone(pid)).as("pid %d gone when stop returned", pid).isTrue();
    }

    /**
     * A class list's lines without the ids that JDK 21 and later append ({@code java/lang/Object id: 0}): two lists
     * number their classes independently, so merged lists must drop them, as the README's recipe does with sed.
     */
    private static List<String> withoutIds(Path list) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(list)) {
            lines.add(line.replaceFirst(" id: [0-9]+$", ""));
        }
        return lines;
    }
}
