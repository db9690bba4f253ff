// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

/**
 * Thrown when one step of setting up the daemon's environment fails (a missing or unwritable directory, a log
 * file that cannot be opened, a pidfile that cannot be read); the message names the step and the path.
 */
public class DaemonEnvironmentException extends DaemonRunnerException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param exitStatus {@link ExitStatus#PRIVILEGE} for a permission problem, else {@link ExitStatus#FAILURE}
     */
    public DaemonEnvironmentException(String message, int exitStatus, Throwable cause) {
        super(message, exitStatus, cause);
    }
}
