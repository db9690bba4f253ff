// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.daemonrunner.Action;
import org.daemonrunner.DaemonApp;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.DaemonEnvironmentException;
import org.daemonrunner.DaemonRunnerException;
import org.daemonrunner.StopSchedule;
import org.daemonrunner.internal.launch.JavaCommand;
import org.daemonrunner.internal.launch.LogFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unit {@code systemd-unit} writes, from a given command line (the real systemd runs it in the examples' ITs). */
class SystemdUnitActionTest {
    private static final Path BASE = Path.of("/srv/app");
    private static final String JAVA = "/usr/lib/jvm/java-17/bin/java";

    private static Target target(DaemonContext context) {
        return target(context, Path.of("out.log"), Path.of("err.log"));
    }

    private static Target target(DaemonContext context, Path stdout, Path stderr) {
        return target(context, stdout, stderr, "TERM/30/KILL/5");
    }

    private static Target target(DaemonContext context, Path stdout, Path stderr, String stopSchedule) {
        return target(context, stdout, stderr, stopSchedule, Path.of("/run/app/app.pid"));
    }

    private static Target target(DaemonContext context, Path stdout, Path stderr, String stopSchedule,
                                 Path pidfile) {
        DaemonApp app = new DaemonApp() {
            public Path stdoutPath() {
                return stdout;
            }

            public Path stderrPath() {
                return stderr;
            }

            public Path pidfilePath() {
                return pidfile;
            }

            public Duration pidfileTimeout() {
                return Duration.ofSeconds(5);
            }

            public Duration startTimeout() {
                return Duration.ofMillis(90_500);
            }

            public StopSchedule stopSchedule() {
                return StopSchedule.parse(stopSchedule);
            }

            public void run() {
            }

            public DaemonContext context() {
                return context;
            }
        };
        return new Target(app, BASE, Action.SYSTEMD_UNIT);
    }

    private static SystemdUnitAction action(DaemonContext context) {
        return new SystemdUnitAction(target(context), new Console(new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), System.err));
    }

    private static JavaCommand command(String... arguments) {
        return JavaCommand.parse(JAVA, List.of(arguments), BASE);
    }

    @Test
    void aNotifyUnitRunsTheSameCommandLineWithRunAndReloadsWithReload() {
        String unit = action(DaemonContext.builder().user("svc").group("svc").umask(0027).build()).unit(
                command("-Xmx64m", "-jar", "app.jar", "systemd-unit", "--network-online", "--dir", "/var/lib/app"),
                false, true);

        assertThat(unit).contains("[Unit]\nDescription=java -jar app.jar (daemonrunner)\n"
                + "Wants=network-online.target\nAfter=network-online.target\n\n[Service]\nType=notify\n"
                + "ExecStart=" + JAVA + " -Ddaemonrunner.launchdir=/srv/app -Xmx64m -jar /srv/app/app.jar run --dir"
                + " /var/lib/app\n"
                + "ExecReload=" + JAVA + " -Ddaemonrunner.launchdir=/srv/app -Xmx64m -jar /srv/app/app.jar reload"
                + " --dir /var/lib/app\n"
                + "User=svc\nGroup=svc\nRuntimeDirectory=app\nWorkingDirectory=/\nUMask=0027\nLimitCORE=0\nRestart=on-failure\n"
                + "TimeoutStartSec=91\n# The stop schedule TERM/30/KILL/5: SIGTERM, then SIGKILL 30 s later (no thread"
                + " dump first, which 'stop' asks for)\nKillSignal=SIGTERM\nTimeoutStopSec=30\n")
                .contains("#WatchdogSec=30\n", "#StandardOutput=append:", "#StandardError=append:")
                .endsWith("[Install]\nWantedBy=multi-user.target\n")
                .doesNotContain("PIDFile=");
    }

    private static String unitWithStopSchedule(String schedule) {
        return new SystemdUnitAction(target(DaemonContext.defaults(), Path.of("out.log"), Path.of("err.log"), schedule),
                new Console(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), System.err))
                .unit(command("-jar", "app.jar", "systemd-unit"), false, false);
    }

    @Test
    void aStopScheduleOfOneSignalThenKillIsSystemdsKillSignalAndTimeout() {
        assertThat(unitWithStopSchedule("INT/10/KILL/5")).contains("\nKillSignal=SIGINT\nTimeoutStopSec=10\n")
                .doesNotContain("ExecStop");
        assertThat(unitWithStopSchedule("ALRM/7")).contains("SIGALRM, then SIGKILL 7 s later (which 'stop' would"
                + " not send: it would leave the process running)\nKillSignal=SIGALRM\nTimeoutStopSec=7\n")
                .doesNotContain("ExecStop");
    }

    @Test
    void aStopScheduleSystemdCannotSayIsRunByStopAsExecStop() {
        // the waits (3 + 2 + 1), the thread dump before the KILL (2) and the stop's JVM (15)
        assertThat(unitWithStopSchedule("TERM/3/INT/2/KILL/1")).contains("\nExecStop=" + JAVA
                + " -Ddaemonrunner.launchdir=/srv/app -jar /srv/app/app.jar stop\nTimeoutStopSec=23\n")
                .doesNotContain("KillSignal=");
        assertThat(unitWithStopSchedule("TERM/3/INT/4")).contains(" -jar /srv/app/app.jar stop\nTimeoutStopSec=22\n");
    }

    @Test
    void aForkingUnitStartsWithStartAndNamesThePidfile() {
        String unit = action(DaemonContext.builder().user("svc").dropPrivilegesAfterInit(true).preventCoreDumps(false)
                .build()).unit(command("-cp", "lib/*", "org.example.Main", "--type", "forking", "systemd-unit"), true,
                false);

        assertThat(unit).contains("Type=forking\nPIDFile=/run/app/app.pid\nExecStart=" + JAVA
                        + " -Ddaemonrunner.launchdir=/srv/app -cp \"/srv/app/lib/*\" org.example.Main start\n",
                "# no User=: init() runs as root, then the app switches to svc (dropPrivilegesAfterInit)\n",
                // start's 90.5 s, the 10 s of the stop it does then, 30 s for the JVMs
                "\nTimeoutStartSec=131\n")
                .doesNotContain("User=svc", "LimitCORE", "WatchdogSec", "network-online");
    }

    /** A wrapped program's command lines: {@code /usr/bin/java -jar JAR ACTION}. */
    private static SystemdUnitAction.CommandLines jarCommandLines(String name, String jar) {
        return new SystemdUnitAction.CommandLines() {
            @Override
            public String programName() {
                return name;
            }

            @Override
            public List<String> forAction(String action) {
                return List.of("/usr/bin/java", "-jar", jar, action);
            }
        };
    }

    @Test
    void theUnitIsWrittenInUtf8WhateverTheConsolesCharset() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Console ascii = new Console(new PrintStream(bytes, true, StandardCharsets.US_ASCII), System.err);
        new SystemdUnitAction(target(DaemonContext.builder().build()), ascii).print(
                ActionParser.parseCommand(new String[] {"systemd-unit"}), jarCommandLines("caf\u00e9", "/srv/caf\u00e9.jar"));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("Description=caf\u00e9 (daemonrunner)",
                "\"/srv/caf\u00e9.jar\" run", "Environment=LC_CTYPE=C.UTF-8\n");
    }

    @Test
    void theWatchdogCommentPromisesOfAWrappedProgramOnlyWhatItsPingsDetect() {
        SystemdUnitAction.CommandLines wrapped = new SystemdUnitAction.CommandLines() {
            @Override
            public String programName() {
                return "app";
            }

            @Override
            public List<String> forAction(String action) {
                return List.of("/usr/bin/java", "-jar", "/srv/daemonrunner.jar", action);
            }

            @Override
            public boolean asksIsHealthy() {
                return false;
            }
        };
        assertThat(action(DaemonContext.defaults()).unit(wrapped, false, false))
                .contains("# To have systemd restart the daemon when its JVM stops running threads altogether (hung,"
                        + " stopped,\n# or paused for longer than this). A wrapped program counts as healthy: its own"
                        + " threads\n# deadlocked, with the JVM running, go unnoticed:\n#WatchdogSec=30\n")
                .doesNotContain("isHealthy", "when it hangs");
        assertThat(action(DaemonContext.defaults()).unit(jarCommandLines("app", "/srv/app.jar"), false, false))
                .contains("when its isHealthy() says false (or throws), or when its JVM\n# stops running threads"
                        + " altogether");
    }

    @Test
    void aWrappedProgramsUnitHasNoExecReloadThatWouldReloadNothingButSaysHowToAddOne() {
        SystemdUnitAction.CommandLines wrapped = new SystemdUnitAction.CommandLines() {
            @Override
            public String programName() {
                return "app";
            }

            @Override
            public List<String> forAction(String action) {
                return List.of("/usr/bin/java", "-jar", "/srv/daemonrunner.jar", action);
            }

            @Override
            public boolean reloads() {
                return false;
            }
        };
        for (boolean forking : new boolean[] {false, true}) {
            assertThat(action(DaemonContext.defaults()).unit(wrapped, forking, false))
                    .contains("\n# No ExecReload=: the program has no reload hook (SIGHUP only makes it note that"
                            + " nothing was\n# reloaded), so 'systemctl reload' is refused. If it handles SIGHUP itself,"
                            + " add:\n#ExecReload=/usr/bin/java -jar /srv/daemonrunner.jar reload\n")
                    .doesNotContain("\nExecReload=");
        }
        assertThat(action(DaemonContext.defaults()).unit(jarCommandLines("app", "/srv/app.jar"), false, false))
                .as("an app's reload() is its hook").contains("\nExecReload=/usr/bin/java -jar /srv/app.jar reload\n")
                .doesNotContain("No ExecReload");
    }

    @Test
    void aWorkingDirectoryOrUserThatStartWouldRefuseIsRefusedHereToo() {
        assertThatThrownBy(() -> new SystemdUnitAction(target(DaemonContext.builder()
                .workingDirectory(Path.of("/srv/no-such-sub")).build()), new Console(new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), System.err))
                .print(ActionParser.parseCommand("systemd-unit"), jarCommandLines("app", "/srv/app.jar")))
                .isInstanceOf(DaemonEnvironmentException.class)
                .hasMessage("Cannot write a unit: working directory /srv/no-such-sub does not exist. Create it, or set"
                        + " another one.")
                .extracting(e -> ((DaemonEnvironmentException) e).exitStatus()).isEqualTo(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> new SystemdUnitAction(target(DaemonContext.builder().user("daemonrunner-no-such-user")
                .build()), new Console(new PrintStream(out, true, StandardCharsets.UTF_8), System.err))
                .print(ActionParser.parseCommand("systemd-unit"), jarCommandLines("app", "/srv/app.jar")))
                .isInstanceOf(DaemonEnvironmentException.class)
                .hasMessageStartingWith("Cannot write a unit: ").hasMessageContaining("daemonrunner-no-such-user")
                .hasMessageEndingWith(". Create it, or set another user.")
                .extracting(e -> ((DaemonEnvironmentException) e).exitStatus()).isEqualTo(1);
        assertThat(out.size()).as("no unit printed").isZero();
    }

    /** daemonrunner.jar's command lines, its settings read from {@code config}. */
    private static SystemdUnitAction.CommandLines fromConfig(Path config) {
        return new SystemdUnitAction.CommandLines() {
            @Override
            public String programName() {
                return "app";
            }

            @Override
            public List<String> forAction(String action) {
                return List.of("/usr/bin/java", "-jar", "/srv/daemonrunner.jar", action);
            }

            @Override
            public Optional<Path> configFile() {
                return Optional.of(config);
            }
        };
    }

    @Test
    void aUnitFromAConfigFileSaysItCopiedTheSettingsAndIsToBeWrittenAgainAfterAnEdit() {
        assertThat(action(DaemonContext.defaults()).unit(fromConfig(Path.of("/etc/hv/hv.conf")), false, false))
                .contains("\n# Generated from /etc/hv/hv.conf: its settings are copied here, not read from it, so\n#"
                        + " edits to it do not reach the service: write this unit again after editing it.\n[Unit]\n");
        assertThat(action(DaemonContext.defaults()).unit(fromConfig(Path.of("/etc/x\nExecStartPre=/bin/true.conf")),
                false, false)).contains("# Generated from /etc/x\\x0aExecStartPre=/bin/true.conf: ")
                .doesNotContain("\nExecStartPre");
        assertThat(action(DaemonContext.defaults()).unit(jarCommandLines("app", "/srv/app.jar"), false, false))
                .doesNotContain("Generated from");
    }

    @Test
    void anAsciiUnitSetsNoLocale() {
        String unit = action(DaemonContext.defaults()).unit(jarCommandLines("app", "/srv/app.jar"), false, false);
        assertThat(unit).doesNotContain("Environment=", "LC_CTYPE");
    }

    @Test
    void theCommentedLogLinesCannotBecomeDirectives() {
        assumeTrue(LogFiles.changeableByOthers(Path.of("/var/log/app.err")).isEmpty(), "only root can write /var/log");
        String odd = new SystemdUnitAction(target(DaemonContext.builder().build(), Path.of("/run/p%n/a%n.out"),
                Path.of("/srv/x\nExecStartPre=/bin/true/app.err")), new Console(new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), System.err))
                .unit(jarCommandLines("app", "/srv/app.jar"), false, false);
        assertThat(odd).contains("#StandardOutput=append:/var/log/a%%n.out\n",
                        "# not /srv/x\\x0aExecStartPre=/bin/true/app.err: no unit line can hold its control character\n"
                        + "#StandardError=append:/var/log/app.err\n")
                .doesNotContain("\nExecStartPre");
    }

    @Test
    void aNotifyUnitsLogLinesKnowWhetherSystemdGivesTheLogsDirectoryToTheUser() {
        for (boolean afterInit : new boolean[] {false, true}) {
            String unit = new SystemdUnitAction(target(DaemonContext.builder().user("svc").dropPrivilegesAfterInit(
                    afterInit).build(), Path.of("/var/log/app/app.out"), Path.of("/var/log/app/app.err")),
                    new Console(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), System.err))
                    .unit(jarCommandLines("app", "/srv/app.jar"), false, false);
            if (afterInit) {
                assertThat(unit).as("no User=: /var/log/app stays root's").doesNotContain("gives /var/log/app");
            } else {
                assertThat(unit).contains("# not /var/log/app/app.out: systemd gives /var/log/app to svc"
                        + " (LogsDirectory=app), who could point it at any file with a symbolic link\n");
            }
        }
    }

    /** What {@code systemd-unit} of {@code type} prints on stderr, for an app with these logs. */
    private static String warnings(String type, Path stdout, Path stderr) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        new SystemdUnitAction(target(DaemonContext.builder().build(), stdout, stderr), new Console(new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8))).print(ActionParser.parseCommand("systemd-unit", "--type", type),
                jarCommandLines("app", "/srv/app.jar"));
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aForkingUnitWarnsOfLogsInTheRuntimeDirectoryWhichSystemdRemoves() {
        assertThat(warnings("forking", Path.of("/run/app/app.out"), Path.of("/var/log/app/app.err")))
                .isEqualTo("Warning: the stdout log /run/app/app.out is in /run/app, which systemd removes on every"
                        + " stop, restart and failure of the unit (RuntimeDirectory=app): the daemon's last lines would"
                        + " go with it. Have the app's stdoutPath() return a path under /var/log, such as"
                        + " /var/log/app/app.out; systemd creates /var/log/app for it (LogsDirectory=)."
                        + System.lineSeparator());
        assertThat(warnings("notify", Path.of("/run/app/app.out"), Path.of("/run/app/app.err")))
                .as("run's output is the journal's").isEmpty();
        assertThat(warnings("forking", Path.of("/srv/app.out"), Path.of("/var/log/app.err"))).isEmpty();
    }

    @Test
    void aForkingUnitsPidfileAfterALinksDotDotIsTheFileTheKernelFindsThere(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b/c"));
        Files.createSymbolicLink(dir.resolve("a/link"), dir.resolve("b/c"));
        String unit = new SystemdUnitAction(target(DaemonContext.defaults(), Path.of("out.log"), Path.of("err.log"),
                "TERM/10", dir.resolve("a/link/../app.pid")), new Console(new PrintStream(new ByteArrayOutputStream(),
                true, StandardCharsets.UTF_8), System.err)).unit(jarCommandLines("app", "/srv/app.jar"), true, false);
        assertThat(unit).as("a/link/.. is b, where the daemon writes it").contains("\nPIDFile="
                + dir.toRealPath().resolve("b/app.pid") + "\n");
    }
    @Test
    void aPidfileUnderVarRunIsUnderRunForSystemd() throws IOException {
        assumeTrue(Path.of("/var/run").toRealPath().equals(Path.of("/run").toRealPath()), "/var/run is /run here");
        String unit = new SystemdUnitAction(target(DaemonContext.defaults(), Path.of("/var/run/hv/hv.out"),
                Path.of("/var/log/hv/hv.err"), "TERM/10", Path.of("/var/run/hv/hv.pid")), new Console(new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), System.err))
                .unit(jarCommandLines("hv", "/srv/hv.jar"), true, false);
        assertThat(unit).contains("PIDFile=/run/hv/hv.pid\n", "RuntimeDirectory=hv\n", "LogsDirectory=hv\n")
                .doesNotContain("/var/run");
    }

    @Test
    void everyArgumentReachesTheDaemonAsWritten() {
        assertThat(UnitSyntax.escapeArgument("plain-/path_1.2,a=b:c@d+")).isEqualTo("plain-/path_1.2,a=b:c@d+");
        assertThat(UnitSyntax.escapeArgument("two words")).isEqualTo("\"two words\"");
        assertThat(UnitSyntax.escapeArgument("%i")).isEqualTo("%%i");
        assertThat(UnitSyntax.escapeArgument("$HOME")).isEqualTo("$$HOME");
        assertThat(UnitSyntax.escapeArgument("say \"hi\"\\n")).isEqualTo("\"say \\\"hi\\\"\\\\n\"");
        assertThat(UnitSyntax.escapeArgument("it's")).isEqualTo("\"it's\"");
        assertThat(UnitSyntax.escapeArgument("")).isEqualTo("\"\"");
        assertThat(UnitSyntax.escapeArgument(";")).isEqualTo("\";\"");
        assertThat(UnitSyntax.escapeArgument("a\tb")).isEqualTo("\"a\\tb\"");
    }

    @Test
    void aCommandLineWithoutTheActionWordIsRefused() {
        assertThatThrownBy(() -> action(DaemonContext.defaults()).unit(command("-jar", "app.jar", "unit"), false,
                false)).isInstanceOf(DaemonRunnerException.class)
                .hasMessageStartingWith("Cannot write a unit: the word 'systemd-unit' is not among this program's"
                        + " arguments (-jar /srv/app/app.jar unit)");
    }
}
