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
 * kind), their paths as systemd takes them ({@code /var/run} as {@code /run}, a {@code ..} resolved by the kernel), and
 * the logs a forking unit would lose with its {@code RuntimeDirectory=}.
 * Not API.
 */
public final class UnitDirectories {
    /** The places systemd manages, and the setting that makes a directory in each. */
    private static final String[][] MANAGED = {{"/run/", "RuntimeDirectory"}, {"/var/lib/", "StateDirectory"},
            {"/var/log/", "LogsDirectory"}, {"/var/cache/", "CacheDirectory"}};

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
     * {@code path} (absolute) as systemd must be given it, naming the file the kernel finds there: without {@code .}
     * and without {@code ..}, which systemd refuses ({@code PIDFile= path is not normalized}), and with
     * {@code /var/run} written {@code /run} where {@code /var/run} is a link to {@code /run}, as on every systemd
     * system (checked here, not assumed): systemd calls {@code /var/run} legacy, and creates a
     * {@code RuntimeDirectory=} under {@code /run} alone. A {@code ..} goes with a real directory before it
     * ({@link DaemonPaths#absolute}); one after a symbolic link is resolved by the kernel, to the parent of the link's
     * target, not dropped with the link by the names ({@code a/link/../x} is not {@code a/x}). One after a missing
     * name stays: no file is there.
     */
    static Path underRun(Path path) {
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("Not an absolute path: " + path);
        }
        Path resolved = resolvedByKernel(DaemonPaths.absolute(path.getRoot(), path));
        Path varRun = Path.of("/var/run");
        if (!resolved.startsWith(varRun)) {
            return resolved;
        }
        try {
            return varRun.toRealPath().equals(Path.of("/run").toRealPath())
                    ? Path.of("/run").resolve(varRun.relativize(resolved)) : resolved;
        } catch (IOException e) {
            return resolved; // no /var/run, or no /run: nothing to say of it
        }
    }

    /** {@code path} (cleaned) with the part up to its last {@code ..} resolved by the kernel, if it exists. */
    private static Path resolvedByKernel(Path path) {
        int last = -1;
        for (int i = 0; i < path.getNameCount(); i++) {
            if (path.getName(i).toString().equals("..")) {
                last = i;
            }
        }
        if (last < 0) {
            return path;
        }
        try {
            Path real = path.getRoot().resolve(path.subpath(0, last + 1)).toRealPath();
            return last + 1 == path.getNameCount() ? real : real.resolve(path.subpath(last + 1, path.getNameCount()));
        } catch (IOException e) {
            return path; // a name before it is missing: the daemon's open fails there too, and says so
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
        Set<String> written = new LinkedHashSet<>();
        for (Path file : new Path[] {paths.pidfile(), paths.stdout(), paths.stderr()}) {
            Optional<Made> made = madeBySystemd(file.getParent());
            if (made.isPresent()) {
                // a list of words, each of which may be quoted
                String line = made.get().setting() + "=" + UnitSyntax.escapeArgument(made.get().name())
                        .replace("$$", "$");
                if (written.add(line)) {
                    unit.append(line).append('\n');
                }
            }
        }
        return unit.toString();
    }

    /**
     * The setting that has systemd make {@code directory} (a pidfile's or a log's) for a unit, as {@link #lines}
     * writes it, unescaped: {@code LogsDirectory=app} for {@code /var/log/app}; empty for a directory systemd does not
     * manage.
     */
    static Optional<String> setting(Path directory) {
        Optional<Made> made = madeBySystemd(directory);
        return made.isEmpty() ? Optional.empty() : Optional.of(made.get().setting() + "=" + made.get().name());
    }

    /** A directory systemd makes: {@code setting} ({@code LogsDirectory}) with {@code name}, its path below the place. */
    private record Made(String setting, String name) {
    }

    private static Optional<Made> madeBySystemd(Path directory) {
        String path = underRun(directory).toString();
        for (String[] place : MANAGED) {
            if (path.startsWith(place[0]) && path.length() > place[0].length()) {
                return Optional.of(new Made(place[1], path.substring(place[0].length())));
            }
        }
        return Optional.empty();
    }
}
