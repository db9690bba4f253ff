// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a process appended to its log, read without ever blocking on something that is not a file. */
class LogFileTest {
    @TempDir
    Path dir;

    @Test
    void whatWasAppendedAfterAnOffsetAtMostTheLastBytes() throws IOException {
        Path log = Files.writeString(dir.resolve("app.err"), "old\nnew line\n");
        assertThat(LogFile.appended(log, 4, 100)).isEqualTo("new line\n");
        assertThat(LogFile.appended(log, 4, 5)).isEqualTo("line\n");
        assertThat(LogFile.appended(log, 13, 100)).isEmpty();
        assertThat(LogFile.appended(dir.resolve("missing"), 0, 100)).isEmpty();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aFifoIsNotOpenedSoNothingBlocks() throws IOException, InterruptedException {
        Path fifo = dir.resolve("app.err");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        assertThat(LogFile.appended(fifo, 0, 100)).isEmpty();
    }
}
