// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.posix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.daemonrunner.internal.proc.IoFailure;

/**
 * Decides where jffi (under jnr) unpacks its native library, before it first loads, and says why when it cannot.
 * Left to itself, jffi unpacks into {@code java.io.tmpdir}, and when that fails (a {@code noexec} temp directory,
 * common on hardened servers) it unpacks into the working directory, which for a daemon is {@code /}. Here the
 * temp directory is chosen deliberately ({@code jffi.extract.dir}, which also turns jffi's fallback off), or, when
 * it is mounted {@code noexec}, the load fails at once with a message naming the option to set. A directory that
 * cannot be written (read-only under systemd's {@code ProtectSystem=strict}, missing, not permitted) is named with
 * what the OS said, once the load has failed: jnr's own error says neither.
 */
final class NativeLoading {
    static final String EXTRACT_DIR = "jffi.extract.dir";
    private static final String BOOT_PATH = "jffi.boot.library.path";

    private NativeLoading() {
    }

    /**
     * Sets {@code jffi.extract.dir} to the temp directory unless the user chose a directory (or a boot path).
     *
     * @throws PosixException when the directory jffi would use is on a {@code noexec} mount, saying what to set
     */
    static synchronized void prepare() {
        requireJnr();
        if (System.getProperty(BOOT_PATH) != null) {
            return;
        }
        String chosen = System.getProperty(EXTRACT_DIR);
        Path directory = Path.of(chosen != null ? chosen : System.getProperty("java.io.tmpdir", "/tmp"));
        String mount = noexecMountOf(directory);
        if (mount != null) {
            throw new PosixException("Native code cannot be loaded: jffi (jnr) unpacks its library into " + directory
                    + (chosen != null ? " (-D" + EXTRACT_DIR + ")" : " (the temp directory)") + ", which is on " + mount
                    + ", mounted noexec. Add -D" + EXTRACT_DIR + "=DIR to the java command line, with a directory on"
                    + " a file system without noexec that the daemon's user can write (for example /var/lib/NAME)");
        }
        if (chosen == null) {
            System.setProperty(EXTRACT_DIR, directory.toString()); // and never the working directory
        }
    }

    /**
     * The failure {@code e} of loading jnr's native code, in an operator's words: when the directory jffi unpacks
     * into cannot be written, which one, what the OS said and what to set; otherwise what jnr and jffi said.
     */
    static PosixException notLoaded(Throwable e) {
        String extractDir = System.getProperty(EXTRACT_DIR);
        if (System.getProperty(BOOT_PATH) == null && extractDir != null) {
            Path directory = Path.of(extractDir);
            String unwritable = unwritable(directory);
            if (unwritable != null) {
                boolean temp = directory.equals(Path.of(System.getProperty("java.io.tmpdir", "/tmp")));
                PosixException failure = new PosixException("Native code cannot be loaded: jffi (jnr) unpacks its"
                        + " library into " + directory + (temp ? " (the temp directory)" : " (-D" + EXTRACT_DIR + ")")
                        + ", which " + unwritable + ". " + (temp ? "Add -D" + EXTRACT_DIR + "=DIR to the java command"
                        + " line, with a directory" : "Point -D" + EXTRACT_DIR + " at a directory") + " that the"
                        + " daemon's user can write on a file system without noexec (for example /var/lib/NAME, and"
                        + " under systemd's ProtectSystem=strict ReadWritePaths=/var/lib/NAME)" + (temp ? "; or, under"
                        + " systemd, give the service PrivateTmp=yes, a /tmp of its own that it can write" : ""));
                failure.initCause(e);
                return failure;
            }
        }
        Set<String> said = new LinkedHashSet<>();
        for (Throwable t = e; t != null && said.size() < 4; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                said.add(t.getMessage().strip().replaceAll("\\s+", " "));
            }
        }
        PosixException failure = new PosixException("Native code cannot be loaded (jnr and its native library,"
                + " jffi): " + (said.isEmpty() ? e.toString() : String.join("; caused by: ", said)) + ". Point -D"
                + EXTRACT_DIR + " at a directory that the daemon's user can write on a file system without noexec, or"
                + " -D" + BOOT_PATH + " at one that holds jffi's library for this platform");
        failure.initCause(e);
        return failure;
    }

    /**
     * Why jffi cannot unpack its library into {@code directory}, in the OS's words ("does not exist", "cannot be
     * written: read-only file system"), found by creating a file there and deleting it; null when that works.
     */
    static String unwritable(Path directory) {
        try {
            if (!Files.readAttributes(directory, BasicFileAttributes.class).isDirectory()) {
                return "is not a directory";
            }
        } catch (NoSuchFileException e) {
            // some JDKs (25) report ENOTDIR, a file on the way, as no such file
            for (Path up = directory.toAbsolutePath().getParent(); up != null; up = up.getParent()) {
                if (Files.exists(up)) {
                    return Files.isDirectory(up) ? "does not exist"
                            : "cannot be reached: a part of its path is not a directory";
                }
            }
            return "does not exist";
        } catch (IOException e) {
            return "cannot be reached: " + IoFailure.reason(e);
        }
        try {
            Files.delete(Files.createTempFile(directory, "jffi", ".probe"));
            return null;
        } catch (IOException e) {
            return "cannot be written: " + IoFailure.reason(e);
        }
    }

    /**
     * Checks that jnr is on the class path: an application may leave jnr-posix (4.5 MB of the 4.7 MB a fat jar
     * carries) out of its build, and then only the features that need native calls fail, with this message.
     *
     * @throws PosixException naming what is missing and what it turns off
     */
    static void requireJnr() {
        try {
            Class.forName("jnr.ffi.LibraryLoader", false, NativeLoading.class.getClassLoader());
            Class.forName("jnr.posix.POSIXFactory", false, NativeLoading.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new PosixException("Native calls need jnr-posix and jnr-ffi, which are not on the class path (left"
                    + " out of this build: " + e.getMessage() + "). Without them, reopen-logs, systemd notification,"
                    + " LISTEN_FDS socket activation, dropPrivilegesAfterInit and a umask, core limit or user applied"
                    + " in the foreground ('run') cannot work; add com.github.jnr:jnr-posix back to use them");
        }
    }

    /** The mount point of {@code directory} if it is mounted {@code noexec}, else null (also when unknown). */
    static String noexecMountOf(Path directory) {
        try {
            return noexecMountOf(directory.toRealPath(),
                    Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return null; // jffi's own error will say what went wrong
        }
    }

    /** The same, from the lines of {@code /proc/self/mountinfo}, for {@code real}, a path without links. */
    static String noexecMountOf(Path real, List<String> mounts) {
        String best = null;
        boolean noexec = false;
        for (String line : mounts) {
            // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
            String[] f = line.split(" ");
            if (f.length < 6) {
                continue;
            }
            String point = unescape(f[4]);
            if (real.startsWith(point) && (best == null || point.length() >= best.length())) {
                best = point;
                noexec = (',' + f[5] + ',').contains(",noexec,");
            }
        }
        return noexec ? best : null;
    }

    /** mountinfo writes a space as {@code \040}, and so on: octal escapes. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                try {
                    out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                    // not an escape: keep the backslash
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}
