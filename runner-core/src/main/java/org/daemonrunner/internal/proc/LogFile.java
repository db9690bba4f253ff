// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads what a process appended to a log: its size before, and what came after it. One reader for {@code start}'s
 * failure report, {@code force-stop}'s thread dump and {@code reopen-logs}' check.
 */
public final class LogFile {
    private LogFile() {
    }

    /** The file's size, or 0 when it cannot be read (it does not exist yet, say). */
    public static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * What was appended to {@code file} after its first {@code from} bytes, at most its last {@code maxBytes}, as
     * UTF-8; empty when nothing was, or the file cannot be read.
     */
    public static String appended(Path file, long from, int maxBytes) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (length <= from) {
                return "";
            }
            byte[] bytes = new byte[(int) Math.min(length - from, maxBytes)];
            in.seek(length - bytes.length);
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
