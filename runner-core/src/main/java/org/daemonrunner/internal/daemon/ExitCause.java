// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;

import static org.daemonrunner.internal.launch.Relaunch.CAUSE_PREFIX;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.daemonrunner.internal.launch.LogFiles;
import org.daemonrunner.internal.proc.ProcessTable;
import org.daemonrunner.internal.proc.Signal;

/**
 * Says in the daemon's stderr log why its JVM is ending when daemonrunner did not end it: a daemon that exits on its
 * own after it was ready would otherwise leave no word (its parent is init, which reaps it silently, and
 * {@code status} can only say that it is gone); one that exits before it was ready, by a {@code System.exit()} in
 * its own code, gets the line that {@code start} quotes as the cause (the exit status {@code start} has already).
 *
 * <p>A shutdown hook reads the cause from the threads' stacks. The thread that started the shutdown runs the hooks
 * from {@code java.lang.Shutdown}: from {@code Shutdown.exit}, below the {@code System.exit()} (or
 * {@code Runtime.exit()}) caller or below the JVM's own signal handling ({@code Terminator}, in a thread named
 * {@code SIGINT handler}), or from {@code Shutdown.shutdown} when the last non-daemon thread has ended. (Another
 * thread that calls {@code System.exit()} meanwhile, a shutdown hook say, waits in {@code Shutdown.exit} without
 * running them.) The status given to {@code System.exit()} is not shown to the hooks; a signal's is 128 + its
 * number. An exit in a {@code SIGTERM handler} thread is a stop, the program's own handling of SIGTERM, and gets no
 * line. {@code Runtime.halt()}, SIGKILL (the kernel's OOM killer, say) and a JVM crash run no hook, so they leave
 * no line.
 */
final class ExitCause {
    /** How the JVM is ending ({@code on its own}, {@code on SIGINT}) and what shows it. */
    record Cause(String how, String detail) {
    }

    /** What the daemon's lifecycle knows when its JVM ends; a named class implements it (no lambdas at start-up). */
    interface Lifecycle {
        /**
         * Told first, when the JVM has begun to end: a daemon not yet ready is then never to be reported ready (the
         * thread that would report it may still run while the shutdown hooks do).
         */
        default void ending() {
        }

        /** Whether the end needs no word: a stop was asked for, or the lifecycle said already how it ended. */
        boolean quiet();

        /** Whether the daemon had been reported ready. */
        boolean ready();

        /**
         * What the lifecycle adds when the last non-daemon thread ended, or empty: before readiness, what had not
         * happened yet ({@code and this JVM was not listening on TCP port 8080 yet}); after, what {@code main} threw.
         */
        default String lastThreadNote() {
            return "";
        }
    }

    private static final String LAST_THREAD = "its last non-daemon thread has ended";

    private ExitCause() {
    }

    /**
     * Registers the hook; at shutdown, it first tells the lifecycle that the JVM is {@link Lifecycle#ending()
     * ending}; then, unless the lifecycle is {@link Lifecycle#quiet() quiet} (the exit was asked for, by a stop, or
     * the lifecycle said it already), it appends one {@code daemonrunner: } line, with the
     * time (UTC), to {@code log}: the daemon's stderr log, by its path, which the program cannot have closed or
     * replaced as it can {@code System.err}; to {@code System.err} when the log is gone, or when this process is
     * root and another user could change the way to it ({@link LogFiles#unsafeForRoot}).
     */
    static void sayAtShutdown(Path log, Lifecycle lifecycle) {
        Runtime.getRuntime().addShutdownHook(new Thread("daemonrunner-exit-cause") {
            @Override
            public void run() {
                lifecycle.ending();
                if (lifecycle.quiet()) {
                    return;
                }
                boolean ready = lifecycle.ready();
                Cause cause;
                try {
                    cause = describe(Thread.getAllStackTraces(), ready);
                } catch (RuntimeException e) { // a security manager that denies the stacks, say
                    cause = new Cause(ready ? "after it was ready" : "before it was ready",
                            "its threads' stacks cannot be read (" + e + ")");
                }
                if (cause != null && cause.detail().equals(LAST_THREAD) && !lifecycle.lastThreadNote().isEmpty()) {
                    cause = new Cause(cause.how(), LAST_THREAD + ", " + lifecycle.lastThreadNote());
                }
                if (cause == null) {
                    return;
                }
                String line = CAUSE_PREFIX + "pid " + ProcessTable.selfPid() + " is exiting " + cause.how() + " (at "
                        + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "): " + cause.detail() + System.lineSeparator();
                boolean written = false;
                if (LogFiles.unsafeForRoot(log).isEmpty()) { // root opens no log that another user could redirect
                    try {
                        Files.write(log, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
                        written = true;
                    } catch (IOException | RuntimeException e) {
                        // the log is gone: said below
                    }
                }
                if (!written) {
                    System.err.print(line); // where the program's own output goes
                    System.err.flush();
                }
            }
        });
    }

    /**
     * Why the JVM is shutting down, from its threads' stacks (taken during the shutdown), after the daemon was
     * {@code ready} or before; null for a stop that the program handled itself (an exit in its
     * {@code SIGTERM handler} thread).
     */
    static Cause describe(Map<Thread, StackTraceElement[]> threads, boolean ready) {
        Map.Entry<Thread, StackTraceElement[]> starter = null;
        int at = -1;
        boolean runsHooks = false;
        for (Map.Entry<Thread, StackTraceElement[]> thread : threads.entrySet()) {
            StackTraceElement[] stack = thread.getValue();
            boolean hooks = false;
            for (int i = 0; i < stack.length; i++) {
                if (!stack[i].getClassName().equals("java.lang.Shutdown")) {
                    continue;
                }
                String method = stack[i].getMethodName();
                hooks |= method.equals("runHooks");
                if (method.equals("exit") || method.equals("shutdown")) {
                    if (starter == null || hooks && !runsHooks) {
                        starter = thread;
                        at = i;
                        runsHooks = hooks;
                    }
                    break;
                }
            }
        }
        String when = ready ? "after it was ready" : "before it was ready";
        if (starter == null) {
            return new Cause(when, "no platform thread shows why (System.exit() in a virtual thread, which the JVM"
                    + " does not list, or an exit from native code)");
        }
        if (starter.getValue()[at].getMethodName().equals("shutdown")) {
            return new Cause(ready ? "on its own " + when : when, LAST_THREAD);
        }
        return exitCall(starter.getKey().getName(), starter.getValue(), at + 1, ready);
    }


    /**
     * The caller of {@code Shutdown.exit}, whose frame is at {@code from} or below the JDK's exit methods. Before
     * readiness the status is left out: {@code start}, which quotes the line, has it from the exit.
     */
    private static Cause exitCall(String threadName, StackTraceElement[] stack, int from, boolean ready) {
        Signal signal = handledSignal(threadName);
        if (signal == Signal.TERM) {
            return null; // SIGTERM is a stop, whoever handles it
        }
        String method = "Runtime.exit()";
        int i = from;
        for (; i < stack.length; i++) {
            if (stack[i].getClassName().equals("java.lang.System")) {
                method = "System.exit()";
            } else if (!stack[i].getClassName().equals("java.lang.Runtime")) {
                break;
            }
        }
        String caller = i < stack.length ? name(stack[i]) : "a caller no stack shows";
        if (signal == null) {
            return new Cause(ready ? "on its own after it was ready" : "before it was ready", method + " was called by "
                    + caller + " in thread '" + threadName + "'"
                    + (ready ? " (exit status unknown: the JVM does not give it to shutdown hooks)" : ""));
        }
        String how = (ready ? "after it was ready, on " : "before it was ready, on ") + signal.fullName();
        if (caller.startsWith("java.lang.Terminator")) {
            return new Cause(how, "the JVM's default handling of " + signal.fullName() + " (exit status "
                    + (128 + signal.number()) + ")");
        }
        return new Cause(how, "the program's own " + signal.fullName() + " handler called " + method + " in " + caller);
    }

    /** The signal whose handler runs in a thread so named ({@code SIGINT handler}), or null. */
    private static Signal handledSignal(String threadName) {
        if (!threadName.startsWith("SIG") || !threadName.endsWith(" handler")) {
            return null;
        }
        try {
            return Signal.parse(threadName.substring(0, threadName.length() - " handler".length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String name(StackTraceElement frame) {
        return frame.getClassName() + "." + frame.getMethodName() + "(" + (frame.getFileName() == null
                ? "Unknown Source" : frame.getFileName() + ":" + frame.getLineNumber()) + ")";
    }
}
