// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.daemonrunner.internal.launch.Relaunch;
import org.daemonrunner.internal.proc.LogFile;

/** What the daemon wrote to its stderr log during a failed start: the cause it named, and the last lines. */
final class LogTail {
    private static final int TAIL_LINES = 10;
    private static final int TAIL_BYTES = 8192;

    private final List<String> lines;

    private LogTail(List<String> lines) {
        this.lines = lines;
    }

    /** Reads what was appended to {@code log} after {@code from} bytes (at most the last 8 KiB of it). */
    static LogTail of(Path log, long from) {
        List<String> lines = new ArrayList<>(List.of(LogFile.appended(log, from, TAIL_BYTES).split("\n")));
        lines.removeIf(String::isBlank);
        return new LogTail(lines);
    }

    /** Whether nothing was written. */
    boolean isEmpty() {
        return lines.isEmpty();
    }

    /** {@code ": <cause>"} from the daemon's last cause line, or empty. */
    String cause() {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(Relaunch.CAUSE_PREFIX)) {
                return ": " + lines.get(i).substring(Relaunch.CAUSE_PREFIX.length());
            }
        }
        return "";
    }

    /** The last lines, indented, after a sentence naming {@code log}; or that nothing was written to it. */
    String lines(Path log) {
        if (lines.isEmpty()) {
            return " Nothing was written to " + log + ".";
        }
        StringBuilder text = new StringBuilder(" Last lines of ").append(log).append(':');
        for (String line : lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size())) {
            text.append(System.lineSeparator()).append("    ").append(line);
        }
        return text.toString();
    }
}
