// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.pidfile;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.daemonrunner.internal.proc.UserAccount;

/**
 * Root's check that nobody else could swap a pidfile under it: the directory the pidfile's path really resolves
 * to, and the pidfile itself.
 */
final class SafetyCheck {
    private SafetyCheck() {
    }

    /** See {@link PidFile#checkSafe(Path, int, String)}. */
    static void checkSafe(Path path, int trustedUid, String userNotKnown) throws IOException {
        if (UserAccount.currentUid() != 0) {
            return;
        }
        Path directory = path.toAbsolutePath().getParent();
        Path real;
        try {
            // a symbolic link's own mode is always 0777: what counts is the directory it leads to (on Debian,
            // /var/run is a link to /run)
            real = directory.toRealPath();
        } catch (FileSystemException e) {
            real = null; // missing, or not a directory: the action itself says so, with what to do
        }
        if (real != null) {
            check(real, trustedUid, userNotKnown, "pidfile directory " + real + (real.equals(directory) ? ""
                    : " (where " + directory + " leads)"));
        }
        if (Files.isSymbolicLink(path)) {
            throw new IOException("refusing pidfile " + path + ": it is a symbolic link, which could point at any"
                    + " file. Remove it, or choose another pidfile path");
        }
        check(path, trustedUid, userNotKnown, "pidfile " + path);
    }

    private static void check(Path p, int trustedUid, String userNotKnown, String what) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        } catch (FileSystemException e) {
            return; // missing: the action itself says so, with what to do
        }
        int uid = (Integer) a.get("uid");
        int mode = (Integer) a.get("mode");
        if ((mode & 0002) != 0) {
            throw new IOException("refusing " + what + ": it is world-writable (mode "
                    + String.format("%04o", mode & 07777) + "), so any user could replace the pidfile. Use a"
                    + " directory only root (or the daemon's user) can write, e.g. /run/NAME");
        }
        if (uid != 0 && uid != trustedUid && trustedUid < 0 && userNotKnown != null) {
            throw new IOException("refusing " + what + ": it is owned by uid " + uid + ", and only root is trusted: "
                    + userNotKnown + ". Else give it to root, or use another path");
        }
        if (uid != 0 && uid != trustedUid) {
            throw new IOException("refusing " + what + ": it is owned by uid " + uid + ", neither root nor the"
                    + " daemon's user" + (trustedUid < 0 ? " (no user is set)" : "") + ". Give it to root (or the"
                    + " daemon's user), or use another path" + (trustedUid < 0 ? "; if the daemon runs as uid " + uid
                    + ", set that user (DaemonContext.user; daemonrunner.jar: --user NAME, as start had it)" : ""));
        }
    }
}
