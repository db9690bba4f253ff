// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples;

import java.io.PrintWriter;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Options;
import org.daemonrunner.Action;

/** The examples' help text: its first line lists every action the runner has, read from {@link Action}. */
final class Usage {
    private Usage() {
    }

    /** {@code PROGRAM start|stop|...|systemd-unit [options]}. */
    static String line(String program) {
        StringBuilder text = new StringBuilder(program).append(' ');
        for (Action action : Action.values()) {
            text.append(action.ordinal() == 0 ? "" : "|").append(action.actionName());
        }
        return text.append(" [options]").toString();
    }

    /** Prints the help for {@code program} and its {@code options} (the runner's too) to standard error. */
    static void print(String program, Options options) {
        PrintWriter err = new PrintWriter(System.err);
        new HelpFormatter().printHelp(err, 100, line(program), null, options, 2, 2, null);
        err.flush();
    }
}
