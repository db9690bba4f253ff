// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

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
        // a regular file only (a log may be a link to one): opening a FIFO for reading would block
        if (!Files.isRegularFile(file)) {
            return "";
        }
        try (SeekableByteChannel in = Files.newByteChannel(file, StandardOpenOption.READ)) {
            long length = in.size();
            if (length <= from) {
                return "";
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(length - from, maxBytes));
            in.position(length - bytes.capacity());
            while (bytes.hasRemaining() && in.read(bytes) > 0) {
                // read on
            }
            return new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
