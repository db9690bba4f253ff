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
        assertThatThrownBy(() -> StopSchedule.parse("TERM/99999999999999999"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Timeout after SIGTERM too long: 99999999999999999 seconds (at most 3599999996400,"
                        + " which is 999999999 hours)");
        assertThatThrownBy(() -> StopSchedule.parse("TERM/5/KILL/99999999999999999999"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Not a stop schedule: 'TERM/5/KILL/99999999999999999999': '99999999999999999999' is"
                        + " more than 3599999996400 seconds");
        assertThatThrownBy(() -> StopSchedule.graceful(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Timeout after SIGTERM too long");
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
