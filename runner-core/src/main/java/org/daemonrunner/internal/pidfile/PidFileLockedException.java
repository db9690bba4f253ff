// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.pidfile;

import java.io.IOException;
import java.nio.file.Path;

/** Thrown when a pidfile's lock is held by another live daemon. */
public final class PidFileLockedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient PidFileState state;

    PidFileLockedException(PidFileState state, String message) {
        super(message);
        this.state = state;
    }

    /** Returns what the pidfile said when the lock could not be taken. */
    public PidFileState state() {
        return state;
    }

    /** Returns the pidfile. */
    public Path path() {
        return state.path();
    }
}
