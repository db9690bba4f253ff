// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The noexec check on the lines of a {@code /proc/self/mountinfo} (a real noexec mount: see the environment ITs). */
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
}
