// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import static org.daemonrunner.internal.runner.Wording.seconds;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.daemonrunner.Action;
import org.daemonrunner.DaemonApp;
import org.daemonrunner.DaemonEnvironmentException;
import org.daemonrunner.DaemonRunnerException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.StopFailureException;
import org.daemonrunner.StopSchedule;
import org.daemonrunner.internal.launch.Relaunch;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.pidfile.PidFileState;
import org.daemonrunner.internal.pidfile.PidFileWatch;
import org.daemonrunner.internal.proc.IoFailure;
import org.daemonrunner.internal.proc.ProcessControl;
import org.daemonrunner.internal.proc.ProcessGroup;
import org.daemonrunner.internal.proc.ProcessTable;
import org.daemonrunner.internal.proc.ServiceUnit;
import org.daemonrunner.internal.proc.Signal;
import org.daemonrunner.internal.proc.ThreadDump;

/**
 * {@code stop} and {@code force-stop}: signals the holder of the pidfile's lock along the stop schedule and
 * returns only once it has exited; then ends what is left of its process group.
 */
public final class StopAction {
    private final Target target;
    private final Console console;

    /** The action for {@code target}, writing to {@code console}. */
    public StopAction(Target target, Console console) {
        this.target = target;
        this.console = console;
    }

    /**
     * Stops the daemon: 0 once it has exited, or when none was running. An app whose {@code stopSchedule()} fails
     * is still stopped, with SIGTERM and its stop timeout ({@link #configuredSchedule()}).
     *
     * @throws StopFailureException when it is still running after the schedule, or cannot be told
     * @throws DaemonEnvironmentException when a permission is missing (status 4)
     */
    public int stop(ParsedCommand command) {
        StopSchedule configured = configuredSchedule();
        StopSchedule timed = command.timeout().isPresent() ? configured.withTimeout(command.timeout().get()) : configured;
        StopSchedule schedule = command.force() ? timed.forced() : timed;
        Optional<ProcessTable.Stat> stat = Optional.empty();
        long stopped;
        String ending;
        Path pidfile = target.pidfile();
        try {
            PidFileWatch watch = PidFile.watch(pidfile);
            try {
                PidFileState state = watch.state();
                switch (state.status()) {
                    case ABSENT:
                        console.out().println(Wording.notRunning(state));
                        return ExitStatus.OK;
                    case STALE:
                        return removeStale(pidfile, state);
                    case UNKNOWN:
                        throw new StopFailureException("Cannot stop: " + state.detail() + ".", null);
                    default:
                        break;
                }
                long pid = state.holder();
                Wording.refuseInit(command.action(), pid, pidfile);
                if (command.action() == Action.RESTART) {
                    refuseRestartOfAService(pid, pidfile);
                }
                // Take the handle (it records the process's start time), then check again that this pid still
                // holds the lock: a pid reused in between can then never be signalled.
                Optional<ProcessHandle> handle = ProcessHandle.of(pid);
                stat = ProcessTable.stat(pid);
                if (handle.isEmpty() || !stillHolds(pidfile, pid)) {
                    // Someone else's stop got there first, and the daemon may have removed its pidfile while it
                    // still exits: wait on the lock of the very file it held (the watch keeps it open).
                    Duration timeout = schedule.steps().get(0).timeout();
                    if (!watch.awaitRelease(timeout) || !awaitGone(stat, timeout)) {
                        throw new StopFailureException((command.action() == Action.RESTART ? "Cannot restart: process "
                                : "Process ") + pid + " is exiting but did not exit within " + seconds(timeout) + "."
                                + (command.action() == Action.RESTART ? " Nothing was restarted." : ""), null);
                    }
                    console.out().println("stopped (pid " + pid + ", already asked to stop)");
                    return ExitStatus.OK;
                }
                boolean exited = false;
                String how = "";
                StringBuilder waited = new StringBuilder();
                for (StopSchedule.Step step : schedule.steps()) {
                    if (watch == null) {
                        watch = PidFile.watch(pidfile); // the previous wait timed out, which closed the last one
                        if (watch.state().status() != PidFileState.Status.RUNNING || watch.state().holder() != pid) {
                            // it released its pidfile between two steps: it is exiting, or gone
                            exited = awaitExit(handle.get(), step.timeout());
                            break;
                        }
                    }
                    Signal signal = Signal.parse(step.signal());
                    boolean dumped = send(handle.get(), signal, pidfile);
                    exited = watch.awaitRelease(step.timeout()) && awaitGone(stat, step.timeout());
                    if (exited) {
                        if (waited.length() > 0) {
                            how = ", ended by " + signal.fullName() + " after it outlived " + waited
                                    + (dumped ? "; its thread dump is in " + target.paths().stderr() : "");
                        }
                        break;
                    }
                    waited.append(waited.length() == 0 ? "" : ", then ").append(seconds(step.timeout()))
                            .append(" after ").append(signal.fullName());
                    watch.close();
                    watch = null;
                }
                if (!exited && stillHolds(pidfile, pid)) {
                    throw outlived(command.action(), pid, schedule, pidfile);
                }
                stopped = pid;
                ending = how;
            } finally {
                if (watch != null) {
                    watch.close();
                }
            }
            PidFile.removeIfStale(pidfile);
            String leftovers = "";
            if (stat.isPresent() && stat.get().group() == stat.get().session() && endsProcessGroup()) {
                leftovers = ProcessGroup.end(stat.get(), schedule);
            }
            console.out().println("stopped (pid " + stopped + ")" + ending + leftovers);
            return ExitStatus.OK;
        } catch (AccessDeniedException e) {
            throw new DaemonEnvironmentException("Cannot stop: permission denied on pidfile " + pidfile
                    + ". Run this as the daemon's user or as root.", ExitStatus.PRIVILEGE, e);
        } catch (IOException e) {
            throw new StopFailureException("Cannot stop: reading pidfile " + pidfile + " failed: " + IoFailure.reason(e)
                    + ".", e);
        }
    }

    /**
     * Returns the app's stop schedule. When asking for it fails (it threw, or returned null), the daemon must still
     * be stoppable without {@code kill}: this returns SIGTERM then the app's stop timeout (or, if that fails too,
     * {@code DaemonApp.DEFAULT_STOP_TIMEOUT}), after saying so, and what to fix, on stderr.
     */
    private StopSchedule configuredSchedule() {
        try {
            return target.stopSchedule();
        } catch (AppMethodFailure broken) {
            Duration wait;
            String whose;
            try {
                wait = target.stopTimeout();
                whose = "its stopTimeout()";
            } catch (AppMethodFailure alsoBroken) {
                wait = DaemonApp.DEFAULT_STOP_TIMEOUT;
                whose = "the default stopTimeout()";
            }
            StopSchedule fallback = StopSchedule.graceful(wait); // cannot throw: wait is checked, and capped there
            console.err().println(Relaunch.CAUSE_PREFIX + broken.detail() + "; stopping with SIGTERM and a wait of "
                    + seconds(fallback.steps().get(0).timeout()) + " (" + whose + ") instead. " + broken.advice());
            return fallback;
        }
    }

    /**
     * Whether to end what is left of the daemon's process group: the context's choice; when the app's
     * {@code context()} fails, no (only the pidfile's holder is signalled), said on stderr.
     */
    private boolean endsProcessGroup() {
        try {
            return target.context().endProcessGroupOnStop();
        } catch (AppMethodFailure broken) {
            console.err().println(Relaunch.CAUSE_PREFIX + broken.detail() + "; so its process group was not ended:"
                    + " only the daemon itself was signalled. " + broken.advice());
            return false;
        }
    }

    /**
     * Waits, once the daemon's lock is free, for the process itself to be gone (a zombie, being reaped, or no
     * process with its start time). The kernel releases the lock as it closes the exiting process's files, a
     * moment before it becomes a zombie, and on a busy machine that moment can last milliseconds; {@code stop}
     * returns only after it. Nearly always one read of {@code /proc/PID/stat}. Nothing signals the end of that
     * last step for a process that is not our child, so it is waited for as {@link ProcessTable#awaitExited} does.
     *
     * @param before the process's stat, read before it was signalled; empty when it could not be read
     */
    private static boolean awaitGone(Optional<ProcessTable.Stat> before, Duration timeout) {
        if (before.isEmpty()) {
            return true;
        }
        Duration bounded = timeout.compareTo(Duration.ofSeconds(60)) > 0 ? Duration.ofSeconds(60) : timeout;
        return ProcessTable.awaitExited(new ArrayList<>(List.of(before.get())), bounded);
    }

    /**
     * Refuses a restart, before anything is stopped, of the main process of a systemd service this command does not
     * run in: its successor would run outside the unit, which systemd would then count as stopped (or restart beside
     * it).
     */
    private static void refuseRestartOfAService(long pid, Path pidfile) {
        Optional<ServiceUnit.Unit> unit = ServiceUnit.mainProcessOfAnother(pid);
        if (unit.isPresent()) {
            throw new StopFailureException("Cannot restart: pid " + pid + " (holder of " + pidfile + ") is the main"
                    + " process of systemd's unit " + unit.get().name() + " (cgroup " + unit.get().cgroup() + "), and"
                    + " this command does not run in that unit: its start would run the new daemon outside the unit, where systemd neither"
                    + " sees nor stops it. Restart the service with 'systemctl restart " + unit.get().name()
                    + "'. Nothing was stopped.", null);
        }
    }

    /**
     * Waits for a process whose pidfile is gone (so there is no lock left to block on) to exit; the JDK polls
     * {@code /proc} for a process that is not its child, which is acceptable on this rare path.
     */
    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return !ProcessTable.isLive(process.pid());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private int removeStale(Path pidfile, PidFileState state) throws IOException {
        PidFileState removed;
        try {
            removed = PidFile.removeIfStale(pidfile);
        } catch (FileSystemException e) { // a read-only file system, say: the stale file stays, nothing runs
            PidFileState now = PidFile.inspectChecked(pidfile);
            if (now.status() != PidFileState.Status.STALE) {
                throw e;
            }
            console.out().println("not running; stale pidfile " + pidfile + " (" + state.staleReason() + ") could not"
                    + " be removed: " + IoFailure.reason(e) + (e instanceof AccessDeniedException
                    ? ". Remove it as its owner or as root" : ". A start replaces it where it can write it"));
            return ExitStatus.OK;
        }
        if (removed.status() == PidFileState.Status.RUNNING) {
            throw new StopFailureException("Cannot stop: a daemon (pid " + removed.holder() + ") took " + pidfile
                    + " while stop looked at it. Run stop again.", null);
        }
        if (removed.status() == PidFileState.Status.UNKNOWN) { // nothing was removed: say so, not "removed"
            throw new StopFailureException("Cannot stop: " + removed.detail() + ".", null);
        }
        if (removed.status() == PidFileState.Status.STALE && removed.isBlocked()) { // nothing removed, nor signalled
            console.out().println("not running; " + Wording.staleFile(removed, " left in place"));
            return ExitStatus.OK;
        }
        if (removed.status() == PidFileState.Status.STALE && !removed.detail().isEmpty()) {
            console.out().println("not running; left " + pidfile + " as it is: " + removed.detail() + ". Check the"
                    + " pidfile's path; if it is a stale pidfile, remove it");
            return ExitStatus.OK;
        }
        console.out().println("not running; " + (removed.status() == PidFileState.Status.STALE
                ? "removed stale pidfile " + pidfile + " (" + state.staleReason() + ")"
                : "pidfile " + pidfile + " is gone"));
        return ExitStatus.OK;
    }

    private static boolean stillHolds(Path pidfile, long pid) throws IOException {
        PidFileState now = PidFile.inspect(pidfile);
        return now.status() == PidFileState.Status.RUNNING && now.holder() == pid;
    }

    /**
     * Sends one step's signal; before a KILL, asks for a thread dump and waits for it to reach the stderr log.
     *
     * @return whether a thread dump was written
     */
    private boolean send(ProcessHandle holder, Signal signal, Path pidfile) {
        long pid = holder.pid();
        boolean sent;
        IOException refused = null; // what the shell's kill said; the JDK's destroy() says only false
        boolean dumped = false;
        if (signal == Signal.TERM) {
            sent = ProcessControl.terminate(holder);
        } else if (signal == Signal.KILL) {
            Path stderr;
            try {
                stderr = target.paths().stderr();
            } catch (DaemonRunnerException unresolvable) { // no log to dump to: the SIGKILL still goes
                stderr = null;
            }
            // a stopped JVM (state T) cannot write its dump: no 2 s wait for it
            dumped = stderr != null && !isPaused(pid) && ThreadDump.request(pid, stderr, Duration.ofSeconds(2));
            if (dumped) {
                console.out().println("thread dump of pid " + pid + " written to " + stderr);
            }
            sent = ProcessControl.kill(holder);
        } else {
            try {
                ProcessControl.signal(pid, signal);
                sent = true;
            } catch (IOException e) {
                sent = false;
                refused = e;
            }
        }
        if (!sent && holder.isAlive()) {
            throw SignalAction.cannotSend(signal, pid, pidfile, refused);
        }
        return dumped;
    }

    /**
     * The failure of a daemon that outlived the whole stop schedule: for {@code restart}, that nothing was
     * restarted, since the old daemon still runs; with what to do when the schedule did not end in SIGKILL.
     */
    private static StopFailureException outlived(Action action, long pid, StopSchedule schedule, Path pidfile) {
        if (action == Action.RESTART) {
            return new StopFailureException("Cannot restart: the old daemon, pid " + pid + ", did not exit within "
                    + describe(schedule) + " and still runs; nothing was restarted, and pidfile " + pidfile
                    + " is left in place." + paused(pid) + (schedule.endsInKill() ? "" : " Use 'restart --force' to send it SIGKILL"
                    + " after the timeout, then start (or 'force-stop', then 'start')."), null);
        }
        return new StopFailureException("Process " + pid + " did not exit within " + describe(schedule)
                + "; pidfile " + pidfile + " left in place." + paused(pid) + (schedule.endsInKill() ? ""
                : " Use 'force-stop' (or 'stop --force') to send SIGKILL after the timeout."), null);
    }

    /** Whether {@code pid} is stopped (state T, or t: traced), where only SIGKILL and SIGCONT reach it. */
    private static boolean isPaused(long pid) {
        Optional<ProcessTable.Stat> stat = ProcessTable.stat(pid);
        return stat.isPresent() && (stat.get().state() == 'T' || stat.get().state() == 't');
    }

    /** For a daemon that outlived its stop because it is stopped: why, and what to send it. */
    private static String paused(long pid) {
        return isPaused(pid) ? " It is stopped (state T: SIGSTOP, Ctrl-Z or a debugger), so it cannot act on SIGTERM"
                + " until it is continued: send it SIGCONT (kill -CONT " + pid + "), and it stops then." : "";
    }

    private static String describe(StopSchedule schedule) {
        StringBuilder text = new StringBuilder();
        for (StopSchedule.Step step : schedule.steps()) {
            text.append(text.length() == 0 ? "" : ", then ").append(seconds(step.timeout())).append(" after SIG")
                    .append(step.signal());
        }
        return text.toString();
    }
}
