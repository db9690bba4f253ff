// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.daemonrunner.internal.launch.DaemonPaths;

/**
 * The directories of a unit's pidfile and logs: the ones systemd creates ({@code RuntimeDirectory=} and its
 * kind), {@code /var/run} as {@code /run}, and the logs a forking unit would lose with its {@code RuntimeDirectory=}.
 * Not API.
 */
public final class UnitDirectories {
    private UnitDirectories() {
    }

    /**
     * Warns, on stderr, of a log that {@code start} (a forking unit) would write into the unit's
     * {@code RuntimeDirectory=}, which systemd removes on every stop, restart and failure: with it would go what the
     * daemon said last, and the lines {@code start} quotes when it fails.
     */
    static void warnOfLogsSystemdRemoves(DaemonPaths paths, SystemdUnitAction.CommandLines commands,
                                         Console console) {
        String[] streams = {"stdout", "stderr"};
        Path[] logs = {paths.stdout(), paths.stderr()};
        for (int i = 0; i < logs.length; i++) {
            Optional<String> runtime = runtimeDirectory(logs[i].getParent());
            if (runtime.isPresent()) {
                Path suggested = Path.of("/var/log", runtime.get()).resolve(logs[i].getFileName());
                console.err().println("Warning: the " + streams[i] + " log " + logs[i] + " is in " + logs[i].getParent()
                        + ", which systemd removes on every stop, restart and failure of the unit (RuntimeDirectory="
                        + runtime.get() + "): the daemon's last lines would go with it. " + commands.moveLog(streams[i],
                        suggested) + "; systemd creates /var/log/" + runtime.get() + " for it (LogsDirectory=).");
            }
        }
    }

    /**
     * The name of {@code directory} as a unit's {@code RuntimeDirectory=}: its path below {@code /run}; empty when
     * it is not below {@code /run}.
     */
    public static Optional<String> runtimeDirectory(Path directory) {
        String path = underRun(directory).toString();
        return path.startsWith("/run/") && path.length() > "/run/".length() ? Optional.of(path.substring(5))
                : Optional.empty();
    }

    /**
     * {@code path}, normalized, with {@code /var/run} written {@code /run} where {@code /var/run} is a link to
     * {@code /run}, as on every systemd system (checked here, not assumed): systemd calls {@code /var/run} legacy, and
     * creates a {@code RuntimeDirectory=} under {@code /run} alone.
     */
    static Path underRun(Path path) {
        Path normal = path.normalize();
        Path varRun = Path.of("/var/run");
        if (!normal.startsWith(varRun)) {
            return normal;
        }
        try {
            return varRun.toRealPath().equals(Path.of("/run").toRealPath())
                    ? Path.of("/run").resolve(varRun.relativize(normal)) : normal;
        } catch (IOException e) {
            return normal; // no /var/run, or no /run: nothing to say of it
        }
    }

    /**
     * Has systemd create the directories of the pidfile and the logs, owned by the daemon's user, where they are
     * under the places systemd manages: {@code RuntimeDirectory=} for {@code /run} (and {@code /var/run}, see
     * {@link #underRun}), {@code StateDirectory=} for
     * {@code /var/lib}, {@code LogsDirectory=} for {@code /var/log}, {@code CacheDirectory=} for {@code /var/cache}.
     */
    static String lines(DaemonPaths paths) {
        StringBuilder unit = new StringBuilder();
        String[][] managed = {{"/run/", "RuntimeDirectory"}, {"/var/lib/", "StateDirectory"},
                {"/var/log/", "LogsDirectory"}, {"/var/cache/", "CacheDirectory"}};
        Set<String> written = new LinkedHashSet<>();
        for (Path file : new Path[] {paths.pidfile(), paths.stdout(), paths.stderr()}) {
            String directory = underRun(file.getParent()).toString();
            for (String[] place : managed) {
                if (directory.startsWith(place[0]) && directory.length() > place[0].length()) {
                    // a list of words, each of which may be quoted
                    String line = place[1] + "=" + UnitSyntax.escapeArgument(directory.substring(place[0].length()))
                            .replace("$$", "$");
                    if (written.add(line)) {
                        unit.append(line).append('\n');
                    }
                }
            }
        }
        return unit.toString();
    }
}
