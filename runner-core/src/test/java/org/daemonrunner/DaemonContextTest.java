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

    @Test
    void aPrivilegeDropWithoutAUserIsRefusedNotIgnored() {
        // ignored, the daemon would run as root, whose init() was all that was meant to
        assertThatThrownBy(() -> DaemonContext.builder().dropPrivilegesAfterInit(true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("dropPrivilegesAfterInit(true) without a user")
                .hasMessageContaining("Set the user too (user(...))");
        assertThat(DaemonContext.builder().user("nobody").dropPrivilegesAfterInit(true).build()
                .dropPrivilegesAfterInit()).isTrue();
    }

    @Test
    void theSignalsHotSpotHandlesItselfAreRefusedByTheBuilderWithTheReasonNotByStart() {
        for (String signal : new String[] {"SEGV", "ILL", "FPE", "BUS", "sigsegv"}) {
            String name = signal.toUpperCase(java.util.Locale.ROOT).replace("SIG", "");
            assertThatThrownBy(() -> DaemonContext.builder().onSignal(signal, () -> { })).as(signal)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Cannot map SIG" + name + ": SIG" + name + " is the JVM's own (HotSpot");
            assertThatThrownBy(() -> DaemonContext.builder().ignoreSignal(signal)).as(signal)
                    .hasMessageStartingWith("Cannot map SIG" + name + ": ");
            assertThatThrownBy(() -> DaemonContext.builder().reopenLogsSignal(signal)).as(signal)
                    .hasMessageStartingWith("Cannot map SIG" + name + ": ");
        }
        assertThat(DaemonContext.builder().onSignal("TRAP", () -> { }).build().signalHandlers()).containsKey("TRAP");
    }
}
