// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a context refuses to build, rather than ignore. */
class DaemonContextTest {
    @Test
    void groupsWithoutAUserAreRefusedNotIgnored() {
        assertThatThrownBy(() -> DaemonContext.builder().group("daemon").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("a group (daemon) without a user");
        assertThatThrownBy(() -> DaemonContext.builder().supplementaryGroups(List.of("adm")).build())
                .hasMessageStartingWith("supplementary groups without a user");
        assertThat(DaemonContext.builder().user("nobody").group("daemon").build().group()).contains("daemon");
    }
}
