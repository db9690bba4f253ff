// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.daemonrunner.internal.launch.DaemonPaths;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The commented {@code StandardOutput=append:} and {@code StandardError=append:} lines of a notify unit: each names a
 * file that systemd, which opens it before it makes any directory, can open at every start; else a comment says why
 * (the real systemd runs an uncommented one in {@code SystemdWrapperUnitIT}).
 */
class UnitLogHintsTest {
    @BeforeEach
    void varLogExists() {
        assumeTrue(Files.isDirectory(Path.of("/var/log")), "/var/log exists");
    }

    private static String lines(Path stdout, Path stderr) {
        return UnitLogHints.lines(new DaemonPaths(Path.of("/dev/null"), stdout, stderr, Path.of("/run/app/app.pid")));
    }

    @Test
    void aLogInTheRuntimeDirectoryWhichSystemdRemovesAtEveryStopIsWrittenInVarLogInstead() {
        assertThat(lines(Path.of("/run/app/app.out"), Path.of("/run/app/app.err")))
                .contains("# Its output goes to the journal", "systemd opens them\n# before it makes the unit's"
                        + " directories")
                .endsWith("# not /run/app/app.out: systemd removes /run/app at every stop (RuntimeDirectory=app)\n"
                        + "#StandardOutput=append:/var/log/app.out\n"
                        + "# not /run/app/app.err: systemd removes /run/app at every stop (RuntimeDirectory=app)\n"
                        + "#StandardError=append:/var/log/app.err\n");
    }

    @Test
    void aLogWhoseDirectoryIsMissingAtTheStartIsWrittenInVarLogInstead() {
        assertThat(lines(Path.of("/srv/no-such-dir/app.out"), Path.of("/var/log/app.err")))
                .endsWith("# not /srv/no-such-dir/app.out: /srv/no-such-dir does not exist, and systemd opens the file"
                        + " before it makes any directory\n#StandardOutput=append:/var/log/app.out\n"
                        + "#StandardError=append:/var/log/app.err\n");
        assertThat(lines(Path.of("/var/log/no-such-dir/app.out"), Path.of("/var/log/app.err")))
                .as("LogsDirectory= comes too late").contains("# not /var/log/no-such-dir/app.out: /var/log/no-such-dir"
                        + " does not exist, and systemd opens the file before it makes any directory\n"
                        + "#StandardOutput=append:/var/log/app.out\n");
    }

    @Test
    void aLogSystemdCanOpenIsWrittenAsItIsAndNoneWhereNoLineCanHoldIt() {
        assertThat(lines(Path.of("/var/log/app.out"), Path.of("/var/log/./app.err")))
                .endsWith(":\n#StandardOutput=append:/var/log/app.out\n#StandardError=append:/var/log/app.err\n");
        assertThat(lines(Path.of("/run/app/a\nb.out"), Path.of("/var/log/app.err")))
                .contains("\n# No StandardOutput= line: not /run/app/a\\x0ab.out: no unit line can hold its control"
                        + " character; nor /var/log/a\\x0ab.out: no unit line can hold its control character\n")
                .doesNotContain("#StandardOutput=", "\nb.out");
    }
}
