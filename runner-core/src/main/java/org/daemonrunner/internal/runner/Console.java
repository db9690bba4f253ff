// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import java.io.PrintStream;

/**
 * Where an action writes: its result, one line, to {@code out}; a failure, one line, to {@code err}. Injected, so
 * that an action's words can be checked without a JVM of their own.
 *
 * @param out standard output
 * @param err standard error
 */
public record Console(PrintStream out, PrintStream err) {
    /** The process's standard output and error, as they are now. */
    public static Console system() {
        return new Console(System.out, System.err);
    }
}
