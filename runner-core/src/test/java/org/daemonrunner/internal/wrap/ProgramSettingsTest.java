// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.wrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgramSettingsTest {
    @Test
    void anyValueSurvivesTheRoundTripAndPlainPathsStayReadable() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("pidfile", "/run/app/app.pid");
        settings.put("stdout", "/var/log/a,b=c%2C%25,%/out.log");
        settings.put("ready", "port:8080");
        String text = ProgramSettings.encode(settings);
        assertThat(text).startsWith("pidfile=/run/app/app.pid,").doesNotContain("a,b");
        assertThat(ProgramSettings.decode(text)).isEqualTo(settings);
    }
}
