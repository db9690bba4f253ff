// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Await.await;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.isGone;
import static org.daemonrunner.it.Daemons.probe;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.daemonrunner.internal.proc.UserAccount;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The {@code DaemonContext} options, the signal map and {@code reload}, against real daemons. */
class ContextIT extends ProbeTest {
    private static String procField(long pid, String file, String prefix) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/" + file)).stream().filter(l -> l.startsWith(prefix))
                .findFirst().orElseThrow().substring(prefix.length()).trim();
    }

    private static void assumeRoot() {
        Assumptions.assumeTrue(UserAccount.currentUid() == 0, "needs root (CI runs as root)");
    }

    /** The probe command for user nobody: a readable copy of the class path, and an events file nobody can write. */
    /** {@code command} run as the user nobody (65534), without root's groups. */
    private static List<String> runAsNobody(List<String> command) {
        List<String> asNobody = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups"));
        asNobody.addAll(command);
        return asNobody;
    }

    private List<String> probeForNobody(String... args) throws IOException {
        String classPath = Daemons.classPathForNobody(dir);
        Path events = dir.resolve("events.log");
        if (!Files.exists(events)) {
            Files.writeString(events, "");
        }
        Files.setPosixFilePermissions(events, PosixFilePermissions.fromString("rw-rw-rw-"));
        List<String> command = new ArrayList<>(List.of(Daemons.JAVA, "-cp", classPath, ProbeApp.class.getName()));
        command.addAll(List.of(args));
        command.addAll(List.of("--dir", dir.toString()));
        return command;
    }

    @Test
    void theUmaskAppliesToFilesTheAppCreates() throws IOException {
        startProbe("--umask", "027", "--create", dir.resolve("made-027").toString());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("made-027"))))
                .isEqualTo("rw-r-----");
        for (String log : new String[] {"out.log", "err.log"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(log))))
                    .as("%s, which start created: the daemon's umask, not the launcher's", log).isEqualTo("rw-r-----");
        }
        assertExit(probeRun("stop"), 0);
        long pid = startProbe("--create", dir.resolve("made-default").toString());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("made-default"))))
                .isEqualTo("rw-r--r--");
        assertThat(procField(pid, "status", "Umask:")).isEqualTo("0022");
    }

    @Test
    void theDaemonRunsInItsWorkingDirectory() throws IOException {
        Path work = Files.createDirectories(dir.resolve("work"));
        long pid = startProbe("--workdir", work.toString());
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd"))).isEqualTo(work);
        Command.Result missing = probeRun("restart", "--workdir", dir.resolve("missing").toString());
        assertExit(missing, 1);
        assertThat(missing.err()).contains("working directory " + dir.resolve("missing") + " does not exist");
    }

    @Test
    void coreDumpsArePreventedByDefault() throws IOException {
        long pid = startProbe();
        assertThat(procField(pid, "limits", "Max core file size")).startsWith("0 ");
    }

    @Test
    void terminalStopSignalsAreIgnoredAndHupCallsReloadWhileTheDaemonLivesOn() throws Exception {
        long pid = startProbe("--winch");
        long ignored = Long.parseLong(procField(pid, "status", "SigIgn:"), 16);
        for (int signal : new int[] {20, 21, 22}) { // TSTP, TTIN, TTOU
            assertThat(ignored & (1L << (signal - 1))).as("signal %d ignored", signal).isNotZero();
        }
        assertExit(daemons.run(List.of("kill", "-HUP", Long.toString(pid))), 0);
        await("reload() after SIGHUP", Duration.ofSeconds(10), () -> events().contains("reload " + pid));
        assertExit(daemons.run(List.of("kill", "-WINCH", Long.toString(pid))), 0);
        await("the app's WINCH handler", Duration.ofSeconds(10), () -> events().contains("winch " + pid));
        assertThat(isGone(pid)).isFalse();
        assertThat(probeRun("status").out()).startsWith("running with pid " + pid + ",");
    }

    /** The stack trace of the line {@code line} in {@code log}: what comes before it, from the exception's first line. */
    private static String traceBefore(String log, String line, String exception) {
        int at = log.indexOf(line);
        assertThat(at).as("%s in %s", line, log).isNotNegative();
        int from = log.lastIndexOf(exception + "\n", at);
        assertThat(from).as("a stack trace before %s in %s", line, log).isNotNegative();
        return log.substring(from, at);
    }

    @Test
    void whatStopReloadAndASignalHandlerThrowIsLoggedWithItsStackTraceThenOneLine() {
        long pid = startProbe("--reload-fail", "bad config line 3", "--stop-fail", "cannot flush",
                "--winch-fail", "no terminal");
        Path err = dir.resolve("err.log");
        String reloaded = "daemonrunner: pid " + pid + ": reload() threw java.lang.IllegalStateException: bad config line 3\n";
        assertExit(probeRun("reload"), 0);
        await("reload()'s failure in " + err, Duration.ofSeconds(10), () -> Daemons.readOrEmpty(err).contains(reloaded));
        assertThat(traceBefore(Daemons.readOrEmpty(err), reloaded, "java.lang.IllegalStateException: bad config line 3"))
                .contains("\tat org.daemonrunner.it.ProbeApp.reload(ProbeApp.java:");
        assertThat(Daemons.readOrEmpty(err)).as("the one line comes last").endsWith(reloaded);

        String handled = "daemonrunner: pid " + pid + ": the SIGWINCH handler threw java.lang.IllegalStateException: no terminal\n";
        assertExit(daemons.run(List.of("kill", "-WINCH", Long.toString(pid))), 0);
        await("the handler's failure in " + err, Duration.ofSeconds(10), () -> Daemons.readOrEmpty(err).contains(handled));
        assertThat(traceBefore(Daemons.readOrEmpty(err), handled, "java.lang.IllegalStateException: no terminal"))
                .contains("\tat org.daemonrunner.it.ProbeApp.lambda$");

        assertExit(probeRun("stop"), 0);
        String stopped = "daemonrunner: pid " + pid + ": stop() threw java.lang.IllegalStateException: cannot flush\n";
        assertThat(traceBefore(Daemons.readOrEmpty(err), stopped, "java.lang.IllegalStateException: cannot flush"))
                .contains("\tat org.daemonrunner.it.ProbeApp.stop(ProbeApp.java:");
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void aSecondDoActionInTheDaemonDoesNothingAndSaysWhatToDoInOneLineWithStatus1() {
        long pid = startProbe("--again");
        await("the second doAction's status", Duration.ofSeconds(10), () -> events().contains("again "));

        assertThat(events()).contains("again 1");
        String err = Daemons.readOrEmpty(dir.resolve("err.log"));
        assertThat(err).contains("daemonrunner: pid " + pid + " already runs the app, holding pidfile " + pidfile
                + ": DaemonRunner.doAction was called a second time in this process and did nothing (status 1).",
                "Call doAction once, from main");
        assertThat(err.split(java.util.regex.Pattern.quote(pidfile.toString()), -1)).as("the pidfile named once")
                .hasSize(2);
        assertExit(probeRun("stop"), 0); // the first app's stop still works
        assertThat(events()).contains("stop " + pid, "hook " + pid);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void reloadSignalsTheRunningDaemonAndExits7WhenNothingRuns() {
        Command.Result none = probeRun("reload");
        assertExit(none, 7);
        assertThat(none.out()).contains("not running");
        long pid = startProbe();
        Command.Result reload = probeRun("reload");
        assertExit(reload, 0);
        assertThat(reload.out()).contains("SIGHUP sent to pid " + pid);
        await("reload() in the daemon", Duration.ofSeconds(10), () -> events().contains("reload " + pid));
        assertExit(probeRun("stop"), 0);
        assertExit(probeRun("reload"), 7);
    }

    @Test
    void aChrootIsRefusedBeforeDetachingWithTheReason() {
        Command.Result start = probeRun("start", "--chroot", "/srv/jail");
        assertExit(start, 1);
        assertThat(start.err()).contains("chroot to /srv/jail is not supported", "RootDirectory=");
        assertThat(pidfile).doesNotExist();
        assertThat(events()).isEmpty();
    }

    @Test
    void detachNeverMakesStartRunInTheForeground() throws Exception {
        Command.Running start = daemons.spawn(dir, probe("start", "--detach", "never", "--dir", dir.toString()),
                dir.resolve("fg.out"), dir.resolve("fg.err"));
        await("the foreground start to hold the pidfile", Duration.ofSeconds(10),
                () -> probeRun("status").out().startsWith("running with pid " + start.pid() + ","));
        assertThat(Daemons.readOrEmpty(dir.resolve("fg.err"))).contains("daemonrunner: not detaching: the app's"
                + " DaemonContext says Detach.NEVER; running in the foreground, as 'run' does");
        start.destroy();
        assertExit(start.finish(Duration.ofSeconds(30)), 0);
        assertThat(events()).contains("hook " + start.pid());
    }

    /** The probe's start, orphaned at once by a shell that exits (as {@code (app start &)} and {@code setsid -f}). */
    private List<String> orphaned(Path out, Path err, String... args) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c",
                "out=$1 err=$2; shift 2; \"$@\" </dev/null >\"$out\" 2>\"$err\" &", "sh", out.toString(),
                err.toString()));
        command.addAll(probe(args));
        return command;
    }

    /** The probe's start with an AF_UNIX socket pair as stdin, as Node.js's child_process gives it. */
    private static List<String> withSocketPairStdin(List<String> probe) throws Exception {
        Assumptions.assumeTrue(Command.of("python3", "--version").run(Duration.ofSeconds(10)).exit() == 0,
                "needs python3");
        List<String> command = new ArrayList<>(List.of("python3", "-c", "import os, socket, sys\n"
                + "a, b = socket.socketpair()\nos.dup2(a.fileno(), 0)\nos.execvp(sys.argv[1], sys.argv[1:])"));
        command.addAll(probe);
        return command;
    }

    @Test
    void startDetachesByDefaultEvenWhenItsParentIsInit() throws Exception {
        Path out = dir.resolve("orphan.out");
        assertExit(daemons.run(orphaned(out, dir.resolve("orphan.err"), "start", "--dir", dir.toString())), 0);
        await("the orphaned start to say it started the daemon", Duration.ofSeconds(20),
                () -> Daemons.readOrEmpty(out).contains("started with pid"));
        long pid = Command.startedPid(Daemons.readOrEmpty(out)).orElseThrow();
        daemons.track(pid);
        assertThat(Daemons.readOrEmpty(dir.resolve("orphan.err"))).doesNotContain("not detaching");
        assertThat(Daemons.stat(pid)[3]).as("the daemon's session").isNotEqualTo(Long.toString(pid));
        assertThat(Daemons.readOrEmpty(dir.resolve("out.log"))).contains("probe " + pid + " started");
        assertExit(probeRun("stop"), 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void withDetachAutoStartDoesNotDetachWhenItsParentIsInitAndSaysWhy() throws Exception {
        Path err = dir.resolve("orphan.err");
        assertExit(daemons.run(orphaned(dir.resolve("orphan.out"), err, "start", "--detach", "auto", "--dir",
                dir.toString())), 0);
        await("the orphaned start to hold the pidfile", Duration.ofSeconds(10),
                () -> probeRun("status").exit() == 0 && events().contains("run "));
        long pid = Long.parseLong(probeRun("status").out().replaceAll("(?s)running with pid (\\d+).*", "$1").trim());
        daemons.track(pid);
        long parent = ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
        Assumptions.assumeTrue(parent == 1, "the orphan was adopted by a subreaper (pid " + parent + "), not init");
        assertThat(Daemons.cmdline(pid)).contains("start").noneMatch(a -> a.startsWith("-Ddaemonrunner."));
        assertThat(Daemons.readOrEmpty(err)).contains("daemonrunner: not detaching: the parent process is init, pid 1"
                + " (Detach.AUTO, python-daemon's rule); running in the foreground, as 'run' does");
        assertExit(probeRun("stop"), 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void startDetachesByDefaultWhenStdinIsASocketPairAsNodeGivesIt() throws Exception {
        Command.Result start = assertExit(daemons.run(withSocketPairStdin(probe("start", "--dir", dir.toString()))), 0);
        long pid = start.startedPid();
        assertThat(start.err()).doesNotContain("not detaching");
        assertThat(probeRun("status").out()).startsWith("running with pid " + pid + ",");
        assertExit(probeRun("stop"), 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void withDetachAutoStartDoesNotDetachWhenStdinIsASocketAndSaysWhy() throws Exception {
        Path err = dir.resolve("inetd.err");
        Command.Running start = daemons.spawn(dir, withSocketPairStdin(probe("start", "--detach", "auto", "--dir",
                dir.toString())), dir.resolve("inetd.out"), err);
        await("the inetd-style start to hold the pidfile", Duration.ofSeconds(10),
                () -> probeRun("status").out().startsWith("running with pid " + start.pid() + ","));
        assertThat(Daemons.readOrEmpty(err)).contains("daemonrunner: not detaching: standard input is a socket"
                + " (Detach.AUTO, python-daemon's rule for inetd)");
        start.destroy();
        assertExit(start.finish(Duration.ofSeconds(30)), 0);
    }

    @Test
    void asRootTheDaemonRunsAsTheConfiguredUserWithPidfileAndLogsStillWorking() throws IOException {
        assumeRoot();
        Command.Result start = daemons.run(probeForNobody("start", "--user", "nobody"));
        assertExit(start, 0);
        long pid = start.startedPid();
        assertThat(procField(pid, "status", "Uid:")).startsWith("65534\t65534");
        await("run() to start", Duration.ofSeconds(10), () -> events().contains("run " + pid));
        assertThat(events()).contains("run " + pid + " uids=65534\n");
        assertThat(Files.getOwner(pidfile).getName()).isEqualTo("nobody");
        assertThat(Files.readString(pidfile)).isEqualTo(pid + "\n");
        assertThat(Files.readString(dir.resolve("out.log"))).contains("probe " + pid + " started");
        Command.Result status = daemons.run(probeForNobody("status", "--user", "nobody"));
        assertThat(status.out()).startsWith("running with pid " + pid + ",");
        Command.Result stop = daemons.run(probeForNobody("stop", "--user", "nobody"));
        assertExit(stop, 0);
        assertThat(isGone(pid)).isTrue();
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void aClassPathEntryTheUserCannotReadIsRefusedInOneLineBeforeAnythingIsLaunched() throws IOException {
        assumeRoot();
        List<String> command = probeForNobody("start", "--user", "nobody");
        Path secret = Files.createDirectory(dir.resolve("secret"));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwx------"));
        String classPath = command.get(2);
        Path jar = Files.copy(Path.of(classPath.split(File.pathSeparator)[0]), secret.resolve("lib.jar"));
        command.set(2, classPath + File.pathSeparator + jar);
        String refusal = "user nobody cannot read " + jar + " (class path of the daemon's JVM): " + secret
                + " is drwx------ root:root. Give the user access, or put the jars where it can read them.";

        Command.Result start = assertExit(daemons.run(command), 4);
        assertThat(start.err().strip()).isEqualTo("Cannot start: " + refusal);
        assertThat(pidfile).as("nothing made for nobody").doesNotExist();
        assertThat(events()).isEmpty();

        command.set(command.indexOf("start"), "restart");
        Command.Result restart = assertExit(daemons.run(command), 4);
        assertThat(restart.err().strip()).isEqualTo("Cannot restart: " + refusal);
        assertThat(events()).isEmpty();
    }

    @Test
    void aDaemonJvmThatCannotStartQuotesTheLogItsFatalErrorWentTo() throws IOException {
        assumeRoot();
        // RLIMIT_NPROC binds nobody, not root: the launcher starts, the daemon's JVM cannot make its threads
        List<String> command = new ArrayList<>(List.of("prlimit", "--nproc=4", "--"));
        command.addAll(probeForNobody("start", "--user", "nobody"));
        Command.Result start = assertExit(daemons.run(command), 1);

        assertThat(start.err()).contains("before it was ready");
        assertThat(pidfile).as("the file start made for nobody, which its daemon never locked").doesNotExist();
        long pid = Long.parseLong(start.err().replaceAll("(?s)^Daemon \\(pid (\\d+)\\).*", "$1"));
        Path crash = Path.of(System.getProperty("java.io.tmpdir"), "hs_err_pid" + pid + ".log");
        try {
            String out = Daemons.readOrEmpty(dir.resolve("out.log"));
            String err = Daemons.readOrEmpty(dir.resolve("err.log"));
            assertThat(out + err).as("what the JVM wrote").isNotBlank();
            if (err.isBlank()) {
                assertThat(start.err()).contains("Nothing was written to " + dir.resolve("err.log") + ". Last lines"
                        + " of " + dir.resolve("out.log") + ":", out.strip().lines().reduce((a, b) -> b).orElseThrow());
            } else {
                assertThat(start.err()).contains("Last lines of " + dir.resolve("err.log") + ":",
                        err.strip().lines().reduce((a, b) -> b).orElseThrow());
            }
            if (Files.exists(crash)) { // where the JVM could write one: its working directory /, else the temp dir
                assertThat(start.err()).contains("The JVM wrote a crash report: " + crash + ".");
            }
        } finally {
            Files.deleteIfExists(crash);
        }
    }

    @Test
    void withDropAfterInitInitRunsAsRootToBindPort80AndRunRunsAsTheUser() throws IOException {
        assumeRoot();
        Command.Result start = daemons.run(probeForNobody("start", "--user", "nobody", "--drop-after-init",
                "--bind-port", "80"));
        assertExit(start, 0);
        long pid = start.startedPid();
        await("run() to start", Duration.ofSeconds(10), () -> events().contains("run " + pid));
        assertThat(events()).contains("bound 80 uids=0\n", "run " + pid + " uids=65534\n");
        assertThat(procField(pid, "status", "Uid:")).startsWith("65534\t65534");
        assertThat(procField(pid, "status", "Gid:")).startsWith("65534\t65534");
        assertExit(daemons.run(probeForNobody("stop", "--user", "nobody")), 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void aNonRootLauncherAskingForAnotherUserIsRefusedBeforeDetaching() throws IOException {
        assumeRoot();
        List<String> command = runAsNobody(probeForNobody("start", "--user", "root"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Command.Result start = daemons.run(command);
        assertExit(start, 4);
        assertThat(start.err()).contains("Cannot start as user root: only root can switch users");
        assertThat(events()).isEmpty();
    }

    @Test
    void aUserWhoMayNotSignalTheDaemonIsToldSoWithStatus4() throws IOException {
        assumeRoot();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Command.Result start = assertExit(daemons.run(probeForNobody("start")), 0); // as root
        long pid = start.startedPid();
        // every action that signals the daemon says it in the same words: which signal, to whom, as whom it runs
        for (String action : List.of("reload", "reopen-logs", "stop", "force-stop", "restart")) {
            Command.Result result = daemons.run(runAsNobody(probeForNobody(action)));
            assertExit(result, 4, action);
            assertThat(result.err()).as(action).contains("Cannot send " + (action.equals("reload") ? "SIGHUP"
                    : action.equals("reopen-logs") ? "SIGUSR1" : "SIGTERM") + " to process " + pid + " (holder of ",
                    "): permission denied, it runs as uid 0. Nothing was sent. Run this as the daemon's user or as"
                    + " root.");
            assertThat(isGone(pid)).as(action).isFalse();
        }
    }

    @Test
    void anUnknownUserIsRefusedBeforeDetaching() {
        Command.Result start = probeRun("start", "--user", "no-such-user-here");
        assertExit(start, 1);
        assertThat(start.err()).contains("no such user 'no-such-user-here'");
    }
}
