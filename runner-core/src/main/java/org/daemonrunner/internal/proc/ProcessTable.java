// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Reads {@code /proc/PID/stat}: process groups, sessions and start times, without native code. Linux only. */
public final class ProcessTable {
    /** Longer than any {@code /proc/PID/stat} line (52 numeric fields and a 16-byte command). */
    private static final int STAT_BYTES = 2048;
    private static final File PROC = new File("/proc");

    private ProcessTable() {
    }

    /**
     * What {@code /proc/PID/stat} says of a process.
     *
     * @param pid the process
     * @param state its state letter ({@code Z} for a zombie)
     * @param group its process group
     * @param session its session
     * @param startTicks its start time, in clock ticks after boot
     */
    public record Stat(long pid, char state, long group, long session, long startTicks) {
        /** Whether the process has exited: a zombie ({@code Z}), or being reaped ({@code X}). */
        public boolean exited() {
            return state == 'Z' || state == 'X';
        }
    }

    /**
     * Returns this process's pid as {@code /proc} names it (the link {@code /proc/self}), which is the pid every
     * reader of the pidfile looks up there; {@code ProcessHandle.current()} when the link cannot be read. Cheaper
     * than {@code ProcessHandle} in a JVM's first milliseconds: that class starts an executor through a lambda,
     * about 20 ms there.
     */
    public static long selfPid() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().pid();
        }
    }

    /** Returns the stat of {@code pid}, or empty if there is no such process. */
    public static Optional<Stat> stat(long pid) {
        return stat(pid, new byte[STAT_BYTES]);
    }

    /**
     * Returns the command line of {@code pid} ({@code /proc/PID/cmdline}, UTF-8), or empty when there is no such
     * process, it cannot be read ({@code hidepid}), or it has none (a zombie, a kernel thread).
     */
    public static Optional<List<String>> commandLine(long pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        List<byte[]> arguments = commandLineBytes(Path.of("/proc/" + pid + "/cmdline"));
        List<String> text = new ArrayList<>(arguments.size());
        for (byte[] argument : arguments) {
            text.add(new String(argument, StandardCharsets.UTF_8));
        }
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    /**
     * Returns the arguments in {@code cmdline} (a {@code /proc/PID/cmdline}) as the bytes they are, empty ones
     * kept; none when it cannot be read.
     */
    public static List<byte[]> commandLineBytes(Path cmdline) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(cmdline);
        } catch (IOException | RuntimeException unreadable) {
            return List.of();
        }
        List<byte[]> arguments = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                arguments.add(Arrays.copyOfRange(raw, start, i));
                start = i + 1;
            }
        }
        if (start < raw.length) {
            arguments.add(Arrays.copyOfRange(raw, start, raw.length));
        }
        return arguments;
    }

    /** Returns the user id {@code pid} runs as (the owner of {@code /proc/PID}), or empty if it cannot be read. */
    public static OptionalInt owner(long pid) {
        try {
            return OptionalInt.of((Integer) Files.getAttribute(Path.of("/proc/" + pid), "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    /** Whether {@code pid} is a live process: there, and not a zombie or being reaped. */
    /**
     * Waits up to {@code timeout} for every process of {@code processes} to have exited (gone, a zombie, or its pid
     * given to another process), reading {@code /proc/PID/stat} with a pause that grows from 50 µs to 5 ms: a process
     * that is not this one's child gives no event to wait on without native code (the JDK's {@code onExit()} polls
     * such a process every 300 ms and more, and takes a zombie for alive). Removes the exited ones from the list.
     *
     * @return whether all have exited
     */
    public static boolean awaitExited(List<Stat> processes, Duration timeout) {
        Duration bounded = timeout.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1) : timeout;
        long deadline = System.nanoTime() + Math.max(0, bounded.toNanos());
        long pause = TimeUnit.MICROSECONDS.toNanos(50);
        while (true) {
            for (Iterator<Stat> i = processes.iterator(); i.hasNext();) { // no lambda: a class spun at run time
                if (hasExited(i.next())) {
                    i.remove();
                }
            }
            long remaining = deadline - System.nanoTime();
            if (processes.isEmpty() || remaining <= 0) {
                return processes.isEmpty();
            }
            LockSupport.parkNanos(Math.min(pause, remaining));
            pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static boolean hasExited(Stat before) {
        Optional<Stat> now = stat(before.pid());
        return now.isEmpty() || now.get().exited() || now.get().startTicks() != before.startTicks();
    }

    public static boolean isLive(long pid) {
        Optional<Stat> stat = stat(pid);
        return stat.isPresent() && !stat.get().exited();
    }

    /**
     * Reads {@code /proc/PID/stat} into {@code buffer}: plain {@code java.io} and one array, since a scan of the
     * whole process table reads one per process (NIO's {@code Files.readString} was 4 to 6 times slower there).
     */
    private static Optional<Stat> stat(long pid, byte[] buffer) {
        int length;
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
            length = in.readNBytes(buffer, 0, buffer.length);
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            String text = new String(buffer, 0, length, StandardCharsets.US_ASCII);
            String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
            // after the command: state(0) ppid(1) pgrp(2) session(3) ... starttime(19)
            return Optional.of(new Stat(pid, f[0].charAt(0), Long.parseLong(f[2]), Long.parseLong(f[3]),
                    Long.parseLong(f[19])));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether {@code /proc} belongs to this process's own pid namespace. It does not when a process in a new pid
     * namespace still sees its parent's {@code /proc} ({@code unshare --pid} without {@code --mount-proc}): the
     * pids there are not the pids a signal from here reaches. Told by the {@code NSpid} line of
     * {@code /proc/self/status}, which lists this process's pid in each namespace from the one of that
     * {@code /proc} down to its own: one entry when they are the same. True when there is no such line (Linux
     * before 4.1). Computed once.
     */
    public static boolean procIsOurs() {
        return ProcNamespace.OURS;
    }

    private static final class ProcNamespace {
        static final boolean OURS = compare();

        private static boolean compare() {
            try (BufferedReader status = new BufferedReader(new FileReader("/proc/self/status",
                    StandardCharsets.US_ASCII))) {
                for (String line; (line = status.readLine()) != null; ) {
                    if (line.startsWith("NSpid:")) {
                        String pids = line.substring("NSpid:".length()).trim();
                        return pids.indexOf('\t') < 0 && pids.indexOf(' ') < 0;
                    }
                }
                return true;
            } catch (IOException | RuntimeException cannotTell) {
                return true;
            }
        }
    }

    /**
     * Returns the live processes (not exited: see {@link Stat#exited()}) of process group {@code group} in session
     * {@code session}, except {@code except} and the session's leader. A daemon cannot have started its session's
     * leader: for a daemon that {@code start} launched, it is the shell that waits for its readiness (one group with
     * the daemon, until the daemon is ready), which ends by itself once the daemon has exited, and which takes a
     * SIGTERM for the daemon's word that it is ready.
     */
    public static List<ProcessHandle> groupMembers(long group, long session, long except) {
        List<ProcessHandle> members = new ArrayList<>();
        String[] names = PROC.list();
        if (names == null) {
            return members;
        }
        byte[] buffer = new byte[STAT_BYTES];
        for (String name : names) {
            if (name.isEmpty() || name.charAt(0) < '1' || name.charAt(0) > '9' || name.length() > 18) {
                continue;
            }
            long pid;
            try {
                pid = Long.parseLong(name);
            } catch (NumberFormatException e) {
                continue;
            }
            if (pid == except || pid == session || pid <= 1) {
                continue;
            }
            Optional<Stat> stat = stat(pid, buffer);
            if (stat.isPresent() && stat.get().group() == group && stat.get().session() == session
                    && !stat.get().exited()) {
                Optional<ProcessHandle> handle = ProcessHandle.of(pid);
                if (handle.isPresent()) {
                    members.add(handle.get());
                }
            }
        }
        return members;
    }
}
