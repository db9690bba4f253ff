// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

/** Thrown when {@code stop} fails: the signal could not be sent, or the daemon outlived the stop timeout. */
public class StopFailureException extends DaemonRunnerException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with exit status 1. */
    public StopFailureException(String message, Throwable cause) {
        super(message, ExitStatus.FAILURE, cause);
    }
}
