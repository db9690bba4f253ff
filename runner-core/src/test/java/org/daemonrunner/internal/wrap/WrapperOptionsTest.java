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
}
