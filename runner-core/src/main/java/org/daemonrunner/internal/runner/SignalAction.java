// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.daemonrunner.Action;
import org.daemonrunner.DaemonEnvironmentException;
import org.daemonrunner.DaemonRunnerException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.launch.DaemonPaths;
import org.daemonrunner.internal.launch.Relaunch;
import org.daemonrunner.internal.pidfile.PidFileState;
import org.daemonrunner.internal.proc.ProcessControl;
import org.daemonrunner.internal.proc.ProcessTable;
import org.daemonrunner.internal.proc.Signal;
import org.daemonrunner.internal.proc.StreamCheck;
import org.daemonrunner.internal.proc.UserAccount;

/** {@code reload} and {@code reopen-logs}: one signal to the holder of the pidfile's lock, and what it is known to have done. */
public final class SignalAction {
    /** How long {@code reopen-logs} waits for the daemon to have reopened its logs (it may load native code first). */
    private static final Duration REOPEN_TIMEOUT = Duration.ofSeconds(10);

    private final Target target;
    private final Console console;

    /** The action for {@code target}, writing to {@code console}. */
    public SignalAction(Target target, Console console) {
        this.target = target;
        this.console = console;
    }

    /** {@code reload}: SIGHUP, which calls the app's {@code reload()}. */
    public int reload() {
        return send(Action.RELOAD, Signal.HUP, "reload requested", "");
    }

    /**
     * {@code reload} of a program that daemonrunner.jar runs: SIGHUP, which reloads something only if the program
     * handles it itself; otherwise the daemon notes in its log that nothing was reloaded (its JVM is never ended by
     * it). Which of the two happened only the daemon's log shows: the line says so, and where to look.
     */
    public int reloadProgram() {
        return send(Action.RELOAD, Signal.HUP, "reload requested", ". The program reloads only if it handles SIGHUP"
                + " itself; if it does not, it has no reload hook: it writes on its standard error that nothing was"
                + " reloaded, and keeps running");
    }

    /**
     * {@code reopen-logs}: the context's reopen signal (USR1 by default), then a wait for the daemon's line saying
     * it reopened its logs, checked from {@code /proc/PID/fd} (its standard output and error are the files now at
     * its paths): 0 only once both hold.
     *
     * @throws DaemonRunnerException (status 1) with the daemon's own error when it could not reopen them, or
     *     what was seen when that could not be confirmed in time
     */
    public int reopenLogs() {
        Signal signal = Signal.parse(target.context().reopenLogsSignal());
        long pid = runningHolder(Action.REOPEN_LOGS);
        if (pid < 0) {
            return ExitStatus.RELOAD_NOT_RUNNING;
        }
        if (runsInTheForeground(pid)) {
            throw new DaemonRunnerException("Cannot reopen the logs of pid " + pid + ": it runs in the foreground"
                    + " ('run', as under systemd), so its standard output and error are its supervisor's, and it"
                    + " ignores " + signal.fullName() + ". Nothing was sent. Rotate them with the supervisor's own"
                    + " means (journald rotates the journal itself; a file the supervisor opened needs logrotate's"
                    + " copytruncate).", ExitStatus.FAILURE, null);
        }
        DaemonPaths paths = target.paths();
        StreamCheck check = new StreamCheck(pid, paths.stdout(), paths.stderr());
        check.before();
        signal(pid, signal);
        switch (check.await(REOPEN_TIMEOUT, Relaunch.logsReopened(pid), Relaunch.logsNotReopened(pid))) {
            case REDIRECTED:
                console.out().println("reopened logs (" + signal.fullName() + " sent to pid " + pid + "; its output"
                        + " now goes to " + paths.stdout() + " and " + paths.stderr() + ")");
                return ExitStatus.OK;
            case FAILED:
                throw new DaemonRunnerException("Cannot reopen the logs of pid " + pid + ": it says \""
                        + check.error().substring(Relaunch.CAUSE_PREFIX.length()) + "\". Its output still goes to"
                        + " the files it had open. Fix the cause (in the daemon's stderr log), then run reopen-logs"
                        + " again.",
                        ExitStatus.FAILURE, null);
            case GONE:
                throw new DaemonRunnerException("Cannot reopen the logs of pid " + pid + ": it exited after "
                        + signal.fullName() + ".", ExitStatus.FAILURE, null);
            default:
                throw new DaemonRunnerException("Sent " + signal.fullName() + " to pid " + pid + ", but could not"
                        + " confirm that it reopened its logs: " + check.detail() + "." + (check.isUnreadableLog() ? ""
                        : " A daemon run in the foreground ('run') keeps the streams its supervisor gave it."),
                        ExitStatus.FAILURE, null);
        }
    }

    /**
     * Whether {@code pid} is known to run in the foreground: its command line, when it can be read, lacks the
     * property the launch shell gives every daemon that {@code start} relaunched ({@link Relaunch#isDaemon()}).
     * Unreadable ({@code hidepid}) means not known: the signal is sent and its effect checked as for a daemon.
     */
    private static boolean runsInTheForeground(long pid) {
        Optional<List<String>> argv = ProcessTable.commandLine(pid);
        if (argv.isEmpty()) {
            return false;
        }
        for (String argument : argv.get()) {
            if (argument.startsWith("-D" + Relaunch.PARENT_PROPERTY + "=")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sends {@code signal} to the pidfile's holder: 0 once sent, 7 when not running.
     *
     * @param action the action, for messages
     * @param done what it printed once the signal is sent
     * @param note what follows that, or nothing
     */
    private int send(Action action, Signal signal, String done, String note) {
        long pid = runningHolder(action);
        if (pid < 0) {
            return ExitStatus.RELOAD_NOT_RUNNING;
        }
        signal(pid, signal);
        console.out().println(done + " (" + signal.fullName() + " sent to pid " + pid + ")" + note);
        return ExitStatus.OK;
    }

    /** The pid of the pidfile's holder, or -1 after printing {@code not running}, naming the pidfile. */
    private long runningHolder(Action action) {
        Path pidfile = target.pidfile();
        PidFileState state = StatusAction.inspect(pidfile, action);
        if (state.status() == PidFileState.Status.UNKNOWN) {
            throw new DaemonRunnerException(Wording.cannot(action) + ": " + state.detail() + ".",
                    ExitStatus.FAILURE, null);
        }
        if (state.status() != PidFileState.Status.RUNNING) {
            console.out().println(Wording.notRunning(state));
            return -1;
        }
        Wording.refuseInit(action, state.holder(), pidfile);
        return state.holder();
    }

    private void signal(long pid, Signal signal) {
        try {
            ProcessControl.signal(pid, signal);
        } catch (IOException e) {
            throw cannotSend(signal, pid, target.pidfile(), e);
        }
    }

    /**
     * Returns the failure to send {@code signal} to {@code pid}, the holder of {@code pidfile}, for every action that
     * signals a daemon: status 4 (LSB's insufficient privilege), naming the user the daemon runs as, when it runs
     * as another user than this one (not root), else 1 with what the OS said.
     *
     * @param cause what sending said; null when all that is known is that it failed ({@code ProcessHandle.destroy()}
     *     returned false) while the process lives on, which is a permission denied
     */
    static DaemonRunnerException cannotSend(Signal signal, long pid, Path pidfile, IOException cause) {
        String what = "Cannot send " + signal.fullName() + " to process " + pid + " (holder of " + pidfile + ")";
        int me = UserAccount.currentUid();
        OptionalInt owner = ProcessTable.owner(pid);
        if (cause == null || me != 0 && owner.isPresent() && owner.getAsInt() != me) {
            return new DaemonEnvironmentException(what + ": permission denied"
                    + (owner.isPresent() ? ", it runs as uid " + owner.getAsInt() : "")
                    + ". Nothing was sent. Run this as the daemon's user or as root.", ExitStatus.PRIVILEGE, cause);
        }
        return new DaemonRunnerException(what + ": " + cause.getMessage() + ".", ExitStatus.FAILURE, cause);
    }
}
