// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.posix;

import java.util.List;
import jnr.constants.platform.OpenFlags;
import jnr.constants.platform.RLIMIT;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.daemonrunner.internal.proc.ProcessControl;
import org.daemonrunner.internal.proc.Signal;

/** {@link Posix} through jnr-posix (and jnr-ffi for the group calls jnr-posix lacks); the only class that imports them. */
final class JnrPosix implements Posix {
    private static volatile JnrPosix instance;

    /** The libc functions jnr-posix 3.1.20 does not have. */
    public interface GroupCalls {
        int initgroups(String user, int group);

        int setgroups(long size, int[] groups);
    }

    private final POSIX posix;
    private final GroupCalls groups;
    private final jnr.ffi.Runtime runtime;

    private JnrPosix() {
        NativeLoading.prepare();
        try {
            posix = POSIXFactory.getNativePOSIX();
            groups = LibraryLoader.create(GroupCalls.class).failImmediately().load("c");
        } catch (RuntimeException | LinkageError e) {
            throw NativeLoading.notLoaded(e);
        }
        if (!posix.isNative()) {
            throw new PosixException("Native POSIX calls are not available (jnr-posix fell back to pure Java): the"
                    + " umask, core-file limit and user switch cannot be applied. Check that jffi can load its"
                    + " native library (a noexec temp directory? set -Djava.io.tmpdir or -Djffi.extract.dir).");
        }
        runtime = jnr.ffi.Runtime.getRuntime(groups);
    }

    static JnrPosix instance() {
        JnrPosix p = instance;
        if (p == null) {
            synchronized (JnrPosix.class) {
                p = instance;
                if (p == null) {
                    instance = p = new JnrPosix();
                }
            }
        }
        return p;
    }

    @Override
    public int umask(int mask) {
        return posix.umask(mask);
    }

    @Override
    public void preventCoreDumps() {
        check(posix.setrlimit(RLIMIT.RLIMIT_CORE.intValue(), 0L, 0L), "setrlimit(RLIMIT_CORE, 0, 0)", posix.errno());
    }

    @Override
    public void switchUser(String user, int uid, int gid, List<Integer> supplementary) {
        if (supplementary == null) {
            check(groups.initgroups(user, gid), "initgroups(" + user + ", " + gid + ")", LastError.getLastError(runtime));
        } else {
            int[] list = supplementary.stream().mapToInt(Integer::intValue).toArray();
            check(groups.setgroups(list.length, list), "setgroups(" + supplementary + ")", LastError.getLastError(runtime));
        }
        // glibc applies setgid/setuid to every thread of the process, not only the caller
        check(posix.setgid(gid), "setgid(" + gid + ")", posix.errno());
        check(posix.setuid(uid), "setuid(" + uid + ")", posix.errno());
    }

    @Override
    public void signal(long pid, Signal signal) {
        ProcessControl.requireSignallable(pid);
        check(posix.kill(pid, signal.number()), "kill(" + pid + ", " + signal.fullName() + ")", posix.errno());
    }

    @Override
    public void redirect(int fd, java.nio.file.Path file) {
        int flags = OpenFlags.O_WRONLY.intValue() | OpenFlags.O_APPEND.intValue() | OpenFlags.O_CREAT.intValue();
        int opened = posix.open(file.toString(), flags, 0666);
        if (opened < 0) {
            check(-1, "open(" + file + ")", posix.errno());
        }
        try {
            int result = posix.dup2(opened, fd);
            check(result < 0 ? -1 : 0, "dup2(" + opened + ", " + fd + ")", posix.errno());
        } finally {
            posix.close(opened);
        }
    }

    @Override
    public void moveDescriptor(int from, int to) {
        int result = posix.dup2(from, to);
        check(result < 0 ? -1 : 0, "dup2(" + from + ", " + to + ")", posix.errno());
        posix.close(from);
    }

    private static void check(int result, String call, int errno) {
        if (result != 0) {
            throw PosixException.failure(call, errno);
        }
    }
}
