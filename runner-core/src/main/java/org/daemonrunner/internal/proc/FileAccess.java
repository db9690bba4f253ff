// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether another user may reach a file, told as the kernel tells it from the file's owner, group and mode bits
 * and the user's uid, group and supplementary groups, without switching to that user: one {@code stat} per path
 * and per directory on the way (each directory once per instance). The user's groups are looked up only when a
 * file's group bits and other bits disagree. A path with an ACL ({@code +} in {@code ls -l}) is never refused on
 * its mode bits alone. Not for root, who may read and search everything.
 */
public final class FileAccess {
    /** Read permission. */
    public static final int READ = 4;
    /** Write permission on a file; on a directory, permission to create and remove entries. */
    public static final int WRITE = 2;
    /** Execute permission on a file, search permission on a directory. */
    public static final int EXECUTE = 1;

    private static final int TYPE = 0170000;
    private static final int DIRECTORY = 0040000;

    private final UserAccount user;
    private final Map<Path, Optional<String>> directories = new HashMap<>();
    private Set<Integer> groups;
    private boolean groupsUnknown;

    /** The access of {@code user}; nothing is read yet. */
    public FileAccess(UserAccount user) {
        this.user = user;
    }

    /**
     * Returns why the user cannot {@code need} ({@link #READ}, {@link #WRITE}, {@link #EXECUTE}, or a sum)
     * {@code path}, or search a directory on the way to it (as given, and after its symbolic links):
     * {@code /root is drwx------ root:root}.
     * Empty when it can, when {@code path} does not exist (nothing to refuse), or when it cannot be told.
     *
     * @param path an absolute path
     * @param need the permission bits the user needs on {@code path} itself
     * @param directoryNeed the bits it needs when {@code path} is a directory
     */
    public Optional<String> denial(Path path, int need, int directoryNeed) {
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // absent, or not ours to tell: the JVM says what it makes of it
        }
        Optional<String> denied = directoriesTo(path);
        if (denied.isEmpty() && !real.equals(path)) {
            denied = directoriesTo(real);
        }
        if (denied.isPresent()) {
            return denied;
        }
        try {
            Map<String, Object> stat = Files.readAttributes(real, "unix:mode,uid,gid");
            int mode = (Integer) stat.get("mode");
            return check(real, stat, (mode & TYPE) == DIRECTORY ? directoryNeed : need);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Why a directory above {@code path} cannot be searched, each directory stat'ed once. */
    private Optional<String> directoriesTo(Path path) {
        Path directory = path.getRoot();
        for (int i = 0; i < path.getNameCount() - 1; i++) {
            directory = directory.resolve(path.getName(i));
            Path current = directory;
            Optional<String> denied = directories.get(current);
            if (denied == null) {
                try {
                    denied = check(current, Files.readAttributes(current, "unix:mode,uid,gid"), EXECUTE);
                } catch (IOException | RuntimeException e) {
                    denied = Optional.empty();
                }
                directories.put(current, denied);
            }
            if (denied.isPresent()) {
                return denied;
            }
        }
        return Optional.empty();
    }

    private Optional<String> check(Path path, Map<String, Object> stat, int need) {
        int mode = (Integer) stat.get("mode");
        if (allows(mode, (Integer) stat.get("uid"), (Integer) stat.get("gid"), need) || hasAcl(path)) {
            return Optional.empty();
        }
        return Optional.of(path + " is " + describe(path, mode));
    }

    /** The kernel's rule: the owner's bits for the owner, else the group's for a member, else the others'. */
    private boolean allows(int mode, int owner, int group, int need) {
        if (owner == user.uid()) {
            return ((mode >> 6) & need) == need;
        }
        boolean byGroup = ((mode >> 3) & need) == need;
        boolean byOthers = (mode & need) == need;
        if (byGroup == byOthers) {
            return byOthers; // membership does not matter: no lookup
        }
        if (group == user.gid()) {
            return byGroup;
        }
        if (groups == null && !groupsUnknown) {
            try {
                groups = user.groupIds();
            } catch (IOException | RuntimeException e) {
                groupsUnknown = true;
            }
        }
        return groupsUnknown || (groups.contains(group) ? byGroup : byOthers); // unknown groups refuse nothing
    }

    /** Whether {@code path} has an ACL beyond its mode bits: asked only of a path the mode bits refuse. */
    private static boolean hasAcl(Path path) {
        try {
            Command.Result ls = Command.run("ls", "-ld", "--", path.toString());
            return ls.exit() != 0 || (ls.output().length() > 10 && ls.output().charAt(10) == '+');
        } catch (IOException e) {
            return true; // cannot tell: not refused on mode bits alone
        }
    }

    /** {@code drwx------ root:root}, as {@code ls -l} shows the mode, owner and group. */
    private static String describe(Path path, int mode) {
        StringBuilder text = new StringBuilder();
        text.append((mode & TYPE) == DIRECTORY ? 'd' : (mode & TYPE) == 0120000 ? 'l' : '-');
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            text.append((mode & (0400 >> i)) != 0 ? letters.charAt(i) : '-');
        }
        special(text, mode, 04000, 3, 's');
        special(text, mode, 02000, 6, 's');
        special(text, mode, 01000, 9, 't');
        try {
            PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class);
            text.append(' ').append(attributes.owner().getName()).append(':').append(attributes.group().getName());
        } catch (IOException | RuntimeException e) {
            // the mode alone
        }
        return text.toString();
    }

    private static void special(StringBuilder text, int mode, int bit, int at, char letter) {
        if ((mode & bit) != 0) {
            text.setCharAt(at, text.charAt(at) == 'x' ? letter : Character.toUpperCase(letter));
        }
    }
}
