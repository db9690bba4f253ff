// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A unit's paths as systemd takes them: never with {@code ..}, which it refuses, and naming the file the kernel finds. */
class UnitDirectoriesTest {
    @Test
    void aDotDotAfterALinkIsResolvedByTheKernelNotDroppedWithTheLink(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("a/d"));
        Files.createDirectories(dir.resolve("b/c"));
        Files.createSymbolicLink(dir.resolve("a/link"), dir.resolve("b/c"));
        Path real = dir.toRealPath();

        assertThat(UnitDirectories.underRun(dir.resolve("a/link/../app.pid"))).isEqualTo(real.resolve("b/app.pid"));
        assertThat(UnitDirectories.underRun(dir.resolve("a/link/../c/./x/app.pid")))
                .isEqualTo(real.resolve("b/c/x/app.pid"));
        assertThat(UnitDirectories.underRun(dir.resolve("a/d/../app.pid"))).as("d is a directory")
                .isEqualTo(dir.resolve("a/app.pid"));
        assertThat(UnitDirectories.underRun(dir.resolve("a/missing/../app.pid"))).as("no file there to name")
                .isEqualTo(dir.resolve("a/missing/../app.pid"));
    }
}
