// SPDX-License-Identifier: Apache-2.0
/**
 * daemonrunner's API: implement {@link org.daemonrunner.DaemonApp} and call
 * {@code System.exit(new DaemonRunner(app).doAction(args))} from {@code main} to get a Unix daemon with
 * {@code start}, {@code stop}, {@code restart}, {@code status} and {@code run} actions, a lifetime-locked pidfile
 * and LSB exit statuses. A Java port of python-daemon's {@code DaemonRunner}.
 */
package org.daemonrunner;
