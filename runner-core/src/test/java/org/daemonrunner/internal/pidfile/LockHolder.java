// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.pidfile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A child process for {@link PidFileTest}: takes the pidfile given as its argument, writes its pid, marks itself
 * ready, prints {@code locked} and then holds the lock until its stdin is closed (or it is killed).
 */
public final class LockHolder {
    private LockHolder() {
    }

    public static void main(String[] args) throws IOException {
        PidFile pidfile = PidFile.acquire(Path.of(args[0]), Duration.ZERO);
        pidfile.writePid(ProcessHandle.current().pid());
        pidfile.markReady();
        System.out.println("locked");
        System.out.flush();
        while (System.in.read() != -1) {
            // hold the lock until the test closes our stdin or kills us
        }
    }
}
