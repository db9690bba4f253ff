// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.daemonrunner.DaemonApp;
import org.daemonrunner.internal.posix.DatagramSender;

/**
 * Tells systemd about the daemon's state over {@code $NOTIFY_SOCKET} (the {@code sd_notify} protocol), when
 * systemd set it ({@code Type=notify}); does nothing otherwise. Native code is loaded only when the socket is set.
 */
final class SystemdNotifier {
    private final String socket;
    private volatile ScheduledExecutorService watchdog;
    /** Whether the last {@code isHealthy()} threw (only the watchdog's thread asks it). */
    private boolean healthThrew;

    private SystemdNotifier(String socket) {
        this.socket = socket;
    }

    /** Returns a notifier for {@code $NOTIFY_SOCKET}, or one that does nothing when it is not set. */
    static SystemdNotifier fromEnvironment() {
        String socket = System.getenv("NOTIFY_SOCKET");
        return new SystemdNotifier(socket == null || socket.isEmpty() ? null : socket);
    }

    boolean isActive() {
        return socket != null;
    }

    /** Loads the native binding that sends the notifications; see {@link DatagramSender#load()}. */
    void load() {
        DatagramSender.load();
    }

    /**
     * READY=1 and MAINPID=; then starts the watchdog pings if {@code $WATCHDOG_USEC} asks for them, skipped while
     * {@code app} says it is not healthy ({@code app} null: a wrapped program, always healthy).
     */
    void ready(DaemonApp app) {
        send("READY=1\nMAINPID=" + ProcessHandle.current().pid());
        startWatchdog(app);
    }

    void stopping() {
        send("STOPPING=1");
        ScheduledExecutorService w = watchdog;
        if (w != null) {
            w.shutdownNow();
        }
    }

    void reloading() {
        // CLOCK_MONOTONIC, as System.nanoTime() reads it on Linux
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000);
    }

    void reloaded() {
        send("READY=1");
    }

    private void startWatchdog(DaemonApp app) {
        String usec = System.getenv("WATCHDOG_USEC");
        String pid = System.getenv("WATCHDOG_PID");
        if (socket == null || usec == null || (pid != null && !pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            return;
        }
        long interval;
        try {
            interval = Long.parseLong(usec) / 2;
        } catch (NumberFormatException e) {
            return;
        }
        if (interval <= 0) {
            return;
        }
        ScheduledExecutorService w = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "daemonrunner-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog = w;
        w.scheduleAtFixedRate(() -> ping(app), 0, interval, TimeUnit.MICROSECONDS);
    }

    /**
     * One watchdog ping, unless {@code app} says it is not healthy. An {@code isHealthy()} that throws counts as
     * false, said once until it answers again: the ping stops while it throws, and starts again after (an
     * exception escaping to the executor would end every later ping, silently).
     */
    private void ping(DaemonApp app) {
        boolean healthy;
        try {
            healthy = app == null || app.isHealthy();
            healthThrew = false;
        } catch (RuntimeException | Error e) {
            if (!healthThrew) {
                healthThrew = true;
                AppFailures.survived("isHealthy()", e, ": taken as false (no watchdog ping to systemd) until it"
                        + " answers again");
            }
            healthy = false;
        }
        if (healthy) {
            send("WATCHDOG=1");
        }
    }

    private void send(String message) {
        if (socket == null) {
            return;
        }
        try {
            DatagramSender.send(socket, message);
        } catch (RuntimeException | LinkageError e) {
            DaemonStreams.say("cannot notify systemd at " + socket + ": " + e.getMessage());
        }
    }
}
