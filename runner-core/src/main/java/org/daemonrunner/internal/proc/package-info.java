// SPDX-License-Identifier: Apache-2.0
/**
 * Processes, read and signalled without native code: the one reader of {@code /proc/PID/stat}, signals as a type,
 * the one pid guard, users looked up through {@code getent}, short system commands with a deadline, thread dumps,
 * and the words for what the OS said when a file operation failed ({@code IoFailure}). Not API; may change without
 * notice.
 */
package org.daemonrunner.internal.proc;
