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
    void aMissingTimeoutOrTextIsNamed() {
        assertThatThrownBy(() -> StopSchedule.graceful(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("timeout");
        assertThatThrownBy(() -> StopSchedule.parse(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("text");
        assertThatThrownBy(() -> StopSchedule.parse("TERM/abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Not a stop schedule: 'TERM/abc': 'abc' is not a number of seconds");
    }
}
