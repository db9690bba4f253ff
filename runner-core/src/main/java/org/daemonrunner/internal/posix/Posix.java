// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.posix;

import java.util.List;
import org.daemonrunner.internal.proc.Signal;

/** The narrow set of native calls daemonrunner needs and the JDK cannot make. */
public interface Posix {

    /**
     * Returns the native implementation, loading jnr-posix on first use (about half a second).
     *
     * @throws PosixException when native access is not available, saying what to do
     */
    static Posix get() {
        NativeLoading.requireJnr(); // before JnrPosix, whose loading needs jnr's classes
        return JnrPosix.instance();
    }

    /** Sets the process's umask; returns the previous one. */
    int umask(int mask);

    /** Sets the core-file size limit, soft and hard, to 0. */
    void preventCoreDumps();

    /**
     * Switches every thread of this process to {@code uid}/{@code gid} with the given supplementary groups, or
     * with {@code user}'s groups from the group database when {@code groups} is null.
     *
     * @throws PosixException when a step fails; the process may then be left half-switched and should exit
     */
    void switchUser(String user, int uid, int gid, List<Integer> groups);

    /** Sends {@code signal} to {@code pid}; {@code ProcessControl.requireSignallable} guards it. */
    void signal(long pid, Signal signal);

    /**
     * Points descriptor {@code fd} of this process at {@code file}, opened for appending (created if missing):
     * {@code open}, {@code dup2}, {@code close}. Output of every kind (the JVM's too) then goes to the new file.
     */
    void redirect(int fd, java.nio.file.Path file);

    /** Moves descriptor {@code from} onto {@code to} ({@code dup2}, then {@code close(from)}). */
    void moveDescriptor(int from, int to);
}
