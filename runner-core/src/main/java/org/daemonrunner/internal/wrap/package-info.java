// SPDX-License-Identifier: Apache-2.0
/**
 * {@code daemonrunner.jar}: daemonizes a Java program that knows nothing of daemonrunner. {@link
 * org.daemonrunner.internal.wrap.Wrapper} is the jar's {@code Main-Class} (the controller side: options, a config
 * file, the actions); {@link org.daemonrunner.internal.wrap.ProgramMain} is the main class of the program's JVM
 * ({@link org.daemonrunner.internal.wrap.ProgramCommand} writes its command line), which sets the daemon up and then
 * calls the program's own {@code main}. Not API; may change without notice.
 */
package org.daemonrunner.internal.wrap;
