// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the OS said, in the words an operator reads: never the JDK's exception class or a repeated path. */
class IoFailureTest {
    @TempDir
    Path dir;

    @Test
    void aMissingFileADirectoryAndAFileUsedAsADirectoryAreSaidInWords() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThat(IoFailure.reason(failure(dir.resolve("missing")))).isEqualTo("no such file");
        assertThat(IoFailure.reason(failure(dir))).isEqualTo("it is a directory");
        assertThat(IoFailure.reason(failure(file.resolve("below")))).isEqualTo("a part of its path is not a directory");
        IOException stream = catchThrowableOfType(() -> new FileInputStream(dir.toFile()).close(), IOException.class);
        assertThat(IoFailure.reason(stream)).as("java.io's 'PATH (Is a directory)'").isEqualTo("it is a directory");
    }

    @Test
    void aFullFileSystemIsSaidWithItsErrno() {
        Path full = Path.of("/dev/full"); // every write fails with ENOSPC, as on a full file system
        Assumptions.assumeTrue(Files.isWritable(full), "needs Linux's /dev/full");
        IOException noSpace = catchThrowableOfType(() -> Files.write(full, new byte[] {1}), IOException.class);
        assertThat(IoFailure.reason(noSpace)).isEqualTo("no space left on device (ENOSPC)");
        assertThat(IoFailure.isNoSpace(noSpace)).isTrue();
        assertThat(IoFailure.isNoSpace(failure(dir.resolve("missing")))).isFalse();
    }

    private static IOException failure(Path path) {
        return catchThrowableOfType(() -> Files.readAllLines(path), IOException.class);
    }
}
