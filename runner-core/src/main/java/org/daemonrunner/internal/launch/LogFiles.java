// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.daemonrunner.DaemonEnvironmentException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.proc.FileAccess;
import org.daemonrunner.internal.proc.IoFailure;
import org.daemonrunner.internal.proc.UserAccount;

/**
 * Step 1 for the daemon's logs: checked, and made when missing, before anything detaches, so that a log that
 * cannot be written fails {@code start} in one line. Root never opens, creates or gives away a log (or opens
 * stdin) through a path that another user could change: for a daemon that switches users before its JVM starts,
 * the logs are opened by that user ({@link LaunchScripts#LOGS}, after {@code setpriv}), and root makes a missing log
 * (and gives it to the user) only where no user but root can change a directory on the way
 * ({@link #changeableByOthers}); a daemon whose files root opens (it stays root, or drops privileges after init)
 * is refused such a path ({@link #requireOnlyRootCanChange}), and checks again before it opens a log by its path
 * itself ({@link #unsafeForRoot}). Also what makes a file unfit as stdin, and whether two of the daemon's paths
 * are one file.
 */
public final class LogFiles {
    private static final int TYPE = 0170000;
    private static final int FIFO = 0010000;
    private static final int DIRECTORY = 0040000;
    private static final int MAX_LINKS = 40; // as the kernel's ELOOP
    private static final String STDIN = "standard input";

    private LogFiles() {
    }

    /** Opens {@code log} to append, creating it with the daemon's umask applied, as the daemon would have. */
    static void openForAppend(Path log, String what, int umask) {
        refuseFifoOrDirectory(log, what);
        try {
            if (!Files.exists(log, LinkOption.NOFOLLOW_LINKS)) {
                create(log, umask);
            }
            Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
        } catch (AccessDeniedException e) {
            throw new DaemonEnvironmentException("Cannot start: " + what + " " + log + " is not writable"
                    + " (permission denied). Fix its permissions, or run as its owner.", ExitStatus.PRIVILEGE, e);
        } catch (NoSuchFileException e) {
            throw new DaemonEnvironmentException("Cannot start: directory " + log.getParent() + " does not exist"
                    + " (for " + what + " " + log + "). Create it, or set another path.", ExitStatus.FAILURE, e);
        } catch (FileSystemException e) {
            throw new DaemonEnvironmentException("Cannot start: cannot open " + what + " " + log + ": "
                    + IoFailure.reason(e) + ". Set another path.",
                    ExitStatus.FAILURE, e);
        } catch (IOException e) {
            throw new DaemonEnvironmentException("Cannot start: cannot open " + what + " " + log + ": "
                    + IoFailure.reason(e) + ".", ExitStatus.FAILURE, e);
        }
    }

    /**
     * For a daemon that switches to {@code user} before its JVM starts: where no user but root can change the way
     * to {@code log}, makes it if missing and gives it to the user while it is empty; then checks, from mode bits,
     * that the user can append to it (or create it). The user's own shell opens it ({@link LaunchScripts#LOGS}).
     *
     * @throws DaemonEnvironmentException (status 4) when the user could not open it, naming what blocks it
     */
    static void prepareForUser(Path log, String what, UserAccount user, int umask) {
        refuseFifoOrDirectory(log, what);
        if (changeableByOthers(log).isEmpty()) {
            try {
                if (!Files.exists(log, LinkOption.NOFOLLOW_LINKS)) {
                    create(log, umask);
                    LaunchSteps.chown(log, user);
                } else if (Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS) && Files.size(log) == 0) {
                    LaunchSteps.chown(log, user);
                }
            } catch (NoSuchFileException e) {
                throw new DaemonEnvironmentException("Cannot start: directory " + log.getParent() + " does not exist"
                        + " (for " + what + " " + log + "). Create it, or set another path.", ExitStatus.FAILURE, e);
            } catch (IOException e) {
                throw new DaemonEnvironmentException("Cannot start: giving " + what + " " + log + " to user "
                        + user.name() + " failed: " + IoFailure.reason(e) + ".", ExitStatus.FAILURE, e);
            }
        }
        FileAccess access = new FileAccess(user);
        Optional<String> denied;
        if (Files.exists(log)) {
            denied = access.denial(log, FileAccess.WRITE, FileAccess.WRITE);
        } else {
            Path directory = missingTarget(log).getParent();
            if (!Files.isDirectory(directory)) {
                throw new DaemonEnvironmentException("Cannot start: directory " + directory + " does not exist"
                        + " (for " + what + " " + log + "). Create it, or set another path.", ExitStatus.FAILURE, null);
            }
            denied = access.denial(directory, FileAccess.WRITE | FileAccess.EXECUTE,
                    FileAccess.WRITE | FileAccess.EXECUTE);
        }
        if (denied.isPresent()) {
            throw new DaemonEnvironmentException("Cannot start: user " + user.name() + " cannot " + (Files.exists(log)
                    ? "write " : "create ") + what + " " + log + ": " + denied.get() + ". The daemon opens its logs as"
                    + " its user: give the user access, or set another path.", ExitStatus.PRIVILEGE, null);
        }
    }

    /**
     * For a daemon whose files root opens (one that stays root, or that drops privileges to {@code dropTo} only
     * after init): refuses a log or stdin on a way that another user could change, who could point it, with a
     * symbolic link, at a file of root's (appended to), a FIFO (start would hang) or a device.
     *
     * @param dropTo the user the daemon becomes after init; null for a daemon that stays root
     * @throws DaemonEnvironmentException (status 4) naming the directory and who could change it
     */
    static void requireOnlyRootCanChange(Path path, String what, UserAccount dropTo) {
        Optional<String> changeable = changeableByOthers(path);
        if (changeable.isEmpty()) {
            return;
        }
        boolean log = !what.equals(STDIN);
        throw new DaemonEnvironmentException("Cannot start: " + what + " " + path + " is opened by root" + (dropTo
                == null ? "" : " (the daemon drops privileges to " + dropTo.name() + " only after init)") + ", and "
                + changeable.get() + ", who could point it at any file with a symbolic link" + (log ? ""
                : " (a FIFO that would hang start, a device, a file only root may read)") + ". Put "
                + (log ? "the log" : "it") + " in a directory only root can write, or " + (dropTo == null
                ? "run the daemon as its own user (--user; DaemonContext.Builder.user), who then opens it."
                : "switch users before the JVM starts."), ExitStatus.PRIVILEGE, null);
    }

    /**
     * For the daemon's own opens of a log by its path, after {@code start} checked it ({@code reopen-logs}, the
     * line on how it exited): why this process, as root, must not open {@code log} now
     * ({@code directory /tmp is writable by every user, who could point it at any file with a symbolic link}),
     * as after a rename out of a sticky directory, where any user may make the name again; empty when this
     * process is not root, or when no other user can change the way.
     */
    public static Optional<String> unsafeForRoot(Path log) {
        Optional<String> changeable = UserAccount.currentUid() == 0 ? changeableByOthers(log) : Optional.empty();
        return changeable.isEmpty() ? changeable
                : Optional.of(changeable.get() + ", who could point it at any file with a symbolic link");
    }

    /**
     * Why a user other than root could change where {@code path} leads: the first directory, on the way the kernel
     * takes (each symbolic link followed, the last one too), that such a user can write
     * ({@code directory /var/log/app is writable by nobody}); empty when none can. A directory with the sticky bit
     * (such as /tmp) counts as safe for an entry in it that root owns. A missing entry ends the way (the open says
     * so).
     */
    public static Optional<String> changeableByOthers(Path path) {
        Path directory = path.getRoot();
        Deque<String> names = new ArrayDeque<>();
        for (Path name : path) { // loops, not lambdas: no bootstrap in the launcher
            names.add(name.toString());
        }
        int links = 0;
        while (!names.isEmpty()) {
            String name = names.pop();
            if (name.equals(".") || name.isEmpty()) {
                continue;
            }
            if (name.equals("..")) {
                directory = directory.getParent() == null ? directory : directory.getParent();
                continue;
            }
            Path next = directory.resolve(name);
            Map<String, Object> here = attributes(directory, "unix:uid,gid,mode");
            Map<String, Object> entry = attributes(next, "unix:uid,mode");
            Optional<String> writer = writer(directory, here);
            boolean stickyAndRoots = here != null && ((Integer) here.get("mode") & 01000) != 0 && entry != null
                    && (Integer) entry.get("uid") == 0;
            if (writer.isPresent() && !stickyAndRoots) {
                return writer;
            }
            if (entry == null) {
                return Optional.empty();
            }
            if (((Integer) entry.get("mode") & TYPE) == 0120000) {
                if (++links > MAX_LINKS) {
                    return Optional.of("the way to it has more than " + MAX_LINKS + " symbolic links");
                }
                Path target;
                try {
                    target = Files.readSymbolicLink(next);
                } catch (IOException e) {
                    return Optional.of("symbolic link " + next + " cannot be read (" + IoFailure.reason(e) + ")");
                }
                List<String> more = new ArrayList<>();
                for (Path part : target) {
                    more.add(part.toString());
                }
                for (int i = more.size() - 1; i >= 0; i--) {
                    names.push(more.get(i));
                }
                if (target.isAbsolute()) {
                    directory = target.getRoot();
                }
                continue;
            }
            directory = next;
        }
        return Optional.empty();
    }

    private static Map<String, Object> attributes(Path path, String names) {
        try {
            return Files.readAttributes(path, names, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return null; // missing, or cannot be told: the open says what is wrong
        }
    }

    /** Who other than root may write {@code directory}, as {@code directory D is writable by nobody}. */
    private static Optional<String> writer(Path directory, Map<String, Object> stat) {
        if (stat == null) {
            return Optional.empty(); // cannot be told: the open says what is wrong
        }
        int uid = (Integer) stat.get("uid");
        int mode = (Integer) stat.get("mode");
        String who;
        if (uid != 0) { // its owner may give itself write permission
            who = ownerName(directory, uid);
        } else if ((mode & 0002) != 0) {
            who = "every user";
        } else if ((mode & 0020) != 0 && (Integer) stat.get("gid") != 0) {
            who = "group " + groupName(directory, (Integer) stat.get("gid"));
        } else {
            return Optional.empty();
        }
        return Optional.of("directory " + directory + " is writable by " + who);
    }

    private static String groupName(Path path, int gid) {
        try {
            return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).group().getName();
        } catch (IOException | RuntimeException e) {
            return Integer.toString(gid);
        }
    }

    private static String ownerName(Path path, int uid) {
        try {
            return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName();
        } catch (IOException | RuntimeException e) {
            return "uid " + uid;
        }
    }

    /** A FIFO would block the open; a directory cannot be appended to: both refused before anything starts. */
    private static void refuseFifoOrDirectory(Path log, String what) {
        int type;
        try {
            type = (Integer) Files.getAttribute(log, "unix:mode") & TYPE;
        } catch (IOException | RuntimeException absentOrUnknown) {
            return; // absent (created later) or unreadable (the open says why)
        }
        if (type == FIFO) {
            throw new DaemonEnvironmentException("Cannot start: " + what + " " + log + " is a FIFO; writing to it"
                    + " would block until something reads it. Use a regular file (or /dev/null).",
                    ExitStatus.FAILURE, null);
        }
        if (type == DIRECTORY) {
            throw new DaemonEnvironmentException("Cannot start: " + what + " " + log + " is a directory. Set the path"
                    + " of a file in it.", ExitStatus.FAILURE, null);
        }
    }

    /**
     * Step 1 for stdin: it must exist, be readable (by the daemon's user, who opens it, when it switches before its
     * JVM starts), and be something an open for reading returns from at once: a FIFO would block the launch until
     * something writes to it (and no start timeout covers that), a directory cannot be read, a socket cannot be
     * opened. When root opens it, no other user may be able to change the way to it: though only read, it could be
     * swapped for a FIFO after these checks, for a device whose open does something, or for a file only root may
     * read, which the daemon would take in.
     *
     * @param switchTo the user who opens it; null when this process's user does
     * @param rootOpens whether root opens it
     * @param dropTo the user a daemon that root opens it for becomes after init; null for none
     */
    static void checkStdin(Path stdin, UserAccount switchTo, boolean rootOpens, UserAccount dropTo) {
        if (rootOpens) {
            requireOnlyRootCanChange(stdin, STDIN, dropTo);
        }
        String type = unfitAsStdin(stdin);
        if (type != null) {
            throw new DaemonEnvironmentException("Cannot start: standard input " + stdin + " is " + type
                    + ". Set a regular file or a device as stdin (such as /dev/null).", ExitStatus.FAILURE, null);
        }
        if (!Files.isReadable(stdin)) {
            throw new DaemonEnvironmentException("Cannot start: standard input " + stdin + (Files.exists(stdin)
                    ? " is not readable" : " does not exist") + ". Fix it, or set another stdin path.",
                    Files.exists(stdin) ? ExitStatus.PRIVILEGE : ExitStatus.FAILURE, null);
        }
        Optional<String> denied = switchTo == null ? Optional.empty()
                : new FileAccess(switchTo).denial(stdin, FileAccess.READ, FileAccess.READ);
        if (denied.isPresent()) {
            throw new DaemonEnvironmentException("Cannot start: user " + switchTo.name() + " cannot read standard"
                    + " input " + stdin + ": " + denied.get() + ". The daemon opens it as its user: give the"
                    + " user access, or set another stdin path.", ExitStatus.PRIVILEGE, null);
        }
    }

    /** What makes {@code file} unfit as stdin ({@code a FIFO; opening it ...}), or null. */
    private static String unfitAsStdin(Path file) {
        int type;
        try {
            type = (Integer) Files.getAttribute(file, "unix:mode") & 0170000;
        } catch (IOException | RuntimeException absentOrUnknown) {
            return null; // the checks that follow say what is wrong
        }
        switch (type) {
            case 0010000:
                return "a FIFO; opening it would block until something writes to it, and start would wait for ever";
            case 0040000:
                return "a directory, which cannot be read as a stream";
            case 0140000:
                return "a socket, which cannot be opened as a file";
            default:
                return null;
        }
    }

    /**
     * The same path, two paths to the same existing file (through a link), or, for files still to be made, the
     * same name in the same directory. Asked of the file system, not of the names: {@code a/link/../x} may be
     * {@code a/x} or another file ({@link DaemonPaths#absolute}).
     */
    static boolean isSameFile(Path a, Path b) {
        if (a.toAbsolutePath().equals(b.toAbsolutePath())) {
            return true;
        }
        try {
            if (Files.exists(a) || Files.exists(b)) {
                return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
            }
            Path directoryA = a.toAbsolutePath().getParent();
            Path directoryB = b.toAbsolutePath().getParent();
            return directoryA != null && directoryB != null && a.getFileName().equals(b.getFileName())
                    && Files.exists(directoryA) && Files.exists(directoryB) && Files.isSameFile(directoryA, directoryB);
        } catch (IOException e) {
            return false; // cannot be told: the checks that follow say what is wrong with either
        }
    }

    /** Where a missing log would be made: its path, or where the dangling symbolic link it is leads. */
    private static Path missingTarget(Path log) {
        try {
            if (Files.isSymbolicLink(log)) {
                return DaemonPaths.absolute(log.getParent(), Files.readSymbolicLink(log));
            }
        } catch (IOException e) {
            // the open says what is wrong
        }
        return log;
    }

    /** Creates {@code log} ({@code O_EXCL}: never through a symbolic link) with the daemon's umask applied. */
    private static void create(Path log, int umask) throws IOException {
        try {
            Files.createFile(log);
            Files.setPosixFilePermissions(log, permissions(0666 & ~umask)); // not the launcher's umask
        } catch (FileAlreadyExistsException created) {
            // by someone else, just now: theirs
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ ... OTHERS_EXECUTE: 0400 ... 0001
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (0400 >> i)) != 0) {
                permissions.add(bits[i]);
            }
        }
        return permissions;
    }
}
