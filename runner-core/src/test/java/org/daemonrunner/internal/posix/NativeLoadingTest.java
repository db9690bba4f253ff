// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The noexec check on the lines of a {@code /proc/self/mountinfo}, and what a failed load says about the directory
 * jffi unpacks into (a real noexec or read-only mount: see the environment ITs).
 */
@EnabledOnOs(OS.LINUX)
class NativeLoadingTest {
    private static final List<String> MOUNTS = List.of(
            "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
            "40 27 0:40 / /tmp rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw",
            "41 40 0:41 / /tmp/exec rw,relatime - tmpfs tmpfs rw",
            "42 27 0:42 / /srv/with\\040space rw,noexec - tmpfs tmpfs rw");

    @Test
    void theLongestMountPointDecidesAndOnlyItsOwnOptionsCount() {
        assertThat(NativeLoading.noexecMountOf(Path.of("/tmp"), MOUNTS)).isEqualTo("/tmp");
        assertThat(NativeLoading.noexecMountOf(Path.of("/tmp/app/jffi"), MOUNTS)).isEqualTo("/tmp");
        assertThat(NativeLoading.noexecMountOf(Path.of("/tmp/exec/jffi"), MOUNTS)).isNull();
        assertThat(NativeLoading.noexecMountOf(Path.of("/tmpfoo"), MOUNTS)).isNull();
        assertThat(NativeLoading.noexecMountOf(Path.of("/var/tmp"), MOUNTS)).isNull();
        assertThat(NativeLoading.noexecMountOf(Path.of("/srv/with space/x"), MOUNTS)).isEqualTo("/srv/with space");
    }

    @Test
    void aDirectoryThatDoesNotExistIsLeftToJffisOwnError() {
        assertThat(NativeLoading.noexecMountOf(Path.of("/no/such/directory"))).isNull();
    }

    @Test
    void anExtractDirectoryThatCannotTakeAFileIsSaidInTheOsWordsAndAWritableOneIsLeftClean(@TempDir Path dir)
            throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "");

        assertThat(NativeLoading.unwritable(dir.resolve("missing"))).isEqualTo("does not exist");
        assertThat(NativeLoading.unwritable(file)).isEqualTo("is not a directory");
        assertThat(NativeLoading.unwritable(file.resolve("below")))
                .isEqualTo("cannot be reached: a part of its path is not a directory");
        assertThat(NativeLoading.unwritable(dir)).isNull();
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aLoadFailureWithAWritableExtractDirectoryGivesWhatJnrAndJffiSaidAndWhatToSet(@TempDir Path dir) {
        String before = System.getProperty(NativeLoading.EXTRACT_DIR);
        System.setProperty(NativeLoading.EXTRACT_DIR, dir.toString());
        try {
            UnsatisfiedLinkError jnr = new UnsatisfiedLinkError("could not load FFI provider"
                    + " jnr.ffi.provider.jffi.Provider");
            jnr.initCause(new UnsatisfiedLinkError("could not get native definition for type `POINTER`, original"
                    + " error message follows: could not load jffi library from " + dir));

            PosixException failure = NativeLoading.notLoaded(jnr);

            assertThat(failure).hasMessage("Native code cannot be loaded (jnr and its native library, jffi): could"
                    + " not load FFI provider jnr.ffi.provider.jffi.Provider; caused by: could not get native"
                    + " definition for type `POINTER`, original error message follows: could not load jffi library"
                    + " from " + dir + ". Point -Djffi.extract.dir at a directory that the daemon's user can write on"
                    + " a file system without noexec, or -Djffi.boot.library.path at one that holds jffi's library for"
                    + " this platform").hasCause(jnr);
        } finally {
            if (before == null) {
                System.clearProperty(NativeLoading.EXTRACT_DIR);
            } else {
                System.setProperty(NativeLoading.EXTRACT_DIR, before);
            }
        }
    }
}
