// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.daemonrunner.Action;
import org.daemonrunner.DaemonEnvironmentException;
import org.daemonrunner.DaemonRunnerException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.pidfile.PidFileState;
import org.daemonrunner.internal.proc.IoFailure;
import org.daemonrunner.internal.proc.ProcessTable;

/** {@code status}: what the pidfile's lock says, as one line or one JSON object, with the LSB status code. */
public final class StatusAction {
    private final Target target;
    private final Console console;

    /** The action for {@code target}, writing to {@code console}. */
    public StatusAction(Target target, Console console) {
        this.target = target;
        this.console = console;
    }

    /** Returns {@code e}, after printing, for {@code --json}, one {@code unknown} object for whatever reads it. */
    private DaemonRunnerException unknown(boolean json, String pidfile, DaemonRunnerException e) {
        if (json) {
            StringBuilder object = new StringBuilder("{");
            field(object, "pidfile", pidfile);
            field(object, "status", "unknown");
            object.append(",\"exit_status\":").append(e.exitStatus());
            field(object, "detail", e.getMessage());
            console.out().println(object.append('}'));
        }
        return e;
    }

    /** The app's pidfile as it gave it, unresolved, for a JSON answer when it could not be resolved; or empty. */
    private String unresolvedPidfile() {
        try {
            return String.valueOf(target.app().pidfilePath());
        } catch (RuntimeException e) { // it answered a moment ago; if it throws now, the answer names no path
            return "";
        }
    }

    /** Reports the daemon's state: 0 running, 1 stale pidfile, 3 not running, 4 unknown. */
    public int status(boolean json) {
        Path pidfile;
        try {
            pidfile = target.pidfile();
        } catch (DaemonEnvironmentException e) { // where the pidfile is cannot be told: LSB's 4
            throw unknown(json, unresolvedPidfile(), new DaemonEnvironmentException(
                    Wording.cannot(Action.STATUS) + ": " + e.getMessage(), ExitStatus.STATUS_UNKNOWN, e));
        } catch (AppMethodFailure e) { // pidfilePath() threw or returned null: which file, nobody can tell
            throw unknown(json, "", e);
        }
        PidFileState state;
        try {
            target.requirePidfileIsSafe(Action.STATUS);
            try {
                state = PidFile.inspectChecked(pidfile);
            } catch (IOException e) {
                // the state cannot be told (a path the kernel refuses, an unreadable directory): LSB's 4, whatever
                // the cause
                throw new DaemonEnvironmentException(Wording.cannot(Action.STATUS) + ": reading pidfile " + pidfile
                        + " failed: " + IoFailure.reason(e) + ".", ExitStatus.STATUS_UNKNOWN, e);
            }
        } catch (DaemonEnvironmentException e) {
            throw unknown(json, pidfile.toString(), e);
        }
        int exit;
        String text;
        switch (state.status()) {
            case RUNNING:
                exit = ExitStatus.OK;
                text = "running with pid " + state.holder()
                        + (state.stopping() ? " (stopping)" : state.ready() ? "" : " (starting)");
                break;
            case STALE:
                exit = ExitStatus.FAILURE;
                text = Wording.notRunning(state);
                break;
            case ABSENT:
                exit = ExitStatus.NOT_RUNNING;
                text = Wording.notRunning(state);
                break;
            default:
                exit = ExitStatus.STATUS_UNKNOWN;
                text = Wording.cannot(Action.STATUS) + ": " + state.detail() + ".";
                break;
        }
        Optional<Duration> uptime = state.status() == PidFileState.Status.RUNNING ? uptime(state.holder())
                : Optional.empty();
        if (json) {
            console.out().println(json(state, exit, uptime));
        } else {
            console.out().println(text + (uptime.isPresent() ? ", up " + Wording.humanDuration(uptime.get()) : "")
                    + (state.status() == PidFileState.Status.RUNNING ? ", pidfile " + state.path() : ""));
        }
        return exit;
    }

    /** How long process {@code pid} has run, from its start time and the system's uptime; empty if unknown. */
    static Optional<Duration> uptime(long pid) {
        Optional<ProcessTable.Stat> st = ProcessTable.stat(pid);
        if (st.isEmpty()) {
            return Optional.empty();
        }
        try {
            String up = Files.readString(Path.of("/proc/uptime"));
            double seconds = Double.parseDouble(up.substring(0, up.indexOf(' ')));
            // /proc reports start times in USER_HZ ticks, which Linux fixes at 100 a second
            return Optional.of(Duration.ofMillis(Math.round((seconds - st.get().startTicks() / 100.0) * 1000)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String json(PidFileState state, int exit, Optional<Duration> uptime) {
        StringBuilder object = new StringBuilder("{");
        field(object, "pidfile", state.path().toString());
        field(object, "status", state.status() == PidFileState.Status.RUNNING ? "running"
                : state.status() == PidFileState.Status.STALE ? "stale"
                : state.status() == PidFileState.Status.ABSENT ? "not running" : "unknown");
        object.append(",\"exit_status\":").append(exit);
        if (state.status() == PidFileState.Status.RUNNING) {
            object.append(",\"pid\":").append(state.holder());
            field(object, "state", state.stopping() ? "stopping" : state.ready() ? "ready" : "starting");
            if (uptime.isPresent()) {
                field(object, "started_at", Instant.now().minus(uptime.get()).truncatedTo(ChronoUnit.SECONDS)
                        .toString());
                object.append(",\"uptime_seconds\":").append(uptime.get().toMillis() / 1000.0);
            }
        } else if (!state.recorded().isEmpty()) {
            field(object, "recorded", state.recorded());
        }
        if (!state.detail().isEmpty() || state.isBlocked()) {
            field(object, "detail", state.isBlocked() ? "no daemon can take it: " + state.blockedBy() : state.detail());
        }
        return object.append('}').toString();
    }

    private static void field(StringBuilder object, String name, String value) {
        object.append(object.length() > 1 ? "," : "").append('"').append(name).append("\":\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                object.append('\\').append(c);
            } else if (c < 0x20) {
                object.append(String.format("\\u%04x", (int) c));
            } else {
                object.append(c);
            }
        }
        object.append('"');
    }

    /** Reads the pidfile's state for {@code action}, or fails saying why (status 4 for a permission problem). */
    static PidFileState inspect(Path pidfile, Action action) {
        try {
            return PidFile.inspectChecked(pidfile);
        } catch (IOException e) {
            throw new DaemonEnvironmentException(Wording.cannot(action) + ": reading pidfile " + pidfile + " failed: "
                    + IoFailure.reason(e) + ".", e instanceof AccessDeniedException ? ExitStatus.PRIVILEGE : ExitStatus.FAILURE, e);
        }
    }
}
