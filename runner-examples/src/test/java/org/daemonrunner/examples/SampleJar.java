// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.daemonrunner.it.Daemons;

/** The built {@code sample-daemon.jar} (failsafe passes its path as {@code sample.jar}) and commands that run it. */
final class SampleJar {
    static final String PATH = Path.of(System.getProperty("sample.jar", "target/sample-daemon.jar"))
            .toAbsolutePath().toString();

    private SampleJar() {
    }

    /** {@code java -jar sample-daemon.jar ARGS}. */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(Daemons.JAVA, "-jar", PATH));
        command.addAll(List.of(args));
        return command;
    }
}
