// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

/**
 * The exit statuses {@link DaemonRunner#doAction(String...)} returns, following the LSB init-script conventions.
 */
public final class ExitStatus {
    /** The action succeeded; for {@code status}: the daemon is running. */
    public static final int OK = 0;
    /** The action failed; for {@code status}: the daemon is dead but its pidfile exists (stale). */
    public static final int FAILURE = 1;
    /** Usage error: no action, an unknown action, or a bad option. */
    public static final int USAGE = 2;
    /** For {@code status}: the daemon is not running. */
    public static final int NOT_RUNNING = 3;
    /** For {@code status}: the state cannot be told. */
    public static final int STATUS_UNKNOWN = 4;
    /** For the other actions: the user lacks a permission the action needs. */
    public static final int PRIVILEGE = 4;
    /** For {@code reload}: the daemon is not running. */
    public static final int RELOAD_NOT_RUNNING = 7;

    private ExitStatus() {
    }
}
