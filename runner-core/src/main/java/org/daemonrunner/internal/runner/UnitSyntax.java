// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import java.nio.file.Path;
import java.util.List;

/**
 * How {@code systemd-unit} writes values into a unit file so that systemd reads them back as they are: command lines,
 * settings' values and comments, with systemd's quoting, {@code %} specifiers and {@code $} expansion escaped.
 */
final class UnitSyntax {
    private UnitSyntax() {
    }

    /** A command line for an {@code Exec} setting: each argument escaped for systemd. */
    static String escapeCommand(List<String> argv) {
        StringBuilder line = new StringBuilder();
        for (String arg : argv) {
            line.append(line.length() == 0 ? "" : " ").append(escapeArgument(arg));
        }
        return line.toString();
    }

    /**
     * One argument of an {@code Exec} line, as systemd reads it back: plain when it holds only safe characters,
     * else in double quotes with {@code \} and {@code "} escaped; {@code %} written {@code %%} (specifiers) and
     * {@code $} written {@code $$} (variable expansion); control characters as C escapes.
     */
    static String escapeArgument(String arg) {
        boolean plain = !arg.isEmpty();
        for (int i = 0; i < arg.length() && plain; i++) {
            char c = arg.charAt(i);
            plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "/_.,:=+@%$-".indexOf(c) >= 0;
        }
        StringBuilder out = new StringBuilder(plain ? "" : "\"");
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '%') {
                out.append("%%");
            } else if (c == '$') {
                out.append("$$");
            } else if (c == '\\' || c == '"') {
                out.append('\\').append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append(plain ? "" : "\"").toString();
    }

    /** A setting's value (a path, a description): {@code %} escaped, as systemd expands specifiers there too. */
    static String escapeValue(String value) {
        return value.replace("%", "%%");
    }

    /** {@code text} for a comment line: control characters as C escapes, so that none ends the comment. */
    static String commentText(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    /** Whether {@code text} is ASCII: a unit that is not needs the JVM told its encoding. */
    static boolean isAscii(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code #KEY=append:PATH}, commented out, with systemd's {@code %} escaped; nothing for a path with a control
     * character, which no unit line can hold (a newline would end the comment and start a directive).
     */
    static String appendTo(String key, Path log) {
        String path = log.toString();
        return hasControlCharacter(path) ? "" : "#" + key + "=append:" + path.replace("%", "%%") + "\n";
    }

    /** Whether {@code text} has a control character, which no unit line can hold but as a C escape in quotes. */
    static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < 0x20 || text.charAt(i) == 0x7f) {
                return true;
            }
        }
        return false;
    }
}
