// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

/** Thrown when the action is missing or unknown, or an option is bad; {@code doAction} prints the usage and returns 2. */
public class InvalidActionException extends DaemonRunnerException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; {@code message} says what was wrong with the arguments. */
    public InvalidActionException(String message) {
        super(message, ExitStatus.USAGE, null);
    }
}
