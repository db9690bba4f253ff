// SPDX-License-Identifier: Apache-2.0
/**
 * The daemon's side: its lifecycle around the app ({@code init()}, ready, {@code run()}, the graceful stop), the
 * signal map, reopening the logs, systemd's notification protocol, and the foreground setup of {@code run}. Not
 * API; may change without notice.
 */
package org.daemonrunner.internal.daemon;
