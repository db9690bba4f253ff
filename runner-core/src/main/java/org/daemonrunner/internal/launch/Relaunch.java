// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.daemonrunner.internal.posix.Posix;
import org.daemonrunner.internal.proc.Signal;

/**
 * The contract between the launcher ({@code start}) and the daemon it relaunches, both ends in one place.
 *
 * <ul>
 *   <li>The launcher runs {@link LaunchScripts#SETUP} then {@link LaunchScripts#WAIT} (see {@link LaunchSteps}),
 *       and passes the daemon three system properties: {@value #LAUNCH_DIRECTORY_PROPERTY} (the directory
 *       {@code start} ran in), {@value #PARENT_PROPERTY} (the pid of the waiting shell) and
 *       {@value #LAUNCHER_PROPERTY} (the launcher and its deadline: a daemon still starting then, whose launcher is
 *       gone, stops itself).</li>
 *   <li>The waiting shell reports to the launcher, one line each: {@code PID n}, then {@code READY} or
 *       {@code EXIT status} ({@link DaemonLauncher} reads them, and takes {@code READY} only once the pidfile says
 *       that the daemon is ready: any process of the session may make the shell say it).</li>
 *   <li>The daemon, once ready, signals the waiting shell ({@link #reportReady()}), and only it.</li>
 *   <li>The daemon's stderr lines that start with {@value #CAUSE_PREFIX} and name its pid ({@link #daemonLine})
 *       are the cause {@code start} reports ({@link #saidBy}); a daemon that finds its pidfile held by another exits
 *       {@value #EXIT_LOCK_HELD}, its line naming itself and that daemon ({@link #givesWay}).</li>
 *   <li>After the reopen signal, the daemon writes one line to its stderr: {@link #logsReopened} to the new
 *       file once both streams are reopened, or {@link #logsNotReopened} and why to the old one, on descriptor 2
 *       itself (a program may have replaced {@code System.err}); {@code reopen-logs} reports success once the
 *       descriptors are the files at the paths and, unless that shows by itself (the logs were renamed), after the
 *       first line.</li>
 * </ul>
 */
public final class Relaunch {
    /** The system property through which the daemon learns the pid of the shell waiting for its readiness. */
    public static final String PARENT_PROPERTY = "daemonrunner.daemon";
    /** The system property through which the daemon learns the directory {@code start} ran in. */
    public static final String LAUNCH_DIRECTORY_PROPERTY = "daemonrunner.launchdir";
    /**
     * The system property through which the daemon learns who waits for its readiness and until when:
     * {@code LAUNCHER_PID:LAUNCHER_START_MILLIS:DEADLINE_MILLIS:TIMEOUT_MILLIS} (times since the epoch; the start
     * {@code -} when unknown). See {@link #startDeadline()}.
     */
    static final String LAUNCHER_PROPERTY = "daemonrunner.launcher";
    /** The word the waiting shell ({@link LaunchScripts#WAIT}) replaces with {@code -Ddaemonrunner.daemon=<its own pid>}. */
    static final String PARENT_PLACEHOLDER = "@DAEMONRUNNER_PARENT@";
    /** Lines on the daemon's stderr that start with this are read back by {@code start} as the cause of a failure. */
    public static final String CAUSE_PREFIX = "daemonrunner: ";

    /**
     * The line in which daemon {@code pid} says {@code text}: {@code daemonrunner: pid 4242: init() failed: ...}. It
     * names the daemon, as every line of a daemon {@code start} relaunched does: several daemons may write to one
     * stderr log (starts racing on one pidfile, a start right after another daemon's failure, two instances with one
     * log), and a {@code start} quotes only its own daemon's lines ({@link #saidBy}). A text that names the pid
     * first already ({@code pid 4242 is exiting ...}, {@link #givesWay}) is not named again.
     */
    public static String daemonLine(long pid, String text) {
        return CAUSE_PREFIX + (text.startsWith("pid " + pid + " ") ? "" : "pid " + pid + ": ") + text;
    }

    /**
     * What daemon {@code pid} says in {@code line}, if it is one of its lines ({@link #daemonLine}): the text after
     * {@code daemonrunner: pid N: }, or, for a line that names the pid in its own words, after
     * {@code daemonrunner: }; null when the line is another daemon's, names no daemon, or is not daemonrunner's.
     */
    public static String saidBy(String line, long pid) {
        String named = CAUSE_PREFIX + "pid " + pid;
        if (!line.startsWith(named) || line.length() == named.length()) {
            return null;
        }
        char next = line.charAt(named.length());
        return next == ':' ? line.substring(named.length() + 1).stripLeading()
                : next == ' ' ? line.substring(CAUSE_PREFIX.length()) : null;
    }
    /**
     * How the line begins in which daemon {@code pid} says it reopened its logs: {@code reopen-logs} waits for it
     * when they were not renamed. It names the pid, as lines about one daemon do (two may share a log).
     */
    public static String logsReopened(long pid) {
        return CAUSE_PREFIX + "pid " + pid + " reopened the logs";
    }

    /** How the line begins in which daemon {@code pid} says why it could not reopen its logs: {@code reopen-logs} quotes it. */
    public static String logsNotReopened(long pid) {
        return CAUSE_PREFIX + "pid " + pid + " cannot reopen the logs";
    }
    /** The daemon's exit status when it finds its pidfile held by another daemon (it lost a race to start). */
    public static final int EXIT_LOCK_HELD = 75;

    /**
     * How daemon {@code pid} begins the line in which it gives way to {@code holder} (0 when not known), the daemon
     * that holds its pidfile: {@code pid M gives way to pid W: }. It names itself first, as lines about one daemon
     * do (the winner's start must not take it for its own daemon's cause), and the winner, whom the loser's start
     * names in turn ({@link #gaveWayTo}).
     */
    public static String givesWay(long pid, long holder) {
        return "pid " + pid + " gives way" + (holder > 1 && holder != pid ? " to pid " + holder : "") + ": ";
    }

    /** The pid that daemon {@code pid} says it gave way to in {@code line} (a {@link #givesWay} line), or 0. */
    public static long gaveWayTo(String line, long pid) {
        String start = CAUSE_PREFIX + givesWay(pid, 0).replace(": ", " to pid ");
        if (!line.startsWith(start)) {
            return 0;
        }
        int end = start.length();
        while (end < line.length() && Character.isDigit(line.charAt(end))) {
            end++;
        }
        try {
            return Long.parseLong(line.substring(start.length(), end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** {@link #reportReady()} as a {@code Runnable}, without a lambda (see {@code AppSignalMap.Handler}). */
    public static final Runnable REPORT_READY = new Runnable() {
        @Override
        public void run() {
            reportReady();
        }
    };

    private Relaunch() {
    }

    /** Returns whether this process is a daemon that {@code start} relaunched: the one place that decides it. */
    public static boolean isDaemon() {
        return Received.SHELL_PID > 1;
    }

    /**
     * Returns the directory {@code start} was run from; in a process {@code start} did not relaunch, the working
     * directory.
     */
    public static Path launchDirectory() {
        return Received.DIRECTORY;
    }

    /**
     * Tells the shell waiting in {@code start} that the daemon is ready: SIGTERM to it, and only to it. A daemon
     * that dropped privileges after {@code init()} may no longer signal the shell (still root) with TERM; it
     * sends CONT instead, which any process of the session may send, through the native calls it already
     * loaded to drop privileges.
     */
    public static void reportReady() {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        if (Received.SHELL_PID > 1 && parent.isPresent() && parent.get().pid() == Received.SHELL_PID
                && !parent.get().destroy() && parent.get().isAlive()) {
            Posix.get().signal(Received.SHELL_PID, Signal.CONT);
        }
    }

    /**
     * The {@code -D} option that tells the daemon of its launcher, this process, and of the start timeout it waits
     * for ({@link #LAUNCHER_PROPERTY}).
     *
     * @param deadlineMillis when the launcher gives up, in milliseconds since the epoch
     */
    static String launcherOption(long deadlineMillis, Duration timeout) {
        ProcessHandle self = ProcessHandle.current();
        long timeoutMillis = Math.min(timeout.getSeconds(), Long.MAX_VALUE / 2000) * 1000 + timeout.toMillisPart();
        Optional<Instant> started = self.info().startInstant(); // no lambda: a class spun on every start
        return "-D" + LAUNCHER_PROPERTY + "=" + self.pid() + ":" + (started.isPresent()
                ? Long.toString(started.get().toEpochMilli()) : "-") + ":" + deadlineMillis + ":" + timeoutMillis;
    }

    /**
     * The start a relaunched daemon was launched by: the launcher's pid and start (epoch ms, or -1), and when its
     * wait for readiness ends.
     */
    public record StartDeadline(long launcherPid, long launcherStartMillis, Instant deadline, Duration timeout) {
        /** Whether the launcher still runs: its pid is alive and, when known, started when it did. */
        public boolean launcherAlive() {
            return ProcessHandle.of(launcherPid).filter(ProcessHandle::isAlive).filter(p -> launcherStartMillis < 0
                    || p.info().startInstant().map(i -> i.toEpochMilli() == launcherStartMillis).orElse(true))
                    .isPresent();
        }
    }

    /** In a daemon {@code start} relaunched, the start that waits for it; empty otherwise. */
    public static Optional<StartDeadline> startDeadline() {
        return Optional.ofNullable(Received.DEADLINE);
    }

    /**
     * What the launcher told this process on its command line; read once, and the properties cleared, so that
     * nothing the app starts or reads later can inherit them.
     */
    private static final class Received {
        static final long SHELL_PID;
        static final Path DIRECTORY;
        static final StartDeadline DEADLINE;

        static {
            String shell = System.getProperty(PARENT_PROPERTY);
            String directory = System.getProperty(LAUNCH_DIRECTORY_PROPERTY);
            String launcher = System.getProperty(LAUNCHER_PROPERTY);
            System.clearProperty(PARENT_PROPERTY);
            System.clearProperty(LAUNCH_DIRECTORY_PROPERTY);
            System.clearProperty(LAUNCHER_PROPERTY);
            StartDeadline deadline = null;
            String[] fields = launcher == null ? new String[0] : launcher.split(":");
            if (fields.length == 4) {
                try {
                    deadline = new StartDeadline(Long.parseLong(fields[0]), fields[1].equals("-") ? -1
                            : Long.parseLong(fields[1]), Instant.ofEpochMilli(Long.parseLong(fields[2])),
                            Duration.ofMillis(Long.parseLong(fields[3])));
                } catch (NumberFormatException e) {
                    deadline = null; // not from a launcher of this version: no deadline of its own
                }
            }
            DEADLINE = deadline;
            long pid;
            try {
                pid = shell == null ? 0 : Long.parseLong(shell);
            } catch (NumberFormatException e) {
                pid = 0;
            }
            SHELL_PID = pid;
            DIRECTORY = directory != null && Path.of(directory).isAbsolute() ? Path.of(directory)
                    : Path.of("").toAbsolutePath();
        }

        private Received() {
        }
    }
}
