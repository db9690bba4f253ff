// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.daemonrunner.internal.proc.ProcessControl;
import org.daemonrunner.internal.proc.Signal;

/**
 * A program run in the foreground as a child of this JVM (a JVM cannot {@code exec}): standard streams inherited,
 * TERM, HUP and USR1 relayed to it, its exit status passed through. INT is not relayed: a terminal sends it to the
 * whole foreground process group, the child too.
 */
public final class ForegroundChild {
    private ForegroundChild() {
    }

    /**
     * Runs {@code argv} in {@code directory} and returns its exit status (128+N when signal N ended it).
     *
     * @throws IOException when it cannot be started
     */
    public static int run(List<String> argv, Path directory) throws IOException {
        Process child = new ProcessBuilder(argv).directory(directory.toFile()).inheritIO().start();
        for (Signal signal : new Signal[] {Signal.TERM, Signal.HUP, Signal.USR1}) {
            Signals.handle(signal, new Relay(child.pid(), signal));
        }
        while (true) {
            try {
                return child.waitFor();
            } catch (InterruptedException e) {
                // keep waiting: the child decides when this ends
            }
        }
    }

    /** Sends the signal on to the child. */
    private static final class Relay implements Runnable {
        private final long pid;
        private final Signal signal;

        Relay(long pid, Signal signal) {
            this.pid = pid;
            this.signal = signal;
        }

        @Override
        public void run() {
            try {
                ProcessControl.signal(pid, signal);
            } catch (IOException e) {
                System.err.println("daemonrunner: cannot relay " + signal.fullName() + " to pid " + pid + ": "
                        + e.getMessage());
            }
        }
    }
}
