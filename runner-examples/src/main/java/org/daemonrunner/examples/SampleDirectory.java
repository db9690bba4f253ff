// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The sample's default directory, {@code <tmp>/daemonrunner-sample}: made for the current user alone, or, when it
 * exists, used only if it is a directory (not a link) of the current user's that no one else may write to. In a
 * shared temp directory anyone can make that name first; its owner could then put a link where the sample writes
 * (the data file, the logs) and have the sample's lines appended to a file of the sample user's.
 */
final class SampleDirectory {
    private SampleDirectory() {
    }

    /**
     * Makes {@code dir} (mode 700) if it does not exist; returns null when it may be used, else the message that
     * refuses it.
     */
    static String refusal(Path dir) {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            return null;
        } catch (FileAlreadyExistsException e) {
            return checkExisting(dir);
        } catch (IOException | UnsupportedOperationException e) {
            return "Cannot create the sample's directory " + dir + ": " + e + ". Give another with --dir DIR.";
        }
    }

    private static String checkExisting(Path dir) {
        PosixFileAttributes attributes;
        int owner;
        try {
            attributes = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "Cannot use the sample's directory " + dir + ": cannot read its owner and mode: " + e
                    + ". Give another with --dir DIR.";
        }
        String advice = " Another user could put a link there and have the sample append to a file of yours: remove"
                + " it (if it is not yours, ask its owner or root), or give a directory of your own with --dir DIR.";
        if (attributes.isSymbolicLink() || !attributes.isDirectory()) {
            return "Refusing the sample's directory " + dir + ": it is " + (attributes.isSymbolicLink()
                    ? "a symbolic link" : "not a directory") + ", not a directory of your own." + advice;
        }
        int self = currentUid();
        if (owner != self) {
            return "Refusing the sample's directory " + dir + ": it is owned by " + attributes.owner().getName()
                    + " (uid " + owner + "), not by you (uid " + self + ")." + advice;
        }
        Set<PosixFilePermission> mode = attributes.permissions();
        if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            return "Refusing the sample's directory " + dir + ": others may write to it (mode "
                    + PosixFilePermissions.toString(mode) + ")." + " Another user could put a link there and have"
                    + " the sample append to a file of yours: chmod go-w " + dir + " (and remove what you did not"
                    + " put there), or give a directory of your own with --dir DIR.";
        }
        return null;
    }

    /** This process's user id: the owner of its {@code /proc/self} directory (Linux). */
    private static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1; // matches no owner: the directory is refused, saying so
        }
    }
}
