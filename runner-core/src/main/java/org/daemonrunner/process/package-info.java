/**
 * Relaunching this JVM as a detached daemon and signalling it: {@code ProcessBuilder}, {@code ProcessHandle} and
 * standard POSIX tools, no native code. Not API; may change without notice.
 */
package org.daemonrunner.process;
