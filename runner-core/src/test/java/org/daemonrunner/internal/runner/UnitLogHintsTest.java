// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.daemonrunner.internal.launch.DaemonPaths;
import org.daemonrunner.internal.launch.LogFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commented {@code StandardOutput=append:} and {@code StandardError=append:} lines of a notify unit: each names a
 * file that systemd, which opens it as root before it switches users or makes any directory, can open at every start,
 * and that no other user can turn into a link to a file of root's; else a comment says why (the real systemd runs an
 * uncommented one in {@code SystemdWrapperUnitIT}).
 */
class UnitLogHintsTest {
    private static final Optional<String> ROOT = Optional.empty();

    @BeforeEach
    void onlyRootCanWriteVarLog() {
        assumeTrue(Files.isDirectory(Path.of("/var/log"))
                && LogFiles.changeableByOthers(Path.of("/var/log/app.out")).isEmpty(), "only root can write /var/log");
    }

    private static String lines(Path stdout, Path stderr, Optional<String> user) {
        return UnitLogHints.lines(new DaemonPaths(Path.of("/dev/null"), stdout, stderr, Path.of("/run/app/app.pid")),
                user);
    }

    @Test
    void aLogInTheRuntimeDirectoryWhichSystemdRemovesAtEveryStopIsWrittenInVarLogInstead() {
        assertThat(lines(Path.of("/run/app/app.out"), Path.of("/run/app/app.err"), ROOT))
                .contains("# Its output goes to the journal", "systemd opens them\n# as root, following symbolic links,"
                        + " before it switches users or makes the unit's directories")
                .endsWith("# not /run/app/app.out: systemd removes /run/app at every stop (RuntimeDirectory=app)\n"
                        + "#StandardOutput=append:/var/log/app.out\n"
                        + "# not /run/app/app.err: systemd removes /run/app at every stop (RuntimeDirectory=app)\n"
                        + "#StandardError=append:/var/log/app.err\n");
    }

    @Test
    void aLogWhoseDirectoryIsMissingAtTheStartIsWrittenInVarLogInstead() {
        assertThat(lines(Path.of("/srv/no-such-dir/app.out"), Path.of("/var/log/app.err"), ROOT))
                .endsWith("# not /srv/no-such-dir/app.out: /srv/no-such-dir does not exist, and systemd opens the file"
                        + " before it makes any directory\n#StandardOutput=append:/var/log/app.out\n"
                        + "#StandardError=append:/var/log/app.err\n");
        assertThat(lines(Path.of("/var/log/no-such-dir/app.out"), Path.of("/var/log/app.err"), ROOT))
                .as("LogsDirectory= comes too late").contains("# not /var/log/no-such-dir/app.out: /var/log/no-such-dir"
                        + " does not exist, and systemd opens the file before it makes any directory\n"
                        + "#StandardOutput=append:/var/log/app.out\n");
    }

    @Test
    void aLogInADirectorySystemdGivesTheUnitsUserIsWrittenInVarLogInstead() {
        assertThat(lines(Path.of("/var/log/app/app.out"), Path.of("/var/cache/app/app.err"), Optional.of("svc")))
                .endsWith("# not /var/log/app/app.out: systemd gives /var/log/app to svc (LogsDirectory=app), who could"
                        + " point it at any file with a symbolic link\n#StandardOutput=append:/var/log/app.out\n"
                        + "# not /var/cache/app/app.err: systemd gives /var/cache/app to svc (CacheDirectory=app), who"
                        + " could point it at any file with a symbolic link\n#StandardError=append:/var/log/app.err\n");
    }

    @Test
    void aLogWhereAnotherUserCouldPlantALinkIsWrittenInVarLogInstead(@TempDir Path dir) throws IOException {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path log = shared.resolve("app.out");

        assertThat(lines(log, Path.of("/var/log/app.err"), ROOT))
                .contains("# not " + log + ": directory ")
                .contains(" is writable by ") // shared, by every user; or, for a test not run as root, its temp dir
                .contains(", who could point it at any file with a symbolic link\n"
                        + "#StandardOutput=append:/var/log/app.out\n")
                .doesNotContain("append:" + log);
    }

    @Test
    void aLogOnlyRootCanReachIsWrittenAsItIsAndNoneWhereNoLineCanHoldIt() {
        assertThat(lines(Path.of("/var/log/app.out"), Path.of("/var/log/./app.err"), ROOT))
                .endsWith("where no user but root can change the way to it:\n"
                        + "#StandardOutput=append:/var/log/app.out\n#StandardError=append:/var/log/app.err\n");
        assertThat(lines(Path.of("/run/app/a\nb.out"), Path.of("/var/log/app.err"), ROOT))
                .contains("\n# No StandardOutput= line: not /run/app/a\\x0ab.out: no unit line can hold its control"
                        + " character; nor /var/log/a\\x0ab.out: no unit line can hold its control character\n")
                .doesNotContain("#StandardOutput=", "\nb.out");
    }
}
