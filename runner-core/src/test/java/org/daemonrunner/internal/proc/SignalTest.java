// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.daemonrunner.DaemonContext;
import org.daemonrunner.StopSchedule;
import org.junit.jupiter.api.Test;

class SignalTest {
    @Test
    void parseTakesTheNameWithOrWithoutSigInAnyCase() {
        assertThat(Signal.parse("TERM")).isEqualTo(Signal.TERM);
        assertThat(Signal.parse("sigHup")).isEqualTo(Signal.HUP);
        assertThat(Signal.parse(" usr1 ")).isEqualTo(Signal.USR1);
        assertThat(Signal.TERM.number()).isEqualTo(15);
        assertThat(Signal.ofNumber(9)).isEqualTo(Signal.KILL);
        assertThat(Signal.ofNumber(40)).isNull();
    }

    @Test
    void anUnknownNameIsRefusedWithTheListOfValidOnes() {
        assertThatThrownBy(() -> Signal.parse("FOO")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown signal 'FOO'").hasMessageContaining("HUP, INT, QUIT");
    }

    @Test
    void theApiRefusesUnknownSignalsWhereTheUserGivesThem() {
        assertThatThrownBy(() -> DaemonContext.builder().onSignal("FOO", () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Unknown signal 'FOO'");
        assertThatThrownBy(() -> DaemonContext.builder().reopenLogsSignal("USR3"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Unknown signal 'USR3'");
        assertThatThrownBy(() -> StopSchedule.parse("FOO/5")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown signal 'FOO'");
        assertThatThrownBy(() -> StopSchedule.parse("STOP/5")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not a signal to stop a daemon with: 'STOP'");
        assertThat(StopSchedule.parse("sigint/3/KILL/1").toString()).isEqualTo("INT/3/KILL/1");
        assertThat(DaemonContext.builder().onSignal("sigwinch", () -> { }).build().signalHandlers())
                .containsOnlyKeys("WINCH");
    }

    @Test
    void thePidGuardRefusesInitEveryProcessAndThisOne() {
        for (long pid : new long[] {-1, 0, 1, ProcessHandle.current().pid()}) {
            assertThatThrownBy(() -> ProcessControl.requireSignallable(pid))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("refusing to signal pid " + pid);
        }
        ProcessControl.requireSignallable(ProcessHandle.current().pid() + 1_000_000L);
    }

    @Test
    void statCountsAZombieOrAReapedProcessAsExited() {
        assertThat(new ProcessTable.Stat(5, 'Z', 5, 5, 1).exited()).isTrue();
        assertThat(new ProcessTable.Stat(5, 'X', 5, 5, 1).exited()).isTrue();
        assertThat(new ProcessTable.Stat(5, 'S', 5, 5, 1).exited()).isFalse();
        assertThat(ProcessTable.isLive(ProcessHandle.current().pid())).isTrue();
    }
}
