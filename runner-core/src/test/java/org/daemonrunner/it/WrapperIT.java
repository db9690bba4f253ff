// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Await.await;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.isGone;
import static org.daemonrunner.it.Wrapped.accepts;
import static org.daemonrunner.it.Wrapped.wrapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.daemonrunner.internal.proc.Signal;
import org.daemonrunner.internal.proc.ProcessControl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daemonrunner.jar} daemonizes a plain program that knows nothing of daemonrunner ({@code PlainHttpMain},
 * compiled and jarred here): started until its port accepts, reported, reloaded, restarted and stopped, with flags and with a
 * config file; its failures reported with their root cause; bad options refused with status 2.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(90)
class WrapperIT {
    private static Path plainJar;

    @TempDir
    static Path jars;
    @TempDir
    Path dir;
    Daemons daemons;
    int port;
    Path pidfile;
    Path marker;

    @BeforeAll
    static void jarThePlainProgram() throws IOException {
        plainJar = Wrapped.plainJar(jars);
    }

    @BeforeEach
    void setUp() throws IOException {
        daemons = new Daemons(dir);
        port = Wrapped.freePort();
        pidfile = dir.resolve("plain.pid");
        marker = dir.resolve("stopped.marker");
    }

    @AfterEach
    void killEverythingStarted() throws IOException {
        daemons.close();
    }

    private Command.Result flags(String... action) {
        List<String> args = new ArrayList<>(List.of("--pidfile", pidfile.toString(), "--ready", "port:" + port,
                "--stop-timeout", "20s"));
        args.addAll(List.of(action));
        args.addAll(List.of("--", "-Xshare:auto", "-jar", plainJar.toString(), Integer.toString(port), marker.toString()));
        return daemons.run(wrapper(args.toArray(String[]::new)));
    }

    @Test
    void aPlainMainIsStartedReportedReloadedRestartedAndStoppedWithFlags() throws IOException {
        lifecycle(this::flags);
    }

    @Test
    void theSameWithAConfigFileWhoseSettingsTheCommandLineOverrides() throws IOException {
        Path config = Wrapped.config(dir.resolve("plain.conf"),
                "# the plain HTTP server, daemonized",
                "pidfile = " + pidfile,
                "ready=port:" + port,
                "stderr=" + dir.resolve("wrong.err"),
                "--",
                "-jar",
                plainJar.toString(),
                Integer.toString(port),
                marker.toString());
        lifecycle(action -> {
            List<String> args = new ArrayList<>(List.of("--config", config.toString(), "--stderr", "plain.err"));
            args.addAll(List.of(action));
            return daemons.run(wrapper(args.toArray(String[]::new)));
        });
        assertThat(dir.resolve("plain.err")).exists();
        assertThat(dir.resolve("wrong.err")).doesNotExist();
    }

    private interface Run {
        Command.Result run(String... action) throws IOException;
    }

    private void lifecycle(Run wrapper) throws IOException {
        Command.Result start = assertExit(wrapper.run("start"), 0);
        long pid = start.startedPid();
        assertThat(accepts(port)).as("port %d accepts as soon as start returned", port).isTrue();
        assertThat(Files.readString(pidfile).trim()).isEqualTo(Long.toString(pid));
        assertThat(Daemons.cmdline(pid)).as("one JVM: the program's own, through ProgramMain")
                .noneMatch(arg -> arg.startsWith("-javaagent:"))
                .contains("-cp", plainJar + ":" + Wrapped.jar(), "org.daemonrunner.internal.wrap.ProgramMain",
                        "-jar", plainJar.toString(), Integer.toString(port));

        assertThat(assertExit(wrapper.run("status"), 0).out()).contains("running", Long.toString(pid));
        assertThat(assertExit(wrapper.run("status", "--json"), 0).out())
                .contains("\"status\":\"running\"", "\"pid\":" + pid, "\"state\":\"ready\"");

        assertThat(assertExit(wrapper.run("reload"), 0).out()).contains("SIGHUP sent to pid " + pid,
                "The program reloads only if it handles SIGHUP itself");
        Path err = dir.resolve("plain.err");
        await("the program's note that it has no reload hook", Duration.ofSeconds(10),
                () -> Daemons.readOrEmpty(err).contains("no reload hook"));
        assertThat(isGone(pid)).as("SIGHUP does not end the program").isFalse();

        Command.Result restart = assertExit(wrapper.run("restart"), 0);
        long second = restart.startedPid();
        assertThat(second).isNotEqualTo(pid);
        assertThat(isGone(pid)).isTrue();
        assertThat(Files.readString(marker)).contains("shutdown hook ran");
        Files.delete(marker);
        assertThat(accepts(port)).as("port %d accepts as soon as restart returned", port).isTrue();

        assertThat(assertExit(wrapper.run("stop"), 0).out()).contains("stopped");
        assertThat(isGone(second)).isTrue();
        assertThat(Files.readString(marker)).as("SIGTERM ran the program's shutdown hooks").contains("shutdown hook ran");
        assertThat(accepts(port)).as("port %d is free", port).isFalse();
        assertThat(pidfile).doesNotExist();
        assertExit(wrapper.run("status"), 3);
    }

    @Test
    void argumentsTheLocaleCannotCarryAreRefusedForEveryActionAndPassedOnAsTheirBytesUnderUtf8() throws IOException {
        String format = "-Dgreeting=h\\303\\251llo";
        String utf8 = new String("-Dgreeting=h\u00e9llo".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        List<String> start = wrapper("--pidfile", pidfile.toString(), "--ready", "port:" + port, "start", "--",
                Daemons.BYTES, "-jar", plainJar.toString(), Integer.toString(port), marker.toString());
        Command.Result refused = daemons.run(Daemons.inLocale("C", format, start));
        assertExit(refused, 2);
        assertThat(refused.err().strip()).isEqualTo("Bad command line: the argument \"-Dgreeting=h\\xc3\\xa9llo\" is not"
                + " valid US-ASCII, the encoding this JVM reads its command line in (its locale's: LC_ALL, LC_CTYPE or"
                + " LANG), so it cannot be passed on unchanged; run this again with a UTF-8 locale, e.g."
                + " LC_ALL=C.UTF-8.");
        // a path the JVM cannot read as given would be acted on altered ("not running" of another file)
        Command.Result status = daemons.run(Daemons.inLocale("C", dir + "/\\303\\251.pid",
                wrapper("--pidfile", Daemons.BYTES, "status")));
        assertExit(status, 2);
        assertThat(status.err()).startsWith("Bad --pidfile: \"" + dir + "/??.pid\" was not valid US-ASCII as given");
        // every setting must be usable, even one status does not need (it is read as the others are)
        Command.Result chdir = daemons.run(Daemons.inLocale("C", dir + "/\\303\\251", wrapper("--pidfile",
                pidfile.toString(), "--chdir", Daemons.BYTES, "status")));
        assertExit(chdir, 2);
        assertThat(chdir.err()).startsWith("Bad --chdir: \"" + dir + "/??\" was not valid US-ASCII as given");
        Command.Result readyFile = daemons.run(Daemons.inLocale("C", "file:" + dir + "/\\303\\251", wrapper(
                "--pidfile", pidfile.toString(), "--ready", Daemons.BYTES, "status")));
        assertExit(readyFile, 2);
        assertThat(readyFile.err().strip()).as("one line, as for the other settings, not the usage text")
                .startsWith("Bad --ready: \"file:" + dir + "/??\" was not valid US-ASCII as given")
                .doesNotContain("Usage:");
        // JAVA_ARGS that an action does not use do not stop it (an init script gives every action the same ones)
        List<String> statusWithJavaArgs = wrapper("--pidfile", pidfile.toString(), "status", "--", Daemons.BYTES,
                "-jar", plainJar.toString());
        assertExit(daemons.run(Daemons.inLocale("C", format, statusWithJavaArgs)), 3);
        // in --config (UTF-8), the same argument cannot be given to the daemon's JVM under the C locale either
        Path config = Wrapped.config(dir.resolve("greeting.conf"), "pidfile=" + pidfile, "ready=port:" + port, "--",
                "-Dgreeting=h\u00e9llo", "-jar", plainJar.toString(), Integer.toString(port), marker.toString());
        Command.Result configured = daemons.run(Daemons.inLocale("C", "", wrapper("--config", config.toString(),
                "start")));
        assertExit(configured, 2);
        assertThat(configured.err()).startsWith("Bad JAVA_ARGS: the argument \"-Dgreeting=h\\xc3\\xa9llo\" (UTF-8) has"
                + " characters that US-ASCII");
        Path elsewhere = Wrapped.config(dir.resolve("elsewhere.conf"), "pidfile=" + dir + "/\u00e9.pid");
        Command.Result unnamable = daemons.run(Daemons.inLocale("C", "", wrapper("--config", elsewhere.toString(),
                "status")));
        assertExit(unnamable, 2);
        assertThat(unnamable.err()).startsWith("Bad --pidfile: \"" + dir + "/\\xc3\\xa9.pid\" (UTF-8) has characters"
                + " that US-ASCII, the encoding of file names and command lines here");
        assertThat(pidfile).doesNotExist();

        // nor can a working directory whose name the JVM reads wrong resolve a relative path, or be the daemon's
        String lossy = dir + "/\\303\\251";
        Command.Result relative = daemons.run(Daemons.inLocaleAndDirectory("C", lossy,
                wrapper("--pidfile", "plain.pid", "status")));
        assertExit(relative, 2);
        assertThat(relative.err().strip()).isEqualTo("Bad working directory: --pidfile plain.pid would be resolved"
                + " against it, but the name of the working directory, " + dir + "/?? as this JVM reads it, is not valid"
                + " US-ASCII, the encoding this JVM reads names in (its locale's: LC_ALL, LC_CTYPE or LANG), so paths"
                + " relative to it would name other files; run this again with a UTF-8 locale, e.g. LC_ALL=C.UTF-8, or"
                + " from another directory.");
        assertExit(daemons.run(Daemons.inLocaleAndDirectory("C", lossy, wrapper("--pidfile", pidfile.toString(),
                "status"))), 3);
        Command.Result startThere = daemons.run(Daemons.inLocaleAndDirectory("C", lossy,
                wrapper("--pidfile", pidfile.toString(), "start", "--", "-jar", plainJar.toString(),
                        Integer.toString(port), marker.toString())));
        assertExit(startThere, 2);
        assertThat(startThere.err()).startsWith("Bad working directory: 'start' makes the program's relative paths"
                + " absolute against it, but the name of the working directory");
        assertThat(pidfile).doesNotExist();

        long pid = assertExit(daemons.run(Daemons.inLocale("C.UTF-8", format, start)), 0).startedPid();
        assertThat(Daemons.rawArguments(pid)).as("the daemon's command line, as bytes").contains(utf8);
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "stop")), 0);
        pid = assertExit(daemons.run(Daemons.inLocale("C.UTF-8", "", wrapper("--config", config.toString(), "start"))),
                0).startedPid();
        assertThat(Daemons.rawArguments(pid)).as("from --config").contains(utf8);
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "stop")), 0);
    }

    @Test
    void reopenLogsWithOnlyThePidfileReopensTheLogsTheDaemonWasStartedWith() throws IOException {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path out = logs.resolve("app.out");
        Path err = logs.resolve("app.err");
        long pid = assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "--stdout", out.toString(),
                "--stderr", err.toString(), "--ready", "port:" + port, "start", "--", "-jar", plainJar.toString(),
                Integer.toString(port), marker.toString())), 0).startedPid();
        Files.move(out, logs.resolve("app.out.1"));
        Files.move(err, logs.resolve("app.err.1"));

        Command.Result reopen = assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "reopen-logs")), 0);
        assertThat(out).as("%s", reopen).exists();
        assertThat(err).exists();
        assertThat(Path.of("/proc/" + pid + "/fd/2").toRealPath()).isEqualTo(err.toRealPath());
        assertThat(dir.resolve("plain.out")).as("not the default beside the pidfile").doesNotExist();
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "stop")), 0);
    }

    @Test
    void reopenLogsOfADaemonWhoseLogsAreDevNullSaysSoAtOnceNamingDevNull() {
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "--stdout", "/dev/null", "--stderr",
                "/dev/null", "--ready", "port:" + port, "start", "--", "-jar", plainJar.toString(),
                Integer.toString(port), marker.toString())), 0);
        Command.Result reopen = assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "reopen-logs")), 1);
        assertThat(reopen.err()).contains("could not confirm that it reopened its logs: its standard output and"
                + " error are /dev/null and /dev/null, but /dev/null is not a regular file")
                .doesNotContain("plain.out", "plain.err", "'run'");
        assertThat(reopen.took()).as("at once, not after the 10s wait").isLessThan(Duration.ofSeconds(5));
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "stop")), 0);
    }

    @Test
    void reopenLogsIsConfirmedForAProgramThatReplacedSystemErrRenamedOrNot() throws IOException {
        Path err = dir.resolve("plain.err");
        long pid = startPlain();
        assertThat(Wrapped.get(port, "/own-stderr")).startsWith("HTTP/1.1 200");

        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "reopen-logs")), 0);
        assertThat(Daemons.readOrEmpty(err)).as("on descriptor 2, not the program's System.err")
                .contains("daemonrunner: pid " + pid + " reopened the logs ");

        Files.move(dir.resolve("plain.out"), dir.resolve("plain.out.1"));
        Files.move(err, dir.resolve("plain.err.1"));
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "reopen-logs")), 0);
        assertThat(Path.of("/proc/" + pid + "/fd/2").toRealPath()).isEqualTo(err.toRealPath());
        assertThat(Daemons.readOrEmpty(Path.of(marker + ".stderr"))).doesNotContain("reopened the logs");
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "stop")), 0);
    }

    @Test
    void aRelativePidfileGivenFromAnotherDirectoryIsNamedInFullWhenNothingRunsThere() throws IOException {
        Path started = Files.createDirectories(dir.resolve("a/r")).getParent();
        Files.createDirectories(dir.resolve("r"));
        List<String> program = List.of("--", "-jar", plainJar.toString(), Integer.toString(port), marker.toString());
        List<String> start = new ArrayList<>(List.of("--pidfile", "r/plain.pid", "--ready", "port:" + port, "start"));
        start.addAll(program);
        long pid = assertExit(daemons.run(started, wrapper(start.toArray(String[]::new))), 0).startedPid();

        // the same relative path from the parent directory names another file: stop says which, and that nothing ran
        Command.Result elsewhere = assertExit(daemons.run(dir, wrapper("--pidfile", "r/plain.pid", "stop")), 0);
        assertThat(elsewhere.out().trim()).isEqualTo("not running (no pidfile " + dir.resolve("r/plain.pid") + ")");
        assertThat(isGone(pid)).isFalse();
        assertThat(assertExit(daemons.run(dir, wrapper("--pidfile", "r/plain.pid", "status")), 3).out().trim())
                .isEqualTo("not running (no pidfile " + dir.resolve("r/plain.pid") + ")");

        assertThat(assertExit(daemons.run(started, wrapper("--pidfile", "r/plain.pid", "status")), 0).out())
                .endsWith(", pidfile " + started.resolve("r/plain.pid") + System.lineSeparator());
        assertExit(daemons.run(started, wrapper("--pidfile", "r/plain.pid", "stop")), 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void mainReturnedByDefaultAndAReadyFileAreWaitedFor() throws IOException {
        Path ready = dir.resolve("ready.flag");
        List<String> program = List.of("--", "-jar", plainJar.toString(), Integer.toString(port), marker.toString(),
                ready.toString());
        List<String> byDefault = new ArrayList<>(List.of("--pidfile", pidfile.toString(), "start"));
        byDefault.addAll(program);
        long pid = assertExit(daemons.run(wrapper(byDefault.toArray(String[]::new))), 0).startedPid();
        assertThat(accepts(port)).as("main returned after the server started: port %d accepts", port).isTrue();
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "stop")), 0);
        assertThat(isGone(pid)).isTrue();
        Files.delete(ready);

        List<String> byFile = new ArrayList<>(List.of("--pidfile", pidfile.toString(), "--ready", "file:ready.flag",
                "start"));
        byFile.addAll(program);
        assertExit(daemons.run(wrapper(byFile.toArray(String[]::new))), 0);
        assertThat(ready).as("start returned once the program wrote its ready file").exists();
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "stop")), 0);
    }

    @Test
    void aReadyFileLeftByAnEarlierRunCountsOnlyOnceTheProgramWritesItAgain() throws IOException {
        Path ready = Files.writeString(dir.resolve("ready.flag"), "from an earlier run\n");
        Files.setLastModifiedTime(ready, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        Command.Result never = daemons.run(wrapper("--pidfile", pidfile.toString(), "--start-timeout", "3s", "--ready",
                "file:" + ready, "start", "--", "-jar", plainJar.toString(), Integer.toString(port), marker.toString(),
                "block"));
        assertExit(never, 1);
        assertThat(never.err()).contains("did not become ready within 3s", ready
                + " was not created or modified since this daemon was launched (--ready file:PATH): it exists");
        assertThat(ready).as("the user's file is left in place").hasContent("from an earlier run");

        Files.setLastModifiedTime(ready, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "--ready", "file:" + ready, "start", "--",
                "-jar", plainJar.toString(), Integer.toString(port), marker.toString(), ready.toString())), 0);
        assertThat(accepts(port)).as("ready once the program rewrote its marker: port %d accepts", port).isTrue();
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "stop")), 0);
    }

    @Test
    void aMainThatNeverReturnsIsReadyOnceItsPortListens() throws IOException {
        long pid = assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "--ready", "port:" + port, "start",
                "--", "-jar", plainJar.toString(), Integer.toString(port), marker.toString(), "block")), 0).startedPid();
        assertThat(accepts(port)).as("port %d accepts as soon as start returned", port).isTrue();
        await("main to go on blocking after it listened", Duration.ofSeconds(10),
                () -> Daemons.readOrEmpty(dir.resolve("plain.out")).contains("listening on " + port));
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "stop")), 0);
        assertThat(isGone(pid)).isTrue();
        assertThat(Files.readString(marker)).contains("shutdown hook ran");
    }

    @Test
    void aMainThatNeverReturnsTimesStartOutWithTheDefaultReadinessSayingWhatToGive() throws IOException {
        Command.Result start = daemons.run(wrapper("--pidfile", pidfile.toString(), "--start-timeout", "3s", "start",
                "--", "-jar", plainJar.toString(), Integer.toString(port), marker.toString(), "block"));
        assertExit(start, 1);
        assertThat(start.err()).contains("did not become ready within 3s", "has exited",
                "its main() had not returned yet (--ready main-returned, the default)", "give --ready port:N");
        assertThat(Files.readString(marker)).as("stopped as SIGTERM stops it").contains("shutdown hook ran");
        assertThat(pidfile).doesNotExist();
        assertThat(accepts(port)).isFalse();
    }

    @Test
    void aStopDuringStartIsSaidToBeAStopWithoutTheReadinessAdviceOfATimeout() {
        Command.Running start = daemons.spawn(Command.of(wrapper("--pidfile", pidfile.toString(), "--start-timeout",
                "60s", "start", "--", "-jar", plainJar.toString(), Integer.toString(port), marker.toString(), "block"))
                .in(dir).output(dir.resolve("start.out"), dir.resolve("start.err")));
        await("the program, not ready by default as its main blocks, to listen on " + port, Duration.ofSeconds(30),
                () -> accepts(port));
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "stop")), 0);
        Command.Result started = start.finish(Duration.ofSeconds(30));
        assertExit(started, 1);
        assertThat(started.err()).contains("exited with status 0 before it was ready",
                "it was stopped before it was ready: SIGTERM came ", "before start's 60s wait for readiness ended"
                + " (a stop, not start's timeout), while its main() had not returned yet (--ready main-returned, the"
                + " default); it exits (status 0) without becoming ready").doesNotContain("give --ready port:N");
    }

    @Test
    @Timeout(240)
    void aProgramThatEndsOnItsOwnAfterItWasReadySaysHowInItsLogAndAStopSaysNothing() throws IOException {
        Path err = dir.resolve("plain.err");
        long exited = startPlain();
        assertThat(Wrapped.get(port, "/exit")).startsWith("HTTP/1.1 200");
        await("pid " + exited + " to end after System.exit", Duration.ofSeconds(20), () -> isGone(exited));
        assertThat(Daemons.readOrEmpty(err)).containsPattern(exitLine(exited, "on its own after it was ready")
                + "System.exit\\(\\) was called by PlainHttpMain.lambda\\$main\\$\\d+\\(PlainHttpMain.java:\\d+\\) in"
                + " thread 'exit' \\(exit status unknown");

        long closed = startPlain();
        assertThat(Wrapped.get(port, "/exit-quietly")).startsWith("HTTP/1.1 200");
        await("pid " + closed + " to end after System.exit", Duration.ofSeconds(20), () -> isGone(closed));
        assertThat(Daemons.readOrEmpty(err)).as("written to the log by its path: the program closed System.err")
                .containsPattern(exitLine(closed, "on its own after it was ready") + "System.exit\\(\\) was called");

        long quit = startPlain();
        assertThat(Wrapped.get(port, "/quit")).startsWith("HTTP/1.1 200");
        await("pid " + quit + " to end with its last non-daemon thread", Duration.ofSeconds(20), () -> isGone(quit));
        assertThat(Daemons.readOrEmpty(err)).containsPattern(exitLine(quit, "on its own after it was ready")
                + "its last non-daemon thread has ended");

        long threw = assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "--ready", "port:" + port, "start",
                "--", "-jar", plainJar.toString(), Integer.toString(port), marker.toString(), "throw-on-request")), 0)
                .startedPid();
        assertThat(Wrapped.get(port, "/throw")).startsWith("HTTP/1.1 200");
        await("pid " + threw + " to end after its main threw", Duration.ofSeconds(20), () -> isGone(threw));
        assertThat(Daemons.readOrEmpty(err)).containsPattern(exitLine(threw, "on its own after it was ready")
                + "its last non-daemon thread has ended, after its main\\(\\) had thrown java.lang.IllegalStateException:"
                + " the cache went away");

        // a stop schedule that starts with SIGINT: the JVM's default handling ends it, which the daemon cannot tell
        // from anyone else's SIGINT, so the line names the signal (and does not say "on its own")
        long interrupted = startPlain();
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "--stop-schedule", "INT/10/KILL/5", "stop")), 0);
        assertThat(isGone(interrupted)).isTrue();
        assertThat(Daemons.readOrEmpty(err)).containsPattern(exitLine(interrupted, "after it was ready, on SIGINT")
                + "the JVM's default handling of SIGINT \\(exit status 130\\)");

        long stopped = startPlain();
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "stop")), 0);
        assertThat(Daemons.readOrEmpty(err)).as("SIGTERM, a stop: no line about it")
                .doesNotContain("pid " + stopped + " is exiting");
        assertThat(Daemons.readOrEmpty(err).lines().filter(line -> line.contains(" is exiting ")))
                .as("one line for each of the five ends before").hasSize(5);
    }

    @Test
    @Timeout(120)
    void aProgramThatExitsWhileItsOwnShutdownHookStillRunsIsStillRunningAndItsPidfileStaysUntilTheHookEnds()
            throws IOException {
        Path err = dir.resolve("plain.err");
        long pid = startPlain();
        assertThat(Wrapped.get(port, "/exit-slowly")).startsWith("HTTP/1.1 200");
        await("the program's slow shutdown hook to begin", Duration.ofSeconds(20),
                () -> Daemons.readOrEmpty(err).contains("slow hook: waiting"));

        Command.Result status = daemons.run(wrapper("--pidfile", pidfile.toString(), "status"));
        assertExit(status, 0);
        assertThat(status.out()).as("its hook still runs: the process, its lock and its port are still there")
                .contains("running with pid " + pid + " (stopping)");
        assertThat(Files.readString(pidfile).strip()).isEqualTo(Long.toString(pid));
        assertThat(isGone(pid)).isFalse();

        Files.writeString(Path.of(marker + ".release"), "");
        await("pid " + pid + " to end once its hook did", Duration.ofSeconds(20), () -> isGone(pid));
        assertThat(pidfile).as("removed after every hook, before the process ended").doesNotExist();
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "status")), 3);
    }

    /** The start of the line a daemon's log gets when daemonrunner did not end it, as a pattern (its time in UTC). */
    private static String exitLine(long pid, String how) {
        return "daemonrunner: pid " + pid + " is exiting " + how
                + " \\(at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:[0-9.]+Z\\): ";
    }

    /** Starts the plain program until its port accepts; returns its pid. */
    private long startPlain() {
        return assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "--ready", "port:" + port, "start",
                "--", "-jar", plainJar.toString(), Integer.toString(port), marker.toString())), 0).startedPid();
    }

    @Test
    void aMainThatThrowsBeforeReadyFailsStartWithItsRootCause() {
        Command.Result start = daemons.run(wrapper("--pidfile", pidfile.toString(), "start", "--", "-jar",
                plainJar.toString(), Integer.toString(port), marker.toString(), "fail"));
        assertExit(start, 1);
        assertThat(start.err()).contains("exited with status 1 before it was ready",
                "root cause: java.io.IOException: the config file /etc/plain.conf is missing");

        // a thread of its own kept the JVM up: start waited its whole timeout, then said "did not become ready"
        Command.Result kept = daemons.run(wrapper("--pidfile", pidfile.toString(), "--ready", "port:" + port,
                "--start-timeout", "30s", "start", "--", "-jar", plainJar.toString(), Integer.toString(port),
                marker.toString(), "fail-with-a-thread"));
        assertExit(kept, 1);
        assertThat(kept.err()).contains("exited with status 1 before it was ready",
                "root cause: java.io.IOException: the config file /etc/plain.conf is missing")
                .doesNotContain("did not become ready");
        assertThat(pidfile).doesNotExist();

        Command.Result typo = daemons.run(wrapper("--pidfile", pidfile.toString(), "start", "--", "-cp",
                plainJar.toString(), "PlainHttpMian"));
        assertExit(typo, 1);
        assertThat(typo.err()).as("the java launcher's words, before the program or the pidfile")
                .contains("could not find or load main class PlainHttpMian");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void aProgramThatEndsBeforeItIsReadyFailsStartNamingHow() {
        Command.Result exit = daemons.run(wrapper("--pidfile", pidfile.toString(), "--ready", "port:" + port, "start",
                "--", "-jar", plainJar.toString(), Integer.toString(port), marker.toString(), "exit"));
        assertExit(exit, 1);
        assertThat(exit.err()).containsPattern("exited with status 6 before it was ready: System.exit\\(\\) was called by"
                + " PlainHttpMain.main\\(PlainHttpMain.java:\\d+\\) in thread 'main'\\.");

        Command.Result ended = daemons.run(wrapper("--pidfile", pidfile.toString(), "--ready", "port:" + port, "start",
                "--", "-jar", plainJar.toString(), Integer.toString(port), marker.toString(), "return"));
        assertExit(ended, 1);
        assertThat(ended.err()).contains("exited with status 0 before it was ready: its last non-daemon thread has ended,"
                + " as its main() returned with no other non-daemon thread running, and this JVM was not listening on"
                + " TCP port " + port + " yet (--ready port:" + port + "): a program that ends when its main() returns"
                + " is not a daemon");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void aModuleWhoseMainPackageItDoesNotExportGetsItsArgumentsUnchangedAndClasspathFromTheEnvironment()
            throws IOException {
        Path source = Files.createDirectories(dir.resolve("src/hello/pkg"));
        Files.writeString(dir.resolve("src/module-info.java"), "module hello.mod { }"); // exports nothing
        Files.writeString(source.resolve("Hello.java"), String.join("\n",
                "package hello.pkg;",
                "public class Hello {",
                "    public static void main(String[] args) throws Exception {",
                "        java.util.List<String> seen = new java.util.ArrayList<>(java.util.List.of(args));",
                "        seen.add(System.getProperty(\"java.class.path\"));",
                "        seen.add(System.getProperty(\"sun.java.command\"));",
                "        java.nio.file.Files.write(java.nio.file.Path.of(args[0]), seen);",
                "        new Thread(() -> { try { Thread.sleep(Long.MAX_VALUE); } catch (InterruptedException e) { } }).start();",
                "    }",
                "}"));
        Path classes = dir.resolve("classes");
        Path modules = Files.createDirectories(dir.resolve("mods"));
        Wrapped.tool("javac", "--release", "17", "-d", classes.toString(), dir.resolve("src/module-info.java").toString(),
                source.resolve("Hello.java").toString());
        Wrapped.tool("jar", "--create", "--file", modules.resolve("hello.jar").toString(), "--main-class",
                "hello.pkg.Hello", "-C", classes.toString(), ".");
        Path seen = dir.resolve("args.txt");

        // with -m and no -cp, java's class path is $CLASSPATH
        List<String> start = new ArrayList<>(List.of("env", "CLASSPATH=" + classes));
        start.addAll(wrapper("--pidfile", pidfile.toString(), "start", "--", "-p", "mods", "-m", "hello.mod",
                seen.toString(), "two words", "$HOME", ""));
        long pid = assertExit(daemons.run(start), 0).startedPid();
        assertThat(Files.readAllLines(seen)).as("main's arguments, as given, then its class path and command")
                .containsExactly(seen.toString(), "two words", "$HOME", "", classes + ":" + Wrapped.jar(),
                        "hello.mod " + seen + " two words $HOME ");
        assertThat(Daemons.cmdline(pid)).contains("--add-modules=hello.mod", "--add-opens=hello.mod/hello.pkg=ALL-UNNAMED",
                "-m", "hello.mod");
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "stop")), 0);
        assertThat(isGone(pid)).isTrue();

        // the same classes on the class path, the main class named with slashes, which java accepts too
        long second = assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "start", "--", "-cp",
                classes.toString(), "hello/pkg/Hello", seen.toString(), "again")), 0).startedPid();
        assertThat(Files.readAllLines(seen)).containsExactly(seen.toString(), "again", classes + ":" + Wrapped.jar(),
                "hello/pkg/Hello " + seen + " again");
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "stop")), 0);
        assertThat(isGone(second)).isTrue();
    }

    @Test
    void aProgramUnderLimitModulesStartsAndStopsAsInTheForeground() throws IOException {
        // the daemon's signal handlers need jdk.unsupported, which --limit-modules left out: the daemon died in start
        long pid = assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "--ready", "port:" + port, "start",
                "--", "--limit-modules", "java.base,jdk.httpserver", "-cp", plainJar.toString(), "PlainHttpMain",
                Integer.toString(port), marker.toString())), 0).startedPid();
        assertThat(accepts(port)).isTrue();
        assertThat(Daemons.cmdline(pid)).contains("--add-modules=jdk.unsupported");
        assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "stop")), 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void aMainInheritedFromASuperclassRunsAfterTheNamedClasssStaticInitializerAsInTheForeground() throws IOException {
        Path source = Files.createDirectories(dir.resolve("src"));
        Files.writeString(source.resolve("Base.java"), String.join("\n",
                "public class Base {",
                "    public static void main(String[] args) throws Exception {",
                "        java.nio.file.Files.writeString(java.nio.file.Path.of(args[0]), \"main\\n\",",
                "                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);",
                "    }",
                "}"));
        Files.writeString(source.resolve("Derived.java"), String.join("\n",
                "public class Derived extends Base {",
                "    static {",
                "        try {",
                "            java.nio.file.Files.writeString(java.nio.file.Path.of(System.getProperty(\"seen\")),",
                "                    \"Derived initialised\\n\", java.nio.file.StandardOpenOption.CREATE);",
                "        } catch (java.io.IOException e) {",
                "            throw new java.io.UncheckedIOException(e);",
                "        }",
                "    }",
                "}"));
        Path classes = dir.resolve("inherited");
        Wrapped.tool("javac", "--release", "17", "-d", classes.toString(), source.resolve("Base.java").toString(),
                source.resolve("Derived.java").toString());
        Path seen = dir.resolve("seen.txt");
        Command.Result foreground = Command.of(List.of(Daemons.JAVA, "-Dseen=" + seen, "-cp", classes.toString(),
                "Derived", seen.toString())).run(Duration.ofSeconds(30));
        assertExit(foreground, 0);
        List<String> inForeground = Files.readAllLines(seen);
        Files.delete(seen);
        // the daemon's main returns and nothing else runs: it ends (status 0), and start says it is no daemon
        Command.Result start = daemons.run(wrapper("--pidfile", pidfile.toString(), "start", "--", "-Dseen=" + seen,
                "-cp", classes.toString(), "Derived", seen.toString()));
        assertExit(start, 1);
        assertThat(start.err()).contains("exited with status 0 before it was ready", "is not a daemon");
        await("the program's main", Duration.ofSeconds(20), () -> Daemons.readOrEmpty(seen).contains("main"));
        assertThat(Files.readAllLines(seen)).isEqualTo(inForeground).containsExactly("Derived initialised", "main");
    }

    @Test
    void runIsTheProgramInTheForegroundAndExitsZeroOnTerm() {
        Command.Result result = runUntilListeningThenTerm("--pidfile", pidfile.toString(), "--ready", "port:" + port,
                "run", "--", "-cp", plainJar.toString(), "PlainHttpMain", Integer.toString(port), marker.toString());
        assertExit(result, 0, "run's status, the program's after SIGTERM");
        assertThat(Daemons.readOrEmpty(marker)).as("%s", result).contains("shutdown hook ran");
        assertThat(accepts(port)).isFalse();
    }

    @Test
    void runStoppedBeforeItsDefaultReadinessHeldSaysNothingOfReadiness() {
        Command.Result result = runUntilListeningThenTerm("--pidfile", pidfile.toString(), "run", "--", "-cp",
                plainJar.toString(), "PlainHttpMain", Integer.toString(port), marker.toString(), "block");
        assertExit(result, 0, "run's status, the program's after SIGTERM");
        assertThat(result.err()).as("in the foreground no one waits for readiness").doesNotContain("SIGTERM came before");
    }

    /** daemonrunner.jar's {@code run} of the plain program, until its port accepts and the pidfile names it, then TERM. */
    private Command.Result runUntilListeningThenTerm(String... args) {
        Command.Running run = daemons.spawn(Command.of(wrapper(args)).in(dir).output(dir.resolve("run.out"),
                dir.resolve("run.err")));
        await("the program in the foreground to listen on " + port, Duration.ofSeconds(30), () -> accepts(port));
        await("the pidfile to name the program's JVM", Duration.ofSeconds(10),
                () -> !Daemons.readOrEmpty(pidfile).isBlank());
        try {
            ProcessControl.signal(run.pid(), Signal.TERM);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return run.finish(Duration.ofSeconds(30));
    }

    @Test
    void systemdUnitRunsTheProgramsOwnCommandThroughProgramMainAsTheOneJvm() {
        Command.Result notify = assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "--ready",
                "port:" + port, "--chdir", dir.toString(), "systemd-unit", "--", "-Xmx64m", "-jar", plainJar.toString(),
                Integer.toString(port))), 0);
        assertThat(notify.out()).contains("Type=notify", "WorkingDirectory=" + dir)
                .containsPattern("(?m)^ExecStart=\\S+/java (\\S+ )*-Xmx64m -cp " + plainJar + ":\\S+daemonrunner.jar"
                        + " org.daemonrunner.internal.wrap.ProgramMain pidfile=" + pidfile + ",\\S*ready=port:" + port
                        + "\\S* -jar " + plainJar + " " + port + "$")
                .containsPattern("(?m)^# No ExecReload=: the program has no reload hook")
                .containsPattern("(?m)^#ExecReload=\\S+/java -jar \\S+daemonrunner.jar --pidfile " + pidfile
                        + " .*reload$")
                .doesNotContainPattern("(?m)^ExecReload=");
        Command.Result forking = assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "systemd-unit",
                "--type", "forking", "--", "-jar", plainJar.toString(), Integer.toString(port))), 0);
        assertThat(forking.out()).contains("Type=forking", "PIDFile=" + pidfile)
                .containsPattern("(?m)^ExecStart=\\S+/java -jar \\S+daemonrunner.jar --pidfile " + pidfile
                        + " start -- -jar " + plainJar + " " + port + "$");
    }

    @Test
    void aUnitWrittenFromAConfigFileNamesItAndSaysItCopiedIt() throws IOException {
        Path config = Wrapped.config(dir.resolve("hv.conf"), "pidfile=" + pidfile, "--", "-jar", plainJar.toString());
        Command.Result unit = assertExit(daemons.run(wrapper("--config", config.toString(), "systemd-unit")), 0);
        assertThat(unit.out()).contains("# Generated from " + config + ": its settings are copied here")
                .contains("ExecReload=").doesNotContain("--config");
    }

    @Test
    void aBadOptionKeyOrValueIsAUsageErrorNamingIt() throws IOException {
        Command.Result option = daemons.run(wrapper("--pidfile", pidfile.toString(), "--colour", "red", "status"));
        assertExit(option, 2);
        assertThat(option.err().lines()).as("the cause, then where the usage is: the cause stays in sight")
                .containsExactly("Unknown option '--colour' (before the action).",
                        "Usage: java -jar daemonrunner.jar --pidfile FILE [options] ACTION [action options]"
                                + " [-- JAVA_ARGS...]",
                        "Run 'java -jar daemonrunner.jar --help' for the options and actions.");

        Command.Result value = daemons.run(wrapper("--pidfile", pidfile.toString(), "--ready", "port:http", "status"));
        assertExit(value, 2);
        assertThat(value.err()).contains("option --ready", "port:http");

        Path config = Wrapped.config(dir.resolve("bad.conf"), "pidfile=" + pidfile, "stop-timout=5s");
        Command.Result key = daemons.run(wrapper("--config", config.toString(), "status"));
        assertExit(key, 2);
        assertThat(key.err()).contains("Unknown key 'stop-timout'", "bad.conf line 2");

        Command.Result noPidfile = daemons.run(wrapper("status"));
        assertExit(noPidfile, 2);
        assertThat(noPidfile.err()).contains("--pidfile");

        Command.Result noProgram = daemons.run(wrapper("--pidfile", pidfile.toString(), "start"));
        assertExit(noProgram, 2);
        assertThat(noProgram.err()).contains("No JAVA_ARGS");

        Command.Result noJar = daemons.run(wrapper("--pidfile", pidfile.toString(), "start", "--", "-jar",
                dir.resolve("missing.jar").toString()));
        assertExit(noJar, 2);
        assertThat(noJar.err()).as("one line that says what is wrong, not the usage text")
                .startsWith("Bad JAVA_ARGS: cannot read the jar file " + dir.resolve("missing.jar") + ": no such file."
                        + " Give -jar the program's jar")
                .doesNotContain("Usage:", "Exception");
        assertThat(noJar.err().strip().lines()).hasSize(1);

        Command.Result noJava = daemons.run(wrapper("--pidfile", pidfile.toString(), "--java", "/no/such/java", "start",
                "--", "-jar", plainJar.toString()));
        assertExit(noJava, 2);
        assertThat(noJava.err()).startsWith("Bad --java: /no/such/java is not an executable file");
        assertThat(pidfile).doesNotExist();
        Path truth = Path.of("/bin/true").toRealPath();
        Command.Result notAJvm = daemons.run(wrapper("--pidfile", pidfile.toString(), "--java", "/bin/true", "start",
                "--", "-jar", plainJar.toString()));
        assertExit(notAJvm, 2);
        assertThat(notAJvm.err()).startsWith("Bad --java: /bin/true").contains(truth.toString(), "is not a java"
                + " launcher: its name does not start with 'java', and no JDK is around it (no "
                + truth.getParent().getParent().resolve("release") + ").");
        assertThat(pidfile).doesNotExist();

        Command.Result onPath = assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "--java", "java",
                "systemd-unit", "--", "-jar", plainJar.toString())), 0);
        assertThat(onPath.out()).as("a bare name is looked up on PATH, as a shell would")
                .containsPattern("(?m)^ExecStart=/\\S*/java ");
    }

    @Test
    void helpAndVersionArePrintedToStdoutWithStatusZero() {
        for (String help : new String[] {"--help", "-h"}) {
            Command.Result result = assertExit(daemons.run(wrapper(help)), 0);
            assertThat(result.out()).startsWith("Usage: java -jar daemonrunner.jar --pidfile FILE")
                    .contains("--stop-schedule S", "reopen-logs", "JAVA_ARGS:");
            assertThat(result.err()).isEmpty();
        }
        assertThat(assertExit(daemons.run(wrapper("--pidfile", pidfile.toString(), "status", "--help")), 0).out())
                .as("after the action too").startsWith("Usage:");
        Command.Result version = assertExit(daemons.run(wrapper("--version")), 0);
        assertThat(version.out().strip()).as("the manifest's Implementation-Version, the project's version")
                .matches("daemonrunner\\.jar \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void aReadyPortTheProgramDoesNotListenOnTimesStartOutNamingThePortsItListensOn() throws IOException {
        int wrong = Wrapped.freePort();
        assertThat(wrong).isNotEqualTo(port);
        Command.Result start = daemons.run(wrapper("--pidfile", pidfile.toString(), "--start-timeout", "3s", "--ready",
                "port:" + wrong, "start", "--", "-jar", plainJar.toString(), Integer.toString(port), marker.toString()));
        assertExit(start, 1);
        assertThat(start.err()).contains("did not become ready within 3s", "this JVM was not listening on TCP port "
                + wrong + " yet (--ready port:" + wrong + "); it listens on TCP port " + port + " only. If it never"
                + " listens on " + wrong + ", check the port the program was told to use");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void aReadyFileWhoseDirectoryNeverAppearsTimesStartOutSayingTheDirectoryDoesNotExist() {
        Path missing = dir.resolve("no-such-dir");
        Command.Result start = daemons.run(wrapper("--pidfile", pidfile.toString(), "--start-timeout", "3s", "--ready",
                "file:" + missing.resolve("ready.flag"), "start", "--", "-jar", plainJar.toString(),
                Integer.toString(port), marker.toString()));
        assertExit(start, 1);
        assertThat(start.err()).contains("did not become ready within 3s", missing.resolve("ready.flag")
                + " did not exist yet (--ready file:PATH), nor did its directory " + missing + ".");
        assertThat(pidfile).doesNotExist();
    }
}
