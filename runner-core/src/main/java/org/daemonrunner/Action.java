package org.daemonrunner;

import java.util.Locale;

/** The actions {@link DaemonRunner#doAction(String...)} performs, named by its first argument. */
public enum Action {
    /** Start the daemon in the background; returns once it is ready (or has failed). */
    START("start the daemon in the background; returns once it is ready"),
    /** Send SIGTERM to the daemon and wait for it to exit. */
    STOP("send SIGTERM to the daemon and wait until it has exited"),
    /** Stop (waiting for the exit), then start. */
    RESTART("stop the daemon (waiting for it to exit), then start it"),
    /** Report whether the daemon runs, with an LSB status code. */
    STATUS("report whether the daemon is running (exit 0 running, 1 stale pidfile, 3 not running, 4 unknown)"),
    /** Send SIGHUP to the daemon, which calls {@code reload()}; returns once the signal is delivered. */
    RELOAD("send SIGHUP to the daemon, which calls reload(); returns once the signal is delivered (7: not running)"),
    /** Run the app in the foreground, holding the pidfile: for systemd and containers. */
    RUN("run in the foreground holding the pidfile (for systemd and containers)");

    private final String description;

    Action(String description) {
        this.description = description;
    }

    /** Returns the action's name as typed on the command line, e.g. {@code start}. */
    public String actionName() {
        return name().toLowerCase(Locale.ROOT);
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
