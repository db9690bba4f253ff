// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import org.daemonrunner.Action;
import org.daemonrunner.DaemonApp;
import org.daemonrunner.DaemonRunnerException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.daemon.DaemonStreams;

/**
 * One of the app's own {@link DaemonApp} methods threw, or returned what it may not (null, a negative timeout): a bug
 * in the app, said in one line that names the method, what it threw or returned, and that the app must be fixed.
 * Status 1; for {@code status}, 4 (LSB's "unknown": it could not tell).
 */
final class AppMethodFailure extends DaemonRunnerException {
    private static final long serialVersionUID = 1L;
    private final String detail;
    private final String advice;

    private AppMethodFailure(Action action, String detail, String advice, Throwable cause) {
        super(Wording.cannot(action) + ": " + detail + ". " + advice,
                action == Action.STATUS ? ExitStatus.STATUS_UNKNOWN : ExitStatus.FAILURE, cause);
        this.detail = detail;
        this.advice = advice;
    }

    /** {@code method} of {@code app} threw {@code thrown} when {@code action} asked. */
    static AppMethodFailure threw(Action action, DaemonApp app, String method, RuntimeException thrown) {
        return new AppMethodFailure(action, "the app's DaemonApp." + method + "() threw "
                + oneLine(DaemonStreams.describe(thrown)), advice(app, method), thrown);
    }

    /** {@code method} of {@code app} returned {@code what} (e.g. {@code null}) when {@code action} asked. */
    static AppMethodFailure returned(Action action, DaemonApp app, String method, String what) {
        return new AppMethodFailure(action, "the app's DaemonApp." + method + "() returned " + what,
                advice(app, method), null);
    }

    /** What the method did, without the action: {@code the app's DaemonApp.context() threw ...}. */
    String detail() {
        return detail;
    }

    /** What to do: {@code This is a bug in the app (com.example.App): fix its context().} */
    String advice() {
        return advice;
    }

    private static String advice(DaemonApp app, String method) {
        return "This is a bug in the app (" + app.getClass().getName() + "): fix its " + method + "().";
    }

    private static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s*\\R\\s*", " ");
        return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
    }
}
