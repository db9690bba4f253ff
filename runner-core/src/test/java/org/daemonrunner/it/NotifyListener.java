// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import static org.daemonrunner.it.Await.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code AF_UNIX} datagram socket, as systemd's {@code NOTIFY_SOCKET}, writing each message it receives as one
 * line (python3: the JDK has no Unix datagram sockets); the test is skipped without python3.
 */
final class NotifyListener {
    private NotifyListener() {
    }

    /** Binds {@code socket}, writes what it receives to {@code received}, and returns once it listens. */
    static Command.Running start(Daemons daemons, Path dir, Path socket, Path received) {
        Assumptions.assumeTrue(Command.of("python3", "--version").run(Duration.ofSeconds(10)).exit() == 0,
                "needs python3");
        Command.Running listener = daemons.spawn(dir, List.of("python3", "-u", "-c", String.join("\n",
                "import socket, sys",
                "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
                "s.bind(sys.argv[1])",
                "print('listening', flush=True)",
                "with open(sys.argv[2], 'a') as f:",
                "    while True:",
                "        f.write(s.recv(4096).decode().replace('\\n', ' ') + '\\n'); f.flush()"),
                socket.toString(), received.toString()), dir.resolve("listener.out"), dir.resolve("listener.err"));
        await("the listener", Duration.ofSeconds(10), () -> Daemons.readOrEmpty(dir.resolve("listener.out"))
                .contains("listening"));
        return listener;
    }
}
