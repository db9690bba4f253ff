// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The application side of a daemon: where its streams and pidfile go, and what it does.
 *
 * <p>An application implements this and calls {@code System.exit(new DaemonRunner(app).doAction(args))} from
 * its {@code main}. On {@code start} the runner relaunches the same Java command line as the daemon, so the
 * daemon's {@code main} runs again with the same arguments: build the app the same way in both.
 *
 * <p>Relative paths returned here are resolved against the directory {@code start} was run from (see
 * {@link DaemonRunner#launchDirectory()}); the daemon itself runs in {@code /}.
 *
 * <p>A method here that throws, or returns null (or a negative timeout), is a bug in the app: each action says so
 * in one line on stderr naming the method and what it threw or returned (status 1; for {@code status}, 4), not with
 * a stack trace. {@code start} and {@code run} ask every one of them before they launch anything; {@code status},
 * {@code stop} and {@code reload} do without {@link #context()}, and {@code stop} without a working
 * {@link #stopSchedule()} sends SIGTERM and waits {@link #stopTimeout()}, so a running daemon can always be stopped.
 */
public interface DaemonApp {

    /** Returns the file the daemon reads as its standard input. Default: {@code /dev/null}. */
    default Path stdinPath() {
        return Path.of("/dev/null");
    }

    /** Returns the file the daemon's standard output is appended to (never truncated). */
    Path stdoutPath();

    /** Returns the file the daemon's standard error is appended to (never truncated). */
    Path stderrPath();

    /** Returns the pidfile: the daemon holds its lock for its whole life. Its directory must exist. */
    Path pidfilePath();

    /**
     * Returns how long {@code start} waits for a pidfile lock held by a daemon that is stopping to be released.
     */
    Duration pidfileTimeout();

    /** {@link #startTimeout()}'s default, and {@code daemonrunner.jar}'s: 60 seconds. */
    Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    /**
     * {@link #stopTimeout()}'s default, and {@code daemonrunner.jar}'s: 10 seconds. {@code stop} waits this long
     * after SIGTERM for an app whose own {@code stopSchedule()} and {@code stopTimeout()} both fail.
     */
    Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

    /** Returns how long {@code start} waits for the daemon to become ready. Default: {@link #DEFAULT_START_TIMEOUT}. */
    default Duration startTimeout() {
        return DEFAULT_START_TIMEOUT;
    }

    /**
     * Returns how long {@code stop} waits for the daemon to exit after SIGTERM. Default: {@link #DEFAULT_STOP_TIMEOUT}.
     */
    default Duration stopTimeout() {
        return DEFAULT_STOP_TIMEOUT;
    }

    /**
     * Returns how {@code stop} ends the daemon: signals and waits, e.g. {@code StopSchedule.parse("TERM/30/KILL/5")}.
     * {@code stop --timeout} replaces the first wait and {@code stop --force} adds a KILL. Default: SIGTERM, then
     * {@link #stopTimeout()}. {@code start} refuses an app whose schedule throws or is null; {@code stop} falls back
     * to the default for it, saying so.
     */
    default StopSchedule stopSchedule() {
        return StopSchedule.graceful(stopTimeout());
    }

    /**
     * Returns whether the daemon is healthy; under systemd's watchdog ({@code WatchdogSec=}) a false answer skips
     * the keep-alive ping, so systemd restarts the daemon. An exception counts as false (its stack trace and one
     * line go to the daemon's stderr, once until it answers again). Default: true.
     */
    default boolean isHealthy() {
        return true;
    }

    /**
     * Returns whether the daemon is ready once {@link #init()} has returned (the default, true). An app whose start
     * happens in {@link #run()} returns false and calls {@link DaemonRunner#ready()} from {@code run()} (or any
     * thread) when it is ready: {@code start} returns only then, and fails as for {@code init()} if {@code run()}
     * throws, returns or the JVM dies first, or the start timeout passes. {@code start} and {@code run} ask it
     * before they launch anything, and refuse an app whose answer throws.
     */
    default boolean readyAfterInit() {
        return true;
    }

    /**
     * Prepares the daemon, in the daemon, before it counts as ready: {@code start} returns only after this has
     * returned (unless {@link #readyAfterInit()} is false). Default: nothing.
     *
     * @throws Exception to fail {@code start}; its message is shown to the operator
     */
    default void init() throws Exception {
    }

    /**
     * Does the daemon's work; the daemon exits (status 0) when it returns. On a requested stop the thread running
     * it is interrupted after {@link #stop()} has been called.
     *
     * @throws Exception to end the daemon with status 1 (unless a stop was requested)
     */
    void run() throws Exception;

    /**
     * Returns the daemon's environment: working directory, umask, user, core dumps, detaching, signal map.
     * Default: {@link DaemonContext#defaults()}.
     */
    default DaemonContext context() {
        return DaemonContext.defaults();
    }

    /**
     * Reloads the daemon's configuration: called on SIGHUP (from the {@code reload} action or {@code kill -HUP}),
     * on a thread of its own, while {@link #run()} goes on (or {@link #init()}, for a SIGHUP that comes while the
     * daemon is starting: the signal never ends a starting daemon). Default: nothing, and the daemon keeps running.
     * An exception it throws goes to the daemon's stderr with its stack trace, then one line
     * ({@code daemonrunner: pid N: reload() threw ...}); the daemon keeps running.
     */
    default void reload() {
    }

    /**
     * Asks the daemon to stop: called on SIGTERM (from {@code stop} or {@code kill}), from another thread,
     * before the thread in {@link #run()} is interrupted. Close listeners and wake blocked threads here.
     * Default: nothing. An exception it throws goes to the daemon's stderr with its stack trace, then one line
     * ({@code daemonrunner: pid N: stop() threw ...}); the thread in {@link #run()} is interrupted all the same.
     */
    default void stop() {
    }
}
