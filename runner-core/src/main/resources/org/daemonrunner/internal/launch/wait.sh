# SPDX-License-Identifier: Apache-2.0
# The launch's waiting shell (as the daemon's user): starts the daemon's JVM and reports on it to the launcher,
# one line each on its standard output (a pipe the launcher reads):
#   PID <pid>      the JVM started
#   READY          the daemon signalled this shell (TERM, or CONT, which any process of the session may send)
#   EXIT <status>  the JVM exited first (128+N: killed by signal N)
# Arguments: the JVM's command line, in which the word @DAEMONRUNNER_PARENT@ becomes -Ddaemonrunner.daemon=<this
# shell's pid>, so that the daemon knows whom to signal. The JVM reads the launcher's stdin (moved to fd 3 and
# back, as a background job's stdin would otherwise be /dev/null) and writes its stdout to the log on fd 4.
for a do shift; [ "$a" = @DAEMONRUNNER_PARENT@ ] && a="-Ddaemonrunner.daemon=$$"; set -- "$@" "$a"; done
trap 'echo READY; exit 0' TERM CONT
exec 3<&0
"$@" 0<&3 3<&- 1>&4 4>&- &
exec 4>&-
echo "PID $!"
wait $!
echo "EXIT $?"
