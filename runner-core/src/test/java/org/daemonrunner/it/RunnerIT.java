// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Await.await;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.isGone;
import static org.daemonrunner.it.Daemons.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.daemonrunner.internal.proc.UserAccount;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every action and exit status of the runner, against real daemons (the test {@link ProbeApp}). */
class RunnerIT extends ProbeTest {
    @Test
    void missingOrUnknownActionsAndBadOptionsPrintTheUsageAndExit2() {
        for (String[] args : new String[][] {{}, {"strat"}, {"START"}, {"stop", "--", "--bogus"}, {"status", "--", "extra"}}) {
            Command.Result result = daemons.run(probe(args));
            assertExit(result, 2, "%s", String.join(" ", args));
            assertThat(result.err()).contains("Usage:", "start", "stop", "restart", "status", "run");
        }
        assertThat(daemons.run(probe("strat")).err()).contains("Unknown action 'strat'");
        assertThat(daemons.run(probe("stop", "--", "--bogus")).err()).contains("--bogus");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void anAppThatReportsItsReadinessFromRunIsStartedOnlyOnceItSaysSo() {
        long started = System.nanoTime();
        long pid = startProbe("--ready-in-run-ms", "1500");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        // the app records both calls after the first has already let start return
        await("the app to record its ready() calls", Duration.ofSeconds(10), () -> events().contains("ready reported"));
        assertThat(events()).contains("run " + pid, "ready reported true again false");
        assertThat(assertExit(probeRun("status"), 0).out()).startsWith("running with pid " + pid + ", up");
        assertExit(probeRun("stop"), 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void aRunThatReturnsByItselfEndsTheDaemonSayingSo() {
        long pid = startProbe("--run-returns");

        await("the daemon to exit", Duration.ofSeconds(20), () -> isGone(pid));
        assertThat(Daemons.readOrEmpty(dir.resolve("err.log"))).contains("daemonrunner: pid " + pid + ": run() returned;"
                + " the daemon exits (status 0)");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void anAppThatCallsSystemExitAfterItWasReadyLeavesALineSayingWhereAndAStopLeavesNone() {
        long pid = startProbe("--run-exit", "4");

        await("the daemon to exit", Duration.ofSeconds(20), () -> isGone(pid));
        assertThat(Daemons.readOrEmpty(dir.resolve("err.log"))).containsPattern("daemonrunner: pid " + pid
                + " is exiting on its own after it was ready \\(at [^)]+\\): System.exit\\(\\) was called by"
                + " org.daemonrunner.it.ProbeApp.run\\(ProbeApp.java:\\d+\\) in thread 'main'");
        assertThat(pidfile).doesNotExist();

        long stopped = startProbe();
        assertExit(probeRun("stop"), 0);
        assertThat(isGone(stopped)).isTrue();
        assertThat(Daemons.readOrEmpty(dir.resolve("err.log"))).as("a stop is asked for").doesNotContain("pid "
                + stopped + " is exiting");
    }

    @Test
    void anAppThatFailsInRunBeforeReportingItsReadinessFailsStartWithItsCause() {
        Command.Result start = assertExit(probeRun("start", "--ready-in-run-ms", "200", "--run-fail", "no database"), 1);

        assertThat(start.err()).contains("before it was ready: run() failed: java.lang.IllegalStateException: no"
                + " database");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void startWaitsUntilInitHasReturnedAndTheDaemonHoldsThePidfile() throws IOException {
        long started = System.nanoTime();
        long pid = startProbe("--init-sleep-ms", "700");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
        assertThat(events()).contains("init " + pid);
        assertThat(Files.readString(pidfile)).isEqualTo(pid + "\n");
        Command.Result status = probeRun("status");
        assertExit(status, 0);
        assertThat(status.out()).startsWith("running with pid " + pid + ",");
    }

    @Test
    void startOfARunningDaemonSaysSoAtOnceAndStartsNothing() {
        long pid = startProbe();
        Command.Result again = probeRun("start");
        assertExit(again, 0);
        assertThat(again.out()).contains("already running with pid " + pid).doesNotContain("started");
        assertThat(events().lines().filter(l -> l.startsWith("init")).count()).isEqualTo(1);
    }

    @Test
    void startFailsWithTheExceptionMessageWhenInitThrows() {
        Command.Result start = probeRun("start", "--init-fail", "port 8080 is busy");
        assertExit(start, 1);
        assertThat(start.err()).contains("before it was ready", "init() failed",
                "java.lang.IllegalStateException: port 8080 is busy", "Last lines of " + dir.resolve("err.log"));
        assertThat(pidfile).doesNotExist();
        assertExit(probeRun("status"), 3);
    }

    @Test
    void aStartQuotesOnlyItsOwnDaemonsLineFromALogThatAnotherDaemonWritesTo() throws IOException {
        // two daemons, two pidfiles, one stderr log: the first one's init() fails, and while its JVM still ends (a
        // hook waits for the test), the second one's fails too; the first start then reads both daemons' lines
        Path go = dir.resolve("go");
        Command.Running first = daemons.spawn(dir, probe("start", "--dir", dir.toString(), "--init-fail", "no database",
                "--hook-until", go.toString()), dir.resolve("first.out"), dir.resolve("first.err"));
        await("the first daemon's line", Duration.ofSeconds(20), () -> Daemons.readOrEmpty(dir.resolve("err.log"))
                .contains("init() failed: java.lang.IllegalStateException: no database"));
        Command.Result second = assertExit(probeRun("start", "--pidfile", dir.resolve("second.pid").toString(),
                "--init-fail", "no queue"), 1);
        assertThat(second.err()).contains("before it was ready: init() failed: java.lang.IllegalStateException: no queue.");
        Files.createFile(go);

        Command.Result start = assertExit(first.finish(Daemons.COMMAND_TIMEOUT), 1);
        assertThat(start.err().lines().findFirst().orElse("")).contains("before it was ready: init() failed:"
                + " java.lang.IllegalStateException: no database.").doesNotContain("no queue");
        assertThat(Daemons.readOrEmpty(dir.resolve("err.log"))).containsPattern("(?m)^daemonrunner: pid \\d+: init\\(\\)"
                + " failed: java.lang.IllegalStateException: no queue$");
    }

    @Test
    void aStartWhoseLogsAreDevNullSaysThatNothingCanBeReadBackNotThatNothingWasWritten() {
        Command.Result start = probeRun("start", "--stdout", "/dev/null", "--stderr", "/dev/null", "--init-exit", "7");
        assertExit(start, 1);
        // it said "Nothing was written to /dev/null nor to /dev/null."
        assertThat(start.err()).contains("exited with status 7 before it was ready", "Its logs (/dev/null) are not"
                + " files, so nothing it said can be read back").doesNotContain("nor to");
    }

    @Test
    void aStartRefusedByItsChecksDoesNotSayItReplacesTheStalePidfile() throws IOException {
        Files.writeString(pidfile, "4194305\n");
        Command.Result refused = probeRun("start", "--stdout", dir.resolve("no-such-dir/out.log").toString());
        assertExit(refused, 1);
        assertThat(refused.err()).contains("no-such-dir");
        assertThat(refused.out()).as("nothing was replaced").doesNotContain("replacing stale pidfile");
        assertThat(Files.readString(pidfile)).isEqualTo("4194305\n");
        Command.Result start = assertExit(probeRun("start"), 0);
        assertThat(start.out()).contains("replacing stale pidfile " + pidfile + " (process 4194305 is not running)");
        assertExit(probeRun("stop"), 0);
    }

    @Test
    void anAppThatTookSystemErrIntoItsOwnFileStillHasItsFailureReportedByStart() {
        Path own = dir.resolve("own.err");
        // the line start quotes went into the app's file: "exited with status 1 before it was ready", no cause
        Command.Result start = probeRun("start", "--own-stderr", own.toString(), "--init-fail", "port 8080 is busy");
        assertExit(start, 1);
        assertThat(start.err()).contains("init() failed: java.lang.IllegalStateException: port 8080 is busy");
        assertThat(Daemons.readOrEmpty(own)).as("the app's own file has the trace").contains("\tat ")
                .doesNotContain("daemonrunner: ");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void aStopTimeoutOfForeverIsALongWaitNotAnError() {
        String forever = Long.toString(Long.MAX_VALUE);
        long pid = startProbe("--stop-timeout-ms", forever);
        Command.Result stop = assertExit(probeRun("stop", "--stop-timeout-ms", forever), 0);
        assertThat(stop.out()).contains("stopped (pid " + pid);
        assertThat(stop.err()).isEmpty();
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void anErrorThrownByInitFailsStartWithItsOneLine() {
        Command.Result start = probeRun("start", "--init-error", "the cache is inconsistent");
        assertExit(start, 1);
        assertThat(start.err()).contains("exited with status 1 before it was ready: init() failed:"
                + " java.lang.AssertionError: the cache is inconsistent");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void startFailsWithTheExitStatusWhenTheDaemonExitsBeforeItIsReady() {
        Command.Result start = probeRun("start", "--init-exit", "7");
        assertExit(start, 1);
        assertThat(start.err()).containsPattern("exited with status 7 before it was ready: System.exit\\(\\) was called by"
                + " org.daemonrunner.it.ProbeApp.init\\(ProbeApp.java:\\d+\\) in thread 'main'\\.")
                .as("the whole line, in the log's last lines").containsPattern("daemonrunner: pid \\d+ is exiting before it"
                + " was ready \\(at [^)]+\\): System.exit");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void startFailsAndStopsTheDaemonWhenReadinessTimesOut() {
        Command.Result start = probeRun("start", "--init-sleep-ms", "30000", "--start-timeout-ms", "800");
        assertExit(start, 1);
        assertThat(start.err()).contains("did not become ready within 800ms", "has exited",
                ": it was stopped during init(): after the stop came, init() threw java.lang.InterruptedException");
        long pid = Long.parseLong(start.err().replaceAll("(?s).*Daemon \\(pid (\\d+)\\).*", "$1"));
        assertThat(isGone(pid)).isTrue();
        assertExit(probeRun("status"), 3);
    }

    @Test
    void startFailsBeforeDetachingWhenThePidfileDirectoryIsMissing() {
        Path missing = dir.resolve("no/such/dir/probe.pid");
        Command.Result start = probeRun("start", "--pidfile", missing.toString());
        assertExit(start, 1);
        assertThat(start.err()).contains("directory " + missing.getParent() + " does not exist",
                "pidfile " + missing);
        assertThat(events()).isEmpty();
    }

    @Test
    void startFailsBeforeDetachingWhenALogPathCannotBeOpened() throws IOException {
        Files.createDirectories(dir.resolve("a-directory"));
        Command.Result start = probeRun("start", "--stderr", dir.resolve("a-directory").toString());
        assertExit(start, 1);
        assertThat(start.err()).contains("standard error log " + dir.resolve("a-directory"));
        assertThat(events()).isEmpty();
    }

    @Test
    void stopWhenNothingRunsSaysSoAndSucceeds() {
        Command.Result stop = probeRun("stop");
        assertExit(stop, 0);
        assertThat(stop.out().trim()).isEqualTo("not running (no pidfile " + pidfile + ")");
    }

    @Test
    void stopReturnsOnlyOnceTheDaemonHasExitedAndItsShutdownHooksRan() {
        long pid = startProbe("--exit-delay-ms", "600");
        Command.Result stop = probeRun("stop");
        assertThat(isGone(pid)).as("gone when stop returned").isTrue();
        assertExit(stop, 0);
        assertThat(events()).contains("stop " + pid, "run ended " + pid + " stopCalled=true", "hook " + pid);
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void stopFailsWhenTheDaemonOutlivesTheStopTimeoutAndLeavesThePidfile() {
        long pid = startProbe("--ignore-stop", "--stop-timeout-ms", "700");
        Command.Result stop = probeRun("stop", "--ignore-stop", "--stop-timeout-ms", "700");
        assertExit(stop, 1);
        assertThat(stop.err()).contains("Process " + pid + " did not exit within 700ms after SIGTERM",
                "pidfile " + pidfile + " left in place");
        assertThat(isGone(pid)).isFalse();
        assertThat(pidfile).exists();
    }

    @Test
    void restartWhoseOldDaemonOutlivesTheTimeoutSaysNothingWasRestartedAndOffersRestartForce() {
        long pid = startProbe("--ignore-stop");
        Command.Result restart = probeRun("restart", "--ignore-stop", "--timeout", "1s");
        assertExit(restart, 1);
        assertThat(restart.err().trim()).isEqualTo("Cannot restart: the old daemon, pid " + pid + ", did not exit"
                + " within 1s after SIGTERM and still runs; nothing was restarted, and pidfile " + pidfile + " is left"
                + " in place. Use 'restart --force' to send it SIGKILL after the timeout, then start (or 'force-stop',"
                + " then 'start').");
        assertThat(restart.out()).doesNotContain("started");
        assertThat(isGone(pid)).isFalse();

        Command.Result forced = assertExit(probeRun("restart", "--ignore-stop", "--timeout", "300ms", "--force"), 0);
        assertThat(forced.out()).contains("stopped (pid " + pid + ")", "started with pid");
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void restartStopsTheOldDaemonBeforeStartingTheNewOne() {
        long first = startProbe();
        Command.Result restart = probeRun("restart");
        assertExit(restart, 0);
        long second = restart.startedPid();
        assertThat(second).isNotEqualTo(first);
        assertThat(isGone(first)).isTrue();
        assertThat(restart.out()).contains("stopped (pid " + first + ")");
        assertThat(probeRun("status").out()).contains("running with pid " + second);
        assertExit(probeRun("restart"), 0);
    }

    @Test
    void statusExitCodesFollowLsb() throws IOException {
        assertExit(probeRun("status"), 3);
        long pid = startProbe();
        assertExit(probeRun("status"), 0);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await("SIGKILLed daemon " + pid + " to exit", Duration.ofSeconds(10), () -> isGone(pid));
        Command.Result stale = probeRun("status");
        assertExit(stale, 1);
        assertThat(stale.out()).contains("stale pidfile " + pidfile, "process " + pid + " is not running");
        Files.delete(pidfile);
        Files.createDirectory(pidfile);
        Command.Result unknown = probeRun("status");
        assertExit(unknown, 4);
        assertThat(unknown.out()).contains("is a directory");
    }

    @Test
    void startAfterSigkillReplacesTheStalePidfile() {
        long first = startProbe();
        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        await("SIGKILLed daemon " + first + " to exit", Duration.ofSeconds(10), () -> isGone(first));
        Command.Result start = probeRun("start");
        assertExit(start, 0);
        assertThat(start.out()).contains("stale pidfile");
        long second = start.startedPid();
        assertThat(second).isNotEqualTo(first);
        assertExit(probeRun("stop"), 0);
        assertThat(isGone(second)).isTrue();
    }

    @Test
    void sigtermSentDirectlyStopsTheDaemonGracefully() {
        long pid = startProbe();
        ProcessHandle.of(pid).orElseThrow().destroy();
        await("daemon " + pid + " to exit after SIGTERM", Duration.ofSeconds(10), () -> isGone(pid));
        assertThat(events()).contains("stop " + pid, "run ended " + pid + " stopCalled=true", "hook " + pid);
        assertThat(pidfile).doesNotExist();
    }

    @Test
    @Timeout(300) // ten pidfiles, five JVMs each: on a loaded machine more than the class's 60 s
    void garbageOrForeignPidfilesNeverWedgeAnythingNorGetAnyoneSignalled() throws IOException {
        Process bystander = new ProcessBuilder("sleep", "120").start();
        try {
            String foreign = Long.toString(bystander.pid());
            for (String content : new String[] {"", "abc", "123abc", "99999999999", "0", "-1", "1", foreign,
                    foreign + "\n", "\u0000\u00ff garbage"}) {
                Files.writeString(pidfile, content, StandardCharsets.ISO_8859_1);
                Command.Result status = probeRun("status");
                assertExit(status, 1, "status with %s", content);
                Command.Result stop = probeRun("stop");
                assertExit(stop, 0, "stop with '%s'", content);
                if (!HostilePidfiles.isReplaceable(content.getBytes(StandardCharsets.ISO_8859_1))) {
                    // no daemon could have left it: it may be another program's file, so it is kept
                    assertThat(stop.out()).contains("left " + pidfile + " as it is");
                    assertExit(probeRun("start"), 1, "start with '%s'", content);
                    assertThat(Files.readString(pidfile, StandardCharsets.ISO_8859_1)).isEqualTo(content);
                    Files.delete(pidfile);
                    continue;
                }
                assertThat(stop.out()).contains("removed stale pidfile");
                assertThat(pidfile).doesNotExist();
                Files.writeString(pidfile, content, StandardCharsets.ISO_8859_1);
                long pid = startProbe();
                assertThat(Files.readString(pidfile)).isEqualTo(pid + "\n");
                assertExit(probeRun("stop"), 0);
                assertThat(bystander.isAlive()).as("bystander after '%s'", content).isTrue();
            }
        } finally {
            bystander.destroyForcibly();
        }
    }

    @Test
    void concurrentStartsStartExactlyOneDaemon() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Command.Result>> starts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                starts.add(CompletableFuture.supplyAsync(() -> probeRun("start", "--start-timeout-ms", "120000"), pool));
            }
            List<Command.Result> results = starts.stream().map(CompletableFuture::join).collect(Collectors.toList());
            assertThat(results).allSatisfy(r -> assertExit(r, 0));
            List<Command.Result> started = results.stream().filter(r -> r.out().contains("started with pid"))
                    .collect(Collectors.toList());
            assertThat(started).hasSize(1);
            long pid = started.get(0).startedPid();
            assertThat(results).filteredOn(r -> !r.out().contains("started with pid"))
                    .allSatisfy(r -> assertThat(r.out()).contains("already running with pid " + pid));
            await("losing daemons to exit", Duration.ofSeconds(30),
                    () -> events().lines().filter(l -> l.startsWith("init")).count() == 1
                            && !probeRun("status").out().contains("starting"));
            assertThat(probeRun("status").out()).startsWith("running with pid " + pid + ",");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void startDuringAStopWaitsForTheOldDaemonToExit() throws IOException {
        Path release = dir.resolve("release-first");
        long first = startProbe("--exit-until", release.toString());
        ProcessHandle.of(first).orElseThrow().destroy();
        await("daemon " + first + " to mark itself stopping", Duration.ofSeconds(5),
                () -> probeRun("status").out().contains("(stopping)"));
        Command.Running starting = daemons.spawn(dir, probe("start", "--dir", dir.toString()),
                dir.resolve("start.out"), dir.resolve("start.err"));
        await("start to wait for " + first, Duration.ofSeconds(20),
                () -> Daemons.readOrEmpty(dir.resolve("start.out")).contains("waiting for pid " + first));
        assertThat(isGone(first)).as("the old daemon still stopping").isFalse();
        Files.createFile(release);
        Command.Result start = starting.finish(Duration.ofSeconds(30));
        assertExit(start, 0);
        long second = start.startedPid();
        assertThat(second).isNotEqualTo(first);
        assertThat(isGone(first)).isTrue();
        assertThat(probeRun("status").out()).startsWith("running with pid " + second + ",");
    }

    @Test
    void runHoldsThePidfileInTheForegroundAndExitsZeroOnSigterm() throws Exception {
        Command.Running run = daemons.spawn(dir, probe("run", "--dir", dir.toString()), dir.resolve("run.out"),
                dir.resolve("run.err"));
        await("run to hold the pidfile", Duration.ofSeconds(10),
                () -> probeRun("status").out().startsWith("running with pid " + run.pid() + ","));
        assertThat(probeRun("start").out()).contains("already running with pid " + run.pid());
        Command.Result second = probeRun("run");
        assertExit(second, 1);
        assertThat(second.err()).contains("already running with pid " + run.pid());
        Command.Result reopen = probeRun("reopen-logs");
        assertExit(reopen, 1);
        assertThat(reopen.err()).contains("Cannot reopen the logs of pid " + run.pid() + ": it runs in the foreground",
                "Nothing was sent.");
        run.destroy();
        assertExit(run.finish(Duration.ofSeconds(30)), 0);
        assertThat(events()).contains("hook " + run.pid());
        assertThat(Files.readString(dir.resolve("run.err"))).as("no signal, so nothing ignored")
                .doesNotContain("reopen-logs ignored");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void stopInANewPidNamespaceThatStillSeesTheHostsProcRefusesAndSignalsNobody() {
        Assumptions.assumeTrue(UserAccount.currentUid() == 0, "a new pid namespace (unshare --pid) needs root");
        Assumptions.assumeTrue(daemons.run(List.of("unshare", "--pid", "--fork", "true")).exit() == 0,
                "unshare --pid does not work here");
        long pid = startProbe();
        List<String> stop = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--kill-child"));
        stop.addAll(probe("stop", "--dir", dir.toString()));

        Command.Result refused = daemons.run(stop);

        // the pids in the host's /proc are not the ones kill(2) reaches from inside the namespace
        assertExit(refused, 1);
        assertThat(refused.err()).contains("pid namespace", "--mount-proc");
        assertThat(isGone(pid)).as("the daemon was not signalled").isFalse();
        List<String> status = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--kill-child"));
        status.addAll(probe("status", "--dir", dir.toString()));
        assertExit(daemons.run(status), 4, "status cannot tell");
        assertExit(probeRun("stop"), 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void theDaemonIsDetachedLikeADoubleForkAndInheritsNoDescriptorsOrIgnoredSignals() throws IOException {
        Path leak = dir.resolve("leaked-descriptor");
        // the launcher runs under nohup and as a background job (HUP, INT, QUIT ignored), with an extra fd open
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "exec 7>\"$0\"; nohup \"$@\" & wait $!",
                leak.toString()));
        command.addAll(probe("start", "--dir", dir.toString()));
        Command.Result start = daemons.run(command);
        assertExit(start, 0);
        long pid = start.startedPid();

        String[] stat = Daemons.stat(pid); // state ppid pgrp session tty_nr
        long session = Long.parseLong(stat[3]);
        assertThat(session).as("session").isNotEqualTo(pid);
        assertThat(Long.parseLong(stat[2])).as("process group").isNotEqualTo(pid);
        assertThat(stat[4]).as("controlling tty").isEqualTo("0");
        assertThat(Long.parseLong(stat[1])).as("parent").isNotEqualTo(session);
        assertThat(isGone(session)).as("the session's shell has exited").isTrue();
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd"))).isEqualTo(Path.of("/"));

        List<String> targets = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.collect(Collectors.toList())) {
                try {
                    targets.add(fd.getFileName() + " -> " + Files.readSymbolicLink(fd));
                } catch (NoSuchFileException closedSinceListed) {
                    // the daemon (its JVM, say, reading a class) closed it meanwhile: not an inherited descriptor
                }
            }
        }
        assertThat(targets).contains("0 -> /dev/null", "1 -> " + dir.resolve("out.log"),
                "2 -> " + dir.resolve("err.log"))
                .anyMatch(t -> t.endsWith(" -> " + pidfile))
                .noneMatch(t -> t.contains("leaked-descriptor") || t.contains("pipe:"));

        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        long ignored = Long.parseLong(status.replaceAll("(?s).*SigIgn:\\s*([0-9a-f]+).*", "$1"), 16);
        for (int signal : new int[] {1, 2, 3, 15}) {
            assertThat(ignored & (1L << (signal - 1))).as("signal %d ignored", signal).isZero();
        }
        String environ = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8);
        assertThat(environ).doesNotContain("daemonrunner");
        assertThat(events()).contains("init " + pid + " marker=null launchdir=null");

        assertExit(probeRun("stop"), 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void startFailsRatherThanSayingAlreadyRunningWhenTheOldDaemonOutlivesThePidfileTimeout() {
        long first = startProbe("--exit-until", dir.resolve("never").toString());
        ProcessHandle.of(first).orElseThrow().destroy();
        await("daemon " + first + " to mark itself stopping", Duration.ofSeconds(5),
                () -> probeRun("status").out().contains("(stopping)"));
        Command.Result start = probeRun("start", "--pidfile-timeout-ms", "500");
        assertExit(start, 1);
        assertThat(start.err()).contains("pid " + first + " still holds", "still stopping");
        assertThat(start.out()).doesNotContain("already running");
        assertThat(isGone(first)).as("the old daemon still stopping").isFalse();
    }

    @Test
    void anArgumentTheLocaleCannotCarryIsRefusedByStartAndPassedOnAsItsBytesUnderUtf8() throws IOException {
        List<String> start = probe("start", "--dir", dir.toString(), "--launcher-file-text", Daemons.BYTES);
        // under the C locale the JVM reads "h\303\251llo" as h\uFFFD\uFFFDllo, and would relaunch it as h??llo
        Command.Result refused = daemons.run(Daemons.inLocale("C", "h\\303\\251llo", start));
        assertExit(refused, 1);
        assertThat(refused.err()).contains("Cannot start: this JVM's command line cannot be run again: the argument"
                + " \"h\\xc3\\xa9llo\" is not valid US-ASCII", "run this again with a UTF-8 locale, e.g. LC_ALL=C.UTF-8.");
        assertThat(pidfile).doesNotExist();
        // a working directory whose name the JVM reads wrong cannot be the launch directory the daemon is given
        Command.Result elsewhere = daemons.run(Daemons.inLocaleAndDirectory("C", dir + "/\\303\\251",
                probe("start", "--dir", dir.toString())));
        assertExit(elsewhere, 1);
        assertThat(elsewhere.err()).contains("Cannot start: this JVM's command line cannot be run again: the name of"
                + " the working directory, " + dir + "/?? as this JVM reads it, is not valid US-ASCII");
        assertThat(pidfile).doesNotExist();
        assertThat(events()).isEmpty();

        // a status in that directory cannot tell where a relative pidfile is
        Command.Result where = daemons.run(Daemons.inLocaleAndDirectory("C", dir + "/\\303\\251",
                probe("status", "--dir", dir.toString(), "--pidfile", "relative.pid")));
        assertExit(where, 4);
        assertThat(where.err()).contains("Cannot tell the status: DaemonApp.pidfilePath() is relative (relative.pid)"
                + " and would be resolved against the working directory, but the name of the working directory, "
                + dir + "/?? as this JVM reads it");
        // ... but a relative log path, which status does not use, does not stop it
        assertExit(daemons.run(Daemons.inLocaleAndDirectory("C", dir + "/\\303\\251",
                probe("status", "--dir", dir.toString(), "--stdout", "relative.out"))), 3);

        long pid = assertExit(daemons.run(Daemons.inLocale("C.UTF-8", "h\\303\\251llo", start)), 0).startedPid();
        String utf8 = new String("h\u00e9llo".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertThat(Daemons.rawArguments(pid)).as("the daemon's command line, as bytes").contains(utf8);
        // a restart that could not start the daemon again refuses before it stops the running one
        List<String> restart = probe("restart", "--dir", dir.toString(), "--launcher-file-text", Daemons.BYTES);
        Command.Result notRestarted = daemons.run(Daemons.inLocale("C", "h\\303\\251llo", restart));
        assertExit(notRestarted, 1);
        assertThat(notRestarted.err()).contains("Cannot start: this JVM's command line cannot be run again");
        assertThat(notRestarted.out()).doesNotContain("stopped");
        assertThat(isGone(pid)).isFalse();
        assertExit(probeRun("stop"), 0);
    }

    @Test
    void onJdk17AFileEncodingOtherThanTheLocalesCannotAlterAnArgumentOnItsWayToTheDaemon() throws IOException {
        // JDK 17 writes a child's command line in file.encoding, and the child reads it in the locale's: h\u00e9llo
        // would arrive as h\uFFFDllo. JDK 18 and later write it in the locale's, and it arrives whole.
        List<String> start = new ArrayList<>(probe("start", "--dir", dir.toString(), "--launcher-file-text",
                Daemons.BYTES));
        start.add(1, "-Dfile.encoding=ISO-8859-1");
        Command.Result result = daemons.run(Daemons.inLocale("C.UTF-8", "h\\303\\251llo", start));
        if (Runtime.version().feature() < 18) {
            assertExit(result, 1);
            assertThat(result.err()).contains("the argument \"h\\xc3\\xa9llo\" (UTF-8) cannot be passed on unchanged:"
                    + " this JVM writes its children's command lines in ISO-8859-1 (its file.encoding, on JDK 17), and"
                    + " they read them in UTF-8, the locale's; remove -Dfile.encoding=ISO-8859-1");
            assertThat(pidfile).doesNotExist();
        } else {
            long pid = assertExit(result, 0).startedPid();
            assertThat(Daemons.rawArguments(pid)).contains(
                    new String("h\u00e9llo".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
            assertExit(probeRun("stop"), 0);
        }
    }

    @Test
    void aStartThatFindsADaemonStillStartingWaitsUntilItIsReady() throws Exception {
        Command.Running first = daemons.spawn(dir, probe("start", "--init-sleep-ms", "5000", "--dir", dir.toString()),
                dir.resolve("first.out"), dir.resolve("first.err"));
        await("the first daemon to be starting", Duration.ofSeconds(10),
                () -> probeRun("status").out().contains("(starting)"));
        Command.Result second = probeRun("start");
        Command.Result status = probeRun("status");
        assertExit(second, 0);
        assertThat(second.out()).contains("already running with pid");
        assertThat(status.out()).doesNotContain("starting");
        assertExit(first.finish(Duration.ofSeconds(30)), 0);
        assertThat(Files.readString(dir.resolve("first.out"))).contains("started with pid");
    }

    @Test
    void aStartWhoseDaemonIsStoppedDuringInitSaysSo() throws Exception {
        Command.Running start = daemons.spawn(dir, probe("start", "--init-sleep-ms", "20000", "--dir", dir.toString()),
                dir.resolve("start.out"), dir.resolve("start.err"));
        await("the daemon to be starting", Duration.ofSeconds(10),
                () -> probeRun("status").out().contains("(starting)"));
        assertThat(assertExit(probeRun("stop"), 0).out()).contains("stopped (pid ");
        assertExit(start.finish(Duration.ofSeconds(30)), 1);
        assertThat(Files.readString(dir.resolve("start.err"))).containsPattern("Daemon \\(pid \\d+\\) exited with"
                + " status 1 before it was ready: it was stopped during init\\(\\): after the stop came, init\\(\\)"
                + " threw java.lang.InterruptedException");
    }

    @Test
    void aLauncherStartedWithSigtermIgnoredStillStartsAStoppableDaemon() {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "trap '' TERM; exec \"$@\"", "sh"));
        command.addAll(probe("start", "--dir", dir.toString()));
        Command.Result start = daemons.run(command);
        assertExit(start, 0);
        long pid = start.startedPid();
        assertExit(probeRun("stop"), 0);
        assertThat(isGone(pid)).isTrue();
    }
}
