// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

/**
 * The two shells of a launch ({@link LaunchSteps} runs them with {@code /bin/sh -c}). Text blocks in a class, not
 * resource files: reading a resource from a jar costs the launcher about 9 ms of URL-connection classes.
 */
final class LaunchScripts {
    /**
     * The launch's first shell (run by setsid, in the daemon's working directory, as the launcher's user).
     * Arguments: {@code UMASK CORE_LIMIT COMMAND...} (CORE_LIMIT {@code -}: leave the limit as it is).
     * It sets the umask and the core-file limit, then replaces itself with COMMAND: the user switch, if any,
     * running {@link #LOGS}. On a failure it reports {@code EXIT 126} to the launcher, as the daemon's exit would be.
     */
    static final String SETUP = """
            mask=$1 core=$2; shift 2
            umask "$mask" || { echo 'EXIT 126'; exit 1; }
            [ "$core" = - ] || ulimit -c "$core" || { echo 'EXIT 126'; exit 1; }
            exec "$@"
            """;

    /**
     * The shell that opens the daemon's files, as the daemon's user (after the user switch, if any): root never
     * opens a path that the daemon's user could point elsewhere with a symbolic link. Arguments:
     * {@code STDOUT_LOG STDERR_LOG STDIN COMMAND...}. It opens the stdout log on fd 4 and the stderr log on fd 2
     * (appending, created with the umask {@link #SETUP} set), and stdin on fd 0, then replaces itself with COMMAND
     * ({@link #WAIT}). On a failure it reports {@code EXIT 126} ({@code command exec}: a failed redirection of a
     * plain {@code exec} would end the shell before it could).
     */
    static final String LOGS = """
            command exec 4>>"$1" || { echo 'EXIT 126'; exit 1; }
            command exec 2>>"$2" || { echo 'EXIT 126'; exit 1; }
            command exec 0<"$3" || { echo 'EXIT 126'; exit 1; }
            shift 3
            exec "$@"
            """;

    /**
     * The launch's waiting shell (as the daemon's user): starts the daemon's JVM and reports on it to the launcher,
     * one line each on its standard output (a pipe the launcher reads):
     * <ul>
     *   <li>{@code PID <pid>}: the JVM started;</li>
     *   <li>{@code READY}: the daemon signalled this shell (TERM, or CONT, which any process of the session may
     *       send);</li>
     *   <li>{@code EXIT <status>}: the JVM exited first (128+N: killed by signal N).</li>
     * </ul>
     * Arguments: the JVM's command line, in which the word {@value Relaunch#PARENT_PLACEHOLDER} becomes
     * {@code -Ddaemonrunner.daemon=<this shell's pid>}, so that the daemon knows whom to signal. The JVM reads the
     * launcher's stdin (moved to fd 3 and back, as a background job's stdin would otherwise be /dev/null) and
     * writes its stdout to the log on fd 4.
     */
    static final String WAIT = """
            for a do shift; [ "$a" = @DAEMONRUNNER_PARENT@ ] && a="-Ddaemonrunner.daemon=$$"; set -- "$@" "$a"; done
            trap 'echo READY; exit 0' TERM CONT
            exec 3<&0
            "$@" 0<&3 3<&- 1>&4 4>&- &
            exec 4>&-
            echo "PID $!"
            wait $!
            echo "EXIT $?"
            """;

    private LaunchScripts() {
    }
}
