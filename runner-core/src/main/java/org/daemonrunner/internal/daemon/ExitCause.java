// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;

import static org.daemonrunner.internal.launch.Relaunch.CAUSE_PREFIX;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.daemonrunner.internal.proc.ProcessTable;
import org.daemonrunner.internal.proc.Signal;

/**
 * Says in the daemon's stderr log why its JVM is ending when nobody asked it to: a daemon that exits on its own
 * after it was ready would otherwise leave no word (its parent is init, which reaps it silently, and {@code status}
 * can only say that it is gone).
 *
 * <p>A shutdown hook reads the cause from the threads' stacks: the thread that started the shutdown is waiting in
 * {@code java.lang.Shutdown} for the hooks to finish, in {@code Shutdown.exit} below the {@code System.exit()} (or
 * {@code Runtime.exit()}) caller or below the JVM's own signal handler ({@code Terminator}, in a thread named
 * {@code SIGINT handler}), or in {@code Shutdown.shutdown} when the last non-daemon thread has ended. The status given
 * to {@code System.exit()} is not shown to the hooks; a signal's is 128 + its number. {@code Runtime.halt()},
 * SIGKILL (the kernel's OOM killer, say) and a JVM crash run no hook, so they leave no line.
 */
final class ExitCause {
    private ExitCause() {
    }

    /**
     * Registers the hook; at shutdown, it writes one {@code daemonrunner: } line to stderr, with the time (UTC),
     * unless {@code quiet} is then true (the exit was asked for, by a stop, or the lifecycle said it already).
     */
    static void sayAtShutdown(BooleanSupplier quiet) {
        Runtime.getRuntime().addShutdownHook(new Thread("daemonrunner-exit-cause") {
            @Override
            public void run() {
                if (quiet.getAsBoolean()) {
                    return;
                }
                String cause;
                try {
                    cause = describe(Thread.getAllStackTraces());
                } catch (RuntimeException e) { // a security manager that denies the stacks, say
                    cause = "its threads' stacks cannot be read (" + e + ")";
                }
                System.err.println(CAUSE_PREFIX + "pid " + ProcessTable.selfPid() + " is exiting after it was ready,"
                        + " without a stop (at " + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "): " + cause);
                System.err.flush();
            }
        });
    }

    /** Why the JVM is shutting down, from its threads' stacks (taken during the shutdown). */
    static String describe(Map<Thread, StackTraceElement[]> threads) {
        for (Map.Entry<Thread, StackTraceElement[]> thread : threads.entrySet()) {
            StackTraceElement[] stack = thread.getValue();
            for (int i = 0; i < stack.length; i++) {
                if (!stack[i].getClassName().equals("java.lang.Shutdown")) {
                    continue;
                }
                if (stack[i].getMethodName().equals("shutdown")) {
                    return "its last non-daemon thread has ended";
                }
                if (stack[i].getMethodName().equals("exit")) {
                    return exitCall(thread.getKey().getName(), stack, i + 1);
                }
            }
        }
        return "no thread shows why (the program may have ended it from native code)";
    }

    /** The caller of {@code Shutdown.exit}, whose frame is at {@code from} or below the JDK's exit methods. */
    private static String exitCall(String threadName, StackTraceElement[] stack, int from) {
        String method = "Runtime.exit()";
        for (int i = from; i < stack.length; i++) {
            StackTraceElement frame = stack[i];
            if (frame.getClassName().equals("java.lang.Runtime")) {
                continue;
            }
            if (frame.getClassName().equals("java.lang.System")) {
                method = "System.exit()";
                continue;
            }
            if (frame.getClassName().startsWith("java.lang.Terminator")) {
                return signal(threadName);
            }
            return method + " was called by " + frame.getClassName() + "." + frame.getMethodName() + "("
                    + (frame.getFileName() == null ? "Unknown Source" : frame.getFileName() + ":"
                    + frame.getLineNumber()) + ") in thread '" + threadName + "' (with a status the JVM does not show"
                    + " its shutdown hooks)";
        }
        return method + " was called (by a caller no stack shows)";
    }

    /** The JVM's default handling of INT, TERM or HUP, in its thread {@code SIGINT handler}. */
    private static String signal(String threadName) {
        String name = threadName.endsWith(" handler") ? threadName.substring(0, threadName.length() - 8) : threadName;
        try {
            Signal signal = Signal.parse(name);
            return signal.fullName() + " ended it (the JVM's default handling: exit status " + (128 + signal.number())
                    + ")";
        } catch (IllegalArgumentException e) {
            return "a signal ended it (the JVM's default handling, in thread '" + threadName + "')";
        }
    }
}
