// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Whether arguments survive being passed on to another process unchanged. A JVM decodes its command line, and
 * encodes a child's, in the encoding its locale names ({@code sun.jnu.encoding}): under the C or POSIX locale
 * (no {@code LANG}, as in many containers) that is ASCII, so an argument {@code héllo} reaches {@code main} as
 * {@code h\uFFFD\uFFFDllo} and a relaunched daemon as {@code h??llo}, silently. What cannot be passed on is refused
 * instead, saying which argument and what to set.
 */
public final class ArgumentEncoding {
    private static final String FIX = "run this again with a UTF-8 locale, e.g. LC_ALL=C.UTF-8";

    private ArgumentEncoding() {
    }

    /**
     * Returns why the first of {@code decoded}, the last arguments of this JVM's command line as Java received
     * them, is not the bytes that were given ({@code /proc/self/cmdline}); empty when each one is, when the command
     * line cannot be read, or when {@code decoded} is not what its last arguments decode to (they came from an
     * argument file, {@code @file}, whose bytes are not there to compare).
     */
    public static Optional<String> lossyOnThisCommandLine(List<String> decoded) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
        List<byte[]> given = split(raw);
        if (given.size() < decoded.size()) {
            return Optional.empty();
        }
        Charset charset = charset();
        int first = given.size() - decoded.size();
        for (int i = 0; i < decoded.size(); i++) {
            if (!new String(given.get(first + i), charset).equals(decoded.get(i))) {
                return Optional.empty(); // not these arguments' bytes
            }
        }
        for (int i = 0; i < decoded.size(); i++) {
            byte[] bytes = given.get(first + i);
            if (!Arrays.equals(bytes, decoded.get(i).getBytes(charset))) {
                return Optional.of("the argument \"" + escaped(bytes) + "\" is not valid " + charset + ", the"
                        + " encoding this JVM reads its command line in (its locale's: LC_ALL, LC_CTYPE or LANG), so"
                        + " it cannot be passed on unchanged; " + FIX);
            }
        }
        return Optional.empty();
    }

    /**
     * Returns why the first of {@code arguments} cannot be given to a child process as it is (a character its
     * command line's encoding lacks); empty when all can.
     */
    public static Optional<String> unencodable(List<String> arguments) {
        CharsetEncoder encoder = charset().newEncoder();
        for (String argument : arguments) {
            if (!encoder.canEncode(argument)) {
                return Optional.of("the argument \"" + escaped(argument.getBytes(StandardCharsets.UTF_8)) + "\""
                        + " (UTF-8) has characters that " + encoder.charset() + ", the encoding of this JVM's"
                        + " command lines (its locale's: LC_ALL, LC_CTYPE or LANG), lacks, so it cannot be passed on"
                        + " unchanged; " + FIX);
            }
        }
        return Optional.empty();
    }

    /**
     * Returns why the working directory's name, as this JVM read it ({@code user.dir}), is not the directory's (a
     * byte its encoding lacks, read as U+FFFD): paths made absolute against it would name other files. Empty when
     * it was read whole.
     */
    public static Optional<String> lossyWorkingDirectory() {
        String directory = System.getProperty("user.dir", "");
        if (directory.indexOf('\uFFFD') < 0) {
            return Optional.empty();
        }
        return Optional.of("the name of the working directory, " + directory.replace('\uFFFD', '?') + " as this JVM"
                + " reads it, is not valid " + charset() + ", the encoding this JVM reads names in (its locale's:"
                + " LC_ALL, LC_CTYPE or LANG), so paths relative to it would name other files; " + FIX
                + ", or from another directory");
    }

    /** The encoding of this JVM's command line and of its children's. */
    static Charset charset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (RuntimeException unknown) {
            return Charset.defaultCharset();
        }
    }

    /** The NUL-terminated arguments of a {@code /proc/PID/cmdline}. */
    static List<byte[]> split(byte[] raw) {
        List<byte[]> arguments = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                arguments.add(Arrays.copyOfRange(raw, start, i));
                start = i + 1;
            }
        }
        if (start < raw.length) {
            arguments.add(Arrays.copyOfRange(raw, start, raw.length));
        }
        return arguments;
    }

    /** {@code bytes} as printable ASCII, every other byte as {@code \xHH}. */
    static String escaped(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                text.append((char) c);
            } else {
                text.append(String.format("\\x%02x", c));
            }
        }
        return text.toString();
    }
}
