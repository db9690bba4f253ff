// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Why a JVM is ending, read from stacks as HotSpot shows them during a shutdown (taken from JDK 17 and 25: a
 * {@code System.exit} in a worker thread, SIGINT's default handler, the last non-daemon thread's end). The daemons
 * of {@code WrapperIT} and {@code RunnerIT} show the same on real exits.
 */
class ExitCauseTest {
    private static final StackTraceElement[] WAITING_FOR_HOOKS = {
        frame("java.lang.Object", "wait", "Object.java", 389),
        frame("java.lang.Thread", "join", "Thread.java", 1887),
        frame("java.lang.ApplicationShutdownHooks", "runHooks", "ApplicationShutdownHooks.java", 114),
        frame("java.lang.ApplicationShutdownHooks$1", "run", "ApplicationShutdownHooks.java", 47),
        frame("java.lang.Shutdown", "runHooks", "Shutdown.java", 130),
    };

    @Test
    void namesTheCallerOfSystemExitAndItsThread() {
        Map<Thread, StackTraceElement[]> threads = threads(
                thread("main", frame("java.lang.Thread", "sleep", "Thread.java", 509)),
                thread("worker", below(frame("java.lang.Shutdown", "exit", "Shutdown.java", 167),
                        frame("java.lang.Runtime", "exit", "Runtime.java", 177),
                        frame("java.lang.System", "exit", "System.java", 1541),
                        frame("com.example.Jobs", "lambda$main$1", "Jobs.java", 15),
                        frame("java.lang.Thread", "run", "Thread.java", 1474))));
        assertThat(ExitCause.describe(threads, true)).isEqualTo(new ExitCause.Cause("on its own after it was ready",
                "System.exit() was called by com.example.Jobs.lambda$main$1(Jobs.java:15) in thread 'worker' (exit"
                        + " status unknown: the JVM does not give it to shutdown hooks)"));
    }

    @Test
    void tellsRuntimeExitFromSystemExitAndSaysWhenTheSourceIsUnknown() {
        Map<Thread, StackTraceElement[]> threads = threads(
                thread("pool-1-thread-1", below(frame("java.lang.Shutdown", "exit", "Shutdown.java", 173),
                        frame("java.lang.Runtime", "exit", "Runtime.java", 115),
                        frame("com.example.Generated", "quit", null, -1))));
        assertThat(ExitCause.describe(threads, true).detail()).startsWith("Runtime.exit() was called by"
                + " com.example.Generated.quit(Unknown Source) in thread 'pool-1-thread-1'");
    }

    @Test
    void theThreadThatRunsTheHooksStartedTheExitNotOneThatCalledExitMeanwhile() {
        // a shutdown hook that calls System.exit waits in Shutdown.exit for good; it is listed first here
        Map<Thread, StackTraceElement[]> threads = threads(
                thread("hook", frame("java.lang.Shutdown", "exit", "Shutdown.java", 167),
                        frame("java.lang.Runtime", "exit", "Runtime.java", 177),
                        frame("java.lang.System", "exit", "System.java", 1541),
                        frame("com.example.Hooks", "lambda$add$0", "Hooks.java", 9)),
                thread("main", below(frame("java.lang.Shutdown", "exit", "Shutdown.java", 167),
                        frame("java.lang.Runtime", "exit", "Runtime.java", 177),
                        frame("java.lang.System", "exit", "System.java", 1541),
                        frame("com.example.Main", "main", "Main.java", 21))));
        assertThat(ExitCause.describe(threads, true).detail()).startsWith("System.exit() was called by"
                + " com.example.Main.main(Main.java:21) in thread 'main'");
    }

    @Test
    void aSignalsDefaultHandlingIsNamedWithItsExitStatusAndTheProgramsOwnHandlerByItsCall() {
        Map<Thread, StackTraceElement[]> byDefault = threads(
                thread("SIGINT handler", below(frame("java.lang.Shutdown", "exit", "Shutdown.java", 173),
                        frame("java.lang.Terminator$1", "handle", "Terminator.java", 51),
                        frame("jdk.internal.misc.Signal$1", "run", "Signal.java", 219))));
        assertThat(ExitCause.describe(byDefault, true)).isEqualTo(new ExitCause.Cause("after it was ready, on SIGINT",
                "the JVM's default handling of SIGINT (exit status 130)"));
        Map<Thread, StackTraceElement[]> own = threads(
                thread("SIGINT handler", below(frame("java.lang.Shutdown", "exit", "Shutdown.java", 173),
                        frame("java.lang.Runtime", "exit", "Runtime.java", 115),
                        frame("java.lang.System", "exit", "System.java", 1877),
                        frame("com.example.Main", "lambda$main$2", "Main.java", 30))));
        assertThat(ExitCause.describe(own, true)).isEqualTo(new ExitCause.Cause("after it was ready, on SIGINT",
                "the program's own SIGINT handler called System.exit() in com.example.Main.lambda$main$2(Main.java:30)"));
    }

    @Test
    void anExitInTheProgramsOwnSigtermHandlerIsAStopAndSaysNothing() {
        Map<Thread, StackTraceElement[]> threads = threads(
                thread("SIGTERM handler", below(frame("java.lang.Shutdown", "exit", "Shutdown.java", 173),
                        frame("java.lang.Runtime", "exit", "Runtime.java", 115),
                        frame("java.lang.System", "exit", "System.java", 1877),
                        frame("com.example.Main", "lambda$main$3", "Main.java", 33))));
        assertThat(ExitCause.describe(threads, true)).isNull();
    }

    @Test
    void theLastNonDaemonThreadsEndAndNoCauseAtAll() {
        Map<Thread, StackTraceElement[]> last = threads(
                thread("DestroyJavaVM", below(frame("java.lang.Shutdown", "shutdown", "Shutdown.java", 200))));
        assertThat(ExitCause.describe(last, true)).isEqualTo(new ExitCause.Cause("on its own after it was ready",
                "its last non-daemon thread has ended"));
        Map<Thread, StackTraceElement[]> none = threads(
                thread("main", frame("java.lang.Thread", "sleep", "Thread.java", 509)));
        assertThat(ExitCause.describe(none, true).detail()).startsWith("no platform thread shows why (System.exit() in a"
                + " virtual thread");
    }

    @Test
    void beforeReadinessTheLineSaysSoAndLeavesTheStatusToStart() {
        Map<Thread, StackTraceElement[]> exit = threads(
                thread("main", below(frame("java.lang.Shutdown", "exit", "Shutdown.java", 167),
                        frame("java.lang.Runtime", "exit", "Runtime.java", 177),
                        frame("java.lang.System", "exit", "System.java", 1541),
                        frame("com.example.Shop", "init", "Shop.java", 20))));
        assertThat(ExitCause.describe(exit, false)).isEqualTo(new ExitCause.Cause("before it was ready",
                "System.exit() was called by com.example.Shop.init(Shop.java:20) in thread 'main'"));
        Map<Thread, StackTraceElement[]> interrupt = threads(
                thread("SIGINT handler", below(frame("java.lang.Shutdown", "exit", "Shutdown.java", 167),
                        frame("java.lang.Runtime", "exit", "Runtime.java", 177),
                        frame("java.lang.Terminator$1", "handle", "Terminator.java", 51))));
        assertThat(ExitCause.describe(interrupt, false).how()).isEqualTo("before it was ready, on SIGINT");
        Map<Thread, StackTraceElement[]> last = threads(
                thread("DestroyJavaVM", below(frame("java.lang.Shutdown", "shutdown", "Shutdown.java", 200))));
        assertThat(ExitCause.describe(last, false)).isEqualTo(new ExitCause.Cause("before it was ready",
                "its last non-daemon thread has ended"));
    }

    private static StackTraceElement frame(String type, String method, String file, int line) {
        return new StackTraceElement(type, method, file, line);
    }

    /** The frames of a thread that started the shutdown: waiting for the hooks, then {@code rest}. */
    private static StackTraceElement[] below(StackTraceElement... rest) {
        StackTraceElement[] stack = new StackTraceElement[WAITING_FOR_HOOKS.length + rest.length];
        System.arraycopy(WAITING_FOR_HOOKS, 0, stack, 0, WAITING_FOR_HOOKS.length);
        System.arraycopy(rest, 0, stack, WAITING_FOR_HOOKS.length, rest.length);
        return stack;
    }

    private static Map.Entry<Thread, StackTraceElement[]> thread(String name, StackTraceElement... stack) {
        return Map.entry(new Thread(name), stack);
    }

    @SafeVarargs
    private static Map<Thread, StackTraceElement[]> threads(Map.Entry<Thread, StackTraceElement[]>... entries) {
        Map<Thread, StackTraceElement[]> threads = new LinkedHashMap<>();
        for (Map.Entry<Thread, StackTraceElement[]> entry : entries) {
            threads.put(entry.getKey(), entry.getValue());
        }
        return threads;
    }
}
