// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import static org.daemonrunner.internal.runner.UnitSyntax.appendTo;
import static org.daemonrunner.internal.runner.UnitSyntax.commentText;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.daemonrunner.internal.launch.DaemonPaths;

/**
 * A {@code Type=notify} unit's commented {@code StandardOutput=append:} and {@code StandardError=append:} lines, for
 * an operator who wants the output in files rather than the journal: lines that work once uncommented. systemd opens
 * such a file itself, before it makes the unit's directories ({@code RuntimeDirectory=}, {@code LogsDirectory=},
 * ...; a start whose file is in one it has yet to make fails with {@code 209/STDOUT}, and never makes it: systemd
 * 252). So a line names a log only where its directory exists and is not under {@code /run} (systemd removes the
 * {@code RuntimeDirectory=} at every stop, and the rest at boot). For a log that is not such a file, a comment says
 * why, and the line names the same file name in /var/log instead, where that one is; where neither is, the comment
 * says why and no line is written.
 */
final class UnitLogHints {
    private static final Path VAR_LOG = Path.of("/var/log");

    private UnitLogHints() {
    }

    /** The comment and lines for the logs of {@code paths}, each line ending in a newline. */
    static String lines(DaemonPaths paths) {
        return "# Its output goes to the journal (journalctl -u NAME): 'run' keeps the streams systemd gives it;\n"
                + "# the stdout and stderr log paths are start's (--type forking). For files instead: systemd opens"
                + " them\n# before it makes the unit's directories: each goes in a directory that exists:\n"
                + line("StandardOutput", paths.stdout()) + line("StandardError", paths.stderr());
    }

    private static String line(String key, Path log) {
        Path asked = UnitDirectories.underRun(log);
        Optional<String> against = whyNot(asked);
        if (against.isEmpty()) {
            return appendTo(key, asked);
        }
        String not = "not " + asked + ": " + against.get();
        Path instead = VAR_LOG.resolve(asked.getFileName());
        Optional<String> againstInstead = instead.equals(asked) ? against : whyNot(instead);
        if (againstInstead.isEmpty()) {
            return "# " + commentText(not) + "\n" + appendTo(key, instead);
        }
        return "# No " + key + "= line: " + commentText(not + (instead.equals(asked) ? ""
                : "; nor " + instead + ": " + againstInstead.get())) + "\n";
    }

    /** Why {@code file} (as {@link UnitDirectories#underRun} gives it) is not for an {@code append:}; empty if it is. */
    private static Optional<String> whyNot(Path file) {
        if (UnitSyntax.hasControlCharacter(file.toString())) {
            return Optional.of("no unit line can hold its control character");
        }
        Path directory = file.getParent();
        Optional<String> runtime = UnitDirectories.runtimeDirectory(directory);
        if (runtime.isPresent()) {
            return Optional.of("systemd removes " + directory + " at every stop (RuntimeDirectory=" + runtime.get()
                    + ")");
        }
        if (directory.startsWith("/run")) {
            return Optional.of("/run is emptied at every boot");
        }
        if (!Files.isDirectory(directory)) {
            return Optional.of(directory + " does not exist, and systemd opens the file before it makes any"
                    + " directory");
        }
        return Optional.empty();
    }
}
