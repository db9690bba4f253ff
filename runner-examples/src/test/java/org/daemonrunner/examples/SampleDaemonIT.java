// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Await.await;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.isGone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.daemonrunner.Action;
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

/** The README's sample daemon, started as the README says: real JVMs, real pidfiles, real signals. */
@EnabledOnOs(OS.LINUX)
@Timeout(60)
class SampleDaemonIT {
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
    void startStatusStopWithJarRunsTheFullCycle() throws IOException {
        Path data = dir.resolve("sample.data");
        Command.Result start = daemons.run(SampleJar.command("start", "--dir", dir.toString(), "--interval", "0.1"));
        assertExit(start, 0);
        long pid = start.startedPid();
        assertThat(Files.readString(dir.resolve("sample.pid"))).isEqualTo(pid + "\n");

        Command.Result status = daemons.run(SampleJar.command("status", "--dir", dir.toString()));
        assertExit(status, 0);
        assertThat(status.out()).contains("running with pid " + pid);
        await("two lines in " + data, Duration.ofSeconds(10),
                () -> Daemons.readOrEmpty(data).lines().filter(l -> l.startsWith("Processing at")).count() >= 2);

        Command.Result stop = daemons.run(SampleJar.command("stop", "--dir", dir.toString()));
        assertThat(isGone(pid)).as("daemon %d gone when stop returned", pid).isTrue();
        assertExit(stop, 0);
        assertThat(stop.out()).contains("stopped (pid " + pid + ")");
        assertThat(dir.resolve("sample.pid")).doesNotExist();
        assertThat(Files.readString(data)).contains("Stopped at"); // the shutdown hook ran

        Command.Result after = daemons.run(SampleJar.command("status", "--dir", dir.toString()));
        assertExit(after, 3);
        assertThat(after.out()).contains("not running");
    }

    @Test
    void theDaemonGetsNoNativeAccessOptionAndLoadingJnrInItPrintsNoWarning() throws IOException {
        Command.Result start = daemons.run(SampleJar.command("start", "--dir", dir.toString(), "--interval", "0.1"));
        assertExit(start, 0);
        long pid = start.startedPid();
        // the option turns off CDS's archived module graph; JDK 17-23 do not need it, and on 24+ the jar declares it
        assertThat(Daemons.cmdline(pid)).noneMatch(a -> a.startsWith("--enable-native-access"));

        Path err = dir.resolve("sample.err");
        Path rotated = dir.resolve("sample.err.1");
        Files.move(err, rotated);
        Command.Result reopen = daemons.run(SampleJar.command("reopen-logs", "--dir", dir.toString()));
        assertExit(reopen, 0);
        await("the daemon to reopen " + err + " (through jnr-posix)", Duration.ofSeconds(20), () -> Files.exists(err));
        Command.Result stop = daemons.run(SampleJar.command("stop", "--dir", dir.toString()));
        assertExit(stop, 0);
        assertThat(Files.readString(rotated) + Files.readString(err)).doesNotContain("WARNING");
    }

    @Test
    void relativeClassPathJvmOptionsAndRelativePathsSurviveTheRelaunch() throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.copy(Path.of(SampleJar.PATH), lib.resolve("sample.jar"));
        Files.createDirectories(dir.resolve("run"));
        List<String> command = List.of(Daemons.JAVA, "-Xmx96m", "-Dsample.marker=kept", "-cp", "lib/sample.jar",
                SampleDaemon.class.getName(), "start", "--dir", "run", "--interval", "0.2");
        Command.Result start = daemons.run(dir, command);
        assertExit(start, 0);
        long pid = start.startedPid();

        List<String> cmdline = Daemons.cmdline(pid);
        assertThat(cmdline).contains("-Xmx96m", "-Dsample.marker=kept", lib.resolve("sample.jar").toString())
                .containsSubsequence("start", "--dir", "run");
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd"))).isEqualTo(Path.of("/"));
        assertThat(Files.readString(dir.resolve("run/sample.pid"))).startsWith(pid + "\n");
        await("the data file under the launch directory", Duration.ofSeconds(10),
                () -> Files.exists(dir.resolve("run/sample.data")));

        Command.Result stop = daemons.run(dir, List.of(Daemons.JAVA, "-cp", "lib/sample.jar",
                SampleDaemon.class.getName(), "stop", "--dir", "run"));
        assertExit(stop, 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void withoutOptionsTheSampleKeepsItsFilesUnderTheTempDirectoryAndSaysWhere() throws IOException {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Command.Result start = daemons.run(List.of(Daemons.JAVA, "-Djava.io.tmpdir=" + tmp, "-jar",
                SampleJar.PATH, "start"));
        assertExit(start, 0);
        Path home = tmp.resolve("daemonrunner-sample");
        assertThat(start.out()).contains(home.resolve("sample.pid").toString(), home.resolve("sample.data").toString());
        assertThat(home.resolve("sample.pid")).exists();
        Command.Result stop = daemons.run(List.of(Daemons.JAVA, "-Djava.io.tmpdir=" + tmp, "-jar",
                SampleJar.PATH, "stop"));
        assertExit(stop, 0);
    }

    @Test
    void aDefaultDirectoryOthersMayWriteToOrThatAnotherUserOwnsIsRefusedAndTheDataFileIsNeverALink()
            throws IOException {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path home = Files.createDirectories(tmp.resolve("daemonrunner-sample"));
        Path victim = Files.writeString(dir.resolve("victim"), "mine\n");
        Files.createSymbolicLink(home.resolve("sample.data"), victim);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> start = List.of(Daemons.JAVA, "-Djava.io.tmpdir=" + tmp, "-jar", SampleJar.PATH, "start",
                "--interval", "0.1");
        Command.Result writable = assertExit(daemons.run(start), 4);
        assertThat(writable.err()).contains("Refusing the sample's directory " + home + ": others may write to it"
                + " (mode rwxrwxrwx)", "--dir DIR");
        if (new com.sun.security.auth.module.UnixSystem().getUid() == 0) {
            Files.setAttribute(home, "unix:uid", 65534);
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
            Command.Result foreign = assertExit(daemons.run(start), 4);
            assertThat(foreign.err()).contains("Refusing the sample's directory " + home + ": it is owned by",
                    "(uid 65534), not by you (uid 0)");
        }
        assertThat(home.resolve("sample.pid")).doesNotExist();

        // a directory of one's own, given with --dir: the data file, a link, is still not followed
        Path own = Files.createDirectories(dir.resolve("own"));
        Files.createSymbolicLink(own.resolve("sample.data"), victim);
        assertExit(daemons.run(List.of(Daemons.JAVA, "-jar", SampleJar.PATH, "start", "--dir", own.toString(),
                "--interval", "0.1")), 0);
        await("the daemon to say that it does not follow the link", Duration.ofSeconds(20),
                () -> Daemons.readOrEmpty(own.resolve("sample.err")).contains("cannot append to "
                        + own.resolve("sample.data") + ": it is a symbolic link (to " + victim + ")"));
        assertExit(daemons.run(List.of(Daemons.JAVA, "-jar", SampleJar.PATH, "stop", "--dir", own.toString())), 0);
        assertThat(victim).hasContent("mine");
    }

    @Test
    void startAsAnUnprivilegedUserWithAnUnwritablePidfileDirectoryExits4NamingIt() throws IOException {
        Assumptions.assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0,
                "needs root to run the launcher as nobody");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        Assumptions.assumeTrue(readableByOthers(Path.of(SampleJar.PATH)), "the sample jar is not readable by nobody");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path locked = Files.createDirectories(dir.resolve("locked"));
        Command.Result start = daemons.run(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", Daemons.JAVA, "-jar", SampleJar.PATH, "start", "--dir", locked.toString()));
        assertExit(start, 4);
        assertThat(start.err()).contains("directory " + locked + " is not writable",
                "pidfile " + locked.resolve("sample.pid"));
        assertThat(locked.resolve("sample.pid")).doesNotExist();
    }

    private static boolean readableByOthers(Path file) throws IOException {
        if (!Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
            return false;
        }
        for (Path p = file.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void logsAreAppendedAcrossTwoRuns() throws IOException {
        List<Long> pids = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            Command.Result start = daemons.run(SampleJar.command("start", "--dir", dir.toString()));
            assertExit(start, 0);
            pids.add(start.startedPid());
            assertExit(daemons.run(SampleJar.command("stop", "--dir", dir.toString())), 0);
        }
        String out = Files.readString(dir.resolve("sample.out"));
        assertThat(out).contains("sample daemon " + pids.get(0) + " appending", "sample daemon " + pids.get(1)
                + " appending");
        try (Stream<String> lines = Files.lines(dir.resolve("sample.data"))) {
            assertThat(lines.filter(l -> l.startsWith("Stopped at")).count()).isEqualTo(2);
        }
    }

    @Test
    void onTheModulePathTheFatJarStartsReopensItsLogsAndStopsWithoutWarnings() throws IOException {
        // an automatic module (the shaded jar has no module-info): jdk.unsupported is not resolved unless added
        List<String> module = List.of(Daemons.JAVA, "-p", SampleJar.PATH, "-m",
                "sample.daemon/org.daemonrunner.examples.SampleDaemon");
        Command.Result start = assertExit(daemons.run(withArgs(module, "start", "--dir", dir.toString())), 0);
        long pid = start.startedPid();
        assertThat(Daemons.cmdline(pid)).contains("--add-modules=jdk.unsupported");
        Files.move(dir.resolve("sample.err"), dir.resolve("sample.err.1"));

        Command.Result reopen = assertExit(daemons.run(withArgs(module, "reopen-logs", "--dir", dir.toString())), 0);
        assertThat(reopen.out()).startsWith("reopened logs (SIGUSR1 sent to pid " + pid);
        assertExit(daemons.run(withArgs(module, "stop", "--dir", dir.toString())), 0);
        assertThat(isGone(pid)).isTrue();
        assertThat(start.err() + reopen.err() + Daemons.readOrEmpty(dir.resolve("sample.err.1"))
                + Daemons.readOrEmpty(dir.resolve("sample.err"))).doesNotContain("WARNING", "Exception");
    }

    @Test
    void aNumberOfSecondsThatIsNotOneIsAUsageErrorNamingTheOptionAndTheFormToWrite() {
        for (String option : List.of("--interval", "--init-delay")) {
            Command.Result start = daemons.run(SampleJar.command("start", "--dir", dir.toString(), option, "abc"));
            assertExit(start, 2, option);
            assertThat(start.err()).as(option)
                    .startsWith(option + " must be a number of seconds, such as 5 or 0.5, not 'abc'")
                    .doesNotContain("For input string", "NumberFormatException");
        }
        assertThat(dir.resolve("sample.pid")).doesNotExist();
    }

    @Test
    void theHelpListsEveryActionOfTheRunner() {
        for (String program : List.of("sample", "http")) {
            List<String> command = program.equals("sample") ? SampleJar.command("--help")
                    : List.of(Daemons.JAVA, "-cp", SampleJar.PATH, HttpService.class.getName(), "--help");
            Command.Result help = assertExit(daemons.run(command), 0, program);
            List<String> actions = new ArrayList<>();
            for (Action action : Action.values()) {
                actions.add(action.actionName());
            }
            assertThat(help.err()).as(program).contains(" " + String.join("|", actions) + " [options]")
                    .contains("|reopen-logs|", "|systemd-unit [options]");
        }
    }

    @Test
    void aPathTheLocaleCannotEncodeIsAUsageErrorSayingSoNotAStackTrace() {
        // a daemon started from a UTF-8 shell, then stopped from cron's C locale
        Command.Result stop = Command.of(SampleJar.command("stop", "--dir", dir.resolve("donn\u00e9es").toString()))
                .env("LC_ALL", "C").env("LANG", "C").in(dir).scratch(dir).run(Duration.ofSeconds(30));

        assertExit(stop, 2);
        assertThat(stop.err()).startsWith("Not a path in this locale's encoding (ANSI_X3.4-1968): ")
                .contains("LANG=C.UTF-8").doesNotContain("InvalidPathException", "\tat ");
    }

    @Test
    @Timeout(180)
    void aJpackageAppImageIsRefusedBeforeDetachingSayingToUseRun() throws IOException {
        Path jpackage = Path.of(Daemons.JAVA).resolveSibling("jpackage");
        Assumptions.assumeTrue(Files.isExecutable(jpackage), "no jpackage beside " + Daemons.JAVA);
        Path input = Files.createDirectories(dir.resolve("in"));
        Files.copy(Path.of(SampleJar.PATH), input.resolve("sample-daemon.jar"));
        // the JDK itself as the image's runtime: a copy, where a jlink of its modules takes 10 s
        assertExit(Command.of(jpackage.toString(), "--type", "app-image", "--name", "sample", "--input",
                input.toString(), "--main-jar", "sample-daemon.jar", "--dest", dir.resolve("image").toString(),
                "--runtime-image", jpackage.getParent().getParent().toString())
                .in(dir).scratch(dir).run(Duration.ofSeconds(150)), 0);
        Path launcher = dir.resolve("image/sample/bin/sample"); // a native launcher, not java

        Command.Result start = assertExit(daemons.run(List.of(launcher.toString(), "start", "--dir",
                dir.resolve("files").toString())), 1);

        assertThat(start.err()).contains("Cannot start: this program runs from " + launcher + ", a native launcher",
                "use 'run' under a supervisor");
        assertThat(dir.resolve("files/sample.pid")).doesNotExist();
        assertExit(daemons.run(List.of(launcher.toString(), "status", "--dir", dir.resolve("files").toString())), 3);
    }

    private static List<String> withArgs(List<String> command, String... args) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(args));
        return all;
    }
}
