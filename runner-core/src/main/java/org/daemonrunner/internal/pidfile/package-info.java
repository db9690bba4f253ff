// SPDX-License-Identifier: Apache-2.0
/**
 * The pidfile protocol: a pidfile whose POSIX lock is held for the daemon's whole life, and the lock-free
 * inspection that tells other processes whether, and by whom, it is held. Not API; may change without notice.
 */
package org.daemonrunner.internal.pidfile;
