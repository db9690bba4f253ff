// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Await.await;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.isGone;
import static org.daemonrunner.it.Wrapped.wrapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.pidfile.PidFileState;
import org.daemonrunner.internal.proc.UserAccount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code start} tells the truth about a daemon that is slow, stuck or misbehaving, and about its own end: tiny
 * programs run through daemonrunner.jar, each a class compiled into the test directory.
 */
@EnabledOnOs(OS.LINUX)
class StartTruthIT {
    @TempDir
    Path dir;
    Daemons daemons;
    Path pidfile;
    Path classes;

    @BeforeEach
    void setUp() {
        daemons = new Daemons(dir);
        pidfile = dir.resolve("t.pid");
        classes = dir.resolve("classes");
    }

    @AfterEach
    void killEverythingStarted() throws IOException {
        daemons.close();
    }

    /** Compiles class {@code name} with {@code main}'s body into the test's classes directory. */
    private void program(String name, String mainBody) throws IOException {
        Path source = Files.createDirectories(dir.resolve("src")).resolve(name + ".java");
        Files.writeString(source, "public class " + name + " {\n"
                + "    static void sleepForever() { try { Thread.sleep(Long.MAX_VALUE); } catch (InterruptedException e) { } }\n"
                + "    static void ignoreTerm() { sun.misc.Signal.handle(new sun.misc.Signal(\"TERM\"),"
                + " sun.misc.SignalHandler.SIG_IGN); }\n"
                + "    public static void main(String[] args) throws Exception {\n" + mainBody + "\n    }\n}\n");
        Files.createDirectories(classes);
        Wrapped.tool("javac", "-nowarn", "-XDignore.symbol.file", "-d", classes.toString(), source.toString());
    }

    /** {@code daemonrunner.jar --pidfile P OPTIONS... -- -cp classes MAIN}, with OPTIONS ending in the action. */
    private List<String> wrapped(String main, String... options) {
        List<String> args = new ArrayList<>(List.of("--pidfile", pidfile.toString()));
        args.addAll(List.of(options));
        args.addAll(List.of("--", "-cp", classes.toString(), main));
        return wrapper(args.toArray(String[]::new));
    }

    private PidFileState state() throws IOException {
        return PidFile.inspect(pidfile);
    }

    private static long pidIn(String text) {
        return Long.parseLong(text.replaceAll("(?s).*\\(pid (\\d+)\\).*", "$1"));
    }

    @Test
    @Timeout(60)
    void aStartTimeoutOfZeroIsRefusedBeforeAnythingIsLaunched() throws IOException {
        program("Loop", "new Thread(Loop::sleepForever).start();");

        Command.Result start = daemons.run(wrapped("Loop", "--start-timeout", "0s", "start"));

        assertExit(start, 2);
        assertThat(start.err()).contains("Bad value for option --start-timeout: '0s' is 0, which would give the daemon no time"
                + " at all to become ready (0 does not mean 'no timeout' here");
        assertThat(pidfile).doesNotExist();
        assertThat(start.out()).doesNotContain("pid");

        Command.Result app = daemons.run(Daemons.probe("start", "--dir", dir.toString(), "--pidfile", pidfile.toString(),
                "--start-timeout-ms", "0"));
        assertExit(app, 1);
        assertThat(app.err()).contains("DaemonApp.startTimeout() returned 0s, which would give the daemon no time");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    @Timeout(60)
    void aMainThatReturnsWithNoOtherNonDaemonThreadRunningFailsStartSayingItIsNotADaemon() throws IOException {
        program("Batch", "System.out.println(\"did the work\");");

        Command.Result batch = daemons.run(wrapped("Batch", "start"));

        assertExit(batch, 1);
        assertThat(batch.out()).doesNotContain("started");
        assertThat(batch.err()).contains("exited with status 0 before it was ready: its last non-daemon thread has"
                + " ended, as its main() returned with no other non-daemon thread running: a program that ends when"
                + " its main() returns is not a daemon. Run a batch job without daemonrunner");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    @Timeout(60)
    void aDaemonWhoseJvmBeganToEndBeforeItsMainReturnedIsNotReportedReady() throws IOException {
        // System.exit(3) in a thread of its own, whose shutdown takes 2s (a hook of the program's); meanwhile, once
        // the daemon's own hook has written its line, main returns, the exiting thread still running
        program("ExitMeanwhile", "Runtime.getRuntime().addShutdownHook(new Thread(() -> {"
                + " try { Thread.sleep(2000); } catch (InterruptedException e) { } }));\n"
                + "new Thread(() -> System.exit(3), \"exit\").start();\n"
                + "java.nio.file.Path err = java.nio.file.Path.of(\"/proc/self/fd/2\").toRealPath();\n"
                + "long end = System.nanoTime() + 10_000_000_000L;\n"
                + "while (System.nanoTime() < end && !java.nio.file.Files.readString(err).contains(\"is exiting\")) {"
                + " Thread.sleep(10); }");

        Command.Result start = daemons.run(wrapped("ExitMeanwhile", "start"));

        assertExit(start, 1);
        assertThat(start.out()).doesNotContain("started");
        assertThat(start.err()).containsPattern("exited with status 3 before it was ready: System.exit\\(\\) was called"
                + " by ExitMeanwhile.lambda\\$main\\$\\d+\\(ExitMeanwhile.java:\\d+\\) in thread 'exit'");
    }

    @Test
    @Timeout(60)
    void anAppWhoseJvmBeganToEndBeforeItsInitReturnedIsNotReportedReady() {
        // the same for a DaemonApp: its init() starts System.exit(3) in a thread and returns during the shutdown
        Command.Result start = daemons.run(Daemons.probe("start", "--dir", dir.toString(), "--pidfile",
                pidfile.toString(), "--init-exit-thread", "3"));

        assertExit(start, 1);
        assertThat(start.out()).doesNotContain("started");
        assertThat(start.err()).containsPattern("exited with status 3 before it was ready: System.exit\\(\\) was called"
                + " by org.daemonrunner.it.ProbeApp.lambda\\$init\\$\\d+\\(ProbeApp.java:\\d+\\) in thread 'exit'");
    }

    @Test
    @Timeout(60)
    void aProgramWhoseJvmLeavesSignalsToTheOsIsRefusedSayingWhy() throws IOException {
        program("Loop", "new Thread(Loop::sleepForever).start();");

        Command.Result start = daemons.run(wrapper("--pidfile", pidfile.toString(), "start", "--", "-Xrs", "-cp",
                classes.toString(), "Loop"));

        assertExit(start, 1);
        assertThat(start.err()).contains("exited with status 1 before it was ready: cannot handle SIGHUP and SIGTERM:"
                + " Signal already used by VM or OS: SIGHUP. -Xrs (or -XX:+ReduceSignalUsage) among the JVM options"
                + " leaves them to the OS").doesNotContain("had not returned yet");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    @Timeout(90)
    void aDaemonThatIgnoresSigtermAndBecomesReadyAfterTheTimeoutIsNotSaidToHaveExited() throws IOException {
        program("SlowIgn", "ignoreTerm(); Thread.sleep(3000); new Thread(SlowIgn::sleepForever).start();");

        Command.Result start = daemons.run(wrapped("SlowIgn", "--start-timeout", "1s", "--stop-timeout", "10s",
                "start"));

        assertExit(start, 1);
        long pid = pidIn(start.err());
        daemons.track(pid);
        assertThat(start.err()).contains("did not become ready within 1s; it was sent SIGTERM but is still running,"
                + " and has become ready since (status: running)").doesNotContain("has exited");
        assertThat(isGone(pid)).isFalse();
        PidFileState state = state();
        assertThat(state.holder()).isEqualTo(pid);
        assertThat(state.ready()).isTrue();
    }

    @Test
    @Timeout(90)
    void aStartThatFindsADaemonStillNotReadyAfterItsWaitFailsSayingSinceWhen() throws IOException {
        Command.Running starting = daemons.spawn(dir, Daemons.probe("run", "--dir", dir.toString(), "--pidfile",
                pidfile.toString(), "--init-sleep-ms", "60000"), dir.resolve("run.out"), dir.resolve("run.err"));
        Await.until("the foreground daemon to be starting", Duration.ofSeconds(30), () -> {
            PidFileState state = state();
            return state.status() == PidFileState.Status.RUNNING && !state.ready();
        });
        long pid = state().holder();

        Command.Result start = daemons.run(Daemons.probe("start", "--dir", dir.toString(), "--pidfile",
                pidfile.toString(), "--start-timeout-ms", "1500"));

        assertExit(start, 1);
        assertThat(start.out()).doesNotContain("already running");
        assertThat(start.err()).containsPattern("Cannot start: pid " + pid + " holds pidfile " + pidfile + " and has been"
                + " starting since \\d\\d:\\d\\d:\\d\\d \\(\\d+s ago\\), not ready after a wait of 1500ms\\. See it with"
                + " 'status'; wait for it, or stop it with 'stop'");
        assertThat(state().holder()).as("nothing was done to it").isEqualTo(pid);
        starting.destroy();
    }

    /** Spawns {@code start} of the probe with {@code extra}, and returns it once its daemon holds the pidfile, starting. */
    private Command.Running startingProbe(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("start", "--dir", dir.toString(), "--pidfile", pidfile.toString()));
        args.addAll(List.of(extra));
        Command.Running start = daemons.spawn(dir, Daemons.probe(args.toArray(String[]::new)), dir.resolve("start.out"),
                dir.resolve("start.err"));
        Await.until("the daemon to be starting", Duration.ofSeconds(30), () -> {
            PidFileState state = state();
            return state.status() == PidFileState.Status.RUNNING && !state.ready();
        });
        daemons.track(state().holder());
        return start;
    }

    /** The launch shell waiting for the daemon {@code pid}: its parent, a shell. */
    private static ProcessHandle launchShell(long pid) {
        ProcessHandle shell = ProcessHandle.of(pid).flatMap(ProcessHandle::parent).orElseThrow();
        assertThat(shell.info().command().orElse("")).as("the parent of the daemon").endsWith("sh");
        return shell;
    }

    @Test
    @Timeout(90)
    void aReadyFromTheLaunchShellThatThePidfileDoesNotConfirmIsNotReadiness() throws IOException {
        Command.Running start = startingProbe("--init-sleep-ms", "60000", "--start-timeout-ms", "3000");
        long pid = state().holder();

        launchShell(pid).destroy(); // TERM, as systemd sends to the whole unit at its start timeout

        Command.Result result = start.finish(Duration.ofSeconds(60));
        assertExit(result, 1);
        assertThat(result.out()).doesNotContain("started");
        assertThat(result.err()).contains("Daemon (pid " + pid + ") did not become ready within 3s; it was sent SIGTERM"
                + " and has exited");
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    @Timeout(90)
    void aStartWhoseLaunchShellIsKilledStillReportsTheDaemonAsThePidfileShowsIt() throws IOException {
        Command.Running start = startingProbe("--init-sleep-ms", "2000");
        long pid = state().holder();

        launchShell(pid).destroyForcibly();

        Command.Result result = start.finish(Duration.ofSeconds(60));
        assertExit(result, 0);
        assertThat(result.out()).contains("started with pid " + pid);
        assertThat(state().ready()).isTrue();

        // and one that then fails says so, with its cause and that its status is unknown
        assertExit(daemons.run(Daemons.probe("stop", "--dir", dir.toString(), "--pidfile", pidfile.toString())), 0);
        start = startingProbe("--init-sleep-ms", "2000", "--init-fail", "no database");
        long failing = state().holder();
        launchShell(failing).destroyForcibly();
        result = start.finish(Duration.ofSeconds(60));
        assertExit(result, 1);
        assertThat(result.err()).contains("Cannot start: lost track of the daemon's launch: the launch shell ended"
                + " (status 137) without reporting on the daemon (pid " + failing + "). Daemon (pid " + failing + ") has"
                + " exited before it was ready (its exit status is unknown: the shell that would have reported it is"
                + " gone): init() failed: java.lang.IllegalStateException: no database");
    }

    @Test
    @Timeout(90)
    void anInterruptedStartSaysWhatItLeavesAndTheDaemonStopsItselfAtItsStartTimeout() throws IOException {
        Command.Running start = startingProbe("--init-sleep-ms", "60000", "--start-timeout-ms", "4000");
        long pid = state().holder();

        start.destroy(); // SIGTERM, as Ctrl-C, timeout(1) or a CI runner sends

        Command.Result result = start.finish(Duration.ofSeconds(30));
        assertExit(result, 143);
        assertThat(result.err()).containsPattern("start was interrupted while it waited for pid " + pid + " to become"
                + " ready: the daemon was not stopped and is still starting; unless it is ready by \\d\\d:\\d\\d:\\d\\d"
                + " \\(its start timeout of 4s\\), it stops itself then. See it with 'status'; stop it with 'stop'.");
        await("the daemon to stop itself at its start timeout", Duration.ofSeconds(30), () -> isGone(pid));
        assertThat(Daemons.readOrEmpty(dir.resolve("err.log"))).containsPattern("daemonrunner: pid " + pid + " was not"
                + " ready at the end of its start timeout \\(4s, at \\d\\d:\\d\\d:\\d\\d\\), and the start that launched it"
                + " \\(pid " + "\\d+\\) is gone, so nobody stops it: it exits \\(status 1\\)");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    @Timeout(90)
    void aWrappedProgramWhoseStartWasKilledStopsItselfAtItsStartTimeout() throws IOException {
        program("Loop", "new Thread(Loop::sleepForever).start();");
        Command.Running start = daemons.spawn(dir, wrapped("Loop", "--ready", "file:never", "--start-timeout", "3s",
                "start"), dir.resolve("start.out"), dir.resolve("start.err"));
        Await.until("the daemon to be starting", Duration.ofSeconds(30), () -> {
            PidFileState state = state();
            return state.status() == PidFileState.Status.RUNNING && !state.ready();
        });
        long pid = state().holder();
        daemons.track(pid);

        start.process().destroyForcibly(); // kill -9: nothing of the launcher runs

        await("the daemon to stop itself at its start timeout", Duration.ofSeconds(30), () -> isGone(pid));
        assertThat(Daemons.readOrEmpty(dir.resolve("t.err"))).contains("daemonrunner: pid " + pid + " was not ready at"
                + " the end of its start timeout (3s, at ").contains("is gone, so nobody stops it: it exits (status 1)");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    @Timeout(90)
    void aReadyDaemonKeepsNoThreadForItsStartTimeoutAppOrWrapped() throws IOException {
        assertExit(daemons.run(Daemons.probe("start", "--dir", dir.toString(), "--pidfile", pidfile.toString(),
                "--start-timeout-ms", "300000")), 0);
        long app = state().holder();
        await("the app's start-timeout thread to end once it is ready", Duration.ofSeconds(10),
                () -> !threadNames(app).contains("daemonrunner-st"));
        assertExit(daemons.run(Daemons.probe("stop", "--dir", dir.toString(), "--pidfile", pidfile.toString())), 0);

        program("Serve", "new Thread(Serve::sleepForever).start();");
        assertExit(daemons.run(wrapped("Serve", "--start-timeout", "300s", "start")), 0);
        long wrapped = state().holder();
        daemons.track(wrapped);
        await("the wrapped program's start-timeout thread to end once it is ready", Duration.ofSeconds(10),
                () -> !threadNames(wrapped).contains("daemonrunner-st"));
    }

    /** The names of {@code pid}'s threads as the kernel has them (a Java thread's, cut to 15 bytes). */
    private static List<String> threadNames(long pid) {
        List<String> names = new ArrayList<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                names.add(Daemons.readOrEmpty(task.resolve("comm")).strip());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return names;
    }

    @Test
    @Timeout(90)
    void aDaemonThatOutlivesTheSigtermOfAStartAliveAtItsDeadlineIsLeftAsThatStartSays() throws IOException {
        program("HangIgn", "ignoreTerm(); sleepForever();");

        Command.Result start = daemons.run(wrapped("HangIgn", "--start-timeout", "2s", "--stop-timeout", "1s", "start"));

        assertExit(start, 1);
        long pid = pidIn(start.err());
        daemons.track(pid);
        assertThat(start.err()).contains("did not become ready within 2s; it was sent SIGTERM but is still running: end"
                + " it with 'kill -KILL " + pid + "'");
        assertThat(Await.holdsWithin(Duration.ofSeconds(3), () -> isGone(pid))).as("the daemon, still running as"
                + " start said").isFalse();
        assertThat(Daemons.readOrEmpty(dir.resolve("t.err"))).doesNotContain("start timeout");
    }

    @Test
    @Timeout(60)
    void startAsTheInitOfAPidNamespaceIsRefusedBeforeAnythingIsLaunched() {
        Assumptions.assumeTrue(UserAccount.currentUid() == 0, "a PID namespace needs root here");
        List<String> command = new ArrayList<>(List.of("unshare", "-pf", "--mount-proc"));
        command.addAll(Daemons.probe("start", "--dir", dir.toString(), "--pidfile", pidfile.toString()));

        Command.Result start = daemons.run(command);

        assertExit(start, 1);
        assertThat(start.out()).doesNotContain("started");
        assertThat(start.err()).contains("Cannot start: this process is pid 1, the init of its PID namespace",
                "Make 'run' the container's command instead");
        assertThat(pidfile).doesNotExist();
        assertThat(Daemons.readOrEmpty(dir.resolve("events.log"))).as("nothing ran init()").doesNotContain("init");
    }

    @Test
    @Timeout(60)
    void aFailedStartEndsWhatTheDaemonLeftRunningInItsProcessGroupAndSaysSo() {
        Command.Result start = daemons.run(Daemons.probe("start", "--dir", dir.toString(), "--pidfile",
                pidfile.toString(), "--spawn-child", "--init-fail", "no database"));

        assertExit(start, 1);
        String events = Daemons.readOrEmpty(dir.resolve("events.log"));
        long child = Long.parseLong(events.replaceAll("(?s).*child (\\d+).*", "$1"));
        daemons.track(child);
        assertThat(start.err()).contains("before it was ready: init() failed: java.lang.IllegalStateException: no"
                + " database. Ended 1 process(es) it had started.");
        await("the daemon's child to be gone", Duration.ofSeconds(10), () -> isGone(child));

        // the same after the start timeout's SIGTERM ended the daemon
        Command.Result timedOut = daemons.run(Daemons.probe("start", "--dir", dir.toString(), "--pidfile",
                pidfile.toString(), "--spawn-child", "--init-sleep-ms", "60000", "--start-timeout-ms", "1500"));
        assertExit(timedOut, 1);
        String more = Daemons.readOrEmpty(dir.resolve("events.log"));
        long second = Long.parseLong(more.replaceAll("(?s).*child (\\d+).*", "$1"));
        daemons.track(second);
        assertThat(second).isNotEqualTo(child);
        assertThat(timedOut.err()).contains("did not become ready within 1500ms; it was sent SIGTERM and has exited",
                "Ended 1 process(es) it had started.");
        await("the timed-out daemon's child to be gone", Duration.ofSeconds(10), () -> isGone(second));
    }

    @Test
    @Timeout(60)
    void aFullFileSystemUnderThePidfileIsSaidInOneLineWithWhatToDo() throws IOException {
        Assumptions.assumeTrue(UserAccount.currentUid() == 0, "a tmpfs in a private mount namespace needs root here");
        Path full = Files.createDirectory(dir.resolve("full"));
        Path inFull = full.resolve("probe.pid");
        // a tmpfs of one page, filled before start: the pidfile can be created (an inode), but no byte written to it
        Command.Result start = daemons.run(Daemons.inMountNamespace("mount -t tmpfs -o size=4k,mode=755"
                + " daemonrunner-full " + full + " && { dd if=/dev/zero of=" + full + "/filler bs=4k count=4"
                + " 2>/dev/null; [ \"$(df --output=avail " + full + " | tail -1 | tr -d ' ')\" = 0 ]; }",
                Daemons.probe("start", "--dir", dir.toString(), "--pidfile", inFull.toString())));

        assertExit(start, 1);
        long pid = pidIn(start.err());
        assertThat(start.err().lines().findFirst().orElse("")).contains("Daemon (pid " + pid + ") exited with status 1"
                + " before it was ready: cannot write pid " + pid + " to pidfile " + inFull + ": no space left on device"
                + " (ENOSPC). Free space on its file system, or give the daemon a pidfile path on another.");
        assertThat(start.err()).doesNotContain("IOException", "\tat ");
        assertThat(Daemons.readOrEmpty(dir.resolve("events.log"))).as("nothing ran init()").doesNotContain("init");
    }
}
