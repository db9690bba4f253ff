// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.posix;

import jnr.constants.platform.Errno;

/** A native call failed; the message names the call, the errno and its text, e.g. {@code setuid(65534) failed: EPERM (Operation not permitted)}. */
public final class PosixException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PosixException(String message) {
        super(message);
    }

    /** The failure of {@code call} with {@code errno}, the errno named, not numbered: the one errno formatter. */
    static PosixException failure(String call, int errno) {
        Errno e = Errno.valueOf(errno);
        return new PosixException(call + " failed: " + (e == null || e == Errno.__UNKNOWN_CONSTANT__
                ? "errno " + errno : e.name() + " (" + e.description() + ")"));
    }
}
