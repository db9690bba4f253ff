// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.wrap;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.daemonrunner.InvalidActionException;
import org.daemonrunner.internal.launch.DaemonPaths;
import org.daemonrunner.internal.proc.IoFailure;

/**
 * A {@code --config} file as written: {@code key=value} lines, {@code #} comment lines and blank lines, then the
 * {@code JAVA_ARGS} after a {@code --} line, one a line. A value is taken as it stands, so what would not mean what
 * the operator meant is refused naming the file, the line and the key: quotes around a value (they would be part of
 * it), a {@code #} comment after it (it would be too), and a relative path (it would be resolved against the
 * directory the command is run from, not the file's). {@link WrapperOptions} checks what the values mean.
 *
 * @param settings the {@code key=value} lines, in file order
 * @param javaArgs the lines after {@code --}, or null when the file has no {@code --} line
 */
record ConfigFile(List<Setting> settings, List<String> javaArgs) {
    /**
     * One {@code key=value} line.
     *
     * @param key the key, a long option name without dashes
     * @param value the value, blanks at its ends removed
     * @param where {@code key 'K' in FILE line N}, for messages
     */
    record Setting(String key, String value, String where) {
    }

    /**
     * Reads {@code file}.
     *
     * @throws InvalidActionException when it cannot be read, or a line is not one of the above, naming the line
     */
    static ConfigFile read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (CharacterCodingException e) {
            throw new InvalidActionException("Cannot read config " + file + ": it is not UTF-8 text (" + e + ")."
                    + " Save it as UTF-8.");
        } catch (IOException e) {
            throw new InvalidActionException("Cannot read config " + file + ": " + IoFailure.reason(e) + ". Give"
                    + " --config the path of a readable file of key=value lines.");
        }
        List<Setting> settings = new ArrayList<>();
        List<String> javaArgs = null;
        Map<String, Integer> lineOf = new HashMap<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = n == 0 && lines.get(0).startsWith("\uFEFF") ? lines.get(0).substring(1) : lines.get(n);
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (javaArgs != null) {
                javaArgs.add(trimmed);
                continue;
            }
            if (trimmed.equals("--")) {
                javaArgs = new ArrayList<>();
                continue;
            }
            int eq = trimmed.indexOf('=');
            String key = eq < 0 ? trimmed : trimmed.substring(0, eq).strip();
            String where = "key '" + key + "' in " + file + " line " + (n + 1);
            if (eq < 0 && WrapperOptions.KEYS.contains(key)) {
                throw new InvalidActionException("No value for " + where + ": write " + key + "=VALUE.");
            }
            if (lineOf.containsKey(key)) {
                throw new InvalidActionException("Key '" + key + "' given twice in " + file + ", lines "
                        + lineOf.get(key) + " and " + (n + 1) + ".");
            }
            lineOf.put(key, n + 1);
            if (eq < 0 || !WrapperOptions.KEYS.contains(key)) {
                throw new InvalidActionException("Unknown " + where + " (keys: " + String.join(", ", sortedKeys())
                        + "; JAVA_ARGS go after a line '--', one a line).");
            }
            String value = trimmed.substring(eq + 1).strip();
            checkWritten(key, value, file, where);
            settings.add(new Setting(key, value, where));
        }
        return new ConfigFile(List.copyOf(settings), javaArgs == null ? null : List.copyOf(javaArgs));
    }

    /** Refuses a value that would be read as something else than the operator meant. */
    private static void checkWritten(String key, String value, Path file, String where) {
        char first = value.isEmpty() ? ' ' : value.charAt(0);
        if (value.length() >= 2 && (first == '"' || first == '\'') && value.charAt(value.length() - 1) == first) {
            throw new InvalidActionException("Quoted value for " + where + ": quotes are not removed, they would be"
                    + " part of the value. Write " + key + "=" + value.substring(1, value.length() - 1) + ".");
        }
        for (int i = 1; i < value.length(); i++) {
            if (value.charAt(i) == '#' && Character.isWhitespace(value.charAt(i - 1))) {
                throw new InvalidActionException("Comment after the value of " + where + ": '#' starts a comment"
                        + " only at the start of a line, so the value would be '" + value + "'. Put the comment on"
                        + " a line of its own, and write " + key + "=" + value.substring(0, i).strip() + ".");
            }
        }
        String path = key.equals("ready") && value.startsWith("file:") ? value.substring(5)
                : WrapperOptions.PATH_KEYS.contains(key) && !(key.equals("java") && value.indexOf('/') < 0) ? value
                : null; // a bare --java name is looked up on PATH
        if (path != null && !path.isEmpty() && !path.startsWith("/")) {
            String meant = DaemonPaths.absolute(file.toAbsolutePath().getParent(), Path.of(path)).toString();
            throw new InvalidActionException("Relative path for " + where + ": '" + path + "' would be resolved"
                    + " against the directory daemonrunner.jar is run from, not against the file's. Write it"
                    + " absolute, e.g. " + key + "=" + (key.equals("ready") ? "file:" : "") + meant + ".");
        }
    }

    private static List<String> sortedKeys() {
        List<String> keys = new ArrayList<>(WrapperOptions.KEYS);
        keys.sort(null);
        return keys;
    }
}
