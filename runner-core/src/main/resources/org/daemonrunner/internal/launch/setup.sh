# SPDX-License-Identifier: Apache-2.0
# The launch's first shell (run by setsid, in the daemon's working directory, as the launcher's user).
# Arguments: STDOUT_LOG UMASK CORE_LIMIT COMMAND...   (CORE_LIMIT "-": leave the limit as it is)
# It opens the stdout log on fd 4 (before any user switch, so root may write a log the daemon's user could not
# open), sets the umask and the core-file limit, then replaces itself with COMMAND: the user switch, if any,
# running wait.sh. On a failure it reports "EXIT 126" to the launcher, as the daemon's exit would be.
out=$1 mask=$2 core=$3; shift 3
exec 4>>"$out" || { echo 'EXIT 126'; exit 1; }
umask "$mask" || { echo 'EXIT 126'; exit 1; }
[ "$core" = - ] || ulimit -c "$core" || { echo 'EXIT 126'; exit 1; }
exec "$@"
