// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The daemon's files, absolute (resolved against the launch directory by {@link #absolute}).
 *
 * @param stdin what it reads as standard input
 * @param stdout the log its standard output is appended to
 * @param stderr the log its standard error is appended to
 * @param pidfile its pidfile
 */
public record DaemonPaths(Path stdin, Path stdout, Path stderr, Path pidfile) {
    /**
     * {@code path} made absolute against {@code base} as the kernel resolves it from there, for a process that
     * opens it later from another directory: {@code .} names are dropped, and a {@code ..} goes with the name
     * before it only when that name is a directory itself, not a symbolic link. After a link, {@code ..} leads to
     * the parent of the link's target, not back where the link is, so {@code a/link/../x} is kept as it is (as is
     * a {@code ..} after a missing name), for the kernel to resolve: {@link Path#normalize()} would drop
     * {@code link/..} and name another file. An absolute {@code path} is cleaned the same way.
     *
     * @param base an absolute directory
     * @throws IllegalArgumentException when {@code base} is relative
     */
    public static Path absolute(Path base, Path path) {
        if (!base.isAbsolute()) {
            throw new IllegalArgumentException("Not an absolute base directory: " + base);
        }
        Path resolved = base.resolve(path);
        if (resolved.normalize().equals(resolved)) {
            return resolved; // no '.' or '..' in it (the common case, on every command's path): nothing to look at
        }
        Path result = resolved.getRoot();
        for (Path name : resolved) {
            String text = name.toString();
            if (text.equals(".")) {
                continue;
            }
            if (text.equals("..") && (result.getNameCount() == 0 // "/.." is "/"
                    || !result.getFileName().toString().equals("..")
                    && Files.isDirectory(result, LinkOption.NOFOLLOW_LINKS))) {
                result = result.getParent() == null ? result : result.getParent();
                continue;
            }
            result = result.resolve(name);
        }
        return result;
    }
}
