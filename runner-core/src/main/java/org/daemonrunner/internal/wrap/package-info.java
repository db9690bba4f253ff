// SPDX-License-Identifier: Apache-2.0
/**
 * {@code daemonrunner.jar}: daemonizes a Java program that knows nothing of daemonrunner. {@link
 * org.daemonrunner.internal.wrap.Wrapper} is the jar's {@code Main-Class} (the controller side: options, a config
 * file, the actions); {@link org.daemonrunner.internal.wrap.Agent} is its {@code Premain-Class}, added to the
 * program's own command line as {@code -javaagent}, which sets the daemon up before the program's {@code main} runs.
 * Not API; may change without notice.
 */
package org.daemonrunner.internal.wrap;
