// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.wrap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Asking daemonrunner.jar for help or its version is never a usage error, wherever it is asked before '--'. */
class WrapperUsageTest {
    @Test
    void helpAndVersionAreFoundBeforeDoubleDashButNotAsAnOptionsValueNorInJavaArgs() {
        assertThat(WrapperUsage.requested(new String[] {"--help"})).isEqualTo(WrapperUsage.Request.HELP);
        assertThat(WrapperUsage.requested(new String[] {"--pidfile", "a.pid", "status", "-h"}))
                .isEqualTo(WrapperUsage.Request.HELP);
        assertThat(WrapperUsage.requested(new String[] {"--version"})).isEqualTo(WrapperUsage.Request.VERSION);
        assertThat(WrapperUsage.requested(new String[] {"--pidfile", "--help", "status"})).isNull();
        assertThat(WrapperUsage.requested(new String[] {"--pidfile", "a.pid", "start", "--", "-jar", "app.jar",
                "--help"})).as("the program's own --help").isNull();
    }

    @Test
    void theUsageTextNamesEveryOptionAndActionOnce() {
        String text = WrapperUsage.text();
        for (String key : WrapperOptions.KEYS) {
            assertThat(text).contains("--" + key + " ");
        }
        assertThat(text).contains("systemd-unit", "force-stop", "JAVA_ARGS");
        assertThat(text.split("Usage:", -1)).hasSize(2);
    }
}
