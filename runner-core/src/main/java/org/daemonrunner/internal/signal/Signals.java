package org.daemonrunner.internal.signal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Installs signal handlers in this JVM through {@code sun.misc.Signal} (the only way the JDK offers), in one
 * place. A handler runs on a thread of its own, about a millisecond after the signal. The class is reached by
 * reflection, so that neither javac nor javadoc warns about an internal API on every build.
 */
public final class Signals {
    private static final Class<?> SIGNAL;
    private static final Class<?> HANDLER;
    private static final Method HANDLE;

    static {
        try {
            SIGNAL = Class.forName("sun.misc.Signal");
            HANDLER = Class.forName("sun.misc.SignalHandler");
            HANDLE = SIGNAL.getMethod("handle", SIGNAL, HANDLER);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("sun.misc.Signal (module jdk.unsupported) is not available: " + e);
        }
    }

    private Signals() {
    }

    /**
     * Calls {@code handler} whenever signal {@code name} (without {@code SIG}) arrives.
     *
     * @throws IllegalArgumentException when the JVM does not let the signal be handled (QUIT, for one)
     */
    public static void handle(String name, Runnable handler) {
        Object proxy = Proxy.newProxyInstance(HANDLER.getClassLoader(), new Class<?>[] {HANDLER},
                (self, method, args) -> {
                    switch (method.getName()) {
                        case "handle":
                            handler.run();
                            return null;
                        case "hashCode":
                            return System.identityHashCode(self);
                        case "equals":
                            return self == args[0];
                        default:
                            return "handler of SIG" + name;
                    }
                });
        install(name, proxy);
    }

    /**
     * Makes this JVM ignore signal {@code name}.
     *
     * @throws IllegalArgumentException when the JVM does not let the signal be handled
     */
    public static void ignore(String name) {
        try {
            install(name, HANDLER.getField("SIG_IGN").get(null));
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
