// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.probe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scaffolding of the integration tests that run {@link ProbeApp}: a temporary directory for its files, a
 * {@link Daemons} that kills, by exact pid, whatever a test leaves running, and shorthands to run the probe.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(60)
abstract class ProbeTest {
    @TempDir
    Path dir;
    Daemons daemons;
    Path pidfile;

    @BeforeEach
    void setUpProbe() {
        daemons = new Daemons(dir);
        pidfile = dir.resolve("probe.pid");
    }

    @AfterEach
    void killEverythingStarted() throws IOException {
        daemons.close();
    }

    /** Runs the probe with {@code args} and its files in the test directory. */
    Command.Result probeRun(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--dir", dir.toString()));
        return daemons.run(probe(all.toArray(String[]::new)));
    }

    /** Starts the probe with {@code extra} options, checks that it started, and returns its pid. */
    long startProbe(String... extra) {
        List<String> args = new ArrayList<>(List.of("start"));
        args.addAll(List.of(extra));
        return assertExit(probeRun(args.toArray(String[]::new)), 0).startedPid();
    }

    /** Returns what the probe recorded in its events file. */
    String events() {
        return Daemons.readOrEmpty(dir.resolve("events.log"));
    }
}
