// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.daemonrunner.internal.launch.Relaunch;
import org.daemonrunner.internal.proc.LogFile;

/** What the daemon wrote to its stderr log during a failed start: the cause it named, and the last lines. */
final class LogTail {
    private static final int TAIL_LINES = 10;
    private static final int TAIL_BYTES = 8192;

    /** How the daemon's exit line before readiness begins ({@code ExitCause}): {@code pid N is exiting before ...: }. */
    private static final Pattern EXITING_BEFORE_READY = Pattern.compile("^pid \\d+ is exiting before it was ready \\(at [^)]*\\): ");

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

    /**
     * {@code ": <cause>"} from the last cause line of the daemon {@code pid}, or empty. Several daemons may write to
     * one stderr log (starts racing on one pidfile, a start right after another daemon's failure, two instances with
     * one log), so only a line that names {@code pid} is its ({@link Relaunch#saidBy}: {@code daemonrunner: pid N:
     * ...}); a line that names another pid, or none (a daemon of an earlier version, a {@code run} in the
     * foreground), is not. With {@code pid} 0 (no daemon yet), every cause line counts.
     */
    String cause(long pid) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i);
            String said = pid > 0 ? Relaunch.saidBy(line, pid)
                    : line.startsWith(Relaunch.CAUSE_PREFIX) ? line.substring(Relaunch.CAUSE_PREFIX.length()) : null;
            if (said != null) {
                // the daemon's exit line says what start says already (the pid, before it was ready): only its cause
                return ": " + EXITING_BEFORE_READY.matcher(said).replaceFirst("");
            }
        }
        return "";
    }

    /**
     * The pid that daemon {@code pid}, which lost a race to start, says in its line that it gave way to; 0 when it
     * names none (see {@link Relaunch#givesWay}).
     */
    long gaveWayTo(long pid) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            long holder = Relaunch.gaveWayTo(lines.get(i), pid);
            if (holder > 0) {
                return holder;
            }
        }
        return 0;
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
