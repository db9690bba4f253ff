// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import java.nio.file.Path;

/**
 * The daemon's files, absolute (resolved against the launch directory).
 *
 * @param stdin what it reads as standard input
 * @param stdout the log its standard output is appended to
 * @param stderr the log its standard error is appended to
 * @param pidfile its pidfile
 */
public record DaemonPaths(Path stdin, Path stdout, Path stderr, Path pidfile) {
}
