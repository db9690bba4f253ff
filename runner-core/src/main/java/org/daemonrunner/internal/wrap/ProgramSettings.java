// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.wrap;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings the wrapper hands {@link ProgramMain}, as its first argument: {@code key=value} pairs joined by
 * {@code ,}, with {@code %} and {@code ,} in a value written {@code %25} and {@code %2C}, so that no path can break
 * the format and the usual ones stay readable in {@code ps}. Both ends in one place.
 */
final class ProgramSettings {
    static final String PIDFILE = "pidfile";
    static final String STDOUT = "stdout";
    static final String STDERR = "stderr";
    static final String READY = "ready";
    static final String PIDFILE_TIMEOUT_MS = "pidfile-timeout-ms";
    static final String UMASK = "umask";
    static final String USER = "user";
    static final String GROUP = "group";

    private ProgramSettings() {
    }

    static String encode(Map<String, String> settings) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> entry : settings.entrySet()) {
            if (text.length() > 0) {
                text.append(',');
            }
            text.append(entry.getKey()).append('=').append(entry.getValue().replace("%", "%25").replace(",", "%2C"));
        }
        return text.toString();
    }

    static Map<String, String> decode(String text) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return settings;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                settings.put(pair.substring(0, eq), pair.substring(eq + 1).replace("%2C", ",").replace("%25", "%"));
            }
        }
        return settings;
    }
}
