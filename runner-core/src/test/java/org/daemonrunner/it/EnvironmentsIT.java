// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Await.await;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.inMountNamespace;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.daemonrunner.internal.proc.UserAccount;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The environments operators really have, each made for real: a symlinked pidfile directory, a noexec or
 * read-only temp directory, a read-only file system, another time namespace, busybox's {@code env}, an app without
 * an SLF4J binding, Ctrl-C on {@code run}, and the shell idioms that read a pidfile. Mounts are made in private
 * mount namespaces ({@code unshare --mount}), which end with the last process in them: nothing is left on the host.
 */
class EnvironmentsIT extends ProbeTest {
    private static final boolean ROOT = UserAccount.currentUid() == 0;

    private static void assumeRoot(String what) {
        Assumptions.assumeTrue(ROOT, what + " needs root (CI runs as root)");
    }

    /** The probe with {@code jvmOptions} before its main class. */
    private static List<String> probeWith(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>(List.of(Daemons.JAVA));
        command.addAll(jvmOptions);
        command.addAll(probe(args).subList(1, probe(args).size()));
        return command;
    }

    /** The mask of signals process {@code pid} ignores ({@code SigIgn}: bit N-1 for signal N). */
    private static long ignoredSignals(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
            }
        }
        throw new AssertionError("no SigIgn in /proc/" + pid + "/status");
    }

    private static List<String> jffiFilesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("jffi")).sorted()
                    .collect(Collectors.toList());
        }
    }

    private Path noexecDirectory() throws IOException {
        return Files.createDirectories(dir.resolve("noexec-tmp"));
    }

    private static String noexecMount(Path directory) {
        return "mount -t tmpfs -o noexec,mode=1777,size=16m daemonrunner-noexec " + directory;
    }

    /** A temp directory as {@code ProtectSystem=strict} leaves {@code /tmp}: there, and read-only. */
    private Path readOnlyTempDirectory() throws IOException {
        return Files.createDirectories(dir.resolve("ro-tmp"));
    }

    private static String readOnlyMount(Path directory) {
        return "mount -t tmpfs -o ro,mode=1777,size=1m daemonrunner-ro-tmp " + directory;
    }

    @Test
    void thePidfileIsThePidAndANewlineSoTheShellIdiomsWork() throws IOException {
        long pid = startProbe();
        assertThat(Files.readString(pidfile)).isEqualTo(pid + "\n");
        for (String idiom : List.of("kill -0 $(cat \"$0\")", "ps -p $(cat \"$0\") >/dev/null",
                "[ -e /proc/$(cat \"$0\") ]", "read pid < \"$0\" && kill -HUP \"$pid\"", "kill -HUP $(cat \"$0\")")) {
            int reloads = events().split("reload " + pid, -1).length - 1;
            // /bin/sh is dash on Debian: "kill -0 $(cat F)" used to fail there on the second line
            assertExit(daemons.run(List.of("/bin/sh", "-c", idiom, pidfile.toString())), 0);
            if (idiom.contains("-HUP")) {
                // one at a time: two SIGHUPs pending at once are one for the kernel
                await("the reload after '" + idiom + "'", Duration.ofSeconds(10),
                        () -> events().split("reload " + pid, -1).length - 1 == reloads + 1);
            }
        }
        assertExit(probeRun("stop"), 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void asRootAPidfileUnderASymlinkedDirectoryWorksAsUnderItsTarget() throws IOException {
        assumeRoot("the root-only pidfile path check");
        Path run = Files.createDirectory(dir.resolve("run"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path varRun = Files.createSymbolicLink(dir.resolve("var-run"), run); // as Debian's /var/run -> /run
        String viaLink = varRun.resolve("probe.pid").toString();

        long pid = assertExit(probeRun("start", "--pidfile", viaLink), 0).startedPid();
        assertThat(assertExit(probeRun("status", "--pidfile", viaLink), 0).out()).startsWith("running with pid " + pid);
        assertThat(assertExit(probeRun("stop", "--pidfile", viaLink), 0).out()).contains("stopped (pid " + pid + ")");
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void aDaemonInAnotherTimeNamespaceIsReportedAndStoppedFromOutside() {
        assumeRoot("a new time namespace");
        List<String> start = new ArrayList<>(List.of("unshare", "--time", "--fork", "--boottime", "86400",
                "--monotonic", "86400"));
        start.addAll(probe("start", "--dir", dir.toString()));
        long pid = assertExit(daemons.run(start), 0).startedPid();

        assertThat(assertExit(probeRun("status"), 0).out()).startsWith("running with pid " + pid);
        Command.Result stop = assertExit(probeRun("stop"), 0);
        assertThat(stop.out()).contains("stopped (pid " + pid + ")").doesNotContain("replaced");
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void reopenLogsUnderANoexecTempDirectoryFailsWithTheDaemonsOwnErrorAndNothingIsUnpackedIntoTheRoot()
            throws IOException {
        assumeRoot("a noexec mount");
        Path noexec = noexecDirectory();
        List<String> rootBefore = jffiFilesIn(Path.of("/"));
        long pid = assertExit(daemons.run(inMountNamespace(noexecMount(noexec),
                probeWith(List.of("-Djava.io.tmpdir=" + noexec), "start", "--dir", dir.toString()))), 0).startedPid();
        // not renamed: its descriptors are the files at the paths already, and still it could not reopen them
        Command.Result notRenamed = assertExit(probeRun("reopen-logs"), 1);
        assertThat(notRenamed.out()).doesNotContain("reopened");
        assertThat(notRenamed.err()).contains("Cannot reopen the logs of pid " + pid + ": it says \"pid " + pid
                + " cannot reopen the logs", "mounted noexec").doesNotContain("org.daemonrunner", "Exception");
        Files.move(dir.resolve("out.log"), dir.resolve("out.log.1"));
        Files.move(dir.resolve("err.log"), dir.resolve("err.log.1"));

        Command.Result reopen = assertExit(probeRun("reopen-logs"), 1);

        assertThat(reopen.err()).contains("Cannot reopen the logs of pid " + pid + ": it says \"pid " + pid + " cannot reopen the logs",
                "mounted noexec", "-Djffi.extract.dir=DIR", "Its output still goes to the files it had open");
        assertThat(Daemons.readOrEmpty(dir.resolve("err.log.1"))).contains("daemonrunner: pid " + pid + " cannot reopen the logs");
        assertThat(jffiFilesIn(Path.of("/"))).as("jffi libraries unpacked into /").isEqualTo(rootBefore);
        assertExit(probeRun("stop"), 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void reopenLogsSucceedsOnlyOnceTheDaemonWritesToTheNewFiles() throws IOException {
        long pid = startProbe();
        Files.move(dir.resolve("out.log"), dir.resolve("out.log.1"));
        Files.move(dir.resolve("err.log"), dir.resolve("err.log.1"));

        Command.Result reopen = assertExit(probeRun("reopen-logs"), 0);

        assertThat(reopen.out()).isEqualTo("reopened logs (SIGUSR1 sent to pid " + pid + "; its output now goes to "
                + dir.resolve("out.log") + " and " + dir.resolve("err.log") + ")\n");
        Path fd1 = Path.of("/proc", Long.toString(pid), "fd", "1");
        assertThat(Files.isSameFile(fd1, dir.resolve("out.log"))).isTrue();
        assertThat(Files.readString(dir.resolve("err.log"))).contains("daemonrunner: pid " + pid + " reopened the logs "
                + dir.resolve("out.log") + " and " + dir.resolve("err.log"));
        assertExit(probeRun("stop"), 0);
    }

    @Test
    void reopenLogsToDevNullSaysAtOnceThatItCannotBeConfirmed() {
        long pid = startProbe("--stderr", "/dev/null");

        Command.Result reopen = assertExit(probeRun("reopen-logs", "--stderr", "/dev/null"), 1);

        assertThat(reopen.out()).doesNotContain("reopened");
        assertThat(reopen.err()).contains("Sent SIGUSR1 to pid " + pid + ", but could not confirm", "/dev/null is not"
                + " a regular file");
        assertExit(probeRun("stop", "--stderr", "/dev/null"), 0);
    }

    @Test
    void reopenLogsWithoutARenameSucceedsOnceTheDaemonSaysItReopenedThem() throws IOException {
        long pid = startProbe();

        Command.Result reopen = assertExit(probeRun("reopen-logs"), 0);

        assertThat(reopen.out()).startsWith("reopened logs (SIGUSR1 sent to pid " + pid);
        assertThat(Files.readString(dir.resolve("err.log"))).contains("daemonrunner: pid " + pid + " reopened the logs ");
        assertExit(probeRun("stop"), 0);
    }

    @Test
    void runUnderNotifySocketFailsAtOnceWhenItsNativeCodeCannotLoad() throws IOException {
        assumeRoot("a noexec mount");
        Path noexec = noexecDirectory();
        Command.Result run = Command.of(inMountNamespace(noexecMount(noexec),
                        probeWith(List.of("-Djava.io.tmpdir=" + noexec), "run", "--dir", dir.toString())))
                .in(dir).env("NOTIFY_SOCKET", dir.resolve("notify.sock").toString()).scratch(dir)
                .run(Duration.ofSeconds(30));

        assertExit(run, 1);
        assertThat(run.err()).contains("daemonrunner: systemd asked for notifications (NOTIFY_SOCKET), but they"
                + " cannot be sent: Native code cannot be loaded", "mounted noexec");
        assertThat(events()).as("init() never ran").doesNotContain("init ");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void runUnderNotifySocketFailsAtOnceWhenTheTempDirectoryIsReadOnly() throws IOException {
        assumeRoot("a read-only mount");
        Path readOnly = readOnlyTempDirectory();
        Path received = dir.resolve("notify.log");
        Command.Running listener = NotifyListener.start(daemons, dir, dir.resolve("notify.sock"), received);
        Command.Result run = Command.of(inMountNamespace(readOnlyMount(readOnly),
                        probeWith(List.of("-Djava.io.tmpdir=" + readOnly), "run", "--dir", dir.toString())))
                .in(dir).env("NOTIFY_SOCKET", dir.resolve("notify.sock").toString()).scratch(dir)
                .run(Duration.ofSeconds(30));

        assertExit(run, 1); // it used to serve without READY=1, and systemd waited for its start timeout
        assertThat(run.err()).contains("daemonrunner: systemd asked for notifications (NOTIFY_SOCKET), but they"
                + " cannot be sent: Native code cannot be loaded: jffi (jnr) unpacks its library into " + readOnly
                + " (the temp directory), which cannot be written: read-only file system", "-Djffi.extract.dir=DIR",
                "PrivateTmp=yes", "ReadWritePaths=").doesNotContain("UnsatisfiedLinkError");
        assertThat(events()).as("init() never ran").doesNotContain("init ");
        assertThat(pidfile).doesNotExist();
        assertThat(Daemons.readOrEmpty(received)).doesNotContain("READY=1");
        listener.destroy();
    }

    @Test
    void runUnderNotifySocketFailsAtOnceWhenTheChosenExtractDirectoryIsMissing() {
        Path missing = dir.resolve("missing");
        Command.Result run = Command.of(probeWith(List.of("-Djffi.extract.dir=" + missing), "run", "--dir",
                        dir.toString()))
                .in(dir).env("NOTIFY_SOCKET", dir.resolve("notify.sock").toString()).scratch(dir)
                .run(Duration.ofSeconds(30));

        assertExit(run, 1);
        assertThat(run.err()).contains("cannot be sent: Native code cannot be loaded: jffi (jnr) unpacks its library"
                + " into " + missing + " (-Djffi.extract.dir), which does not exist. Point -Djffi.extract.dir at a"
                + " directory that the daemon's user can write").doesNotContain("UnsatisfiedLinkError");
        assertThat(events()).as("init() never ran").doesNotContain("init ");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void reopenLogsUnderAReadOnlyTempDirectorySaysWhichDirectoryWhatTheOsSaidAndWhatToSet() throws IOException {
        assumeRoot("a read-only mount");
        Path readOnly = readOnlyTempDirectory();
        long pid = assertExit(daemons.run(inMountNamespace(readOnlyMount(readOnly),
                probeWith(List.of("-Djava.io.tmpdir=" + readOnly), "start", "--dir", dir.toString()))), 0).startedPid();
        Files.move(dir.resolve("out.log"), dir.resolve("out.log.1"));
        Files.move(dir.resolve("err.log"), dir.resolve("err.log.1"));

        Command.Result reopen = assertExit(probeRun("reopen-logs"), 1);

        assertThat(reopen.err()).contains("Cannot reopen the logs of pid " + pid + ": it says \"pid " + pid
                + " cannot reopen the logs", "Native code cannot be loaded: jffi (jnr) unpacks its library into "
                + readOnly + " (the temp directory), which cannot be written: read-only file system",
                "-Djffi.extract.dir=DIR", "PrivateTmp=yes", "Its output still goes to the files it had open")
                .doesNotContain("UnsatisfiedLinkError", "Exception");
        assertExit(probeRun("stop"), 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void startWithThePidfileDirectoryOnAReadOnlyFileSystemSaysSo() throws IOException {
        assumeRoot("a read-only mount");
        Path readOnly = Files.createDirectories(dir.resolve("ro"));
        Command.Result start = daemons.run(inMountNamespace("mount -t tmpfs -o ro,mode=755 daemonrunner-ro " + readOnly,
                probe("start", "--dir", dir.toString(), "--pidfile", readOnly.resolve("probe.pid").toString())));

        assertExit(start, 1);
        assertThat(start.err()).contains("Cannot start: directory " + readOnly + " is on a read-only file system (for"
                + " pidfile " + readOnly.resolve("probe.pid") + ")").doesNotContain("permissions");
    }

    @Test
    void startWithThePidfileDirectoryOnAReadOnlyBindMountSaysSo() throws IOException {
        assumeRoot("a read-only bind mount");
        // as systemd's ReadOnlyPaths= or a container's :ro make it: the same device as the writable mount above
        Path readOnly = Files.createDirectories(dir.resolve("ro"));
        Command.Result start = daemons.run(inMountNamespace("mount --bind " + readOnly + " " + readOnly
                + " && mount -o remount,bind,ro " + readOnly,
                probe("start", "--dir", dir.toString(), "--pidfile", readOnly.resolve("probe.pid").toString())));

        assertExit(start, 1);
        assertThat(start.err()).contains("Cannot start: directory " + readOnly + " is on a read-only file system (for"
                + " pidfile " + readOnly.resolve("probe.pid") + ")").doesNotContain("permissions");
    }

    @Test
    void stopOfAStalePidfileOnAReadOnlyMountSaysNotRunningAndThatItCouldNotRemoveIt() throws IOException {
        assumeRoot("a read-only bind mount");
        Path readOnly = Files.createDirectories(dir.resolve("ro"));
        Path stale = Files.writeString(readOnly.resolve("probe.pid"), "4194305\n");
        // it said "Cannot stop: reading pidfile ... failed: read-only file system" (exit 1), with nothing running
        Command.Result stop = daemons.run(inMountNamespace("mount --bind " + readOnly + " " + readOnly
                + " && mount -o remount,bind,ro " + readOnly,
                probe("stop", "--dir", dir.toString(), "--pidfile", stale.toString())));

        assertExit(stop, 0);
        assertThat(stop.out()).isEqualTo("not running; stale pidfile " + stale + " (process 4194305 is not running)"
                + " could not be removed: read-only file system. A start replaces it where it can write it\n");
        assertThat(stale).exists();
    }

    @Test
    void asRootADeviceAsTheLogOfADaemonWithAUserStaysRoots() throws IOException {
        assumeRoot("a private /dev/null");
        // start once gave every empty log to the daemon's user: /dev/null too. A private one, in this namespace only
        String classPath = Daemons.classPathForNobody(dir);
        Path events = Files.writeString(dir.resolve("events.log"), "");
        Files.setPosixFilePermissions(events, PosixFilePermissions.fromString("rw-rw-rw-"));
        Path devices = Files.createDirectories(dir.resolve("dev"));
        List<String> probe = List.of(Daemons.JAVA, "-cp", classPath, ProbeApp.class.getName(), "start", "--dir",
                dir.toString(), "--user", "nobody", "--stdout", "/dev/null");
        Command.Result start = assertExit(daemons.run(inMountNamespace("mount -t tmpfs -o mode=755 daemonrunner-dev "
                + devices + " && mknod -m 666 " + devices + "/null c 1 3 && mount --bind " + devices + "/null /dev/null",
                probe)), 0);
        long pid = start.startedPid();

        Path itsNull = Path.of("/proc/" + pid + "/root/dev/null"); // the daemon's mount namespace
        assertThat(Files.getOwner(itsNull).getName()).isEqualTo("root");
        assertThat(Files.isSameFile(itsNull, Path.of("/dev/null"))).as("the private node").isFalse();
        assertExit(daemons.run(probe("stop", "--dir", dir.toString(), "--user", "nobody")), 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void runWithAMissingPidfileDirectoryGivesStartsMessage() {
        Path missing = dir.resolve("missing");
        Command.Result run = probeRun("run", "--pidfile", missing.resolve("probe.pid").toString());

        assertExit(run, 1);
        assertThat(run.err()).contains("daemonrunner: cannot run: directory " + missing + " does not exist (for pidfile "
                + missing.resolve("probe.pid") + "). Create it, or set another pidfile path.")
                .doesNotContain("cannot lock pidfile");
    }

    @Test
    void withBusyboxsEnvStartWorksAndSaysWhatIsMissingWhereItMatters() throws IOException {
        assumeRoot("a bind mount over /usr/bin/env");
        Path busybox = Stream.of("/bin/busybox", "/usr/bin/busybox").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        Assumptions.assumeTrue(busybox != null, "needs busybox (.ci/run installs Debian's package)");
        String asEnv = "mount --bind " + busybox + " /usr/bin/env";

        long pid = assertExit(daemons.run(inMountNamespace(asEnv, probe("start", "--dir", dir.toString()))), 0)
                .startedPid();
        long ignored = ignoredSignals(pid);
        assertThat(ignored & (1L << (15 - 1))).as("SIGTERM ignored").isZero();
        assertThat(ignored & (1L << (1 - 1))).as("SIGHUP ignored").isZero();
        assertExit(probeRun("stop"), 0);
        assertThat(isGone(pid)).isTrue();

        List<String> underNohup = new ArrayList<>(List.of("nohup"));
        underNohup.addAll(probe("start", "--dir", dir.toString()));
        Command.Result refused = assertExit(daemons.run(inMountNamespace(asEnv, underNohup)), 1);
        assertThat(refused.err()).contains("Cannot start: this process has SIGHUP ignored", "'env --default-signal'",
                "/usr/bin/env here does not have it");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void withoutAnSlf4jBindingStartAndStopLeaveNoSlf4jWarning() throws IOException {
        String classPath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("slf4j-simple")).collect(Collectors.joining(File.pathSeparator));
        Files.writeString(pidfile, "99999999\n"); // a stale pidfile to replace, too
        List<String> start = List.of(Daemons.JAVA, "-cp", classPath, ProbeApp.class.getName(), "start", "--dir",
                dir.toString());
        long pid = assertExit(daemons.run(start), 0).startedPid();
        List<String> stop = new ArrayList<>(start);
        stop.set(4, "stop");
        Command.Result stopped = assertExit(daemons.run(stop), 0);
        assertThat(isGone(pid)).isTrue();
        assertThat(stopped.err()).doesNotContain("SLF4J");
        assertThat(Daemons.readOrEmpty(dir.resolve("err.log"))).doesNotContain("SLF4J");
        assertThat(Daemons.readOrEmpty(dir.resolve("out.log"))).doesNotContain("SLF4J");
    }

    @Test
    void withoutAnSlf4jBindingAFailedCommandPrintsItsOneLineErrorAndNothingElse() throws IOException {
        String classPath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("slf4j-simple")).collect(Collectors.joining(File.pathSeparator));
        List<String> probe = List.of(Daemons.JAVA, "-cp", classPath, ProbeApp.class.getName());
        Files.writeString(dir.resolve("elsewhere.pid"), "");
        Files.createSymbolicLink(pidfile, dir.resolve("elsewhere.pid"));
        List<String> start = new ArrayList<>(probe);
        start.addAll(List.of("start", "--dir", dir.toString()));

        Command.Result symlinked = assertExit(daemons.run(start), 1);

        assertThat(symlinked.err().lines()).as("stderr of %s", symlinked).hasSize(1)
                .allSatisfy(line -> assertThat(line).contains(pidfile.toString(), "symbolic link"));
        Files.delete(pidfile);
        List<String> unknownUser = new ArrayList<>(start);
        unknownUser.addAll(List.of("--user", "nosuchuser"));
        Command.Result noUser = daemons.run(unknownUser);
        assertThat(noUser.exit()).as("%s", noUser).isNotZero();
        assertThat(noUser.err().lines()).as("stderr of %s", noUser).hasSize(1)
                .allSatisfy(line -> assertThat(line).contains("nosuchuser"));
        assertThat(events()).isEmpty();
    }

    @Test
    void ctrlCStopsRunGracefullyWithStatus0() {
        Command.Running run = daemons.spawn(dir, probe("run", "--dir", dir.toString()), dir.resolve("run.out"),
                dir.resolve("run.err"));
        await("run() to start", Duration.ofSeconds(20), () -> events().contains("run " + run.pid()));
        assertExit(daemons.run(List.of("kill", "-INT", Long.toString(run.pid()))), 0);

        assertExit(run.finish(Duration.ofSeconds(20)), 0);
        assertThat(events()).contains("stop " + run.pid(), "hook " + run.pid());
    }

    @Test
    void anInitFailureNamesTheRootCauseSeveralCausesDown() {
        Command.Result start = probeRun("start", "--init-fail-wrapped", "Port 18080 is already in use");

        assertExit(start, 1);
        assertThat(start.err()).contains("init() failed: java.lang.IllegalStateException: Failed to start bean"
                + " 'webServerStartStop'; caused by: java.lang.RuntimeException: Unable to start embedded server;"
                + " root cause: java.net.BindException: Port 18080 is already in use");
        Command.Result run = assertExit(probeRun("run", "--init-fail-wrapped", "Port 18080 is already in use"), 1);
        assertThat(run.err()).contains("root cause: java.net.BindException: Port 18080 is already in use",
                "\tat "); // and the stack trace, where the supervisor keeps it
    }

    @Test
    void aForceStopThatNeededSigkillSaysSoAndWhereTheThreadDumpIs() {
        long pid = startProbe("--ignore-stop");

        Command.Result stop = assertExit(probeRun("force-stop", "--timeout", "1s"), 0);

        assertThat(stop.out()).contains("stopped (pid " + pid + "), ended by SIGKILL after it outlived 1s after"
                + " SIGTERM; its thread dump is in " + dir.resolve("err.log"));
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void withoutJnrOnTheClassPathOnlyTheNativeFeaturesFailAndSayWhy() throws IOException {
        String classPath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("/com/github/jnr/") && !entry.contains("/org/ow2/asm/"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> probe = List.of(Daemons.JAVA, "-cp", classPath, ProbeApp.class.getName());
        List<String> start = new ArrayList<>(probe);
        start.addAll(List.of("start", "--dir", dir.toString()));
        long pid = assertExit(daemons.run(start), 0).startedPid();

        List<String> reopen = new ArrayList<>(probe);
        reopen.addAll(List.of("reopen-logs", "--dir", dir.toString()));
        // not renamed: the descriptors are the files at the paths already, and still the daemon could not reopen
        Command.Result notRenamed = assertExit(daemons.run(reopen), 1);
        assertThat(notRenamed.out()).doesNotContain("reopened");
        assertThat(notRenamed.err()).contains("Cannot reopen the logs of pid " + pid, "Native calls need jnr-posix"
                + " and jnr-ffi, which are not on the class path").doesNotContain("org.daemonrunner", "Exception");
        Files.move(dir.resolve("out.log"), dir.resolve("out.log.1")); // as logrotate does
        Files.move(dir.resolve("err.log"), dir.resolve("err.log.1"));
        Command.Result refused = assertExit(daemons.run(reopen), 1);
        assertThat(refused.err()).contains("Cannot reopen the logs of pid " + pid, "Native calls need jnr-posix and"
                + " jnr-ffi, which are not on the class path", "add com.github.jnr:jnr-posix back")
                .doesNotContain("org.daemonrunner", "Exception");
        List<String> stop = new ArrayList<>(probe);
        stop.addAll(List.of("stop", "--dir", dir.toString()));
        assertExit(daemons.run(stop), 0);
        assertThat(isGone(pid)).isTrue();
    }
}
