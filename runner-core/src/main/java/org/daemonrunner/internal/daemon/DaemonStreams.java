// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;

import static org.daemonrunner.internal.launch.Relaunch.CAUSE_PREFIX;

import java.nio.file.Path;
import org.daemonrunner.internal.posix.Posix;

/**
 * The daemon's standard streams, shared by a {@code DaemonApp}'s lifecycle and a wrapped program: reopening the
 * log files, and the one line that names a failure and its root cause.
 */
final class DaemonStreams {
    private DaemonStreams() {
    }

    /**
     * Points standard output and error at their paths again, so that after logrotate renamed the files, all
     * output (the JVM's own too) goes to the new ones. Loads jnr-posix on first use; a failure is one
     * {@code daemonrunner: } line on stderr, which {@code reopen-logs} reads back.
     */
    static void reopen(Path stdout, Path stderr) {
        synchronized (System.class) {
            System.out.flush();
            System.err.flush();
            try {
                Posix posix = Posix.get();
                posix.redirect(1, stdout);
                posix.redirect(2, stderr);
            } catch (RuntimeException | LinkageError e) {
                System.err.println(CAUSE_PREFIX + "cannot reopen the logs " + stdout + " and " + stderr + ": " + e);
            }
        }
    }

    /**
     * Names {@code e} and, several causes down, its root cause (Spring's {@code ApplicationContextException} is
     * only a wrapper of the {@code PortInUseException} that says why).
     */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return e + (root == e ? "" : "; root cause: " + root);
    }
}
