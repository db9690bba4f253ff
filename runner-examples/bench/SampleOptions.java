// SPDX-License-Identifier: Apache-2.0
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.ParseException;
import org.daemonrunner.examples.SampleDaemon;

/**
 * What the sample does before the runner runs: it parses its own options with commons-cli, from the sample jar,
 * and exits. The floor of every sample command, before any work of the runner's.
 */
public class SampleOptions {
    public static void main(String[] args) throws ParseException {
        CommandLine line = new DefaultParser().parse(SampleDaemon.options(), args);
        System.out.println(line.getArgList());
    }
}
