// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import org.daemonrunner.Action;
import org.daemonrunner.DaemonApp;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.DaemonEnvironmentException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.StopFailureException;
import org.daemonrunner.StopSchedule;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.proc.UserAccount;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The actions' words and statuses, with their output captured, in this JVM: no daemon is started. */
@EnabledOnOs(OS.LINUX)
class ActionsTest {
    /** A pid no process has: above the kernel's pid_max (at most 2^22). */
    private static final long NO_SUCH_PID = 99_999_999L;

    @TempDir
    Path dir;
    Path pidfile;
    ByteArrayOutputStream out;
    ByteArrayOutputStream err;
    Console console;

    @BeforeEach
    void setUp() {
        pidfile = dir.resolve("app.pid");
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        console = new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String printed() {
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    private Target target(Path pidfilePath, DaemonContext context) {
        DaemonApp app = new DaemonApp() {
            public Path stdoutPath() {
                return Path.of("logs/out.log");
            }

            public Path stderrPath() {
                return Path.of("logs/err.log");
            }

            public Path pidfilePath() {
                return pidfilePath;
            }

            public Duration pidfileTimeout() {
                return Duration.ofSeconds(1);
            }

            public void run() {
            }

            public DaemonContext context() {
                return context;
            }
        };
        return new Target(app, dir, Action.STOP); // the action only words an app's failures
    }

    private Target target() {
        return target(pidfile, DaemonContext.builder().detach(DaemonContext.Detach.ALWAYS).build());
    }

    private static ParsedCommand stop() {
        return ParsedCommand.of(Action.STOP);
    }

    @Test
    void targetResolvesTheAppsRelativePathsAgainstTheLaunchDirectory() throws IOException {
        assertThat(target().paths().stdout()).isEqualTo(dir.resolve("logs/out.log"));
        Files.createDirectory(dir.resolve("run")); // a directory, not a link: its .. goes with it
        assertThat(target(Path.of("run/../app.pid"), DaemonContext.defaults()).paths().pidfile())
                .isEqualTo(dir.resolve("app.pid"));
        assertThatThrownBy(() -> target(null, DaemonContext.defaults()).paths())
                .isInstanceOf(AppMethodFailure.class).hasMessageStartingWith("Cannot stop: the app's"
                        + " DaemonApp.pidfilePath() returned null, not a path. This is a bug in the app (");
    }

    @Test
    void statusWithoutAPidfileSaysNotRunningNamingThePidfileWithStatus3() {
        assertThat(new StatusAction(target(), console).status(false)).isEqualTo(ExitStatus.NOT_RUNNING);
        assertThat(printed()).isEqualTo("not running (no pidfile " + pidfile + ")");
    }

    @Test
    void everyActionThatFindsNoDaemonNamesTheAbsolutePidfileItResolvedARelativePathTo() {
        // started from another directory, the same relative path names another file: say which one was looked at
        Path resolved = dir.resolve("r/h.pid");
        Target relative = target(Path.of("r/h.pid"), DaemonContext.builder().detach(DaemonContext.Detach.ALWAYS).build());

        assertThat(new StatusAction(relative, console).status(false)).isEqualTo(ExitStatus.NOT_RUNNING);
        assertThat(new StopAction(relative, console).stop(stop())).isEqualTo(ExitStatus.OK);
        assertThat(new StopAction(relative, console).stop(ParsedCommand.of(Action.FORCE_STOP)))
                .isEqualTo(ExitStatus.OK);
        assertThat(new SignalAction(relative, console).reload()).isEqualTo(ExitStatus.RELOAD_NOT_RUNNING);
        assertThat(new SignalAction(relative, console).reopenLogs()).isEqualTo(ExitStatus.RELOAD_NOT_RUNNING);
        assertThat(printed().lines()).hasSize(5).containsOnly("not running (no pidfile " + resolved + ")");
        assertThat(resolved).isAbsolute();
    }

    @Test
    void statusOfAStalePidfileSaysWhyWithStatus1AndJsonCarriesTheSame() throws IOException {
        Files.writeString(pidfile, NO_SUCH_PID + "\n");

        assertThat(new StatusAction(target(), console).status(false)).isEqualTo(ExitStatus.FAILURE);
        assertThat(printed()).isEqualTo("not running; stale pidfile " + pidfile + " (process " + NO_SUCH_PID
                + " is not running)");

        out.reset();
        assertThat(new StatusAction(target(), console).status(true)).isEqualTo(ExitStatus.FAILURE);
        assertThat(printed()).isEqualTo("{\"pidfile\":\"" + pidfile + "\",\"status\":\"stale\",\"exit_status\":1,"
                + "\"recorded\":\"" + NO_SUCH_PID + "\"}");
    }

    @Test
    void statusOfADirectoryAtThePidfilePathCannotTellWithStatus4() throws IOException {
        Files.createDirectory(pidfile);

        assertThat(new StatusAction(target(), console).status(false)).isEqualTo(ExitStatus.STATUS_UNKNOWN);
        assertThat(printed()).startsWith("Cannot tell the status: pidfile " + pidfile + " is a directory, not a pidfile")
                .endsWith(".");
    }

    @Test
    void statusOfAPidfileNameTheKernelRejectsCannotTellWithStatus4() {
        Path tooLong = dir.resolve("p".repeat(300) + ".pid"); // a name over 255 bytes: ENAMETOOLONG

        assertThatThrownBy(() -> new StatusAction(target(tooLong, DaemonContext.defaults()), console).status(false))
                .isInstanceOf(DaemonEnvironmentException.class)
                .hasMessageStartingWith("Cannot tell the status: reading pidfile " + tooLong + " failed:")
                .hasMessageEndingWith(" failed: file name too long.").hasMessageNotContaining("Exception")
                .extracting(e -> ((DaemonEnvironmentException) e).exitStatus()).isEqualTo(ExitStatus.STATUS_UNKNOWN);
    }

    @Test
    void statusOfAPidfileThisProcessHoldsSaysRunningWithItsPid() throws IOException {
        try (PidFile held = PidFile.acquire(pidfile, Duration.ZERO)) {
            held.writePid(ProcessHandle.current().pid());

            assertThat(new StatusAction(target(), console).status(false)).isEqualTo(ExitStatus.OK);
            assertThat(printed()).startsWith("running with pid " + ProcessHandle.current().pid())
                    .endsWith(", pidfile " + pidfile);
        }
    }

    @Test
    void asRootAnUnsafePidfileDirectoryIsRefusedInASentenceThatNamesWhatEachActionCouldNotDo() throws IOException {
        Assumptions.assumeTrue(UserAccount.currentUid() == 0, "only root refuses these");
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Target unsafe = target(open.resolve("app.pid"), DaemonContext.defaults());
        String refusal = ": refusing pidfile directory " + open + ": it is world-writable (mode 0777)";
        Map<Action, String> expected = new EnumMap<>(Map.of(Action.START, "Cannot start", Action.STOP, "Cannot stop",
                Action.FORCE_STOP, "Cannot force-stop", Action.RESTART, "Cannot restart", Action.RELOAD,
                "Cannot reload", Action.REOPEN_LOGS, "Cannot reopen the logs", Action.RUN, "Cannot run",
                Action.SYSTEMD_UNIT, "Cannot write a unit"));
        assertThat(expected.keySet()).containsAll(EnumSet.complementOf(EnumSet.of(Action.STATUS)));

        expected.forEach((action, cannot) -> assertThatThrownBy(() -> unsafe.checkPidfileIsSafe(action))
                .as("%s", action).isInstanceOf(DaemonEnvironmentException.class)
                .hasMessageStartingWith(cannot + refusal));
        assertThatThrownBy(() -> new StatusAction(unsafe, console).status(false))
                .hasMessageStartingWith("Cannot tell the status" + refusal)
                .extracting(e -> ((DaemonEnvironmentException) e).exitStatus()).isEqualTo(ExitStatus.STATUS_UNKNOWN);
    }

    @Test
    void stopWithoutAPidfileSucceedsSayingNotRunning() {
        assertThat(new StopAction(target(), console).stop(stop())).isEqualTo(ExitStatus.OK);
        assertThat(printed()).isEqualTo("not running (no pidfile " + pidfile + ")");
    }

    @Test
    void stopRemovesAStalePidfileAndSaysSo() throws IOException {
        Files.writeString(pidfile, NO_SUCH_PID + "\n");

        assertThat(new StopAction(target(), console).stop(stop())).isEqualTo(ExitStatus.OK);
        assertThat(printed()).isEqualTo("not running; removed stale pidfile " + pidfile + " (process " + NO_SUCH_PID
                + " is not running)");
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void stopRefusesSomethingThatIsNotAPidfile() throws IOException {
        Files.createDirectory(pidfile);

        assertThatThrownBy(() -> new StopAction(target(), console).stop(stop()))
                .isInstanceOf(StopFailureException.class)
                .hasMessageStartingWith("Cannot stop: pidfile " + pidfile + " is a directory");
    }

    @Test
    void reloadAndReopenLogsWithoutADaemonSayNotRunningWithStatus7() {
        assertThat(new SignalAction(target(), console).reload()).isEqualTo(ExitStatus.RELOAD_NOT_RUNNING);
        assertThat(new SignalAction(target(), console).reopenLogs()).isEqualTo(ExitStatus.RELOAD_NOT_RUNNING);
        assertThat(printed()).isEqualTo("not running (no pidfile " + pidfile + ")" + System.lineSeparator()
                + "not running (no pidfile " + pidfile + ")");
    }

    @Test
    void reloadOfAStalePidfileSaysNotRunningAndWhyWithStatus7LeavingTheFile() throws IOException {
        Files.writeString(pidfile, NO_SUCH_PID + "\n");

        assertThat(new SignalAction(target(), console).reload()).isEqualTo(ExitStatus.RELOAD_NOT_RUNNING);
        assertThat(printed()).isEqualTo("not running; stale pidfile " + pidfile + " (process " + NO_SUCH_PID
                + " is not running)");
        assertThat(pidfile).exists();
    }

    @Test
    void startRefusesAMissingPidfileDirectoryBeforeDetachingAndAStaleFileIsNotSaidReplacedBeforeItsChecksPass() throws IOException {
        Path missing = dir.resolve("run/app.pid");
        assertThatThrownBy(() -> new StartAction(target(missing, DaemonContext.builder()
                .detach(DaemonContext.Detach.ALWAYS).build()), console).start())
                .isInstanceOf(DaemonEnvironmentException.class)
                .hasMessage("Cannot start: directory " + dir.resolve("run") + " does not exist (for pidfile "
                        + missing + "). Create it, or set another pidfile path.")
                .extracting(e -> ((DaemonEnvironmentException) e).exitStatus()).isEqualTo(ExitStatus.FAILURE);

        Files.writeString(pidfile, NO_SUCH_PID + "\n"); // stale; and the log directory is missing
        assertThatThrownBy(() -> new StartAction(target(), console).start())
                .isInstanceOf(DaemonEnvironmentException.class)
                .hasMessageStartingWith("Cannot start: directory " + dir.resolve("logs") + " does not exist");
        assertThat(printed()).as("refused by its checks, start replaced nothing, and says nothing of it").isEmpty();
        assertThat(Files.readString(pidfile)).isEqualTo(NO_SUCH_PID + "\n");
    }

    @Test
    void startRefusesAChroot() {
        Target chrooted = target(pidfile, DaemonContext.builder().chrootDirectory(Path.of("/srv/jail")).build());
        assertThatThrownBy(() -> new StartAction(chrooted, console).start())
                .hasMessageStartingWith("Cannot start: chroot to /srv/jail is not supported.");
    }

    /** An app whose method {@code broken} throws {@code thrown}, or returns null when {@code thrown} is null. */
    private class BrokenApp implements DaemonApp {
        private final String broken;
        private final RuntimeException thrown;

        BrokenApp(String broken, RuntimeException thrown) {
            this.broken = broken;
            this.thrown = thrown;
        }

        private <T> T answer(String method, T good) {
            if (!method.equals(broken)) {
                return good;
            }
            if (thrown != null) {
                throw thrown;
            }
            return null;
        }

        public Path stdoutPath() {
            return answer("stdoutPath", dir.resolve("out.log"));
        }

        public Path stderrPath() {
            return answer("stderrPath", dir.resolve("err.log"));
        }

        public Path pidfilePath() {
            return answer("pidfilePath", pidfile);
        }

        public Duration pidfileTimeout() {
            return answer("pidfileTimeout", Duration.ofSeconds(1));
        }

        public Duration startTimeout() {
            return answer("startTimeout", Duration.ofSeconds(5));
        }

        public Duration stopTimeout() {
            return answer("stopTimeout", Duration.ofSeconds(1));
        }

        public StopSchedule stopSchedule() {
            return answer("stopSchedule", DaemonApp.super.stopSchedule());
        }

        public DaemonContext context() {
            return answer("context", DaemonContext.defaults());
        }

        public void run() {
        }
    }

    private static final String[] APP_METHODS = {"stdoutPath", "stderrPath", "pidfilePath", "context", "startTimeout",
        "stopTimeout", "pidfileTimeout", "stopSchedule"};

    @Test
    void everyAppMethodThatThrowsOrReturnsNullFailsStartAndRunBeforeAnythingInOneLineNamingItWithStatus1() {
        for (String method : APP_METHODS) {
            for (RuntimeException thrown : new RuntimeException[] {new IllegalStateException("no config\nat line 2"),
                null}) {
                String what = thrown == null ? "returned null, not a " : "threw java.lang.IllegalStateException: no"
                        + " config at line 2. This is a bug";
                for (Action action : new Action[] {Action.START, Action.RUN}) {
                    Target target = new Target(new BrokenApp(method, thrown), dir, action);
                    StartAction start = new StartAction(target, console);
                    assertThatThrownBy(() -> {
                        if (action == Action.START) {
                            start.start();
                        } else {
                            start.foreground();
                        }
                    }).as("%s %s %s", action, method, thrown).isInstanceOf(AppMethodFailure.class)
                            .hasMessageStartingWith("Cannot " + action.actionName() + ": the app's DaemonApp." + method
                                    + "() " + what)
                            .hasMessageEndingWith(". This is a bug in the app (" + BrokenApp.class.getName()
                                    + "): fix its " + method + "().")
                            .hasMessageNotContaining("\n")
                            .extracting(e -> ((AppMethodFailure) e).exitStatus()).isEqualTo(ExitStatus.FAILURE);
                }
            }
        }
        assertThat(pidfile).doesNotExist();
        assertThat(dir.resolve("err.log")).doesNotExist();
        assertThat(printed()).isEmpty();
    }

    @Test
    void aNegativeTimeoutIsRefusedByStartNamingTheMethod() {
        DaemonApp app = new BrokenApp("", null) {
            @Override
            public Duration pidfileTimeout() {
                return Duration.ofMillis(-1500);
            }
        };
        assertThatThrownBy(() -> new StartAction(new Target(app, dir, Action.START), console).start())
                .hasMessageStartingWith("Cannot start: the app's DaemonApp.pidfileTimeout() returned -1500ms, a"
                        + " negative timeout. This is a bug in the app (");
    }

    @Test
    void statusOfAnAppWhosePidfilePathFailsCannotTellInOneLineWithStatus4() {
        Target brokenPidfile = new Target(new BrokenApp("pidfilePath", new IllegalStateException("no home")), dir,
                Action.STATUS);
        assertThatThrownBy(() -> new StatusAction(brokenPidfile, console).status(true))
                .hasMessageStartingWith("Cannot tell the status: the app's DaemonApp.pidfilePath() threw"
                        + " java.lang.IllegalStateException: no home. This is a bug in the app (")
                .extracting(e -> ((AppMethodFailure) e).exitStatus()).isEqualTo(ExitStatus.STATUS_UNKNOWN);
        assertThat(printed()).startsWith("{\"pidfile\":\"\",\"status\":\"unknown\",\"exit_status\":4,"
                + "\"detail\":\"Cannot tell the status: the app's DaemonApp.pidfilePath() threw");
    }

    @Test
    void statusNeedsNoContextEvenAsRoot() {
        Target brokenContext = new Target(new BrokenApp("context", new IllegalArgumentException("Cannot map SIGUSR2")),
                dir, Action.STATUS);
        assertThat(new StatusAction(brokenContext, console).status(false)).isEqualTo(ExitStatus.NOT_RUNNING);
        assertThat(printed()).isEqualTo("not running (no pidfile " + pidfile + ")");
    }

    @Test
    void asRootAnActionThatNeedsNoContextTrustsOnlyRootWhenTheContextFailsAndSaysWhy() throws IOException {
        Assumptions.assumeTrue(UserAccount.currentUid() == 0, "only root checks who owns the pidfile");
        Path foreign = Files.createDirectory(dir.resolve("foreign"));
        Files.setAttribute(foreign, "unix:uid", 12345);
        DaemonApp app = new BrokenApp("context", null) {
            @Override
            public Path pidfilePath() {
                return foreign.resolve("app.pid");
            }
        };
        Target target = new Target(app, dir, Action.STOP);

        assertThatThrownBy(() -> target.checkPidfileIsSafe(Action.STOP)).isInstanceOf(DaemonEnvironmentException.class)
                .hasMessageStartingWith("Cannot stop: refusing pidfile directory " + foreign + ": it is owned by uid"
                        + " 12345, neither root nor the daemon's user")
                .hasMessageContaining("(the daemon's user is not known: the app's DaemonApp.context() returned null,"
                        + " not a DaemonContext. This is a bug in the app (");
        assertThatThrownBy(() -> new Target(app, dir, Action.START).checkPidfileIsSafe(Action.START))
                .isInstanceOf(AppMethodFailure.class)
                .hasMessageStartingWith("Cannot start: the app's DaemonApp.context() returned null");
    }

    @Test
    void asRootARefusalForAUserWhoseLookupFailedSaysWhyInsteadOfThatNoUserIsSet() throws IOException {
        Assumptions.assumeTrue(UserAccount.currentUid() == 0, "only root checks who owns the pidfile");
        Path foreign = Files.createDirectory(dir.resolve("foreign"));
        Files.setAttribute(foreign, "unix:uid", 12345);
        Target target = target(foreign.resolve("app.pid"), DaemonContext.builder().user("no-such-user-dr12").build());

        assertThatThrownBy(() -> target.checkPidfileIsSafe(Action.STOP)).isInstanceOf(DaemonEnvironmentException.class)
                .hasMessageStartingWith("Cannot stop: refusing pidfile directory " + foreign + ": it is owned by uid"
                        + " 12345, and only root is trusted: the daemon's user 'no-such-user-dr12' could not be looked"
                        + " up (no such user 'no-such-user-dr12'). Make 'getent passwd no-such-user-dr12' find it")
                .hasMessageNotContaining("no user is set").hasMessageNotContaining("set that user");
    }

    @Test
    void stopAndReloadNeedNoContextAndStopWithABrokenScheduleFallsBackToSigtermSayingSo() throws IOException {
        Target brokenContext = new Target(new BrokenApp("context", null), dir, Action.STOP);
        brokenContext.checkPidfileIsSafe(Action.STOP);
        assertThat(new StopAction(brokenContext, console).stop(stop())).isEqualTo(ExitStatus.OK);
        assertThat(new SignalAction(new Target(new BrokenApp("context", null), dir, Action.RELOAD), console).reload())
                .isEqualTo(ExitStatus.RELOAD_NOT_RUNNING);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();

        Files.writeString(pidfile, NO_SUCH_PID + "\n");
        Target brokenSchedule = new Target(new BrokenApp("stopSchedule", new IllegalArgumentException("Not a stop"
                + " schedule: 'TERM/abc': 'abc' is not a number of seconds")), dir, Action.STOP);
        assertThat(new StopAction(brokenSchedule, console).stop(stop())).isEqualTo(ExitStatus.OK);
        assertThat(pidfile).doesNotExist();
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("daemonrunner: the app's"
                + " DaemonApp.stopSchedule() threw java.lang.IllegalArgumentException: Not a stop schedule: 'TERM/abc':"
                + " 'abc' is not a number of seconds; stopping with SIGTERM and a wait of 1s (its stopTimeout())"
                + " instead. This is a bug in the app (" + BrokenApp.class.getName() + "): fix its stopSchedule().");

        err.reset();
        Target brokenTimeout = new Target(new BrokenApp("stopTimeout", null), dir, Action.STOP);
        assertThat(new StopAction(brokenTimeout, console).stop(stop())).isEqualTo(ExitStatus.OK);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("daemonrunner: the app's"
                + " DaemonApp.stopTimeout() returned null, not a Duration; stopping with SIGTERM and a wait of 10s"
                + " (the default stopTimeout()) instead.");
    }

    @Test
    void wordingOfDurationsAndExits() {
        assertThat(Wording.seconds(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(Wording.seconds(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Wording.humanDuration(Duration.ofSeconds(123))).isEqualTo("2m3s");
        assertThat(Wording.humanDuration(Duration.ofHours(50))).isEqualTo("2d2h");
        assertThat(Wording.describeExit(3)).isEqualTo("exited with status 3");
        assertThat(Wording.describeExit(137)).isEqualTo("was killed by SIGKILL (exit status 137)");
        assertThat(Wording.describeExit(128 + 40)).isEqualTo("was killed by signal 40 (exit status 168)");
        assertThat(Wording.sentence("done")).isEqualTo("done.");
        assertThat(Wording.sentence("done.")).isEqualTo("done.");
    }
}
