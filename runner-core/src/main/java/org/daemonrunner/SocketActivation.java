// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

import java.io.IOException;
import java.nio.channels.Channel;
import java.util.Optional;
import org.daemonrunner.internal.posix.Posix;

/**
 * The listening socket systemd passes to a socket-activated service ({@code LISTEN_FDS}, {@code LISTEN_PID}),
 * as an NIO channel.
 *
 * <p>The JDK can turn only standard input into a channel ({@link System#inheritedChannel()}). With
 * {@code StandardInput=socket} in the unit, that is all it takes, and no native code is loaded. With
 * {@code LISTEN_FDS=1}, the socket (descriptor 3) is moved onto standard input first ({@code dup2}, through
 * jnr-posix). More than one passed socket cannot be turned into channels without native descriptor wrapping,
 * which the JDK does not offer; that is refused with an explanation.
 */
public final class SocketActivation {
    private SocketActivation() {
    }

    /**
     * Returns the socket systemd passed to this process, if any: a {@code ServerSocketChannel} for a listening
     * stream socket ({@code Accept=no}), a {@code SocketChannel} for a connection ({@code Accept=yes}).
     *
     * @throws IOException when the passed socket cannot be turned into a channel
     * @throws UnsupportedOperationException when systemd passed more than one socket
     */
    public static Optional<Channel> channel() throws IOException {
        String fds = System.getenv("LISTEN_FDS");
        String pid = System.getenv("LISTEN_PID");
        if (fds != null && (pid == null || pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            int count;
            try {
                count = Integer.parseInt(fds.trim());
            } catch (NumberFormatException e) {
                throw new IOException("LISTEN_FDS is not a number: '" + fds + "'", e);
            }
            if (count > 1) {
                throw new UnsupportedOperationException("systemd passed " + count + " sockets; the JDK can turn only"
                        + " one inherited socket into a channel. Use one socket per service, or StandardInput=socket.");
            }
            if (count == 1) {
                Posix.get().moveDescriptor(3, 0);
            }
        }
        return Optional.ofNullable(System.inheritedChannel());
    }
}
