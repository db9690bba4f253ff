// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import static org.daemonrunner.internal.runner.UnitSyntax.appendTo;
import static org.daemonrunner.internal.runner.UnitSyntax.commentText;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.daemonrunner.internal.launch.DaemonPaths;
import org.daemonrunner.internal.launch.LogFiles;

/**
 * A {@code Type=notify} unit's commented {@code StandardOutput=append:} and {@code StandardError=append:} lines, for
 * an operator who wants the output in files rather than the journal: lines that work once uncommented, and that no
 * user but root can turn against root. systemd opens such a file itself, as root and following symbolic links,
 * before it switches to the unit's {@code User=} and before it makes the unit's directories
 * ({@code RuntimeDirectory=}, {@code LogsDirectory=}, ...; a start whose file is in one it has yet to make fails
 * with {@code 209/STDOUT}, and never makes it: systemd 252). So a line names a log only where its directory exists,
 * is not under {@code /run} (systemd removes the {@code RuntimeDirectory=} at every stop, and the rest at boot), is
 * not one systemd gives to the unit's user, and where no user but root can change the way to it
 * ({@link LogFiles#changeableByOthers}): else that user could point root's open at any file with a symbolic link.
 * For a log that is not such a file, a comment says why, and the line names the same file name in {@code /var/log}
 * where that one is; where neither is, the comment says why and no line is written.
 */
final class UnitLogHints {
    private static final Path VAR_LOG = Path.of("/var/log");

    private UnitLogHints() {
    }

    /**
     * The comment and lines for the logs of {@code paths}, each line ending in a newline.
     *
     * @param user the unit's {@code User=}; empty for a unit that runs as root
     */
    static String lines(DaemonPaths paths, Optional<String> user) {
        return "# Its output goes to the journal (journalctl -u NAME): 'run' keeps the streams systemd gives it;\n"
                + "# the stdout and stderr log paths are start's (--type forking). For files instead: systemd opens"
                + " them\n# as root, following symbolic links, before it switches users or makes the unit's"
                + " directories: each\n# goes in a directory that exists, where no user but root can change the way"
                + " to it:\n"
                + line("StandardOutput", paths.stdout(), user) + line("StandardError", paths.stderr(), user);
    }

    private static String line(String key, Path log, Optional<String> user) {
        Path asked = UnitDirectories.underRun(log);
        Optional<String> against = whyNot(asked, user);
        if (against.isEmpty()) {
            return appendTo(key, asked);
        }
        String not = "not " + asked + ": " + against.get();
        Path instead = VAR_LOG.resolve(asked.getFileName());
        Optional<String> againstInstead = instead.equals(asked) ? against : whyNot(instead, user);
        if (againstInstead.isEmpty()) {
            return "# " + commentText(not) + "\n" + appendTo(key, instead);
        }
        return "# No " + key + "= line: " + commentText(not + (instead.equals(asked) ? ""
                : "; nor " + instead + ": " + againstInstead.get())) + "\n";
    }

    /** Why {@code file} (as {@link UnitDirectories#underRun} gives it) is not for an {@code append:}; empty if it is. */
    private static Optional<String> whyNot(Path file, Optional<String> user) {
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
        Optional<String> made = UnitDirectories.setting(directory);
        if (made.isPresent() && user.isPresent()) {
            return Optional.of("systemd gives " + directory + " to " + user.get() + " (" + made.get() + "), who could"
                    + " point it at any file with a symbolic link");
        }
        if (!Files.isDirectory(directory)) {
            return Optional.of(directory + " does not exist, and systemd opens the file before it makes any"
                    + " directory");
        }
        Optional<String> changeable = LogFiles.changeableByOthers(file);
        return changeable.isEmpty() ? changeable
                : Optional.of(changeable.get() + ", who could point it at any file with a symbolic link");
    }
}
