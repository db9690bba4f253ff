// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

/**
 * The root of daemonrunner's exceptions; its message is written for the operator, and it carries the exit status
 * that {@link DaemonRunner#doAction(String...)} returns for it.
 */
public class DaemonRunnerException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitStatus;

    /**
     * Creates an exception with an operator-facing message and an {@link ExitStatus}.
     *
     * @param message what was tried, on what, what the OS said, and what to do next
     * @param exitStatus the exit status for it
     * @param cause the underlying failure, or null
     */
    public DaemonRunnerException(String message, int exitStatus, Throwable cause) {
        super(message, cause);
        this.exitStatus = exitStatus;
    }

    /** Returns the exit status {@code doAction} returns for this failure. */
    public int exitStatus() {
        return exitStatus;
    }
}
