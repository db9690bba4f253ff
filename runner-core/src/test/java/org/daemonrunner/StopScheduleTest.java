// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a stop schedule refuses, in words, rather than fail later with an arithmetic error. */
class StopScheduleTest {
    @Test
    void aWaitTooLongToCountIsRefusedSayingSoNotByAnOverflow() {
        assertThatThrownBy(() -> StopSchedule.parse("TERM/5/KILL/99999999999999999999"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Not a stop schedule: 'TERM/5/KILL/99999999999999999999': '99999999999999999999' is"
                        + " more than 3599999996400 seconds");
    }

    @Test
    void aWaitBeyondTheLongestIsTheLongestAsForeverMeansIt() {
        // an app's stopTimeout() of Duration.ofSeconds(Long.MAX_VALUE): a daemon that stop waits for, not one it refuses
        assertThat(StopSchedule.graceful(Duration.ofSeconds(Long.MAX_VALUE)).toString()).isEqualTo("TERM/3599999996400");
        assertThat(StopSchedule.parse("TERM/99999999999999999").steps().get(0).timeout())
                .isEqualTo(Duration.ofHours(999_999_999));
    }

    @Test
    void theLongestWaitIsThatOfStopTimeoutAndIsWrittenBack() {
        StopSchedule longest = StopSchedule.parse("TERM/3599999996400");
        assertThat(longest.toString()).isEqualTo("TERM/3599999996400");
        assertThat(longest.forced().withTimeout(Duration.ofHours(999_999_999)).toString())
                .isEqualTo("TERM/3599999996400/KILL/5");
    }

    @Test
    void aSignalThatDoesNotEndADaemonIsRefusedSayingWhyAndTheUnknownSignalListNamesOnlyThoseThatDo() {
        for (String[] refused : new String[][] {{"USR1", "a daemon reopens its logs on it"},
                {"HUP", "a daemon reloads on it"}, {"CHLD", "a process ignores it by default"},
                {"WINCH", "a process ignores it by default"}, {"QUIT", "the JVM writes a thread dump on it"},
                {"STOP", "it pauses the process"}, {"CONT", "it resumes a paused process"}}) {
            assertThatThrownBy(() -> StopSchedule.parse("TERM/5/" + refused[0] + "/1"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Not a signal to stop a daemon with: '" + refused[0] + "' (" + refused[1])
                    .hasMessageContaining("; use TERM, INT or KILL, or another that ends a process: TRAP, ABRT, ALRM,");
        }
        assertThatThrownBy(() -> StopSchedule.parse("FOO/5")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Unknown signal 'FOO' in a stop schedule; use TERM, INT or KILL, or another that"
                        + " ends a process: TRAP, ABRT, ALRM,")
                .hasMessageContaining("KILL").hasMessageContaining("TERM")
                .hasMessageNotContaining("STOP").hasMessageNotContaining("USR1").hasMessageNotContaining("CHLD");
        assertThat(StopSchedule.parse("TERM/5/INT/5/ALRM/1/KILL/1").toString()).isEqualTo("TERM/5/INT/5/ALRM/1/KILL/1");
    }

    @Test
    void aMissingTimeoutOrTextIsNamed() {
        assertThatThrownBy(() -> StopSchedule.graceful(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("timeout");
        assertThatThrownBy(() -> StopSchedule.parse(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("text");
        assertThatThrownBy(() -> StopSchedule.parse("TERM/abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Not a stop schedule: 'TERM/abc': 'abc' is not a number of seconds");
    }
}
