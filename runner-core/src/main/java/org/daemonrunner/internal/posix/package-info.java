// SPDX-License-Identifier: Apache-2.0
/**
 * Native POSIX calls the JDK lacks (umask, core-file limit, an in-process user switch), through jnr-posix.
 * Loaded only when an option needs them: never on the start, stop, restart or status paths of a daemon with
 * default settings. Not API; may change without notice.
 */
package org.daemonrunner.internal.posix;
