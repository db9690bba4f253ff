// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import org.daemonrunner.ExitStatus;

/**
 * The actions that need nothing but the target: {@code start}, {@code stop}, {@code force-stop}, {@code restart},
 * {@code status}, {@code reload} and {@code reopen-logs}, dispatched in one place for {@code DaemonRunner} and
 * {@code daemonrunner.jar}, which each run {@code run} and {@code systemd-unit} their own way.
 */
public final class Actions {
    private Actions() {
    }

    /**
     * Performs {@code command}'s action on {@code target} and returns its exit status.
     *
     * @throws IllegalArgumentException for {@code run} and {@code systemd-unit}, which the caller performs
     */
    public static int perform(ParsedCommand command, Target target, Console console) {
        switch (command.action()) {
            case START:
                return new StartAction(target, console).start();
            case STOP:
            case FORCE_STOP:
                return new StopAction(target, console).stop(command);
            case RESTART:
                int stopped = new StopAction(target, console).stop(command);
                return stopped == ExitStatus.OK ? new StartAction(target, console).start() : stopped;
            case STATUS:
                return new StatusAction(target, console).status(command.json());
            case RELOAD:
                return new SignalAction(target, console).reload();
            case REOPEN_LOGS:
                return new SignalAction(target, console).reopenLogs();
            default:
                throw new IllegalArgumentException("the caller performs " + command.action().actionName());
        }
    }
}
