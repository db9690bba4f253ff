// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;

import java.lang.invoke.LambdaConversionException;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.daemonrunner.internal.proc.Signal;

/**
 * Installs signal handlers in this JVM through {@code sun.misc.Signal} (the only way the JDK offers), in one
 * place. A handler runs on a thread of its own, about a millisecond after the signal. The class is reached by
 * reflection, so that neither javac nor javadoc warns about an internal API on every build; handlers are made by
 * {@code LambdaMetafactory}, as a lambda would be, which costs about 7 ms less at start-up than a
 * {@code java.lang.reflect.Proxy} (measured on JDK 17).
 */
final class Signals {
    private static final Class<?> SIGNAL;
    private static final Class<?> HANDLER;
    private static final Method HANDLE;
    /** {@code (Runnable) -> SignalHandler}: a handler whose {@code handle(Signal)} calls {@link #run}. */
    private static final MethodHandle NEW_HANDLER;

    static {
        try {
            SIGNAL = Class.forName("sun.misc.Signal");
            HANDLER = Class.forName("sun.misc.SignalHandler");
            HANDLE = SIGNAL.getMethod("handle", SIGNAL, HANDLER);
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MethodType handle = MethodType.methodType(void.class, SIGNAL);
            NEW_HANDLER = LambdaMetafactory.metafactory(lookup, "handle", MethodType.methodType(HANDLER, Runnable.class),
                    handle, lookup.findStatic(Signals.class, "run",
                            MethodType.methodType(void.class, Runnable.class, Object.class)), handle).getTarget();
        } catch (ReflectiveOperationException | LambdaConversionException e) {
            throw new ExceptionInInitializerError("sun.misc.Signal (module jdk.unsupported) is not available: " + e
                    + ". On the module path, with the app in an automatic module (a fat jar), add --add-modules"
                    + " jdk.unsupported to the java command line ('start' adds it for the daemon by itself)");
        }
    }

    private Signals() {
    }

    /**
     * Calls {@code handler} whenever {@code signal} arrives.
     *
     * @throws IllegalArgumentException when the JVM does not let the signal be handled (QUIT, for one)
     */
    static void handle(Signal signal, Runnable handler) {
        String name = signal.name();
        Object signalHandler;
        try {
            signalHandler = NEW_HANDLER.invoke(handler);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot make a handler for SIG" + name + ": " + e, e);
        }
        install(name, signalHandler);
    }

    /** What every handler's {@code handle(Signal)} does: runs the handler it was made for. */
    private static void run(Runnable handler, Object signal) {
        handler.run();
    }

    /**
     * Makes this JVM ignore {@code signal}.
     *
     * @throws IllegalArgumentException when the JVM does not let the signal be handled
     */
    static void ignore(Signal signal) {
        try {
            install(signal.name(), HANDLER.getField("SIG_IGN").get(null));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("sun.misc.SignalHandler.SIG_IGN is not available: " + e, e);
        }
    }

    private static void install(String name, Object handler) {
        try {
            HANDLE.invoke(null, SIGNAL.getConstructor(String.class).newInstance(name), handler);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause; // IllegalArgumentException: unknown or reserved signal
            }
            throw new IllegalStateException("cannot handle SIG" + name + ": " + cause, cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot handle SIG" + name + ": " + e, e);
        }
    }
}
