package org.daemonrunner.internal.posix;

/** A native call failed; the message names the call, the errno and its text, e.g. {@code setuid(65534) failed: EPERM (Operation not permitted)}. */
public final class PosixException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PosixException(String message) {
        super(message);
    }
}
