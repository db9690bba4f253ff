// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;


import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.daemon.DaemonSteps.StepFailed;

/**
 * How the daemon tells of a failure of the app's own code: the stack trace to stderr (the daemon's log, or the
 * supervisor's), then one line, last, which is what commands quote.
 */
final class AppFailures {
    private AppFailures() {
    }

    /**
     * The failure of the app's {@code what} that ends the daemon ({@code init()}, {@code run()}): the stack trace,
     * and the step's one line naming the exception and, several causes down, the root cause (Spring's
     * {@code ApplicationContextException} is only a wrapper of the {@code PortInUseException} that says why).
     */
    static StepFailed failed(String what, Throwable e) {
        e.printStackTrace();
        return new StepFailed(what + DaemonStreams.describe(e), ExitStatus.FAILURE);
    }

    /**
     * The failure of the app's {@code what} that the daemon outlives (its {@code stop()}, {@code reload()}, a signal
     * handler): the stack trace, then one line saying so.
     */
    static void survived(String what, Throwable e) {
        survived(what, e, "");
    }

    /** As {@link #survived(String, Throwable)}, the line ending with {@code consequence} (": ..."), if any. */
    static void survived(String what, Throwable e, String consequence) {
        synchronized (System.err) {
            e.printStackTrace();
            DaemonStreams.say(what + " threw " + e + consequence);
        }
    }
}
