// SPDX-License-Identifier: Apache-2.0
/**
 * Both ends of the relaunch contract ({@link org.daemonrunner.internal.launch.Relaunch}): the Java command line
 * run again, {@code start}'s steps of the daemon's context in their documented order
 * ({@link org.daemonrunner.internal.launch.LaunchSteps}), the launch shells (resource files beside these classes),
 * and the wait for the daemon's readiness. Not API; may change without notice.
 */
package org.daemonrunner.internal.launch;
