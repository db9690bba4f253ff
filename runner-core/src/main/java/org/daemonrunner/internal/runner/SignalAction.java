package org.daemonrunner.internal.runner;

import java.io.IOException;
import java.nio.file.Path;
import org.daemonrunner.DaemonRunnerException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.pidfile.PidFileState;
import org.daemonrunner.internal.proc.ProcessControl;
import org.daemonrunner.internal.proc.Signal;

/** {@code reload} and {@code reopen-logs}: one signal to the holder of the pidfile's lock. */
public final class SignalAction {
    private final Target target;
    private final Console console;

    /** The action for {@code target}, writing to {@code console}. */
    public SignalAction(Target target, Console console) {
        this.target = target;
        this.console = console;
    }

    /** {@code reload}: SIGHUP, which calls the app's {@code reload()}. */
    public int reload() {
        return send("reload", Signal.HUP, "reload requested");
    }

    /** {@code reopen-logs}: the context's reopen signal (USR1 by default). */
    public int reopenLogs() {
        return send("reopen the logs of", Signal.parse(target.context().reopenLogsSignal()), "reopening logs");
    }

    /**
     * Sends {@code signal} to the pidfile's holder: 0 once sent, 7 when not running.
     *
     * @param what what the action does to the daemon, for messages ({@code reload})
     * @param done what it printed once the signal is sent
     */
    private int send(String what, Signal signal, String done) {
        Path pidfile = target.paths().pidfile();
        PidFileState state = StatusAction.inspect(pidfile, what);
        if (state.status() == PidFileState.Status.UNKNOWN) {
            throw new DaemonRunnerException("Cannot " + what + " the daemon: " + state.detail() + ".",
                    ExitStatus.FAILURE, null);
        }
        if (state.status() != PidFileState.Status.RUNNING) {
            console.out().println("not running");
            return ExitStatus.RELOAD_NOT_RUNNING;
        }
        long pid = state.holder();
        try {
            ProcessControl.signal(pid, signal);
        } catch (IOException e) {
            throw new DaemonRunnerException("Cannot send " + signal.fullName() + " to process " + pid + " (holder of "
                    + pidfile + "): " + e.getMessage() + ".", ExitStatus.FAILURE, e);
        }
        console.out().println(done + " (" + signal.fullName() + " sent to pid " + pid + ")");
        return ExitStatus.OK;
    }
}
