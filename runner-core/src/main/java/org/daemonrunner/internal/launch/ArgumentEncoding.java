// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.daemonrunner.internal.proc.ProcessTable;

/**
 * Whether arguments survive being passed on to another process unchanged. A JVM decodes its command line, and
 * encodes a child's, in the encoding its locale names ({@code sun.jnu.encoding}): under the C or POSIX locale
 * (no {@code LANG}, as in many containers) that is ASCII, so an argument {@code héllo} reaches {@code main} as
 * {@code h\uFFFD\uFFFDllo} and a relaunched daemon as {@code h??llo}, silently. What cannot be passed on is refused
 * instead, saying which argument and what to set.
 */
public final class ArgumentEncoding {
    private static final String LOCALE = "(its locale's: LC_ALL, LC_CTYPE or LANG)";

    private ArgumentEncoding() {
    }

    /**
     * Returns why the first of {@code decoded}, the last arguments of this JVM's command line as Java received
     * them, would not reach a child process as the bytes that were given ({@code /proc/self/cmdline}); empty when
     * each one would, when the command line cannot be read, or when {@code decoded} is not what its last arguments
     * decode to (they came from an argument file, {@code @file}, whose bytes are not there to compare).
     */
    public static Optional<String> lossyOnThisCommandLine(List<String> decoded) {
        List<byte[]> given = ProcessTable.commandLineBytes(Path.of("/proc/self/cmdline"));
        if (given.size() < decoded.size()) {
            return Optional.empty();
        }
        Charset charset = charset();
        List<byte[]> last = given.subList(given.size() - decoded.size(), given.size());
        for (int i = 0; i < decoded.size(); i++) {
            if (!new String(last.get(i), charset).equals(decoded.get(i))) {
                return Optional.empty(); // not these arguments' bytes
            }
        }
        for (int i = 0; i < decoded.size(); i++) {
            if (!Arrays.equals(last.get(i), decoded.get(i).getBytes(charset))) {
                return Optional.of("the argument \"" + escaped(last.get(i)) + "\" is not valid " + charset + ", the"
                        + " encoding this JVM reads its command line in " + LOCALE + ", so it cannot be passed on"
                        + " unchanged; " + fix(charset));
            }
        }
        return unencodable(decoded);
    }

    /**
     * Returns why the first of {@code arguments} cannot be given to a child process as it is: a character the
     * encoding of children's command lines lacks, or (JDK 17 with a {@code file.encoding} that is not the locale's)
     * bytes the child would read back as other characters. Empty when all can.
     */
    public static Optional<String> unencodable(List<String> arguments) {
        Charset children = childCharset();
        Charset own = charset();
        CharsetEncoder encoder = children.newEncoder();
        for (String argument : arguments) {
            if (!encoder.canEncode(argument) || !new String(argument.getBytes(children), own).equals(argument)) {
                String shown = "the argument \"" + escaped(argument.getBytes(StandardCharsets.UTF_8)) + "\" (UTF-8)";
                return Optional.of(children.equals(own)
                        ? shown + " has characters that " + children + ", the encoding of this JVM's command lines "
                                + LOCALE + ", lacks, so it cannot be passed on unchanged; " + fix(children)
                        : shown + " cannot be passed on unchanged: this JVM writes its children's command lines in "
                                + children + " (its file.encoding, on JDK 17), and they read them in " + own + ", the"
                                + " locale's; remove -Dfile.encoding=" + children + " from the java command, or make"
                                + " it the locale's");
            }
        }
        return Optional.empty();
    }

    /**
     * Returns why {@code value}, a setting (a path, a user name) given on this JVM's command line or in a UTF-8
     * file, cannot be used as given: read wrong (U+FFFD where a byte was not valid in the locale's encoding), or
     * with characters the locale's encoding, that of file names and of children's arguments, lacks. Empty when it
     * can.
     */
    public static Optional<String> unusable(String value) {
        Charset own = charset();
        String shown = "\"" + escaped(value.replace('\uFFFD', '?').getBytes(StandardCharsets.UTF_8)) + "\"";
        if (value.indexOf('\uFFFD') >= 0) {
            return Optional.of(shown + " was not valid " + own + " as given, the encoding this JVM reads its command"
                    + " line in " + LOCALE + ", so it cannot be used as given; " + fix(own));
        }
        if (!own.newEncoder().canEncode(value)) {
            return Optional.of(shown + " (UTF-8) has characters that " + own + ", the encoding of file names and"
                    + " command lines here " + LOCALE + ", lacks; " + fix(own));
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
                + " reads it, is not valid " + charset() + ", the encoding this JVM reads names in " + LOCALE + ", so"
                + " paths relative to it would name other files; " + (charset().equals(StandardCharsets.UTF_8)
                ? "run this from another directory, or give this one a UTF-8 name"
                : "run this again with a UTF-8 locale, e.g. LC_ALL=C.UTF-8, or from another directory"));
    }

    /** What to do about bytes that {@code charset}, the locale's, cannot read. */
    private static String fix(Charset charset) {
        return charset.equals(StandardCharsets.UTF_8)
                ? "give it in UTF-8, as the locale says (bytes in another encoding cannot pass through a JVM unchanged)"
                : "run this again with a UTF-8 locale, e.g. LC_ALL=C.UTF-8";
    }

    /** The encoding of this JVM's command line, as it read it ({@code sun.jnu.encoding}, from the locale). */
    static Charset charset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (RuntimeException unknown) {
            return Charset.defaultCharset();
        }
    }

    /**
     * The encoding this JVM gives its children's command lines in: the locale's, as it reads its own, since JDK 18;
     * before, {@code file.encoding} ({@code ProcessBuilder} used {@code String.getBytes()}).
     */
    static Charset childCharset() {
        return Runtime.version().feature() < 18 ? Charset.defaultCharset() : charset();
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
