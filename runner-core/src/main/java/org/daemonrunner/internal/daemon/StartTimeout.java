// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;


import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Optional;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.launch.Relaunch;

/**
 * A relaunched daemon's own start timeout, for when nobody waits for it any more: its {@code start} was ended (a
 * signal, Ctrl-C, {@code kill -9}, a CI step's timeout) before the deadline. At the deadline, a daemon that is still
 * starting and whose launcher is gone writes one {@code daemonrunner:} line naming the timeout and exits with
 * status 1, so that no daemon stays "starting" for ever.
 *
 * <p>A launcher that is alive at the deadline stops the daemon itself and reports what became of it: then this
 * does nothing, so that the daemon's own deadline cannot make that report wrong. Nor does it when a stop was asked
 * for (the stop ends the daemon) or the daemon became ready (the two are decided atomically by
 * {@link Starting#giveUp()}).
 */
final class StartTimeout implements Runnable {
    /** The lifecycle's side. */
    interface Starting {
        /**
         * Ends the start as failed if the daemon is still starting and no stop was asked for, atomically with its
         * readiness, and marks the pidfile stopping; returns whether it did.
         */
        boolean giveUp();
    }

    /** What {@link #watch} returns where there is nothing to watch: {@link #cancel()} does nothing. */
    static final StartTimeout NONE = new StartTimeout(null, null);

    private final Relaunch.StartDeadline deadline;
    private final Starting starting;
    private volatile Thread watcher;

    private StartTimeout(Relaunch.StartDeadline deadline, Starting starting) {
        this.deadline = deadline;
        this.starting = starting;
    }

    /**
     * In a daemon {@code start} relaunched, watches its start timeout (a daemon thread, until the deadline or
     * {@link #cancel()}); elsewhere nothing.
     */
    static StartTimeout watch(Starting starting) {
        Optional<Relaunch.StartDeadline> deadline = Relaunch.startDeadline();
        if (deadline.isEmpty()) {
            return NONE;
        }
        StartTimeout timeout = new StartTimeout(deadline.get(), starting);
        Thread thread = new Thread(timeout, "daemonrunner-start-timeout");
        thread.setDaemon(true);
        timeout.watcher = thread;
        thread.start();
        return timeout;
    }

    /** The daemon is ready: ends the watch now, so that no thread of ours outlives the start by the timeout's rest. */
    void cancel() {
        Thread thread = watcher;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public void run() {
        try {
            for (long left; (left = Duration.between(Instant.now(), deadline.deadline()).toMillis()) > 0; ) {
                Thread.sleep(left); // a wait for the deadline itself, not a guess at how long something takes
            }
        } catch (InterruptedException e) {
            return;
        }
        if (deadline.launcherAlive() || !starting.giveUp()) {
            return;
        }
        DaemonStreams.say("pid " + ProcessHandle.current().pid() + " was not ready at the end of its"
                + " start timeout (" + describe(deadline.timeout()) + ", at "
                + clock(LocalTime.ofInstant(deadline.deadline(), ZoneId.systemDefault()))
                + "), and the start that launched it (pid " + deadline.launcherPid() + ") is gone, so nobody stops it:"
                + " it exits (status 1)");
        System.err.flush();
        System.exit(ExitStatus.FAILURE);
    }

    /** {@code 21:40:03}, seconds always written; no formatter classes loaded in the daemon for one line. */
    private static String clock(LocalTime time) {
        return two(time.getHour()) + ":" + two(time.getMinute()) + ":" + two(time.getSecond());
    }

    private static String two(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }

    private static String describe(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + "s" : timeout.toMillis() + "ms";
    }
}
