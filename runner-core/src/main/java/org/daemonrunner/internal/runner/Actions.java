// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import org.daemonrunner.Action;
import org.daemonrunner.ExitStatus;

/**
 * The actions that need nothing but the target: {@code start}, {@code stop}, {@code force-stop}, {@code restart},
 * {@code status}, {@code reload} and {@code reopen-logs}, dispatched in one place for {@code DaemonRunner} and
 * {@code daemonrunner.jar}, which each run {@code run} and {@code systemd-unit} their own way.
 */
public final class Actions {
    /** What readies the process API: its first use, a class initialiser that starts an executor through a lambda. */
    private static final Runnable PROCESS_API = new Runnable() {
        @Override
        public void run() {
            ProcessHandle.current();
        }
    };

    private Actions() {
    }

    /**
     * Starts readying the JDK's process API on a thread of its own, for the actions that signal a daemon or spawn
     * one ({@code ProcessHandle}, {@code ProcessBuilder}): its first use costs about 20 ms in a new JVM, which then
     * overlaps with the action's own start-up instead of following it. {@code status}, {@code run} and
     * {@code systemd-unit} need none.
     */
    public static void readyProcessApi(Action action) {
        if (action == Action.STATUS || action == Action.RUN || action == Action.SYSTEMD_UNIT) {
            return;
        }
        Thread thread = new Thread(PROCESS_API, "daemonrunner-process-api");
        thread.setDaemon(true);
        thread.start();
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
                StartAction start = new StartAction(target, console);
                start.command(); // a command line that cannot be run again stops nothing
                target.checkAppAnswers(); // nor does an app that could not be started
                start.checkJvmFiles(Action.RESTART); // nor a daemon whose user could not read its class path
                int stopped = new StopAction(target, console).stop(command);
                return stopped == ExitStatus.OK ? start.start() : stopped;
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
