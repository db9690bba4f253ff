// SPDX-License-Identifier: Apache-2.0
/**
 * The controller: the runner's arguments parsed, one class per action ({@code start}/{@code run}, {@code stop},
 * {@code status}, the signal actions), and what they print. It decides; the pidfile, launch and process packages do
 * the OS work. Not API; may change without notice.
 */
package org.daemonrunner.internal.runner;
