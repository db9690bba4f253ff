// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.daemonrunner.internal.launch.Relaunch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {
    @TempDir
    Path dir;

    private LogTail tail(String... lines) throws IOException {
        Path log = dir.resolve("daemon.err");
        Files.writeString(log, "an earlier run's line\n");
        long from = Files.size(log);
        Files.writeString(log, String.join("\n", lines) + "\n", StandardOpenOption.APPEND);
        return LogTail.of(log, from);
    }

    @Test
    void theCauseIsTheDaemonsLastCauseLine() throws IOException {
        LogTail tail = tail("daemonrunner: pid 42: init() failed: java.io.IOException: one", "a stack frame",
                "daemonrunner: pid 42: init() failed: java.io.IOException: two", "another line");
        assertThat(tail.cause(42)).isEqualTo(": init() failed: java.io.IOException: two");
        assertThat(tail.cause(0)).isEqualTo(": pid 42: init() failed: java.io.IOException: two");
    }

    @Test
    void aLineThatNamesAnotherPidIsThatDaemonsNotTheCause() throws IOException {
        // the loser of a race to start writes its line to the log it shares with the winner, which was then stopped
        LogTail tail = tail("daemonrunner: pid 42: it was stopped during init(): the stop came before init() returned",
                "daemonrunner: pid 77 gives way: already running with pid 42 (pidfile /run/app.pid)");
        assertThat(tail.cause(42)).isEqualTo(": it was stopped during init(): the stop came before init() returned");
        assertThat(tail.cause(77)).isEqualTo(": pid 77 gives way: already running with pid 42 (pidfile /run/app.pid)");
        assertThat(tail.cause(7)).as("pid 7 is not pid 77, nor pid 42").isEmpty();
        assertThat(tail.cause(4)).as("pid 4 is not pid 42").isEmpty();
        assertThat(tail("daemonrunner: pid 77 gives way: already running with pid 42").cause(42)).isEmpty();
    }

    @Test
    void aDaemonQuotesOnlyItsOwnLinesFromALogOtherDaemonsWriteTo() throws IOException {
        // racing starts on one pidfile: each daemon failed in init(), the next one taking the pidfile at once and
        // failing before the first one's start read the log; and a line that names no daemon (a 'run' sharing it)
        LogTail tail = tail("daemonrunner: pid 41: init() failed: java.lang.IllegalStateException: no database for"
                + " start 1", "java.lang.IllegalStateException: no database for start 2", "\tat Probe.init",
                "daemonrunner: pid 42: init() failed: java.lang.IllegalStateException: no database for start 2",
                "daemonrunner: init() failed: java.lang.IllegalStateException: no database for the foreground");
        assertThat(tail.cause(41)).isEqualTo(": init() failed: java.lang.IllegalStateException: no database for start 1");
        assertThat(tail.cause(42)).isEqualTo(": init() failed: java.lang.IllegalStateException: no database for start 2");
        assertThat(tail.cause(43)).as("a daemon that said nothing").isEmpty();
        assertThat(tail.cause(4)).as("pid 4 is neither pid 41 nor pid 42").isEmpty();
    }

    @Test
    void aDaemonsLineNamesItsPidOnceAndItsStartReadsItBack() throws IOException {
        assertThat(Relaunch.daemonLine(42, "init() failed: java.io.IOException: no disk"))
                .isEqualTo("daemonrunner: pid 42: init() failed: java.io.IOException: no disk");
        assertThat(Relaunch.daemonLine(42, "pid 42 was not ready at the end of its start timeout"))
                .as("named already").isEqualTo("daemonrunner: pid 42 was not ready at the end of its start timeout");
        assertThat(Relaunch.daemonLine(42, "pid 420 is another")).isEqualTo("daemonrunner: pid 42: pid 420 is another");
        assertThat(tail(Relaunch.daemonLine(42, "init() failed: java.io.IOException: no disk")).cause(42))
                .isEqualTo(": init() failed: java.io.IOException: no disk");
    }

    @Test
    void aDaemonThatGaveWayNamesTheDaemonItGaveWayTo() throws IOException {
        // the winner's own line, written after the loser's: the loser's start must not take it for its daemon's
        // cause, and names the winner instead
        LogTail tail = tail("daemonrunner: " + Relaunch.givesWay(77, 42) + "already running with pid 42 (pidfile"
                + " /run/app.pid)", "daemonrunner: pid 42: init() failed: java.lang.IllegalStateException: no database");
        assertThat(tail.gaveWayTo(77)).isEqualTo(42);
        assertThat(tail.gaveWayTo(7)).as("pid 7 is not pid 77").isZero();
        assertThat(tail.gaveWayTo(42)).isZero();
        assertThat(tail("daemonrunner: " + Relaunch.givesWay(77, 0) + "this process already holds pidfile /run/a.pid")
                .gaveWayTo(77)).as("no winner named").isZero();
    }

    @Test
    void withNoDaemonPidEveryCauseLineCounts() throws IOException {
        assertThat(tail("daemonrunner: pid 77 gives way: already running with pid 42").cause(0))
                .isEqualTo(": pid 77 gives way: already running with pid 42");
        assertThat(tail("daemonrunner: pidfile /run/app.pid is a directory").cause(0))
                .isEqualTo(": pidfile /run/app.pid is a directory");
        assertThat(tail("daemonrunner: pidfile /run/app.pid is a directory").cause(42)).as("no daemon named").isEmpty();
        assertThat(tail("daemonrunner: pid 42: pidfile /run/app.pid is a directory").cause(42))
                .isEqualTo(": pidfile /run/app.pid is a directory");
        assertThat(tail("daemonrunner: pid 420: init() failed").cause(42)).as("pid 420 is not pid 42").isEmpty();
    }

    @Test
    void theExitLineBeforeReadinessIsQuotedWithoutWhatStartSaysAlready() throws IOException {
        LogTail tail = tail("daemonrunner: pid 42 is exiting before it was ready (at 2026-12-07T18:05:01.123Z):"
                + " System.exit() was called by com.example.Shop.init(Shop.java:20) in thread 'main'");
        assertThat(tail.cause(42)).isEqualTo(": System.exit() was called by com.example.Shop.init(Shop.java:20) in"
                + " thread 'main'");
        assertThat(tail("daemonrunner: pid 42 is exiting before it was ready, on SIGINT (at 2026-12-07T18:05:01Z):"
                + " the JVM's default handling of SIGINT (exit status 130)").cause(42))
                .as("the signal stays named").startsWith(": pid 42 is exiting before it was ready, on SIGINT");
    }

    @Test
    void nothingAppendedMeansNoCause() throws IOException {
        Path log = Files.writeString(dir.resolve("quiet.err"), "daemonrunner: an earlier run's cause\n");
        LogTail tail = LogTail.of(log, Files.size(log));
        assertThat(tail.isEmpty()).isTrue();
        assertThat(tail.cause(42)).isEmpty();
    }
}
