// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.wrap;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.internal.daemon.Readiness;
import org.daemonrunner.internal.daemon.WrappedProgram;
import org.daemonrunner.internal.launch.Relaunch;

/**
 * {@code daemonrunner.jar}'s {@code Premain-Class}: in the program's JVM, before its {@code main}, takes the
 * pidfile's lock, installs the signal map and starts the readiness watcher ({@link WrappedProgram}), then returns
 * so that the program runs as it would in the foreground. It transforms no class.
 */
public final class Agent {
    private Agent() {
    }

    /**
     * The agent's entry point (the one-argument form: no {@code java.instrument} needed, nothing transformed).
     *
     * @param options the settings, as {@link AgentSettings} writes them
     */
    public static void premain(String options) {
        Map<String, String> settings = AgentSettings.decode(options);
        Path pidfile = Path.of(settings.get(AgentSettings.PIDFILE));
        DaemonContext.Builder context = DaemonContext.builder();
        if (settings.containsKey(AgentSettings.UMASK)) {
            context.umask(Integer.parseInt(settings.get(AgentSettings.UMASK), 8));
        }
        if (settings.containsKey(AgentSettings.USER)) {
            context.user(settings.get(AgentSettings.USER));
        }
        if (settings.containsKey(AgentSettings.GROUP)) {
            context.group(settings.get(AgentSettings.GROUP));
        }
        new WrappedProgram(pidfile, Path.of(settings.get(AgentSettings.STDOUT)),
                Path.of(settings.get(AgentSettings.STDERR)),
                Readiness.parse(settings.getOrDefault(AgentSettings.READY, Readiness.MAIN_RETURNED), pidfile.getParent()),
                Duration.ofMillis(Long.parseLong(settings.getOrDefault(AgentSettings.PIDFILE_TIMEOUT_MS, "10000"))),
                context.build(), Relaunch.isDaemon()).install();
    }
}
