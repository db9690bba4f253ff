// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.wrap;

import org.daemonrunner.internal.runner.ActionParser;

/**
 * What {@code daemonrunner.jar} says about itself: the usage text ({@code --help}, on standard output), its version
 * ({@code --version}), and the one-line pointer to {@code --help} after a usage error, which keeps the error's
 * cause in sight rather than above a screenful of text.
 */
final class WrapperUsage {
    static final String SYNOPSIS = "java -jar daemonrunner.jar --pidfile FILE [options] ACTION [action options]"
            + " [-- JAVA_ARGS...]";
    private static final String OPTIONS = String.join(System.lineSeparator(),
            "Options (defaults in parentheses):",
            "  --pidfile FILE         required; locked by the daemon for its whole life",
            "  --stdout FILE          (NAME.out beside the pidfile, NAME being its name without .pid)",
            "  --stderr FILE          (NAME.err beside the pidfile)",
            "  --stdin FILE           (/dev/null)",
            "  --user NAME            run the daemon as this user (the caller)",
            "  --group NAME           its primary group, with --user (the user's)",
            "  --umask OCTAL          (022)",
            "  --chdir DIR            the daemon's working directory (/)",
            "  --java PATH            the daemon's java, a path or a name on PATH (the java running this jar)",
            "  --start-timeout D      how long start waits for readiness, e.g. 500ms, 10s, 2m (60s)",
            "  --stop-timeout D       how long stop waits after SIGTERM (10s)",
            "  --stop-schedule S      signals and waits for stop, e.g. TERM/30/KILL/5 (TERM/<stop-timeout>)",
            "  --pidfile-timeout D    how long a new daemon waits for one still stopping (10s)",
            "  --ready WHEN           main-returned, port:N or file:PATH (main-returned)",
            "  --config FILE          the options as key=value lines, absolute paths; JAVA_ARGS after a line",
            "                         '--', one a line; the command line wins over the file",
            "  -h, --help             print this text",
            "  --version              print daemonrunner.jar's version");
    private static final String JAVA_ARGS = String.join(System.lineSeparator(),
            "JAVA_ARGS: what you give java to run the program in the foreground (e.g. -Xmx64m -jar app.jar 8080);",
            "  start, restart, run and systemd-unit need them.",
            "Exit status 2: a usage error; for the others, see the actions.");

    private WrapperUsage() {
    }

    /** What the arguments ask for instead of an action: {@code --help} (or {@code -h}), {@code --version}. */
    enum Request { HELP, VERSION }

    /**
     * Returns {@code --help}, {@code -h} or {@code --version} when one is given before {@code --} (not as an
     * option's value), else null: asking for help is never an error, wherever it is written.
     */
    static Request requested(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                break;
            } else if (arg.equals("--help") || arg.equals("-h")) {
                return Request.HELP;
            } else if (arg.equals("--version")) {
                return Request.VERSION;
            }
            String name = arg.startsWith("--") ? arg.substring(2) : "";
            if (WrapperOptions.KEYS.contains(name) || name.equals("config") || name.equals("timeout")
                    || name.equals("type")) {
                i++; // its value
            }
        }
        return null;
    }

    /** The whole usage text, for {@code --help}. */
    static String text() {
        String nl = System.lineSeparator();
        return "Usage: " + SYNOPSIS + nl
                + "       java -jar daemonrunner.jar --config FILE [options] ACTION [action options] [-- JAVA_ARGS...]"
                + nl + nl + OPTIONS + nl + nl + "Actions:" + ActionParser.actionList() + nl + nl + JAVA_ARGS + nl;
    }

    /** The line after a usage error's cause. */
    static String pointer() {
        return "Usage: " + SYNOPSIS + System.lineSeparator()
                + "Run 'java -jar daemonrunner.jar --help' for the options and actions.";
    }

    /**
     * {@code daemonrunner.jar VERSION}: the jar manifest's {@code Implementation-Version}, which the build sets to
     * the project's version.
     */
    static String version() {
        String version = WrapperUsage.class.getPackage().getImplementationVersion();
        return "daemonrunner.jar " + (version == null ? "(version unknown: not run from daemonrunner.jar, whose"
                + " manifest says it)" : version);
    }
}
