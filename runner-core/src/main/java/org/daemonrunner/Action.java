// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

import java.util.Locale;

/** The actions {@link DaemonRunner#doAction(String...)} performs, named by its first argument. */
public enum Action {
    /** Start the daemon in the background; returns once it is ready (or has failed). */
    START("start the daemon in the background; returns once it is ready"),
    /** Send SIGTERM to the daemon and wait for it to exit, following the stop schedule. */
    STOP("send SIGTERM to the daemon and wait until it has exited [--timeout DURATION] [--force]"),
    /** Stop, escalating to SIGKILL (after a thread dump) when the graceful timeout passes. */
    FORCE_STOP("stop, then SIGKILL (after a thread dump to the stderr log) if it outlives the timeout [--timeout DURATION]"),
    /** Stop (waiting for the exit), then start. */
    RESTART("stop the daemon (waiting for it to exit), then start it [--timeout DURATION] [--force]"),
    /** Report whether the daemon runs, with an LSB status code. */
    STATUS("report pid, state and uptime (exit 0 running, 1 stale pidfile, 3 not running, 4 unknown) [--json]"),
    /** Send SIGHUP to the daemon, which calls {@code reload()}; returns once the signal is delivered. */
    RELOAD("send SIGHUP to the daemon, which calls reload(); returns once the signal is delivered (7: not running)"),
    /** Make the daemon reopen its stdout and stderr logs (after logrotate renamed them). */
    REOPEN_LOGS("make the daemon reopen its stdout and stderr logs, e.g. after logrotate (7: not running)"),
    /** Run the app in the foreground, holding the pidfile: for systemd and containers. */
    RUN("run in the foreground holding the pidfile (for systemd and containers)"),
    /** Print a systemd unit that runs this app, to install as it is. */
    SYSTEMD_UNIT("print a systemd unit for this app (Type=notify with run) [--type notify|forking] [--network-online]");

    private final String description;

    Action(String description) {
        this.description = description;
    }

    /** Returns the action's name as typed on the command line, e.g. {@code start}. */
    public String actionName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Returns a one-line description for the usage text. */
    public String description() {
        return description;
    }

    /**
     * Returns the action named {@code name}.
     *
     * @throws InvalidActionException when no action has that name
     */
    public static Action parse(String name) {
        for (Action action : values()) {
            if (action.actionName().equals(name)) {
                return action;
            }
        }
        throw new InvalidActionException("Unknown action '" + name + "'.");
    }
}
