// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Counts, through {@code /proc}, the processes one test started for its directory: the daemon JVMs of
 * {@link ProbeApp} (a relaunched daemon has {@code -Ddaemonrunner.daemon=PID} on its command line; a launcher or a
 * foreground {@code run} does not), and every other process that names the directory (launchers, the launch
 * shells). Zombies have no command line, so they are never counted here: track their handles to see them reaped.
 */
final class ProcessCensus {
    private static final Pattern DAEMON_MARKER = Pattern.compile("-Ddaemonrunner\\.daemon=\\d+");

    private final String dir;

    ProcessCensus(Path dir) {
        this.dir = dir.toString();
    }

    /** One process as {@code /proc} shows it. */
    record Proc(long pid, char state, long ppid, List<String> argv) {
        boolean isDaemonJvm() {
            return !argv.isEmpty() && argv.get(0).endsWith("/java") && argv.contains(ProbeApp.class.getName())
                    && argv.stream().anyMatch(a -> DAEMON_MARKER.matcher(a).matches());
        }
    }

    /** Returns the process, or empty when it is gone, a zombie, or unreadable. */
    static Optional<Proc> read(long pid) {
        try {
            String[] f = Daemons.stat(pid);
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            if (f == null || f[0].charAt(0) == 'Z' || cmdline.length == 0) {
                return Optional.empty();
            }
            List<String> argv = List.of(new String(cmdline, StandardCharsets.UTF_8).split("\0"));
            return Optional.of(new Proc(pid, f[0].charAt(0), Long.parseLong(f[1]), argv));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // exited while we looked
        }
    }

    /** Returns every live process (not this JVM) with an argument that is the test directory or a path in it. */
    List<Proc> mentioningDirectory() {
        List<Proc> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                read(pid).filter(p -> p.argv().stream().anyMatch(a -> a.equals(dir) || a.startsWith(dir + "/")
                        || a.contains("=" + dir))).ifPresent(found::add);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return found;
    }

    /** Returns the live daemon JVMs of {@link ProbeApp} for the test directory (not the launchers). */
    List<Long> daemonJvms() {
        return mentioningDirectory().stream().filter(Proc::isDaemonJvm).map(Proc::pid).sorted().toList();
    }

    /** A POSIX lock from {@code /proc/locks}. */
    record Lock(long pid, boolean write, String file, long start, long end) {
        boolean covers(long offset) {
            return start <= offset && offset <= end;
        }
    }

    /** Returns the POSIX locks held (not waited for) right now, from one read of {@code /proc/locks}. */
    static List<Lock> posixLocks() {
        List<Lock> locks = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 8 || !f[1].equals("POSIX")) {
                    continue; // FLOCK or OFD locks, and "->" lines: requests still waiting
                }
                locks.add(new Lock(Long.parseLong(f[4]), f[3].equals("WRITE"), f[5], Long.parseLong(f[6]),
                        f[7].equals("EOF") ? Long.MAX_VALUE : Long.parseLong(f[7])));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/locks", e);
        }
        return locks;
    }

    /** The number of descriptors this JVM has open. */
    static int openDescriptors() {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            int n = 0;
            for (Path ignored : fds) {
                n++;
            }
            return n - 1; // the stream's own descriptor
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
    }
}
