// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.posix;

import java.nio.charset.StandardCharsets;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;

/**
 * Sends one datagram to a Unix datagram socket: what systemd's {@code sd_notify} does, and what the JDK
 * cannot (its Unix-domain sockets are stream sockets only). A minimal jnr-ffi binding of three libc calls.
 */
public final class DatagramSender {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static volatile Calls calls;

    /** The libc calls used. */
    public interface Calls {
        int socket(int domain, int type, int protocol);

        long sendto(int fd, byte[] buffer, long length, int flags, byte[] address, int addressLength);

        int close(int fd);

        long getpid();
    }

    private DatagramSender() {
    }

    /**
     * Loads the binding now, so that a daemon asked to notify systemd finds out before it starts that it cannot: jffi's
     * library is unpacked and linked, libc's functions are bound, and one call ({@code getpid}) goes through them.
     *
     * @throws PosixException when the native code cannot be loaded, saying why and what to do
     */
    public static void load() {
        calls();
    }

    private static Calls calls() {
        Calls c = calls;
        if (c == null) {
            synchronized (DatagramSender.class) {
                c = calls;
                if (c == null) {
                    NativeLoading.prepare();
                    try {
                        // failImmediately: else jnr returns a proxy that fails at each call, as late as READY=1
                        c = LibraryLoader.create(Calls.class).failImmediately().load("c");
                        c.getpid();
                    } catch (RuntimeException | LinkageError e) {
                        throw NativeLoading.notLoaded(e);
                    }
                    calls = c;
                }
            }
        }
        return c;
    }

    /**
     * Sends {@code message} to the socket at {@code path}; a path starting with {@code @} names an abstract socket.
     *
     * @throws PosixException when the socket cannot be created or the send fails, naming the call and errno
     */
    public static void send(String path, String message) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length >= 108) {
            throw new PosixException("not a Unix socket path: '" + path + "'");
        }
        // struct sockaddr_un: sa_family_t (2 bytes, native order), then sun_path
        byte[] address = new byte[2 + name.length + 1];
        address[0] = (byte) AF_UNIX;
        System.arraycopy(name, 0, address, 2, name.length);
        int length = address.length;
        if (name[0] == '@') {
            address[2] = 0; // abstract namespace: a leading NUL, and no trailing one
            length = 2 + name.length;
        }
        Calls c = calls();
        jnr.ffi.Runtime runtime = jnr.ffi.Runtime.getRuntime(c);
        int fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw PosixException.failure("socket(AF_UNIX, SOCK_DGRAM)", LastError.getLastError(runtime));
        }
        try {
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            if (c.sendto(fd, bytes, bytes.length, MSG_NOSIGNAL, address, length) < 0) {
                throw PosixException.failure("sendto(" + path + ")", LastError.getLastError(runtime));
            }
        } finally {
            c.close(fd);
        }
    }
}
