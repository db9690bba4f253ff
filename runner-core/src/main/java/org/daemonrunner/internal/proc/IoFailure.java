// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * What the OS said when a file operation failed, in words for an operator ({@code no such file}, {@code permission
 * denied}, {@code it is a directory}), not the JDK's exception class and path: the one place that words an
 * {@link IOException} (errno from native calls is {@code PosixException}'s). The caller's message already names
 * the file and says what to do next.
 */
public final class IoFailure {
    private IoFailure() {
    }

    /** Whether {@code e} says that there was no room to write: a full file system (ENOSPC), or a quota (EDQUOT). */
    public static boolean isNoSpace(IOException e) {
        String text = e instanceof FileSystemException ? ((FileSystemException) e).getReason() : e.getMessage();
        return "No space left on device".equals(text) || "Disk quota exceeded".equals(text);
    }

    /** The reason {@code e} gives, lower case, without the path or the exception's class name. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "it is not a directory";
        }
        String text = e instanceof FileSystemException ? ((FileSystemException) e).getReason() : e.getMessage();
        if (e instanceof FileNotFoundException && text != null && text.endsWith(")") && text.lastIndexOf(" (") >= 0) {
            text = text.substring(text.lastIndexOf(" (") + 2, text.length() - 1); // "PATH (Is a directory)"
        }
        if (text == null || text.isBlank()) {
            return "an I/O error (" + e.getClass().getSimpleName() + ")";
        }
        switch (text) {
            case "No such file or directory":
                return "no such file";
            case "Permission denied":
                return "permission denied";
            case "Is a directory":
                return "it is a directory";
            case "Not a directory":
                return "a part of its path is not a directory";
            case "Too many levels of symbolic links":
                return "too many levels of symbolic links (a link that leads to itself?)";
            case "No space left on device":
                return "no space left on device (ENOSPC)";
            case "Disk quota exceeded":
                return "disk quota exceeded (EDQUOT)";
            default:
                return text.length() > 1 && Character.isLowerCase(text.charAt(1))
                        ? text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1) : text;
        }
    }
}
