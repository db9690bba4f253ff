// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relative paths made absolute for a daemon that runs in another directory, as the kernel resolves them: a
 * {@code ..} after a symbolic link leads to the parent of the link's target ({@code l/../x.jar} is
 * {@code deep/x.jar} here), which no lexical normalization knows.
 */
class DaemonPathsTest {
    @TempDir
    Path dir;

    @BeforeEach
    void linkAndTwoFilesOfOneName() throws IOException {
        Files.createDirectories(dir.resolve("deep/inner/sub"));
        Files.createSymbolicLink(dir.resolve("l"), Path.of("deep/inner"));
        for (String file : List.of("x.jar", "deep/x.jar")) {
            Files.writeString(dir.resolve(file), file);
        }
    }

    @Test
    void aDotDotAfterASymbolicLinkInTheProgramsPathsLeadsWhereTheKernelTakesIt() throws IOException {
        JavaCommand command = JavaCommand.parse("/opt/jdk/bin/java", List.of("-cp", "l/../x.jar", "-p", "l/../x.jar",
                "-javaagent:l/../x.jar=verbose", "@l/../x.jar", "-jar", "l/../x.jar"), dir);
        List<String> options = command.jvmOptions();

        List<String> named = List.of(options.get(1), options.get(3), options.get(4).substring("-javaagent:".length(),
                options.get(4).indexOf('=')), options.get(5).substring(1), command.mainAndArguments().get(1));
        for (String path : named) {
            assertThat(Files.readString(Path.of(path))).as(path).isEqualTo("deep/x.jar");
        }
        for (JvmFiles.Needed needed : JvmFiles.of(command, dir).subList(1, 4)) { // what the user's access is told of
            assertThat(Files.readString(needed.path())).as(needed.toString()).isEqualTo("deep/x.jar");
        }
    }

    @Test
    void twoNamesOfOneDirectoryThroughALinkAreOneFileToBeAndALinksDotDotIsNotItsDirectory() {
        assertThat(LogFiles.isSameFile(dir.resolve("l/../app.pid"), dir.resolve("app.pid"))).isFalse();
        assertThat(LogFiles.isSameFile(dir.resolve("l/../app.pid"), dir.resolve("deep/app.pid"))).isTrue();
        assertThat(LogFiles.isSameFile(dir.resolve("l/../x.jar"), dir.resolve("deep/x.jar"))).isTrue();
        assertThat(LogFiles.isSameFile(dir.resolve("l/../x.jar"), dir.resolve("x.jar"))).isFalse();
    }

    @Test
    void aDotDotGoesWithADirectoryBeforeItAndStaysAfterALinkOrAMissingName() {
        assertThat(DaemonPaths.absolute(dir, Path.of("./deep/inner/../x.jar"))).isEqualTo(dir.resolve("deep/x.jar"));
        assertThat(DaemonPaths.absolute(dir, Path.of("l/../x.jar"))).isEqualTo(dir.resolve("l/../x.jar"));
        assertThat(DaemonPaths.absolute(dir, Path.of("l/sub/../y"))).as("sub is a directory, in the link's target")
                .isEqualTo(dir.resolve("l/y"));
        assertThat(DaemonPaths.absolute(dir, Path.of("l/../../x.jar"))).isEqualTo(dir.resolve("l/../../x.jar"));
        assertThat(DaemonPaths.absolute(dir, Path.of("missing/../x.jar"))).isEqualTo(dir.resolve("missing/../x.jar"));
        assertThat(DaemonPaths.absolute(dir.resolve("l"), Path.of("../x.jar"))).as("a base that is a link")
                .isEqualTo(dir.resolve("l/../x.jar"));
        assertThat(DaemonPaths.absolute(dir, Path.of("/../../tmp/./a"))).isEqualTo(Path.of("/tmp/a"));
        assertThat(DaemonPaths.absolute(dir, Path.of(""))).isEqualTo(dir);
    }
}
