#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmarks the sample daemon (daemonrunner) against the floor of a bare JVM start, a plain app doing the
# same work without the runner, and, where installed, jsvc, python-daemon's runner and start-stop-daemon.
#
#   runner-examples/bench/bench.sh [--java PATH] [--rounds N] [--spring-rounds N] [--csv FILE] [--jar FILE]
#
# "daemonrunner + AppCDS/AOT" rows run the same commands with the archive the README's recipe builds.
# "daemonrunner.jar" rows wrap a plain HttpServer program (HttpApp, knows nothing of daemonrunner) with
# runner-core/target/daemonrunner.jar --ready port:N; "HttpApp (java -cp)" is that program in the foreground,
# until its port accepts. Those rows are skipped, saying so, when daemonrunner.jar has not been built.
# "daemonrunner.jar + Spring Boot" rows wrap a real Spring Boot web app the same way (a copy of
# spring-boot-app/target/spring-boot-app-0.1.0-SNAPSHOT.jar, nested jars, given --server.port=N), and
# "Spring Boot (java -jar)" is that app in the foreground, until its port accepts. Spring Boot starts in
# seconds, so those rows are measured in the warm-up and the first --spring-rounds rounds only (default 3); they
# are skipped, saying so, when that jar has not been built or with --spring-rounds 0.
#
# Expects runner-examples/target/sample-daemon.jar (build it from the repository root with
# `mvn -B -q package -DskipTests`) and runs a copy of it, so that a rebuild during the run changes nothing;
# compiles only its own helpers (Hello, PlainApp, SampleOptions, JsvcApp) into a temp dir.
# Each round runs every measurement once, each one right after a floor run (floor, A, floor, B, ...), starting
# from a different place in the list each round; one warm-up round is not recorded. Every operation gets its
# own fresh temp dir, removed afterwards, and no daemon is left running: each is stopped with its own tool, and
# only if that fails is the exact pid from the pidfile this script created signalled. Installs nothing.
#
# Times are wall-clock ms from bash's $EPOCHREALTIME (no fork to read the clock). "returns" is when the command
# returned; "first line" / "pid gone" / "new first line" is when its effect was observed (the daemon appended
# its first line; the old pid exited or is a zombie; the new daemon appended its first line), polled every 2 ms.
set -uo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
JAR=$REPO/runner-examples/target/sample-daemon.jar
WRAPPER_JAR=$REPO/runner-core/target/daemonrunner.jar
SPRING_JAR=$REPO/spring-boot-app/target/spring-boot-app-0.1.0-SNAPSHOT.jar
INTERVAL=5          # seconds between two data lines (the sample's default), for every daemon measured
IDLE_SECONDS=3      # how long a daemon has been idle when its memory and threads are read
POLL=0.002          # seconds between two looks at an effect
EFFECT_TIMEOUT=30   # seconds to wait for an effect

JAVA=$(command -v java || true)
ROUNDS=15
SPRING_ROUNDS=3
CSV=bench-results.csv

usage() {
    cat <<EOF
Usage: $0 [--java PATH] [--rounds N] [--spring-rounds N] [--csv FILE] [--jar FILE]
  --java PATH         the java executable (default: java on PATH: ${JAVA:-none})
  --rounds N          measured rounds (default 15), after one warm-up round
  --spring-rounds N   of those, how many (the first N) also measure the Spring Boot rows (default 3; 0: none)
  --csv FILE          where the result rows go as CSV (default bench-results.csv in the current directory)
  --jar FILE          the sample daemon jar (default: $JAR)
Needs $JAR: build it from $REPO with: mvn -B -q package -DskipTests
(which also builds daemonrunner.jar and the Spring Boot app; their rows are skipped without them)
EOF
}

die() {
    echo "bench.sh: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case $1 in
        --java) [ $# -ge 2 ] || die "--java needs a path"; JAVA=$2; shift 2 ;;
        --java=*) JAVA=${1#*=}; shift ;;
        --rounds) [ $# -ge 2 ] || die "--rounds needs a number"; ROUNDS=$2; shift 2 ;;
        --rounds=*) ROUNDS=${1#*=}; shift ;;
        --spring-rounds) [ $# -ge 2 ] || die "--spring-rounds needs a number"; SPRING_ROUNDS=$2; shift 2 ;;
        --spring-rounds=*) SPRING_ROUNDS=${1#*=}; shift ;;
        --csv) [ $# -ge 2 ] || die "--csv needs a file"; CSV=$2; shift 2 ;;
        --csv=*) CSV=${1#*=}; shift ;;
        --jar) [ $# -ge 2 ] || die "--jar needs a file"; JAR=$2; shift 2 ;;
        --jar=*) JAR=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done

[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer, not '$ROUNDS'"
[[ $SPRING_ROUNDS =~ ^(0|[1-9][0-9]*)$ ]] || die "--spring-rounds must be 0 or a positive integer, not '$SPRING_ROUNDS'"
[ -n "$JAVA" ] || die "no java on PATH; give one with --java PATH"
if [[ $JAVA != */* ]]; then
    JAVA=$(command -v "$JAVA") || die "java executable not found: $JAVA"
fi
[ -x "$JAVA" ] || die "not an executable: $JAVA"
[ -f "$JAR" ] || die "the sample daemon jar is missing: $JAR
Build it first, from the repository root: cd $REPO && mvn -B -q package -DskipTests"
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash 5 or later (for \$EPOCHREALTIME)"

JAVA_REAL=$(readlink -f "$JAVA")
JDK_HOME=$(dirname "$(dirname "$JAVA_REAL")")
JAVAC=$JDK_HOME/bin/javac
[ -x "$JAVAC" ] || JAVAC=$(command -v javac) || die "no javac next to $JAVA_REAL nor on PATH (needed for the helpers)"
JAVA_VERSION=$("$JAVA" -version 2>&1 | head -n 2 | tail -n 1)
case $CSV in /*) ;; *) CSV=$PWD/$CSV ;; esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/daemonrunner-bench.XXXXXX") || die "cannot create a temp dir"
CLASSES=$WORK/classes
LOGS=$WORK/logs
SAMPLES=$WORK/samples.tsv
mkdir -p "$CLASSES" "$LOGS"
JAR_SOURCE=$(readlink -f "$JAR")
cp "$JAR_SOURCE" "$WORK/sample-daemon.jar" || die "cannot copy $JAR_SOURCE"
JAR=$WORK/sample-daemon.jar
if [ -f "$WRAPPER_JAR" ]; then
    cp "$WRAPPER_JAR" "$WORK/daemonrunner.jar" || die "cannot copy $WRAPPER_JAR"
    WRAPPER_JAR=$WORK/daemonrunner.jar
else
    WRAPPER_JAR=""
fi
# the Spring Boot rows: skipped, and said so, without the app's jar, without daemonrunner.jar, or with
# --spring-rounds 0
SPRING_SKIP="" SPRING_SOURCE=""
if [ "$SPRING_ROUNDS" = 0 ]; then
    SPRING_SKIP="skipped: Spring Boot rows: --spring-rounds 0"
elif [ ! -f "$SPRING_JAR" ]; then
    SPRING_SKIP="skipped: Spring Boot rows: ${SPRING_JAR#"$REPO"/} not built (from $REPO: mvn -B -q package -DskipTests)"
elif [ -z "$WRAPPER_JAR" ]; then
    SPRING_SKIP="skipped: Spring Boot rows: they need runner-core/target/daemonrunner.jar (mvn -B -q package -DskipTests)"
fi
if [ -z "$SPRING_SKIP" ]; then
    SPRING_SOURCE=$(readlink -f "$SPRING_JAR")
    cp "$SPRING_SOURCE" "$WORK/spring-boot-app.jar" || die "cannot copy $SPRING_SOURCE"
    SPRING_JAR=$WORK/spring-boot-app.jar
else
    SPRING_JAR=""
fi
: >"$SAMPLES"
mkfifo "$WORK/sleep.fifo"
exec 9<>"$WORK/sleep.fifo"   # read -t on fd 9 sleeps without a fork; every child gets 9>&-

RECORDING=0  # 1 while samples are kept (not in the warm-up)
OP_DIRS=()   # every op dir created; removed by teardown_dir
BG_PIDS=()   # every process this script started with & (exact pids)

# ---------------------------------------------------------------------------------------------------------
# Cleanup: stop every daemon with its own tool; last resort, signal the pid recorded in a pidfile this script
# created, and only if that process's command line names the op dir (so a reused pid is never hit).

pid_alive() { # PID: alive and not a zombie
    local line
    [ -r "/proc/$1/stat" ] || return 1
    read -r line <"/proc/$1/stat" 2>/dev/null || return 1
    line=${line##*) }
    [[ ${line:0:1} != [ZX] ]]
}

pid_gone() { ! pid_alive "$1"; }

read_pid() { # FILE -> prints the pid it records, or nothing
    local pid=""
    [ -f "$1" ] && read -r pid <"$1" 2>/dev/null
    [[ $pid =~ ^[0-9]+$ ]] && [ "$pid" -gt 1 ] && echo "$pid"
}

cmdline_names() { # PID DIR: whether the process's command line mentions DIR
    local cmd
    cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *"$2"* ]]
}

last_resort_kill() { # DIR PIDFILE
    local pid i
    pid=$(read_pid "$2") || return 0
    [ -n "$pid" ] && pid_alive "$pid" || return 0
    if ! cmdline_names "$pid" "$1"; then
        echo "bench.sh: pid $pid in $2 is not one of ours (its command line does not name $1): left alone" >&2
        return 0
    fi
    echo "bench.sh: last resort: SIGTERM to pid $pid (from $2)" >&2
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 500; i++)); do pid_alive "$pid" || return 0; read -r -t 0.02 -u 9 _; done
    echo "bench.sh: last resort: SIGKILL to pid $pid (from $2)" >&2
    kill -KILL "$pid" 2>/dev/null
}

teardown_dir() { # DIR: stop whatever runs there, keep its stderr logs, remove it
    local d=$1 f
    [ -d "$d" ] || return 0
    [ -f "$d/sample.pid" ] && dr stop "$d" >>"$LOGS/teardown.out" 2>>"$LOGS/teardown.err" 9>&-
    [ -f "$d/jsvc.pid" ] && jsvc_cmd stop "$d" >>"$LOGS/teardown.out" 2>>"$LOGS/teardown.err" 9>&-
    [ -f "$d/ssd.pid" ] && ssd_cmd stop "$d" >>"$LOGS/teardown.out" 2>>"$LOGS/teardown.err" 9>&-
    [ -f "$d/wr.pid" ] && wr_cmd stop "$d" >>"$LOGS/teardown.out" 2>>"$LOGS/teardown.err" 9>&-
    [ -f "$d/sb.pid" ] && sb_cmd stop "$d" >>"$LOGS/teardown.out" 2>>"$LOGS/teardown.err" 9>&-
    if [ -f "$d/py.pid" ]; then
        local pid
        pid=$(read_pid "$d/py.pid")
        py_cmd stop "$d" >>"$LOGS/teardown.out" 2>>"$LOGS/teardown.err" 9>&-
        [ -n "$pid" ] && wait_gone_quietly "$pid"
    fi
    for f in "$d"/*.pid; do
        [ -e "$f" ] && last_resort_kill "$d" "$f"
    done
    for f in sample jsvc py run wr sb; do
        [ -s "$d/$f.err" ] && cat "$d/$f.err" >>"$LOGS/daemon-$f.err"
    done
    rm -rf "$d"
}

stop_bg() { # PID: a process this script started with &: SIGTERM to exactly that pid, then reap it
    local pid=$1 i
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < 500; i++)); do pid_alive "$pid" || break; read -r -t 0.02 -u 9 _; done
        pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
}

teardown_all() {
    local d pid
    for pid in "${BG_PIDS[@]}"; do stop_bg "$pid"; done
    for d in "${OP_DIRS[@]}"; do teardown_dir "$d"; done
}

cleanup() {
    trap - EXIT INT TERM HUP
    teardown_all
    exec 9>&-
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "bench.sh: interrupted" >&2; exit 130' INT TERM HUP

new_dir() { # sets D to a fresh temp dir for one operation
    D=$(mktemp -d "$WORK/op.XXXXXX") || die "cannot create a temp dir"
    OP_DIRS+=("$D")
}

# ---------------------------------------------------------------------------------------------------------
# The tools. Each takes ACTION DIR.

dr() { "$JAVA" -jar "$JAR" "$1" --dir "$2" --interval "$INTERVAL"; }

# the same, with the archive the README's recipe builds (see build_archive): a dynamic AppCDS archive, or on JDK 25
# and later an AOT cache; the daemon inherits the option and maps its own archive
CDS_DIR=$WORK/cds
JAVA_FEATURE=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2 }')
if [ "${JAVA_FEATURE%%.*}" -ge 25 ] 2>/dev/null; then
    ARCHIVE=$CDS_DIR/sample.aot ARCHIVE_WRITE=-XX:AOTCacheOutput ARCHIVE_READ=-XX:AOTCache ARCHIVE_ON=-XX:AOTMode=on
else
    ARCHIVE=$CDS_DIR/sample.jsa ARCHIVE_WRITE=-XX:ArchiveClassesAtExit ARCHIVE_READ=-XX:SharedArchiveFile ARCHIVE_ON=-Xshare:on
fi
drc() { "$JAVA" "$ARCHIVE_READ=$ARCHIVE" -jar "$JAR" "$1" --dir "$2" --interval "$INTERVAL"; }

JSVC="" JSVC_CP="" JSVC_HOME=$JDK_HOME
jsvc_cmd() {
    case $1 in
        start) "$JSVC" -home "$JSVC_HOME" -cp "$JSVC_CP" -wait 10 -pidfile "$2/jsvc.pid" -outfile "$2/jsvc.out" \
                   -errfile "$2/jsvc.err" JsvcApp "$2/sample.data" "$INTERVAL" ;;
        stop) "$JSVC" -home "$JSVC_HOME" -cp "$JSVC_CP" -stop -pidfile "$2/jsvc.pid" JsvcApp ;;
    esac
}

PYTHON="" PY_APP=$HERE/pydaemon_app.py PY_ARGS=()
py_cmd() { "$PYTHON" "$PY_APP" "$1" "$2" "$INTERVAL" "${PY_ARGS[@]}"; }

SSD=""
ssd_cmd() {
    case $1 in
        start) "$SSD" --start --background --make-pidfile --pidfile "$2/ssd.pid" --exec "$JAVA_REAL" \
                   -- -cp "$CLASSES" PlainApp "$2/sample.data" "$INTERVAL" ;;
        status) "$SSD" --status --pidfile "$2/ssd.pid" --exec "$JAVA_REAL" ;;
        stop) "$SSD" --stop --retry TERM/10 --remove-pidfile --pidfile "$2/ssd.pid" --exec "$JAVA_REAL" ;;
        restart) ssd_cmd stop "$2" && ssd_cmd start "$2" ;;
    esac
}

# daemonrunner.jar wrapping HttpApp on the port in DIR/port: start waits until the port accepts
wr_cmd() {
    local port
    read -r port <"$2/port"
    case $1 in
        start) "$JAVA" -jar "$WRAPPER_JAR" --pidfile "$2/wr.pid" --ready "port:$port" start \
                   -- -cp "$CLASSES" HttpApp "$port" ;;
        *) "$JAVA" -jar "$WRAPPER_JAR" --pidfile "$2/wr.pid" "$1" ;;
    esac
}

# daemonrunner.jar wrapping the Spring Boot app on the port in DIR/port, given with Spring's own --server.port=N
sb_cmd() {
    local port
    read -r port <"$2/port"
    case $1 in
        start) "$JAVA" -jar "$WRAPPER_JAR" --pidfile "$2/sb.pid" --ready "port:$port" start \
                   -- -jar "$SPRING_JAR" "--server.port=$port" ;;
        *) "$JAVA" -jar "$WRAPPER_JAR" --pidfile "$2/sb.pid" "$1" ;;
    esac
}

port_accepts() { # PORT: a TCP connection to 127.0.0.1:PORT is accepted (bash's /dev/tcp: no fork)
    (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The apps' ports come from below the kernel's ephemeral range (ip_local_port_range, 32768-60999 by default): a
# probe's connect to a port in that range that nobody listens on can get that very port as its own source port
# and connect to itself (TCP simultaneous open), so the port would seem to accept before the app listens.
PORT_LOW=20000 PORT_HIGH=32767 PORT_WARNING=""
if read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null && [[ $low =~ ^[0-9]+$ ]]; then
    if [ "$low" -gt 2048 ]; then
        PORT_HIGH=$((low - 1)) PORT_LOW=$((low > 13792 ? low - 12768 : 1024))
    else
        PORT_WARNING="the ephemeral port range starts at $low: the apps' ports are in it (a probe may connect to itself)"
    fi
fi

new_port() { # DIR: picks a port nobody listens on for the HttpApp or Spring Boot app in DIR, into DIR/port
    local port
    while :; do
        port=$((PORT_LOW + RANDOM % (PORT_HIGH - PORT_LOW + 1)))
        port_accepts "$port" || break
    done
    echo "$port" >"$1/port"
}

tool_cmd() { # TOOL ACTION DIR
    case $1 in
        wr) wr_cmd "$2" "$3" ;;
        sb) sb_cmd "$2" "$3" ;;
        dr) dr "$2" "$3" ;;
        drc) drc "$2" "$3" ;;
        jsvc) jsvc_cmd "$2" "$3" ;;
        py) py_cmd "$2" "$3" ;;
        ssd) ssd_cmd "$2" "$3" ;;
    esac
}

pidfile_of() { # TOOL DIR
    case $1 in
        dr|drc) echo "$2/sample.pid" ;;
        *) echo "$2/$1.pid" ;;
    esac
}

# ---------------------------------------------------------------------------------------------------------
# Timing and effects.

T0=0 T_US=0 T_DONE_US=0 RC=0

run_timed() { # LOGNAME CMD...: runs CMD, sets T0 (start, µs), T_US (duration, µs) and RC
    local name=$1
    shift
    T0=${EPOCHREALTIME/./}
    "$@" >>"$LOGS/$name.out" 2>>"$LOGS/$name.err" 9>&-
    RC=$?
    T_US=$((${EPOCHREALTIME/./} - T0))
}

has_first_line() { # DATAFILE
    local line
    [ -s "$1" ] || return 1
    while IFS= read -r line; do [[ $line == "Processing at "* ]] && return 0; done <"$1"
    return 1
}

has_new_first_line() { # DATAFILE: a "Processing" line after a "Stopped" line (the new daemon's first)
    local line stopped=0
    [ -s "$1" ] || return 1
    while IFS= read -r line; do
        [[ $line == "Stopped at "* ]] && stopped=1
        [[ $stopped == 1 && $line == "Processing at "* ]] && return 0
    done <"$1"
    return 1
}

wait_until() { # CHECK ARGS...: polls CHECK; sets T_DONE_US (µs since T0); fails after EFFECT_TIMEOUT
    local limit=$((${EPOCHREALTIME/./} + EFFECT_TIMEOUT * 1000000))
    until "$@"; do
        if [ "${EPOCHREALTIME/./}" -gt "$limit" ]; then
            return 1
        fi
        read -r -t "$POLL" -u 9 _
    done
    T_DONE_US=$((${EPOCHREALTIME/./} - T0))
}

wait_gone_quietly() { # PID
    local i
    for ((i = 0; i < 1000; i++)); do pid_alive "$1" || return 0; read -r -t 0.01 -u 9 _; done
}

record() { # TOOL OP UNTIL VALUE(µs, kB or count)
    [ "$RECORDING" = 1 ] && printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$SAMPLES"
    return 0
}

fail() { # TOOL OP DIR MESSAGE
    local name=$1-$2
    {
        echo "bench.sh: $1 $2 failed: $4"
        echo "--- last lines of $LOGS/$name.out / .err:"
        tail -n 5 "$LOGS/$name.out" "$LOGS/$name.err" 2>/dev/null
        for f in "$3"/*.err "$3"/*.out; do [ -s "$f" ] && { echo "--- $f:"; tail -n 10 "$f"; }; done
    } >&2
    exit 1
}

is_ready() { # TOOL DIR: the daemon's first line, or for the wrapped HttpApp or Spring Boot app, its port accepting
    if [ "$1" = wr ] || [ "$1" = sb ]; then
        local port
        read -r port <"$2/port"
        port_accepts "$port"
    else
        has_first_line "$2/sample.data"
    fi
}

start_ready() { # TOOL DIR: starts the daemon (not timed) and waits for its first line (wr, sb: its port)
    local name=$1-setup
    { [ "$1" = wr ] || [ "$1" = sb ]; } && new_port "$2"
    tool_cmd "$1" start "$2" >>"$LOGS/$name.out" 2>>"$LOGS/$name.err" 9>&- || fail "$1" setup "$2" "start exited $?"
    T0=${EPOCHREALTIME/./}
    wait_until is_ready "$1" "$2" || fail "$1" setup "$2" "not ready within ${EFFECT_TIMEOUT}s"
}

measure_floor() {
    run_timed floor "$JAVA" -cp "$CLASSES" Hello
    [ "$RC" = 0 ] || fail java floor "$WORK" "Hello exited $RC"
    record java "Hello (floor)" exits "$T_US"
}

# The sample without the runner, from the same jar: what every sample command pays before the runner does
# anything. "jar" is Hello with the sample jar first on the class path (the JVM opens it to look for Hello);
# "parse" is the sample's own commons-cli parse of a status command line (SampleOptions).
measure_app() { # PART
    case $1 in
        jar)
            run_timed app-jar "$JAVA" -cp "$JAR:$CLASSES" Hello
            [ "$RC" = 0 ] || fail app jar "$WORK" "exited $RC"
            record app "Hello with the sample jar on the class path" exits "$T_US"
            ;;
        parse)
            run_timed app-parse "$JAVA" -cp "$JAR:$CLASSES" SampleOptions status --dir "$WORK" --interval "$INTERVAL"
            [ "$RC" = 0 ] || fail app parse "$WORK" "exited $RC"
            record app "the sample's own option parse" exits "$T_US"
            ;;
    esac
}

measure() { # TOOL OP
    local tool=$1 op=$2 D pid port
    if [ "$tool" = app ]; then
        measure_app "$op"
        return
    fi
    new_dir
    case $op in
        start)
            { [ "$tool" = wr ] || [ "$tool" = sb ]; } && new_port "$D"
            run_timed "$tool-start" tool_cmd "$tool" start "$D"
            [ "$RC" = 0 ] || fail "$tool" start "$D" "exited $RC"
            record "$tool" start returns "$T_US"
            if [ "$tool" = wr ] || [ "$tool" = sb ]; then
                is_ready "$tool" "$D" || fail "$tool" start "$D" "start returned, but the port does not accept"
            else
                wait_until has_first_line "$D/sample.data" || fail "$tool" start "$D" "no first line"
                record "$tool" start "first line" "$T_DONE_US"
            fi
            ;;
        status)
            start_ready "$tool" "$D"
            run_timed "$tool-status" tool_cmd "$tool" status "$D"
            [ "$RC" = 0 ] || fail "$tool" status "$D" "exited $RC (expected 0: running)"
            record "$tool" status returns "$T_US"
            ;;
        stop)
            start_ready "$tool" "$D"
            pid=$(read_pid "$(pidfile_of "$tool" "$D")")
            [ -n "$pid" ] || fail "$tool" stop "$D" "no pid in $(pidfile_of "$tool" "$D")"
            run_timed "$tool-stop" tool_cmd "$tool" stop "$D"
            [ "$RC" = 0 ] || fail "$tool" stop "$D" "exited $RC"
            record "$tool" stop returns "$T_US"
            wait_until pid_gone "$pid" || fail "$tool" stop "$D" "pid $pid still alive"
            record "$tool" stop "pid gone" "$T_DONE_US"
            ;;
        restart)
            start_ready "$tool" "$D"
            run_timed "$tool-restart" tool_cmd "$tool" restart "$D"
            [ "$RC" = 0 ] || fail "$tool" restart "$D" "exited $RC"
            record "$tool" restart returns "$T_US"
            wait_until has_new_first_line "$D/sample.data" || fail "$tool" restart "$D" "no new first line"
            record "$tool" restart "new first line" "$T_DONE_US"
            ;;
        run)
            # in the foreground, started with &: until its first line; then SIGTERM to exactly that pid
            if [ "$tool" = http ] || [ "$tool" = spring ]; then
                # HttpApp or the Spring Boot app in the foreground, as daemonrunner.jar's start runs it: until
                # its port accepts
                new_port "$D"
                read -r port <"$D/port"
                T0=${EPOCHREALTIME/./}
                if [ "$tool" = http ]; then
                    "$JAVA" -cp "$CLASSES" HttpApp "$port" >>"$LOGS/http-run.out" 2>>"$LOGS/http-run.err" 9>&- &
                else
                    "$JAVA" -jar "$SPRING_JAR" "--server.port=$port" >>"$LOGS/spring-run.out" \
                        2>>"$LOGS/spring-run.err" 9>&- &
                fi
                pid=$!
                BG_PIDS+=("$pid")
                # each look forks a subshell: every 2 ms for Spring's seconds of start-up, the probe itself would
                # take a good part of a core from the app; every 20 ms is 0.5% of its time
                local probe_poll=$POLL
                [ "$tool" = spring ] && probe_poll=0.02
                POLL=$probe_poll wait_until port_accepts "$port" || fail "$tool" run "$D" "port $port does not accept"
                record "$tool" run "port accepts" "$T_DONE_US"
                # its stop without a runner: SIGTERM, until the process is gone
                T0=${EPOCHREALTIME/./}
                kill -TERM "$pid" 2>/dev/null
                wait_until pid_gone "$pid" || fail "$tool" run "$D" "pid $pid still alive after SIGTERM"
                record "$tool" "kill -TERM" "pid gone" "$T_DONE_US"
                stop_bg "$pid"
                teardown_dir "$D"
                return
            fi
            T0=${EPOCHREALTIME/./}
            if [ "$tool" = dr ]; then
                "$JAVA" -jar "$JAR" run --dir "$D" --interval "$INTERVAL" >>"$LOGS/dr-run.out" 2>>"$LOGS/dr-run.err" 9>&- &
            else
                "$JAVA" -cp "$CLASSES" PlainApp "$D/sample.data" "$INTERVAL" >>"$LOGS/plain-run.out" \
                    2>>"$LOGS/plain-run.err" 9>&- &
            fi
            pid=$!
            BG_PIDS+=("$pid")
            wait_until has_first_line "$D/sample.data" || fail "$tool" run "$D" "no first line"
            record "$tool" run "first line" "$T_DONE_US"
            stop_bg "$pid"
            ;;
    esac
    teardown_dir "$D"
}

status_field() { # PID FIELD -> the number after "FIELD:" in /proc/PID/status
    local key value rest
    while read -r key value rest; do
        [ "$key" = "$2:" ] && { echo "$value"; return 0; }
    done <"/proc/$1/status"
    return 1
}

thread_names() { # PID -> one name per line, sorted
    local t
    for t in /proc/"$1"/task/*/comm; do cat "$t" 2>/dev/null; done | sed 's/[0-9]\+$/N/' | sort
}

measure_memory() { # ROUND: every daemon and PlainApp at once; each read IDLE_SECONDS after its first line
    local tool D pid ready kb threads i
    local -A dirs=() pids=() readies=()
    for tool in "${MEM_TOOLS[@]}"; do
        new_dir
        dirs[$tool]=$D
        if [ "$tool" = plain ]; then
            T0=${EPOCHREALTIME/./}
            "$JAVA" -cp "$CLASSES" PlainApp "$D/sample.data" "$INTERVAL" >>"$LOGS/plain-mem.out" \
                2>>"$LOGS/plain-mem.err" 9>&- &
            pid=$!
            BG_PIDS+=("$pid")
            wait_until has_first_line "$D/sample.data" || fail plain memory "$D" "no first line"
        else
            start_ready "$tool" "$D"
            pid=$(read_pid "$(pidfile_of "$tool" "$D")")
            [ -n "$pid" ] || fail "$tool" memory "$D" "no pid in its pidfile"
        fi
        pids[$tool]=$pid
        readies[$tool]=${EPOCHREALTIME/./}
    done
    for tool in "${MEM_TOOLS[@]}"; do
        pid=${pids[$tool]}
        ready=${readies[$tool]}
        while [ $((${EPOCHREALTIME/./} - ready)) -lt $((IDLE_SECONDS * 1000000)) ]; do read -r -t 0.05 -u 9 _; done
        kb=$(status_field "$pid" VmRSS) || fail "$tool" memory "${dirs[$tool]}" "cannot read /proc/$pid/status"
        threads=$(status_field "$pid" Threads)
        record "$tool" "idle ${IDLE_SECONDS}s" "RSS MiB" "$kb"
        record "$tool" "idle ${IDLE_SECONDS}s" threads "$threads"
        if [ "$tool" = jsvc ]; then
            local ppid
            ppid=$(status_field "$pid" PPid) && [ "$ppid" -gt 1 ] && kb=$(status_field "$ppid" VmRSS) &&
                record jsvc "idle ${IDLE_SECONDS}s" "controller RSS MiB" "$kb"
        fi
        if [ "$1" = 1 ] && [ "$RECORDING" = 1 ]; then
            thread_names "$pid" >"$WORK/threads-$tool.txt"
        fi
    done
    for tool in "${MEM_TOOLS[@]}"; do
        if [ "$tool" = plain ]; then
            stop_bg "${pids[$tool]}"
        fi
        teardown_dir "${dirs[$tool]}"
    done
}

# ---------------------------------------------------------------------------------------------------------
# Helpers, peers.

SOURCES=("$HERE/Hello.java" "$HERE/PlainApp.java" "$HERE/SampleOptions.java" "$HERE/HttpApp.java")
DAEMON_JAR=""
for f in /usr/share/java/commons-daemon.jar /usr/share/java/commons-daemon-*.jar; do
    [ -f "$f" ] && { DAEMON_JAR=$f; break; }
done
SKIPPED=()
NOTES=()
[ -n "$PORT_WARNING" ] && NOTES+=("$PORT_WARNING")

JSVC=$(command -v jsvc || true)   # absolute: jsvc re-executes itself by that path
if [ -z "$JSVC" ]; then
    SKIPPED+=("skipped: jsvc not installed (Debian packages jsvc, libcommons-daemon-java)")
elif [ -z "$DAEMON_JAR" ]; then
    SKIPPED+=("skipped: jsvc: libcommons-daemon-java not installed (no /usr/share/java/commons-daemon.jar)")
    JSVC=""
else
    SOURCES+=("$HERE/JsvcApp.java")
    JSVC_CP=$CLASSES:$DAEMON_JAR
fi

"$JAVAC" --release 17 -XDstringConcat=inline -nowarn -cp "$JAR${DAEMON_JAR:+:$DAEMON_JAR}" -d "$CLASSES" "${SOURCES[@]}" \
    >"$LOGS/javac.log" 2>&1 || { cat "$LOGS/javac.log" >&2; die "compiling the helpers failed"; }

# Debian's python3-daemon lives in the system Python's dist-packages: try /usr/bin/python3 first
for p in /usr/bin/python3 "$(command -v python3 || true)"; do
    [ -n "$p" ] && [ -x "$p" ] && "$p" -c 'import daemon.runner' 2>/dev/null && { PYTHON=$p; break; }
done
[ -n "$PYTHON" ] || SKIPPED+=("skipped: python-daemon not installed (Debian package python3-daemon)")
if [ -n "$PYTHON" ]; then
    # as shipped: does its runner start at all on this Python?
    new_dir
    PY_ARGS=(--stock)
    if py_cmd start "$D" >"$LOGS/py-stock.out" 2>"$LOGS/py-stock.err" 9>&- && T0=${EPOCHREALTIME/./} &&
        wait_until has_first_line "$D/sample.data"; then
        NOTES+=("python-daemon's runner runs as shipped on $("$PYTHON" -V 2>&1)")
    else
        reason=$(grep -h 'Error' "$LOGS/py-stock.err" | tail -n 1)
        PY_ARGS=()
        NOTES+=("python-daemon's runner as shipped cannot run on $("$PYTHON" -V 2>&1) (${reason:-it did not start})"
            "python-daemon measured with pydaemon_app.py's override of _open_streams_from_app_stream_paths (stderr line-buffered); nothing else changed")
    fi
    teardown_dir "$D"
fi

# The README's recipe: a training restart writes the launcher's archive as it exits, and the daemon it starts
# writes its own (sample-daemon.jsa, or .aot) as it exits; every drc command then names the launcher's, and the
# daemon maps its own. Skipped, and said so, if the archives cannot be made or do not map.
build_archive() {
    local d=$WORK/cds-training
    mkdir -p "$CDS_DIR" "$d" || return 1
    "$JAVA" "$ARCHIVE_WRITE=$ARCHIVE" -jar "$JAR" restart --dir "$d" --interval "$INTERVAL" &&
        "$JAVA" -jar "$JAR" stop --dir "$d" || return 1
    [ -f "$ARCHIVE" ] && [ -f "${ARCHIVE%.*}-daemon.${ARCHIVE##*.}" ] || return 1
    # -Xshare:on (-XX:AOTMode=on) fails if the archive does not map; status says "not running" (3)
    "$JAVA" "$ARCHIVE_ON" "$ARCHIVE_READ=$ARCHIVE" -jar "$JAR" status --dir "$d"
    [ $? = 3 ]
}
OP_DIRS+=("$WORK/cds-training")
CDS=1
if ! build_archive >"$LOGS/cds.out" 2>"$LOGS/cds.err" 9>&-; then
    CDS=0
    SKIPPED+=("skipped: daemonrunner + AppCDS/AOT: building the archive failed (see above)")
    tail -n 5 "$LOGS/cds.err" >&2
fi

SSD=$(command -v start-stop-daemon || true)
for f in /usr/sbin/start-stop-daemon /sbin/start-stop-daemon; do
    [ -z "$SSD" ] && [ -x "$f" ] && SSD=$f
done
[ -n "$SSD" ] || SKIPPED+=("skipped: start-stop-daemon not installed (Debian package dpkg)")

SPECS=("app jar" "app parse" "dr start" "dr status" "dr stop" "dr restart" "dr run" "plain run")
MEM_TOOLS=(plain dr)
[ "$CDS" = 1 ] && { SPECS+=("drc start" "drc status" "drc stop" "drc restart"); MEM_TOOLS+=(drc); }
[ -n "$JSVC" ] && { SPECS+=("jsvc start" "jsvc stop"); MEM_TOOLS+=(jsvc); }
[ -n "$PYTHON" ] && { SPECS+=("py start" "py stop" "py restart"); MEM_TOOLS+=(py); }
[ -n "$SSD" ] && { SPECS+=("ssd start" "ssd status" "ssd stop" "ssd restart"); MEM_TOOLS+=(ssd); }
if [ -n "$WRAPPER_JAR" ]; then
    SPECS+=("wr start" "wr status" "wr stop" "http run")
else
    SKIPPED+=("skipped: daemonrunner.jar rows: runner-core/target/daemonrunner.jar not built (mvn -B -q package -DskipTests)")
fi
if [ -n "$SPRING_JAR" ]; then
    SPECS+=("sb start" "sb status" "sb stop" "spring run")
else
    SKIPPED+=("$SPRING_SKIP")
fi

echo "daemonrunner benchmark: $JAVA_VERSION ($JAVA_REAL)"
echo "jar: $JAR_SOURCE ($(date -r "$JAR_SOURCE" '+%F %T'), sha256 $(sha256sum "$JAR" | cut -c1-12)); $ROUNDS rounds + 1 warm-up; $(nproc) CPUs; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "$SPRING_JAR" ]; then
    spring_rounds="every round"
    [ "$SPRING_ROUNDS" -lt "$ROUNDS" ] && spring_rounds="the first $SPRING_ROUNDS rounds"
    echo "Spring Boot app: $SPRING_SOURCE ($(date -r "$SPRING_SOURCE" '+%F %T'), sha256 $(sha256sum "$SPRING_JAR" | cut -c1-12)); its rows in the warm-up and $spring_rounds"
fi

# ---------------------------------------------------------------------------------------------------------
# Warm-up (round 0, not recorded: it also finds out whether each peer runs with this JVM), then the rounds.

RECORDING=0
for spec in "${SPECS[@]}"; do
    # in a subshell, so that a peer that fails is skipped; whatever it started is stopped as it exits
    # shellcheck disable=SC2086
    ( trap teardown_all EXIT; set -- $spec; measure "$1" "$2" ) || {
        tool=${spec%% *}
        case $tool in
            app|dr|drc|plain|wr|http|sb|spring) die "the warm-up of '$spec' failed (see above)" ;;
            jsvc) SKIPPED+=("skipped: jsvc cannot run with $JAVA_REAL (warm-up failed; see above)"); JSVC="" ;;
            py) SKIPPED+=("skipped: python-daemon cannot run here (warm-up failed; see above)"); PYTHON="" ;;
            ssd) SKIPPED+=("skipped: start-stop-daemon failed in the warm-up (see above)"); SSD="" ;;
        esac
    }
done
# drop the specs of peers that failed the warm-up
kept=()
for spec in "${SPECS[@]}"; do
    case ${spec%% *} in
        jsvc) [ -n "$JSVC" ] && kept+=("$spec") ;;
        py) [ -n "$PYTHON" ] && kept+=("$spec") ;;
        ssd) [ -n "$SSD" ] && kept+=("$spec") ;;
        *) kept+=("$spec") ;;
    esac
done
SPECS=("${kept[@]}")
kept=()
for tool in "${MEM_TOOLS[@]}"; do
    case $tool in
        jsvc) [ -n "$JSVC" ] && kept+=("$tool") ;;
        py) [ -n "$PYTHON" ] && kept+=("$tool") ;;
        ssd) [ -n "$SSD" ] && kept+=("$tool") ;;
        *) kept+=("$tool") ;;
    esac
done
MEM_TOOLS=("${kept[@]}")

RECORDING=1
n=${#SPECS[@]}
for ((round = 1; round <= ROUNDS; round++)); do
    printf '\rround %d/%d ' "$round" "$ROUNDS" >&2
    for ((i = 0; i < n; i++)); do
        spec=${SPECS[$(((i + round - 1) % n))]}
        # the Spring Boot rows (seconds each) only in the first SPRING_ROUNDS rounds, with their floor runs
        case ${spec%% *} in sb|spring) [ "$round" -le "$SPRING_ROUNDS" ] || continue ;; esac
        measure_floor
        # shellcheck disable=SC2086
        measure $spec
    done
    measure_memory "$round"
done
printf '\r%*s\r' 20 '' >&2

# ---------------------------------------------------------------------------------------------------------
# Report.

declare -A TOOL_NAME=([java]="java" [app]="the sample without the runner" [dr]="daemonrunner" [drc]="daemonrunner + AppCDS/AOT" [plain]="PlainApp (java -cp)" [jsvc]="jsvc"
    [py]="python-daemon" [ssd]="start-stop-daemon" [wr]="daemonrunner.jar + HttpApp" [http]="HttpApp (java -cp)"
    [sb]="daemonrunner.jar + Spring Boot" [spring]="Spring Boot (java -jar)")
declare -A NOTE=(
    ["app|the sample's own option parse|exits"]="commons-cli, from the jar; what each sample command does first"
    ["dr|start|returns"]="returns once ready"
    ["dr|restart|returns"]="returns once the new one is ready"
    ["dr|stop|returns"]="returns once it has exited"
    ["drc|start|returns"]="$ARCHIVE_READ: each JVM maps its own"
    ["dr|run|first line"]="foreground, one JVM"
    ["plain|run|first line"]="no runner: one JVM"
    ["jsvc|start|returns"]="-wait 10"
    ["jsvc|stop|returns"]="waits for the exit"
    ["py|start|returns"]="returns before the daemon runs"
    ["py|stop|returns"]="does not wait"
    ["py|restart|returns"]="returns before the new daemon runs"
    ["ssd|start|returns"]="--background: does not wait"
    ["ssd|stop|returns"]="--retry TERM/10"
    ["ssd|restart|returns"]="stop --retry, then start"
    ["wr|start|returns"]="--ready port:N: returns once the port accepts"
    ["wr|status|returns"]="one small JVM; the program's classes never load"
    ["wr|stop|returns"]="returns once it has exited"
    ["http|run|port accepts"]="the same program, foreground, no runner"
    ["http|kill -TERM|pid gone"]="the same program's stop, no runner"
    ["sb|start|returns"]="--ready port:N: returns once the port accepts"
    ["sb|status|returns"]="one small JVM; the app's classes never load"
    ["sb|stop|returns"]="returns once it has exited (Spring's graceful shutdown)"
    ["spring|run|port accepts"]="the same app, foreground, no runner"
    ["spring|kill -TERM|pid gone"]="the same app's stop, no runner"
    ["py|idle ${IDLE_SECONDS}s|RSS MiB"]="a Python process, not a JVM"
    ["ssd|idle ${IDLE_SECONDS}s|RSS MiB"]="PlainApp under start-stop-daemon"
)

ROWS=()
row_keys=("java|Hello (floor)|exits" "app|Hello with the sample jar on the class path|exits"
    "app|the sample's own option parse|exits")
for tool in dr drc plain wr http sb spring jsvc py ssd; do
    for op in start status stop restart run "kill -TERM"; do
        for until in returns "first line" "pid gone" "new first line" "port accepts"; do
            row_keys+=("$tool|$op|$until")
        done
    done
done
for tool in plain dr drc jsvc py ssd; do
    row_keys+=("$tool|idle ${IDLE_SECONDS}s|RSS MiB" "$tool|idle ${IDLE_SECONDS}s|controller RSS MiB"
        "$tool|idle ${IDLE_SECONDS}s|threads")
done

stats() { # KEY -> "n median min max" (raw units)
    local tool op until
    IFS='|' read -r tool op until <<<"$1"
    awk -F'\t' -v t="$tool" -v o="$op" -v u="$until" '$1 == t && $2 == o && $3 == u { print $4 }' "$SAMPLES" |
        sort -n | awk '{ v[NR] = $1 } END {
            if (NR == 0) exit
            m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            print NR, m, v[1], v[NR] }'
}

scaled() { awk -v v="$1" -v d="$2" 'BEGIN { printf "%.1f", v / d }'; } # VALUE DIVISOR

read -r _ FLOOR _ _ <<<"$(stats "java|Hello (floor)|exits")"
read -r _ PLAIN_RSS _ _ <<<"$(stats "plain|idle ${IDLE_SECONDS}s|RSS MiB")"
read -r _ PLAIN_THREADS _ _ <<<"$(stats "plain|idle ${IDLE_SECONDS}s|threads")"

CSV_LINES=("tool,operation,until,unit,n,median,min,max,vs_base,note")
HEADER=("tool" "operation" "until" "n" "median" "min" "max" "vs floor / PlainApp" "note")
ROWS+=("$(IFS=$'\t'; echo "${HEADER[*]}")")
for key in "${row_keys[@]}"; do
    s=$(stats "$key")
    [ -n "$s" ] || continue
    read -r cnt med min max <<<"$s"
    IFS='|' read -r tool op until <<<"$key"
    note=${NOTE[$key]:-}
    case $until in
        *MiB)
            unit=MiB
            vmed=$(scaled "$med" 1024) vmin=$(scaled "$min" 1024) vmax=$(scaled "$max" 1024)
            if [ "$until" = "RSS MiB" ] && [ "$tool" != plain ]; then
                vs=$(awk -v a="$med" -v b="$PLAIN_RSS" 'BEGIN { printf "%+.1f MiB", (a - b) / 1024 }')
            else
                vs="-"
            fi
            ;;
        threads)
            unit=threads
            vmed=$(awk -v v="$med" 'BEGIN { printf "%g", v }') vmin=$min vmax=$max
            if [ "$tool" != plain ]; then
                vs=$(awk -v a="$med" -v b="$PLAIN_THREADS" 'BEGIN { printf "%+g", a - b }')
            else
                vs="-"
            fi
            ;;
        *)
            unit=ms
            vmed=$(scaled "$med" 1000) vmin=$(scaled "$min" 1000) vmax=$(scaled "$max" 1000)
            vs=$(awk -v a="$med" -v b="$FLOOR" 'BEGIN { printf "%.2fx", a / b }')
            ;;
    esac
    label="$until"
    [ "$unit" = ms ] && label="$until (ms)"
    ROWS+=("${TOOL_NAME[$tool]}"$'\t'"$op"$'\t'"$label"$'\t'"$cnt"$'\t'"$vmed"$'\t'"$vmin"$'\t'"$vmax"$'\t'"$vs"$'\t'"$note")
    CSV_LINES+=("${TOOL_NAME[$tool]},$op,$until,$unit,$cnt,$vmed,$vmin,$vmax,${vs% MiB},\"$note\"")
done

# aligned markdown table
declare -a W=()
for r in "${ROWS[@]}"; do
    IFS=$'\t' read -r -a cells <<<"$r"
    for ((c = 0; c < 9; c++)); do
        len=${#cells[c]}
        [ "${W[c]:-0}" -ge "$len" ] || W[c]=$len
    done
done
right=(0 0 0 1 1 1 1 1 0) # numbers right-aligned
print_row() {
    local -a cells
    IFS=$'\t' read -r -a cells <<<"$1"
    local line="|" c
    for ((c = 0; c < 9; c++)); do
        if [ "${right[c]}" = 1 ]; then
            line+=$(printf ' %*s |' "${W[c]}" "${cells[c]:-}")
        else
            line+=$(printf ' %-*s |' "${W[c]}" "${cells[c]:-}")
        fi
    done
    echo "$line"
}
echo
print_row "${ROWS[0]}"
sep="|"
for ((c = 0; c < 9; c++)); do
    dashes=$(printf '%*s' "$((W[c] + 1))" '' | tr ' ' -)
    if [ "${right[c]}" = 1 ]; then sep+="$dashes:|"; else sep+="$dashes-|"; fi
done
echo "$sep"
for ((r = 1; r < ${#ROWS[@]}; r++)); do print_row "${ROWS[r]}"; done
echo

if [ -n "$WRAPPER_JAR" ]; then
    # the issue's bars for daemonrunner.jar, from this run's medians: status and stop against the floor; a
    # wrapped app's start until ready at most one bare JVM boot (the floor) plus 50 ms over the same app run in
    # the foreground until ready, on HttpApp and, when measured, on Spring Boot
    read -r _ WR_STATUS _ _ <<<"$(stats "wr|status|returns")"
    read -r _ WR_STOP _ _ <<<"$(stats "wr|stop|returns")"
    awk -v st="$WR_STATUS" -v sp="$WR_STOP" -v f="$FLOOR" 'BEGIN {
        printf "daemonrunner.jar against its bars: status %.2fx the floor (bar 1.4x); stop %.2fx (bar 2.0x);", st / f, sp / f
        printf " start until ready at most the floor + 50 ms over the same app in the foreground until its port accepts:\n" }'
    start_bar() { # LABEL START_KEY FOREGROUND_KEY: one app's start against the bar
        local start fg
        read -r _ start _ _ <<<"$(stats "$2")"
        read -r _ fg _ _ <<<"$(stats "$3")"
        [ -n "$start" ] && [ -n "$fg" ] || return 0
        awk -v l="$1" -v s="$start" -v h="$fg" -v f="$FLOOR" 'BEGIN {
            o = (s - h - f) / 1000
            printf "  %-12s start %.1f ms - foreground %.1f ms - floor %.1f ms = overshoot %+.1f ms against the 50 ms allowance: %s\n",
                l ":", s / 1000, h / 1000, f / 1000, o, o <= 50 ? "met" : "NOT met" }'
    }
    start_bar HttpApp "wr|start|returns" "http|run|port accepts"
    start_bar "Spring Boot" "sb|start|returns" "spring|run|port accepts"
    echo
fi

printf '%s\n' "${CSV_LINES[@]}" >"$CSV"
echo "rows written to $CSV"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
for s in "${SKIPPED[@]}"; do echo "$s"; done
for s in "${NOTES[@]}"; do echo "note: $s"; done
[ -n "$JSVC" ] && echo "not measured: jsvc has no status or restart action"
[ -n "$PYTHON" ] && echo "not measured: python-daemon's runner has no status action"

if [ -s "$WORK/threads-dr.txt" ] && [ -s "$WORK/threads-plain.txt" ]; then
    echo "threads of the daemon that PlainApp does not have (round 1): $(comm -23 "$WORK/threads-dr.txt" \
        "$WORK/threads-plain.txt" | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " } END { if (!NR) printf "none" }')"
    echo "threads of PlainApp that the daemon does not have (round 1): $(comm -13 "$WORK/threads-dr.txt" \
        "$WORK/threads-plain.txt" | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " } END { if (!NR) printf "none" }')"
fi

warned=0
for f in "$LOGS"/dr-*.err "$LOGS"/drc-*.err "$LOGS"/daemon-sample.err "$LOGS"/floor.err "$LOGS"/plain-*.err \
    "$LOGS"/wr-*.err "$LOGS"/daemon-wr.err "$LOGS"/http-*.err "$LOGS"/sb-*.err "$LOGS"/daemon-sb.err \
    "$LOGS"/spring-*.err; do
    [ -s "$f" ] || continue
    if grep -qi 'warning' "$f"; then
        warned=1
        echo "warnings in $(basename "$f" .err):"
        grep -i 'warning' "$f" | sort | uniq -c | sed 's/^/  /'
    fi
done
[ "$warned" = 1 ] || echo "no JVM warnings on stderr from daemonrunner start/status/stop/restart/run, daemonrunner.jar" \
    "(launcher and daemon logs) and the apps it wraps, run in the foreground"
