// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

/**
 * Thrown when {@code start} fails: the relaunch failed, the daemon died or {@code init()} threw before it was
 * ready, or readiness timed out.
 */
public class StartFailureException extends DaemonRunnerException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with exit status 1. */
    public StartFailureException(String message, Throwable cause) {
        super(message, ExitStatus.FAILURE, cause);
    }
}
