// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Await.await;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.isGone;
import static org.daemonrunner.it.Daemons.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.daemonrunner.internal.proc.UserAccount;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Stop schedules, process-group cleanup, log reopening, systemd notify, hardened pidfiles and rich status. */
class OperationsIT extends ProbeTest {
    @Test
    void aDaemonThatIgnoresTermIsKilledAfterAThreadDumpByForceStop() throws IOException {
        long pid = startProbe("--ignore-stop");
        Command.Result stop = probeRun("stop", "--timeout", "300ms");
        assertExit(stop, 1);
        assertThat(stop.err()).contains("did not exit within 300ms after SIGTERM", "force-stop");

        Command.Result force = probeRun("force-stop", "--timeout", "300ms");
        assertExit(force, 0);
        assertThat(force.out()).contains("thread dump of pid " + pid, "stopped (pid " + pid + ")");
        assertThat(isGone(pid)).isTrue();
        assertThat(Files.readString(dir.resolve("err.log"))).contains("Full thread dump", "JNI global refs");
        assertExit(probeRun("status"), 3);
    }

    @Test
    void stopForceAndTheAppsScheduleEndInKillToo() {
        long first = startProbe("--ignore-stop");
        assertExit(probeRun("stop", "--force", "--timeout", "200ms"), 0);
        assertThat(isGone(first)).isTrue();
        long second = startProbe("--ignore-stop", "--schedule", "TERM/0/KILL/5");
        Command.Result stop = probeRun("stop", "--schedule", "TERM/0/KILL/5");
        assertExit(stop, 0);
        assertThat(isGone(second)).isTrue();
    }

    @Test
    void processesTheDaemonStartedDoNotOutliveStop() {
        long pid = startProbe("--spawn-child");
        long child = Long.parseLong(events().replaceAll("(?s).*child (\\d+).*", "$1"));
        assertThat(isGone(child)).isFalse();
        Command.Result stop = probeRun("stop");
        assertExit(stop, 0);
        assertThat(stop.out()).contains("ended 1 process(es) it had started");
        assertThat(isGone(pid)).isTrue();
        await("the daemon's child " + child + " to exit", Duration.ofSeconds(10), () -> isGone(child));
    }

    @Test
    void aStoppedDaemonThatOutlivesStopIsSaidToBeStoppedAndWhatToSendIt() throws Exception {
        long pid = startProbe();
        org.daemonrunner.internal.proc.ProcessControl.signal(pid, org.daemonrunner.internal.proc.Signal.STOP);
        await("the daemon in state T", Duration.ofSeconds(10), () -> "T".equals(Daemons.stat(pid)[0]));
        Command.Result stop = assertExit(probeRun("stop", "--timeout", "500ms"), 1);
        assertThat(stop.err()).contains("It is stopped (state T: SIGSTOP, Ctrl-Z or a debugger)",
                "kill -CONT " + pid);
        // SIGKILL ends it (without the 2 s wait for a thread dump that a stopped JVM cannot write: not timed here)
        Command.Result forced = assertExit(probeRun("force-stop", "--timeout", "500ms"), 0);
        assertThat(forced.out()).doesNotContain("thread dump");
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void aChildThatIsAZombieOnceEndedCountsAsEndedAtOnce() throws Exception {
        Assumptions.assumeTrue(Command.of("python3", "--version").run(Duration.ofSeconds(10)).exit() == 0,
                "needs python3");
        // a subreaper that never reaps, as a container's first process without an init: the daemon and its child
        // are reparented to it, and stay zombies once they exit
        List<String> command = new ArrayList<>(List.of("python3", "-u", "-c", String.join("\n",
                "import ctypes, subprocess, sys, time",
                "ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER",
                "subprocess.run(sys.argv[1:])",
                "time.sleep(600)")));
        command.addAll(probe("start", "--spawn-child", "--dir", dir.toString()));
        Path out = dir.resolve("subreaper.out");
        daemons.spawn(dir, command, out, dir.resolve("subreaper.err"));
        await("the daemon under the subreaper", Duration.ofSeconds(30),
                () -> Daemons.readOrEmpty(out).contains("started with pid") && events().contains("child "));
        long pid = Command.daemonPids(Daemons.readOrEmpty(out)).get(0);
        daemons.track(pid);
        long child = Long.parseLong(events().replaceAll("(?s).*child (\\d+).*", "$1"));
        daemons.track(child);
        Command.Result stop = assertExit(probeRun("stop"), 0);
        // a zombie was taken for alive: 10 s of waiting, then "0 process(es) ..., 1 still running"
        assertThat(stop.out()).contains("ended 1 process(es) it had started").doesNotContain("still running");
        assertThat(isGone(child)).isTrue();
    }

    @Test
    void anAppCanKeepItsChildrenRunningAfterStop() {
        startProbe("--spawn-child", "--keep-children");
        long child = Long.parseLong(events().replaceAll("(?s).*child (\\d+).*", "$1"));
        daemons.track(child);
        assertExit(probeRun("stop", "--keep-children"), 0);
        assertThat(isGone(child)).isFalse();
    }

    @Test
    void reopenLogsMovesAllOutputToTheNewFilesAfterARenameWithNothingLost() throws IOException {
        long pid = startProbe("--tick-ms", "5");
        Path out = dir.resolve("out.log");
        Path err = dir.resolve("err.log");
        await("ticks in " + out, Duration.ofSeconds(10), () -> Daemons.readOrEmpty(out).contains("tick 20"));
        Files.move(out, dir.resolve("out.log.1"));
        Files.move(err, dir.resolve("err.log.1"));
        Command.Result reopen = probeRun("reopen-logs");
        assertExit(reopen, 0);
        await("ticks in the new " + out, Duration.ofSeconds(10), () -> Daemons.readOrEmpty(out).contains("tick "));
        await("err-ticks in the new " + err, Duration.ofSeconds(10),
                () -> Daemons.readOrEmpty(err).contains("err-tick "));
        assertExit(probeRun("stop"), 0);
        assertThat(isGone(pid)).isTrue();

        List<Long> ticks = Stream.of(Files.readString(dir.resolve("out.log.1")), Files.readString(out))
                .flatMap(String::lines).filter(l -> l.startsWith("tick ")).map(l -> Long.parseLong(l.substring(5)))
                .collect(Collectors.toList());
        assertThat(ticks).as("every tick once, in order, across the two files").isNotEmpty();
        for (int i = 0; i < ticks.size(); i++) {
            assertThat(ticks.get(i)).isEqualTo((long) i);
        }
        assertThat(Files.readString(out)).doesNotContain("tick 0\n");
        // loading jnr-posix for the reopen must not make the JVM warn (JDK 24+: native access, sun.misc.Unsafe)
        assertThat(Files.readString(err) + Files.readString(dir.resolve("err.log.1"))).doesNotContain("WARNING");
        assertThat(reopen.err()).isEmpty();
        assertExit(probeRun("reopen-logs"), 7);
    }

    @Test
    void statusJsonGivesPidStateUptimeAndPidfile() throws Exception {
        Command.Result none = probeRun("status", "--json");
        assertExit(none, 3);
        assertThat(none.out().trim()).isEqualTo("{\"pidfile\":\"" + pidfile + "\",\"status\":\"not running\","
                + "\"exit_status\":3}");
        long pid = startProbe();
        Command.Result json = probeRun("status", "--json");
        assertExit(json, 0);
        assertThat(json.out().trim()).matches("\\{\"pidfile\":\"" + Pattern.quote(pidfile.toString())
                + "\",\"status\":\"running\",\"exit_status\":0,\"pid\":" + pid + ",\"state\":\"ready\","
                + "\"started_at\":\"[0-9T:.Z-]+\",\"uptime_seconds\":[0-9.]+\\}");
        assertThat(parsesAsJson(json.out())).isTrue();
        Command.Result text = probeRun("status");
        assertThat(text.out()).startsWith("running with pid " + pid + ", up ").contains("pidfile " + pidfile);
    }

    private boolean parsesAsJson(String text) throws IOException {
        Path json = Files.writeString(dir.resolve("status.json"), text);
        Command.Running python;
        try {
            python = Command.of("python3", "-c", "import json,sys; json.loads(sys.stdin.read())").stdin(json)
                    .scratch(dir).start();
        } catch (UncheckedIOException e) {
            return true; // no python3 here: the regular expression above checked the shape
        }
        Command.Result parsed = python.finish(Duration.ofSeconds(10));
        assertThat(parsed.finished()).as("%s", parsed).isTrue();
        return parsed.exit() == 0;
    }

    @Test
    void aSymlinkedPidfileIsRefusedWithAClearError() throws IOException {
        Files.writeString(dir.resolve("elsewhere.pid"), "");
        Files.createSymbolicLink(pidfile, dir.resolve("elsewhere.pid"));
        Command.Result status = probeRun("status");
        assertExit(status, 4);
        assertThat(status.out() + status.err()).contains(pidfile.toString(), "is a symbolic link");
        Command.Result start = probeRun("start");
        assertExit(start, 1);
        assertThat(start.err()).contains(pidfile.toString(), "symbolic link");
        assertThat(events()).isEmpty();
    }

    @Test
    void asRootAWorldWritableOrForeignOwnedPidfileIsRefused() throws IOException {
        Assumptions.assumeTrue(UserAccount.currentUid() == 0, "only root refuses these");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Command.Result start = probeRun("start");
        assertExit(start, 1);
        assertThat(start.err()).contains("refusing pidfile directory " + dir, "world-writable (mode 0777)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(pidfile, "1\n");
        Files.setOwner(pidfile, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        Command.Result stop = probeRun("stop");
        assertExit(stop, 1);
        assertThat(stop.err()).contains("refusing pidfile " + pidfile, "owned by uid 65534");
        assertExit(probeRun("status"), 4);
        Command.Result json = assertExit(probeRun("status", "--json"), 4);
        assertThat(json.out()).as("still one object on stdout").startsWith("{\"pidfile\":\"" + pidfile + "\"")
                .contains("\"status\":\"unknown\"", "\"exit_status\":4", "owned by uid 65534");
        assertThat(events()).isEmpty();
    }

    @Test
    void aRecordedPidOfAnotherLiveProcessIsNeverSignalled() throws Exception {
        Process bystander = new ProcessBuilder("sleep", "120").start();
        try {
            Files.writeString(pidfile, bystander.pid() + "\nstart=1 boot=nope\n");
            assertExit(probeRun("status"), 1);
            assertExit(probeRun("reload"), 7);
            assertExit(probeRun("force-stop"), 0);
            assertThat(bystander.isAlive()).isTrue();
        } finally {
            bystander.destroyForcibly();
        }
    }

    @Test
    void aDaemonThatLostItsLockByReadingItsOwnPidfileIsNeitherCalledStaleNorStartedTwice() throws Exception {
        long pid = startProbe("--read-own-pidfile");
        await("the daemon reading its own pidfile", Duration.ofSeconds(10),
                () -> events().contains("read own pidfile " + pid));
        String why = "is open in process " + pid + ", the pid it records, but nobody holds its lock";
        Command.Result status = assertExit(probeRun("status"), 4);
        assertThat(status.out() + status.err()).contains(why);
        // stop said "not running; removed stale pidfile" (exit 0) and start ran a second daemon beside it
        for (String action : new String[] {"stop", "start", "restart", "reload"}) {
            assertThat(assertExit(probeRun(action), 1, action).err()).as(action).contains(why, "kill " + pid);
        }
        assertThat(Files.readString(pidfile)).isEqualTo(pid + "\n");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
        assertThat(events()).as("one daemon ran init()").containsOnlyOnce("init ").doesNotContain("reload");
    }

    @Test
    void aFileThatIsNotAPidfileIsNeverRemovedNorReplacedButAStalePidfileIs() throws Exception {
        String config = "server.port=8080\nserver.address=0.0.0.0\n";
        Files.writeString(pidfile, config);
        // a wrong --pidfile: stop said "removed stale pidfile" and deleted it, start wrote a pid into it
        assertThat(assertExit(probeRun("stop"), 0).out()).isEqualTo("not running; left " + pidfile + " as it is: it"
                + " records 'server.port=8080', not a pid, so it may be another program's file rather than a pidfile."
                + " Check the pidfile's path; if it is a stale pidfile, remove it\n");
        for (String action : new String[] {"start", "restart", "run"}) {
            assertThat(assertExit(probeRun(action), 1, action).err()).as(action)
                    .contains(pidfile + " was left as it is: it records 'server.port=8080', not a pid");
        }
        assertThat(Files.readString(pidfile)).isEqualTo(config);
        byte[] big = ("4242\n" + "x".repeat(2000)).getBytes(StandardCharsets.US_ASCII);
        Files.write(pidfile, big);
        assertThat(assertExit(probeRun("stop"), 0).out()).contains("it is 2005 bytes long, which no pidfile is");
        assertThat(Files.readAllBytes(pidfile)).isEqualTo(big);
        assertThat(events()).as("no daemon ran init()").isEmpty();
        // what a crash can leave (a pid, or NUL bytes after a power loss) is a stale pidfile, replaced as ever
        Files.write(pidfile, new byte[] {0, 0, 0, 0, 0, 0});
        assertThat(assertExit(probeRun("stop"), 0).out()).startsWith("not running; removed stale pidfile " + pidfile);
        Files.writeString(pidfile, "4194305\n");
        long pid = startProbe();
        assertThat(Files.readString(pidfile)).isEqualTo(pid + "\n");
        assertExit(probeRun("stop"), 0);
    }

    @Test
    void anotherProgramsLockOnTheWholeFileIsNeverTakenForADaemonNorSignalled() throws Exception {
        Assumptions.assumeTrue(Command.of("python3", "--version").run(Duration.ofSeconds(10)).exit() == 0,
                "needs python3");
        Files.writeString(pidfile, "99999\n");
        // what many C daemons do with their pidfile: lockf() over the whole file, which covers the daemon's bytes too
        Command.Running other = daemons.spawn(dir, List.of("python3", "-u", "-c", String.join("\n",
                "import fcntl, sys, time",
                "f = open(sys.argv[1], 'r+')",
                "fcntl.lockf(f, fcntl.LOCK_EX)",
                "print('locked', flush=True)",
                "time.sleep(600)"), pidfile.toString()), dir.resolve("other.out"), dir.resolve("other.err"));
        await("the other program's lock", Duration.ofSeconds(10), () -> Daemons.readOrEmpty(dir.resolve("other.out"))
                .contains("locked"));
        String why = "is locked by process " + other.pid() + " over bytes a daemonrunner daemon never locks";
        Command.Result status = assertExit(probeRun("status"), 4);
        assertThat(status.out() + status.err()).contains(why);
        for (String action : new String[] {"stop", "force-stop", "reload", "restart"}) {
            assertThat(assertExit(probeRun(action), 1, action).err()).as(action).contains(why);
            assertThat(ProcessHandle.of(other.pid()).map(ProcessHandle::isAlive)).as(action).contains(true);
        }
        assertThat(Files.readString(pidfile)).isEqualTo("99999\n");
        assertThat(events()).as("no daemon ran").isEmpty();
    }

    @Test
    void anotherProgramsReadLockOnAStalePidfileIsNamedAtOnceAndTheFileIsLeftAsItIs() throws Exception {
        Assumptions.assumeTrue(Command.of("python3", "--version").run(Duration.ofSeconds(10)).exit() == 0,
                "needs python3");
        Files.writeString(pidfile, "99999\n");
        // a backup tool, or a program's lockf(LOCK_SH): a shared lock over the whole file keeps every daemon out
        Command.Running other = daemons.spawn(dir, List.of("python3", "-u", "-c", String.join("\n",
                "import fcntl, sys, time",
                "f = open(sys.argv[1], 'r')",
                "fcntl.lockf(f, fcntl.LOCK_SH)",
                "print('locked', flush=True)",
                "time.sleep(600)"), pidfile.toString()), dir.resolve("other.out"), dir.resolve("other.err"));
        await("the other program's lock", Duration.ofSeconds(10), () -> Daemons.readOrEmpty(dir.resolve("other.out"))
                .contains("locked"));
        String who = "process " + other.pid() + " (python3) holds a read lock on bytes 0 to EOF of it, a lock no"
                + " daemonrunner daemon or command takes";
        Command.Result status = assertExit(probeRun("status"), 1);
        assertThat(status.out()).startsWith("not running; stale pidfile " + pidfile + " (process 99999 is not"
                + " running), which no daemon can take: " + who);
        long before = System.nanoTime();
        Command.Result start = assertExit(probeRun("start", "--pidfile-timeout-ms", "4000"), 1);
        assertThat(Duration.ofNanos(System.nanoTime() - before)).as("start refuses at once, without waiting for the"
                + " lock").isLessThan(Duration.ofMillis(4000));
        assertThat(start.err()).startsWith("Cannot start: stale pidfile " + pidfile + " (process 99999 is not"
                + " running), which no daemon can take: " + who).contains("Nothing was started")
                .doesNotContain("status 75");
        Command.Result stop = assertExit(probeRun("stop"), 0);
        assertThat(stop.out()).startsWith("not running; stale pidfile " + pidfile + " (process 99999 is not running)"
                + " left in place, which no daemon can take: " + who).doesNotContain("removed");
        assertThat(Files.readString(pidfile)).isEqualTo("99999\n");
        assertThat(ProcessHandle.of(other.pid()).map(ProcessHandle::isAlive)).contains(true);
        assertThat(events()).as("no daemon ran").isEmpty();
        other.destroy(); // once it lets go, the stale file is replaced as ever
        await("the other program's end", Duration.ofSeconds(10), () -> isGone(other.pid()));
        startProbe();
        assertExit(probeRun("stop"), 0);
    }

    @Test
    void runNotifiesSystemdInOrderOverARealDatagramSocket() throws Exception {
        Path socket = dir.resolve("notify.sock");
        Path received = dir.resolve("notify.log");
        Command.Running listener = NotifyListener.start(daemons, dir, socket, received);
        Command.Running daemon = daemons.spawn(Command.of(probe("run", "--dir", dir.toString())).in(dir)
                .env("NOTIFY_SOCKET", socket.toString()).env("WATCHDOG_USEC", "200000")
                .output(dir.resolve("run.out"), dir.resolve("run.err")));
        await("READY=1", Duration.ofSeconds(10), () -> Daemons.readOrEmpty(received).contains("READY=1"));
        assertExit(probeRun("reload"), 0);
        await("RELOADING=1 then READY=1", Duration.ofSeconds(10),
                () -> Daemons.readOrEmpty(received).matches("(?s).*RELOADING=1 MONOTONIC_USEC=\\d+.*READY=1.*"));
        await("two watchdog pings", Duration.ofSeconds(10),
                () -> Daemons.readOrEmpty(received).split("WATCHDOG=1", -1).length > 2);
        daemon.destroy();
        assertExit(daemon.finish(Duration.ofSeconds(30)), 0);
        await("STOPPING=1", Duration.ofSeconds(10), () -> Daemons.readOrEmpty(received).contains("STOPPING=1"));
        List<String> messages = Files.readAllLines(received).stream().filter(l -> !l.startsWith("WATCHDOG"))
                .collect(Collectors.toList());
        assertThat(messages.get(0)).isEqualTo("READY=1 MAINPID=" + daemon.pid());
        assertThat(messages).containsSubsequence(messages.get(0), "READY=1", "STOPPING=1");
        Matcher reloading = Pattern.compile("RELOADING=1 MONOTONIC_USEC=(\\d+)").matcher(String.join("\n", messages));
        assertThat(reloading.find()).isTrue();
        listener.destroy();
    }

    @Test
    void anIsHealthyThatThrowsStopsTheWatchdogPingsWhileItThrowsSaysSoOnceAndThePingsResumeAfter() throws Exception {
        Path socket = dir.resolve("notify.sock");
        Path received = dir.resolve("notify.log");
        Command.Running listener = NotifyListener.start(daemons, dir, socket, received);
        Path broken = dir.resolve("health-broken");
        Files.writeString(broken, "");
        Path err = dir.resolve("run.err");
        Command.Running daemon = daemons.spawn(Command.of(probe("run", "--dir", dir.toString(), "--health-throws-while",
                broken.toString())).in(dir).env("NOTIFY_SOCKET", socket.toString()).env("WATCHDOG_USEC", "100000")
                .output(dir.resolve("run.out"), err));
        await("READY=1", Duration.ofSeconds(10), () -> Daemons.readOrEmpty(received).contains("READY=1"));
        await("the line saying that isHealthy() threw", Duration.ofSeconds(10),
                () -> Daemons.readOrEmpty(err).contains("isHealthy() threw"));
        await("isHealthy() asked five times", Duration.ofSeconds(10),
                () -> events().split("isHealthy throws", -1).length > 5);
        assertThat(Daemons.readOrEmpty(received)).doesNotContain("WATCHDOG=1");
        Files.delete(broken);
        await("the pings resuming", Duration.ofSeconds(10),
                () -> Daemons.readOrEmpty(received).split("WATCHDOG=1", -1).length > 2);
        daemon.destroy();
        assertExit(daemon.finish(Duration.ofSeconds(30)), 0);
        assertThat(Daemons.readOrEmpty(err).lines().filter(l -> l.startsWith("daemonrunner: ")))
                .containsExactly("daemonrunner: isHealthy() threw java.lang.IllegalStateException: health probe broke:"
                        + " taken as false (no watchdog ping to systemd) until it answers again");
        listener.destroy();
    }

    @Test
    void aSocketPassedBySystemdIsServedAsAChannel() throws Exception {
        Assumptions.assumeTrue(Command.of("python3", "--version").run(Duration.ofSeconds(10)).exit() == 0,
                "needs python3");
        List<String> command = new ArrayList<>(List.of("python3", "-c", String.join("\n",
                "import os, socket, sys",
                "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(4)",
                "os.dup2(s.fileno(), 3); os.set_inheritable(3, True)",
                "os.environ['LISTEN_FDS'] = '1'; os.environ['LISTEN_PID'] = str(os.getpid())",
                "os.execvp(sys.argv[1], sys.argv[1:])")));
        command.addAll(probe("run", "--socket-activation", "--dir", dir.toString()));
        Command.Running daemon = daemons.spawn(dir, command, dir.resolve("run.out"), dir.resolve("run.err"));
        await("the activated socket", Duration.ofSeconds(10), () -> events().contains("activated "));
        int port = Integer.parseInt(events().replaceAll("(?s).*activated (\\d+).*", "$1"));
        try (java.net.Socket client = new java.net.Socket("127.0.0.1", port)) {
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hi\n");
        }
        daemon.destroy();
        assertExit(daemon.finish(Duration.ofSeconds(30)), 0);
    }
}
