// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.DaemonEnvironmentException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.proc.Command;
import org.daemonrunner.internal.proc.Signal;
import org.daemonrunner.internal.proc.UserAccount;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** {@code start}'s steps of the daemon's context, in their documented order, checked without launching anything. */
@EnabledOnOs(OS.LINUX)
class LaunchStepsTest {
    @TempDir
    Path dir;
    DaemonPaths paths;

    @BeforeEach
    void setUp() {
        paths = new DaemonPaths(Path.of("/dev/null"), dir.resolve("out.log"), dir.resolve("err.log"),
                dir.resolve("app.pid"));
    }

    private LaunchSteps.Launch prepare(DaemonContext context) {
        return new LaunchSteps(context, paths, new UserAccount.Lookup(context), dir).prepare();
    }

    @Test
    void theCommandSetsUpTheProcessInTheDocumentedOrderThenRunsTheJvmWithDefaultSignals() {
        LaunchSteps.Launch launch = prepare(DaemonContext.builder().umask(0027).workingDirectory(Path.of(".")).build());

        List<String> argv = launch.argv();
        assertThat(argv.get(0)).endsWith("setsid");                                              // 2. a new session
        int setup = argv.indexOf("/bin/sh");
        // signals reset before the shells only where this process ignores some (a shell cannot trap those)
        assertThat(argv.subList(1, setup)).isEqualTo(Signal.ignoredInThisProcess().isEmpty() ? List.of()
                : List.of(Command.tool("env"), "--default-signal"));
        assertThat(argv.get(setup + 1)).isEqualTo("-c");
        assertThat(argv.get(setup + 2)).contains("umask \"$mask\"").contains("ulimit -c")
                .doesNotContain("#");                                                            // comments stripped
        assertThat(argv.subList(setup + 3, setup + 6)).containsExactly("daemonrunner",
                "027",                                                                            // 3. the umask
                "0");                                                                             // 4. no core dumps
        assertThat(launch.workingDirectory()).isEqualTo(dir);                                    // 5. where it runs
        int logs = setup + 6;                                                                     // 6. no user switch,
        assertThat(argv.subList(logs, logs + 2)).containsExactly("/bin/sh", "-c");           //    the files opened
        assertThat(argv.get(logs + 2)).contains("command exec 4>>\"$1\"").contains("command exec 2>>\"$2\"")
                .contains("command exec 0<\"$3\"");
        assertThat(argv.subList(logs + 3, logs + 7)).containsExactly("daemonrunner", paths.stdout().toString(),
                paths.stderr().toString(), paths.stdin().toString());
        int waiting = logs + 7;
        assertThat(argv.subList(waiting, waiting + 2)).containsExactly("/bin/sh", "-c");
        assertThat(argv.get(waiting + 2)).contains("trap 'echo READY; exit 0' TERM CONT")
                .contains(Relaunch.PARENT_PLACEHOLDER);
        assertThat(argv.subList(waiting + 3, argv.size())).containsExactly("daemonrunner",     // 7. default signals
                Command.tool("env"), "--default-signal");
        assertThat(launch.shellErrors().file()).isEqualTo(paths.stderr().toFile());
        assertThat(paths.stdout()).exists();                                                     // 1. logs created
        assertThat(paths.stderr()).exists();
        assertThat(Command.envResetsSignals()).as("GNU env, as on the test machines").isTrue();
    }

    @Test
    void coreDumpsAllowedLeavesTheLimitAsItIs() {
        List<String> argv = prepare(DaemonContext.builder().preventCoreDumps(false).build()).argv();
        assertThat(argv.get(argv.indexOf("/bin/sh") + 5)).isEqualTo("-");
    }

    @Test
    void stepOneRefusesAMissingWorkingDirectoryAndAnUnwritablePidfileDirectory() throws IOException {
        assertThatThrownBy(() -> prepare(DaemonContext.builder().workingDirectory(Path.of("nowhere")).build()))
                .isInstanceOf(DaemonEnvironmentException.class)
                .hasMessage("Cannot start: working directory " + dir.resolve("nowhere") + " does not exist. Create it,"
                        + " or set another one.");

        Files.createFile(dir.resolve("a-file"));
        paths = new DaemonPaths(Path.of("/dev/null"), paths.stdout(), paths.stderr(), dir.resolve("a-file/app.pid"));
        assertThatThrownBy(() -> prepare(DaemonContext.defaults()))
                .isInstanceOf(DaemonEnvironmentException.class)
                .hasMessageContaining("is not a directory (for pidfile")
                .extracting(e -> ((DaemonEnvironmentException) e).exitStatus()).isEqualTo(ExitStatus.FAILURE);
    }

    @Test
    void stepOneRefusesAnUnknownUserNamingIt() {
        assertThatThrownBy(() -> prepare(DaemonContext.builder().user("no-such-user-here").build()))
                .isInstanceOf(DaemonEnvironmentException.class)
                .hasMessage("Cannot start: no such user 'no-such-user-here'. Create it, or set another user.");
    }

    @Test
    void stepOneRefusesALogThatIsThePidfileAndAStdinThatIsThePidfileOrALog() throws IOException {
        Path pidfile = paths.pidfile();
        paths = new DaemonPaths(Path.of("/dev/null"), pidfile, dir.resolve("err.log"), pidfile);
        assertThatThrownBy(() -> prepare(DaemonContext.defaults()))
                .isInstanceOf(DaemonEnvironmentException.class)
                .hasMessage("Cannot start: standard output log " + pidfile + " is the pidfile " + pidfile + ": the"
                        + " pidfile must hold the pid alone, and stop deletes it, which would delete the log too. Set"
                        + " another path for one of them.")
                .extracting(e -> ((DaemonEnvironmentException) e).exitStatus()).isEqualTo(ExitStatus.FAILURE);
        Path link = Files.createSymbolicLink(dir.resolve("err-link"), pidfile.getFileName());
        Files.createFile(pidfile);
        paths = new DaemonPaths(Path.of("/dev/null"), dir.resolve("out.log"), link, pidfile);
        assertThatThrownBy(() -> prepare(DaemonContext.defaults()))
                .hasMessageStartingWith("Cannot start: standard error log " + link + " is the pidfile " + pidfile);
        assertThat(Files.readString(pidfile)).as("nothing opened").isEmpty();

        Path out = Files.writeString(dir.resolve("out.log"), "");
        paths = new DaemonPaths(out, out, dir.resolve("err.log"), dir.resolve("app.pid"));
        assertThatThrownBy(() -> prepare(DaemonContext.defaults()))
                .hasMessage("Cannot start: standard input " + out + " is also the standard output log " + out + ":"
                        + " the daemon would read what is written there. Set another stdin path (such as /dev/null).");
        paths = new DaemonPaths(pidfile, out, dir.resolve("err.log"), pidfile);
        assertThatThrownBy(() -> prepare(DaemonContext.defaults()))
                .hasMessageStartingWith("Cannot start: standard input " + pidfile + " is also the pidfile " + pidfile);

        Path devNull = Path.of("/dev/null");
        paths = new DaemonPaths(devNull, devNull, devNull, dir.resolve("app.pid"));
        assertThat(prepare(DaemonContext.defaults()).argv()).as("/dev/null for all three, as usual").isNotEmpty();
    }

    @Test
    @Timeout(10)
    void stepOneRefusesAStdinThatIsAFifoOrADirectoryBeforeAnythingCouldBlockOnIt() throws Exception {
        Path fifo = dir.resolve("in");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        paths = new DaemonPaths(fifo, paths.stdout(), paths.stderr(), paths.pidfile());
        assertThatThrownBy(() -> prepare(DaemonContext.defaults()))
                .isInstanceOf(DaemonEnvironmentException.class)
                .hasMessage("Cannot start: standard input " + fifo + " is a FIFO; opening it would block until"
                        + " something writes to it, and start would wait for ever. Set a regular file or a device as"
                        + " stdin (such as /dev/null).")
                .extracting(e -> ((DaemonEnvironmentException) e).exitStatus()).isEqualTo(ExitStatus.FAILURE);

        paths = new DaemonPaths(dir, paths.stdout(), paths.stderr(), paths.pidfile());
        assertThatThrownBy(() -> prepare(DaemonContext.defaults()))
                .isInstanceOf(DaemonEnvironmentException.class)
                .hasMessage("Cannot start: standard input " + dir + " is a directory, which cannot be read as a"
                        + " stream. Set a regular file or a device as stdin (such as /dev/null).");
        assertThat(paths.stdout()).as("nothing made before the refusal").doesNotExist();
    }
}
