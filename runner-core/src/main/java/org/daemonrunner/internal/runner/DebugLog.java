// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The runner's debug log: the cause chain of a failure whose one line is already on stderr, through SLF4J, and only
 * when the app has an SLF4J binding. SLF4J's first use without one prints three warning lines to stderr (no
 * providers, the no-operation logger, a link) under that one line; asking the service loader whether a provider
 * is there loads no logger and prints nothing. No system property is set: this runs inside the app's JVM.
 */
public final class DebugLog {
    private DebugLog() {
    }

    /** Logs, at debug level, that {@code command} failed with {@code cause}, if a binding would receive it. */
    public static void failure(String command, Throwable cause) {
        if (hasBinding()) {
            LoggerFactory.getLogger("org.daemonrunner.DaemonRunner").debug("{} failed", command, cause);
        }
    }

    /**
     * Whether SLF4J would find a binding: a provider named by {@code slf4j.provider} or registered as a service
     * (SLF4J 2), or, with an SLF4J 1 API on the class path, its {@code StaticLoggerBinder}.
     */
    static boolean hasBinding() {
        if (System.getProperty("slf4j.provider") != null) {
            return true;
        }
        try {
            return ServiceLoader.load(SLF4JServiceProvider.class, DebugLog.class.getClassLoader()).stream()
                    .findAny().isPresent();
        } catch (ServiceConfigurationError e) {
            return true; // a provider is there, but broken: SLF4J will say what is wrong with it
        } catch (LinkageError slf4j1) {
            ClassLoader loader = DebugLog.class.getClassLoader();
            return loader != null && loader.getResource("org/slf4j/impl/StaticLoggerBinder.class") != null;
        }
    }
}
