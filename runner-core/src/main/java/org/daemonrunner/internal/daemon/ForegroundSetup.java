// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.internal.launch.DaemonPaths;
import org.daemonrunner.internal.launch.Relaunch;
import org.daemonrunner.internal.posix.Posix;
import org.daemonrunner.internal.proc.UserAccount;

/**
 * Applies a {@link DaemonContext} to this running process, for the foreground ({@code run}, or {@code start}
 * without detaching). Each setting is read first from {@code /proc/self} and changed through native calls only
 * if it differs, so a process a supervisor already set up right loads no native code.
 */
final class ForegroundSetup {
    private ForegroundSetup() {
    }

    static void apply(DaemonContext context) {
        Path cwd = Path.of("").toAbsolutePath();
        Path wanted = DaemonPaths.absolute(Relaunch.launchDirectory(), context.workingDirectory());
        if (!wanted.equals(Path.of("/")) && !wanted.equals(cwd) && !isSameDirectory(wanted, cwd)) {
            DaemonStreams.say("running in the foreground in " + cwd + ", not in "
                    + wanted + ": a running JVM cannot change its working directory; set it in the supervisor"
                    + " (systemd's WorkingDirectory=)");
        }
        int umask = currentUmask();
        if (umask != context.umask()) {
            Posix.get().umask(context.umask());
        }
        if (context.preventCoreDumps() && currentCoreLimit() != 0) {
            Posix.get().preventCoreDumps();
        }
        if (!context.dropPrivilegesAfterInit() && context.user().isPresent()) {
            switchUser(context);
        }
    }

    /** Switches this process, every thread of it, to the context's user; nothing to do if it already runs as that user. */
    static void switchUser(DaemonContext context) {
        UserAccount account;
        try {
            account = UserAccount.of(context);
        } catch (IOException e) {
            throw new IllegalStateException("cannot look up user " + context.user().orElseThrow() + ": " + e, e);
        }
        int uid = UserAccount.currentUid();
        if (uid == account.uid()) {
            return;
        }
        if (uid != 0) {
            throw new IllegalStateException("cannot switch to user " + account.name() + ": only root can, and this"
                    + " process runs as uid " + uid);
        }
        Posix.get().switchUser(account.name(), account.uid(), account.gid(), account.groups());
    }

    /** Whether {@code a} is {@code b} (as {@code /srv/link/..} may be, which only the file system can tell). */
    private static boolean isSameDirectory(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false; // missing: not where it runs
        }
    }

    /** Returns the umask from {@code /proc/self/status}, or -1 if it cannot be read. */
    private static int currentUmask() {
        return (int) field(Path.of("/proc/self/status"), "Umask:", 8);
    }

    /** Returns the soft core-file limit from {@code /proc/self/limits} (-1: unlimited or unknown). */
    private static long currentCoreLimit() {
        return field(Path.of("/proc/self/limits"), "Max core file size", 10);
    }

    private static long field(Path file, String prefix, int radix) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(prefix)) {
                    String value = line.substring(prefix.length()).trim().split("\\s+")[0];
                    return value.equals("unlimited") ? -1 : Long.parseLong(value, radix);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
