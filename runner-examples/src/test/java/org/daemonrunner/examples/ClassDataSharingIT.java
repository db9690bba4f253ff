package org.daemonrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.examples.Daemons.isGone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
@Timeout(90)
class ClassDataSharingIT {
    @TempDir
    Path dir;
    Daemons daemons;

    @BeforeEach
    void setUp() {
        daemons = new Daemons(dir);
    }

    @AfterEach
    void killEverythingStarted() throws IOException {
        daemons.close();
    }

    @Test
    void aTrainingStartRecordsBothJvmsAndTheDaemonMapsTheArchiveItIsGiven() throws IOException {
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("cds"));

        Daemons.Result training = daemons.run(dir, List.of(Daemons.JAVA, "-XX:DumpLoadedClassList=cds/app.classlist",
                "-jar", Daemons.SAMPLE_JAR, "start", "--dir", "run"));
        assertThat(training.exit()).as(training.toString()).isZero();
        long trained = training.startedPid();
        assertThat(Daemons.cmdline(trained)).as("the daemon writes its own list, named absolutely")
                .contains("-XX:DumpLoadedClassList=" + dir.resolve("cds/app-daemon.classlist"));
        Daemons.Result stop = daemons.run(dir, Daemons.sampleJar("stop", "--dir", "run"));
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(isGone(trained)).isTrue();

        List<String> launcher = withoutIds(dir.resolve("cds/app.classlist"));
        List<String> daemon = withoutIds(dir.resolve("cds/app-daemon.classlist"));
        assertThat(launcher).as("the launcher's list").contains("org/daemonrunner/process/DaemonLauncher")
                .doesNotContain("org/daemonrunner/AppLifecycle");
        assertThat(daemon).as("the daemon's list").contains("org/daemonrunner/AppLifecycle")
                .doesNotContain("org/daemonrunner/process/DaemonLauncher");

        Set<String> merged = new LinkedHashSet<>(launcher);
        merged.addAll(daemon);
        Files.write(dir.resolve("cds/all.classlist"), new ArrayList<>(merged));
        Daemons.Result dump = daemons.run(dir, List.of(Daemons.JAVA, "-Xshare:dump",
                "-XX:SharedClassListFile=cds/all.classlist", "-XX:SharedArchiveFile=cds/app.jsa",
                "-jar", Daemons.SAMPLE_JAR));
        assertThat(dump.exit()).as(dump.toString()).isZero();
        assertThat(dir.resolve("cds/app.jsa")).isRegularFile();

        Daemons.Result start = daemons.run(dir, List.of(Daemons.JAVA, "-XX:SharedArchiveFile=cds/app.jsa",
                "-jar", Daemons.SAMPLE_JAR, "start", "--dir", "run"));
        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(start.out() + start.err()).as("no JVM complaint about the archive").doesNotContain("cds");
        long pid = start.startedPid();
        Path archive = dir.resolve("cds/app.jsa");
        assertThat(Daemons.cmdline(pid)).contains("-XX:SharedArchiveFile=" + archive);
        assertThat(Files.readString(Path.of("/proc/" + pid + "/maps"))).as("the daemon maps the archive")
                .contains(archive.toString());

        Daemons.Result status = daemons.run(dir, List.of(Daemons.JAVA, "-Xshare:on", "-XX:SharedArchiveFile=cds/app.jsa",
                "-jar", Daemons.SAMPLE_JAR, "status", "--dir", "run"));
        assertThat(status.exit()).as("status with the archive required (-Xshare:on): %s", status).isZero();
        assertThat(status.out()).contains("running with pid " + pid);

        Daemons.Result stopped = daemons.run(dir, Daemons.sampleJar("stop", "--dir", "run"));
        assertThat(stopped.exit()).as(stopped.toString()).isZero();
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void aTrainingStartWritesAnArchivePerJvmAndTheDaemonMapsItsOwn() throws IOException {
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("cds"));
        Daemons.Result training = daemons.run(dir, List.of(Daemons.JAVA, "-XX:ArchiveClassesAtExit=cds/app.jsa",
                "-jar", Daemons.SAMPLE_JAR, "start", "--dir", "run"));
        assertThat(training.exit()).as(training.toString()).isZero();
        long trained = training.startedPid();
        Daemons.Result stop = daemons.run(dir, Daemons.sampleJar("stop", "--dir", "run"));
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(isGone(trained)).isTrue();
        assertThat(dir.resolve("cds/app.jsa")).as("the launcher's archive, written as it exited").isRegularFile();
        assertThat(dir.resolve("cds/app-daemon.jsa")).as("the daemon's, written as it exited").isRegularFile();

        long pid = startMapping("cds/app-daemon.jsa", "-XX:SharedArchiveFile=cds/app.jsa");

        Daemons.Result stopped = daemons.run(dir, Daemons.sampleJar("stop", "--dir", "run"));
        assertThat(stopped.exit()).as(stopped.toString()).isZero();
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void withAutoCreateEachJvmKeepsItsOwnArchiveUpToDate() throws IOException {
        Assumptions.assumeTrue(Runtime.version().feature() >= 19, "-XX:+AutoCreateSharedArchive needs JDK 19");
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("cds"));
        List<String> start = List.of(Daemons.JAVA, "-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=cds/app.jsa",
                "-jar", Daemons.SAMPLE_JAR, "start", "--dir", "run");
        Daemons.Result first = daemons.run(dir, start);
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(Daemons.cmdline(first.startedPid()))
                .contains("-XX:SharedArchiveFile=" + dir.resolve("cds/app-daemon.jsa"));
        Daemons.Result stop = daemons.run(dir, Daemons.sampleJar("stop", "--dir", "run"));
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(dir.resolve("cds/app.jsa")).isRegularFile();
        assertThat(dir.resolve("cds/app-daemon.jsa")).as("created by the daemon as it exited").isRegularFile();

        long pid = startMapping("cds/app-daemon.jsa", start.subList(1, 3).toArray(new String[0]));

        Daemons.Result stopped = daemons.run(dir, Daemons.sampleJar("stop", "--dir", "run"));
        assertThat(stopped.exit()).as(stopped.toString()).isZero();
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void onJdk25ATrainingRestartWritesAnAotCachePerJvmAndTheDaemonMapsItsOwn() throws IOException {
        Assumptions.assumeTrue(Runtime.version().feature() >= 25, "-XX:AOTCacheOutput needs JDK 25");
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("cds"));
        Daemons.Result training = daemons.run(dir, List.of(Daemons.JAVA, "-XX:AOTCacheOutput=cds/app.aot",
                "-jar", Daemons.SAMPLE_JAR, "restart", "--dir", "run"));
        assertThat(training.exit()).as(training.toString()).isZero();
        long trained = training.startedPid();
        Daemons.Result stop = daemons.run(dir, Daemons.sampleJar("stop", "--dir", "run"));
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(isGone(trained)).isTrue();
        assertThat(dir.resolve("cds/app.aot")).isRegularFile();
        assertThat(dir.resolve("cds/app-daemon.aot")).as("the daemon's, assembled as it exited").isRegularFile();

        long pid = startMapping("cds/app-daemon.aot", "-XX:AOTCache=cds/app.aot");

        Daemons.Result stopped = daemons.run(dir, Daemons.sampleJar("stop", "--dir", "run"));
        assertThat(stopped.exit()).as(stopped.toString()).isZero();
        assertThat(isGone(pid)).isTrue();
    }

    /** Starts the sample with {@code options} and checks that the daemon maps {@code archive}; returns its pid. */
    private long startMapping(String archive, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(Daemons.JAVA));
        command.addAll(List.of(options));
        command.addAll(List.of("-jar", Daemons.SAMPLE_JAR, "start", "--dir", "run"));
        Daemons.Result start = daemons.run(dir, command);
        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(start.out() + start.err()).as("no JVM complaint about the archive").doesNotContain("cds");
        long pid = start.startedPid();
        assertThat(Files.readString(Path.of("/proc/" + pid + "/maps"))).as("the daemon maps %s", archive)
                .contains(dir.resolve(archive).toString());
        return pid;
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
