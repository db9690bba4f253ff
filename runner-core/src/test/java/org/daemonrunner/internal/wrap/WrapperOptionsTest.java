// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.wrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.daemonrunner.InvalidActionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** daemonrunner.jar's options and --config file: what an operator writes is read as meant, or refused naming it. */
class WrapperOptionsTest {
    @TempDir
    Path dir;

    private Path config(String text) throws IOException {
        return Files.writeString(dir.resolve("app.conf"), text);
    }

    private WrapperOptions parse(String... args) {
        return WrapperOptions.parse(args, dir);
    }

    @Test
    void aForkingUnitsDefaultLogsLeaveTheRuntimeDirectoryForVarLogGivenOnesStay() {
        WrapperOptions defaults = parse("--pidfile", "/run/busy/busy.pid", "systemd-unit");
        defaults.moveDefaultLogsOutOfRuntimeDirectory();
        assertThat(defaults.stdout()).isEqualTo(Path.of("/var/log/busy/busy.out"));
        assertThat(defaults.stderr()).isEqualTo(Path.of("/var/log/busy/busy.err"));
        assertThat(defaults.asArguments()).containsSubsequence("--stdout", "/var/log/busy/busy.out", "--stderr",
                "/var/log/busy/busy.err");

        WrapperOptions given = parse("--pidfile", "/run/busy/busy.pid", "--stderr", "/run/busy/e.log", "systemd-unit");
        given.moveDefaultLogsOutOfRuntimeDirectory();
        assertThat(given.stderr()).as("given: warned of, not moved").isEqualTo(Path.of("/run/busy/e.log"));
        assertThat(given.stdout()).isEqualTo(Path.of("/var/log/busy/busy.out"));

        WrapperOptions elsewhere = parse("--pidfile", "/srv/busy/busy.pid", "systemd-unit");
        elsewhere.moveDefaultLogsOutOfRuntimeDirectory();
        assertThat(elsewhere.stdout()).as("beside a pidfile systemd leaves alone").isEqualTo(Path.of("/srv/busy/busy.out"));
    }

    @Test
    void aDotDotAfterASymbolicLinkInAPathIsLeftForTheKernelToResolve() throws IOException {
        Files.createDirectories(dir.resolve("deep/inner"));
        Files.createSymbolicLink(dir.resolve("l"), Path.of("deep/inner"));
        WrapperOptions options = parse("--pidfile", "l/../app.pid", "--stdout", "./l/../app.out", "--chdir", "l/..",
                "status");
        assertThat(options.path("pidfile")).isEqualTo(dir.resolve("l/../app.pid"));
        assertThat(options.stdout()).isEqualTo(dir.resolve("l/../app.out"));
        assertThat(options.chdir()).isEqualTo(dir.resolve("l/.."));
        assertThat(Files.isSameFile(options.chdir(), dir.resolve("deep"))).isTrue();
    }

    @Test
    void aRunnerOptionGivenTwiceIsAUsageErrorNamingIt() throws IOException {
        assertThatThrownBy(() -> parse("--pidfile", "/run/a.pid", "--pidfile=/run/b.pid", "status"))
                .isInstanceOf(InvalidActionException.class).hasMessage("Option --pidfile given twice: give it once.");
        Path file = config("pidfile=/run/app.pid\n");
        assertThatThrownBy(() -> parse("--config", file.toString(), "--config", file.toString(), "status"))
                .isInstanceOf(InvalidActionException.class).hasMessage("Option --config given twice: give it once.");
        assertThat(parse("--config", file.toString(), "--pidfile", "/run/b.pid", "status").path("pidfile"))
                .as("the command line still wins over the file").isEqualTo(Path.of("/run/b.pid"));
    }

    @Test
    void anActionsOptionBeforeTheActionSaysWhereItBelong() {
        assertThatThrownBy(() -> parse("--pidfile", "/run/app.pid", "--json", "status"))
                .isInstanceOf(InvalidActionException.class)
                .hasMessage("--json is an option of status: write 'status --json'.");
    }

    @Test
    void javaArgsLinesAreTrimmedAndHashLinesAndBlankLinesSkippedThereToo() throws IOException {
        Path file = config("pidfile=/run/app.pid\n--\n# the program\n  -jar  \n\napp.jar\n # its port\n--server.port=8080\n");
        assertThat(parse("--config", file.toString(), "status").javaArgs)
                .containsExactly("-jar", "app.jar", "--server.port=8080");
    }

    @Test
    void aByteOrderMarkAndCrlfLineEndingsAreNotPartOfTheText() throws IOException {
        Path file = config("\uFEFFpidfile=/run/app.pid\r\nready=port:8080\r\n");
        WrapperOptions options = parse("--config", file.toString(), "status");
        assertThat(options.path("pidfile")).isEqualTo(Path.of("/run/app.pid"));
        assertThat(options.readiness().port()).isEqualTo(8080);
    }

    @Test
    void aKeyGivenTwiceOrWithoutValueIsAUsageErrorNamingTheLines() throws IOException {
        Path twice = config("pidfile=/run/app.pid\nready=port:8080\n# later\nready=port:9090\n");
        assertThatThrownBy(() -> parse("--config", twice.toString(), "status")).isInstanceOf(InvalidActionException.class)
                .hasMessage("Key 'ready' given twice in " + twice + ", lines 2 and 4.");
        Path bare = config("pidfile=/run/app.pid\nready\n");
        assertThatThrownBy(() -> parse("--config", bare.toString(), "status"))
                .hasMessageContaining("No value for key 'ready' in " + bare + " line 2: write ready=VALUE.");
    }

    @Test
    void aBadValueTheCommandLineOverridesIsStillAnError() throws IOException {
        Path file = config("pidfile=/run/app.pid\nready=bogus\n");
        assertThatThrownBy(() -> parse("--config", file.toString(), "--ready", "port:8080", "status"))
                .hasMessageContaining("Bad value for key 'ready' in " + file + " line 2");
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedSayingSo() throws IOException {
        Path file = Files.write(dir.resolve("latin1.conf"), "pidfile=/run/caf\u00e9.pid\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> parse("--config", file.toString(), "status"))
                .hasMessageContaining("Cannot read config " + file + ": it is not UTF-8 text");
    }

    @Test
    void aBareDoubleDashOnTheCommandLineLeavesTheConfigsJavaArgs() throws IOException {
        Path file = config("pidfile=/run/app.pid\n--\n-jar\napp.jar\n");
        assertThat(parse("--config", file.toString(), "start", "--").javaArgs).containsExactly("-jar", "app.jar");
        assertThat(parse("--config", file.toString(), "start", "--", "-jar", "other.jar").javaArgs)
                .containsExactly("-jar", "other.jar");
    }

    @Test
    void aGroupWithoutAUserIsRefusedNotIgnoredWhereTheProgramStarts() {
        assertThatThrownBy(() -> parse("--pidfile", "/run/app.pid", "--group", "daemon", "start", "--", "App"))
                .isInstanceOf(InvalidActionException.class).hasMessageContaining("A group (daemon) without a user");
        assertThat(parse("--pidfile", "/run/app.pid", "--group", "daemon", "stop").app().context().group())
                .as("a running daemon can still be stopped with the config it was started with").isEmpty();
        assertThat(parse("--pidfile", "/run/app.pid", "--user", "nobody", "--group", "daemon", "status")
                .context().group()).contains("daemon");
    }

    @Test
    void aConfigThatCannotBeReadIsRefusedInTheOsWordsNotTheJdksClassNames() {
        Path missing = dir.resolve("nope.conf");
        assertThatThrownBy(() -> parse("--config", missing.toString(), "status")).isInstanceOf(InvalidActionException.class)
                .hasMessage("Cannot read config " + missing + ": no such file. Give --config the path of a readable"
                        + " file of key=value lines.");
        assertThatThrownBy(() -> parse("--config", dir.toString(), "status"))
                .hasMessageStartingWith("Cannot read config " + dir + ": it is a directory.")
                .hasMessageNotContaining("Exception");
    }

    @Test
    void aQuotedValueIsRefusedNotTakenWithItsQuotes() throws IOException {
        Path file = config("# quoted\npidfile=\"/run/app.pid\"\n");
        assertThatThrownBy(() -> parse("--config", file.toString(), "status")).isInstanceOf(InvalidActionException.class)
                .hasMessage("Quoted value for key 'pidfile' in " + file + " line 2: quotes are not removed, they would"
                        + " be part of the value. Write pidfile=/run/app.pid.");
        Path single = config("pidfile=/run/app.pid\nstop-schedule='TERM/30/KILL/5'\n");
        assertThatThrownBy(() -> parse("--config", single.toString(), "status"))
                .hasMessageStartingWith("Quoted value for key 'stop-schedule' in " + single + " line 2");
    }

    @Test
    void aCommentAfterAValueIsRefusedNotTakenAsPartOfIt() throws IOException {
        Path file = config("pidfile=/run/app.pid # the lock\n");
        assertThatThrownBy(() -> parse("--config", file.toString(), "status")).isInstanceOf(InvalidActionException.class)
                .hasMessage("Comment after the value of key 'pidfile' in " + file + " line 1: '#' starts a comment"
                        + " only at the start of a line, so the value would be '/run/app.pid # the lock'. Put the"
                        + " comment on a line of its own, and write pidfile=/run/app.pid.");
        Path inside = config("pidfile=/run/app#1.pid\n");
        assertThat(parse("--config", inside.toString(), "status").path("pidfile"))
                .as("a '#' inside a value is part of it").isEqualTo(Path.of("/run/app#1.pid"));
    }

    @Test
    void aRelativePathInTheConfigIsRefusedNamingTheAbsoluteOneBesideTheFile() throws IOException {
        Path file = config("pidfile=run/app.pid\n");
        assertThatThrownBy(() -> parse("--config", file.toString(), "status")).isInstanceOf(InvalidActionException.class)
                .hasMessage("Relative path for key 'pidfile' in " + file + " line 1: 'run/app.pid' would be resolved"
                        + " against the directory daemonrunner.jar is run from, not against the file's. Write it"
                        + " absolute, e.g. pidfile=" + dir.resolve("run/app.pid") + ".");
        Path ready = config("pidfile=/run/app.pid\nready=file:ready.flag\n");
        assertThatThrownBy(() -> parse("--config", ready.toString(), "status"))
                .hasMessageContaining("e.g. ready=file:" + dir.resolve("ready.flag") + ".");
        Path java = config("pidfile=/run/app.pid\njava=java\nchdir=/srv\n");
        assertThat(parse("--config", java.toString(), "status").values).as("a bare java name is looked up on PATH")
                .containsEntry("java", "java");
        assertThat(parse("--pidfile", "run/app.pid", "status").path("pidfile"))
                .as("on the command line, relative to where it is run, as a shell user expects")
                .isEqualTo(dir.resolve("run/app.pid"));
    }
}
