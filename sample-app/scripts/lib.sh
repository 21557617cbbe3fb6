# shellcheck shell=bash disable=SC2034 # the globals here are read by the scripts that source it
# Shared by the proof scripts (source it, don't run it): find a Java 25, start the app on a free
# port, wait until it is ready, check its API, and always stop what was started.
#
# Every app is started with SERVER_PORT=0 so that a busy port can never break a proof; the
# port Tomcat picked is read from the app's own log.

set -Eeuo pipefail

SAMPLE_APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APP_JAR="$SAMPLE_APP_DIR/target/bookshelf.jar"
PROOFS_DIR="$SAMPLE_APP_DIR/build-proofs"
READY_TIMEOUT_SECONDS="${READY_TIMEOUT_SECONDS:-300}"

APP_PID=""
APP_PORT=""
APP_LOG=""
APP_STARTED_NS=""
READY_MS=""

NO_JAVA25="No JDK 25 found (checked JAVA_HOME, java on PATH and /usr/lib/jvm). The bookshelf app needs Java 25: install a JDK 25 and set JAVA_HOME to it."

say() { printf '==> %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# A step that fails without its own message still ends the proof with an ERROR: line that names
# it, instead of a silent exit from set -e. (-E above makes functions and subshells report too.)
trap 'die "${BASH_SOURCE[0]##*/} line $LINENO: this step failed (exit status $?): $BASH_COMMAND"' ERR

# Prints the JAVA_HOME of a JDK 25 or newer (with jlink): $JAVA_HOME if it qualifies, else the
# JDK of the java on PATH, else the first qualifying JDK under /usr/lib/jvm.
java25_home() {
    local candidate version
    for candidate in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent/bin/java)")")")" /usr/lib/jvm/*; do
        if [ ! -x "$candidate/bin/java" ] || [ ! -x "$candidate/bin/jlink" ]; then
            continue
        fi
        version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
        if [ "${version:-0}" -ge 25 ] 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

use_java25() {
    JAVA_HOME="$(java25_home)" || die "$NO_JAVA25"
    export JAVA_HOME
    export PATH="$JAVA_HOME/bin:$PATH"
}

require_jar() {
    [ -f "$APP_JAR" ] || die "$APP_JAR is missing. Build it first: make package (or mvn -f sample-app/pom.xml package)."
}

# scratch_sources DIR: a fresh copy of the app's sources in DIR/src, for Maven builds that must
# leave target/bookshelf.jar alone. Prints the copy's pom.xml.
scratch_sources() {
    rm -rf "$1"
    mkdir -p "$1/src"
    cp -r "$SAMPLE_APP_DIR/pom.xml" "$SAMPLE_APP_DIR/src" "$1/src/"
    echo "$1/src/pom.xml"
}

# start_app LOG_FILE COMMAND...: runs COMMAND in the background with SERVER_PORT=0. The log file
# exists when this returns: the background job opens it only once it is scheduled, which on a
# loaded machine can be after wait_ready first reads it.
start_app() {
    APP_LOG="$1"
    shift
    APP_PORT=""
    mkdir -p "$(dirname "$APP_LOG")"
    : >"$APP_LOG"
    APP_STARTED_NS=$(date +%s%N)
    SERVER_PORT=0 "$@" >"$APP_LOG" 2>&1 &
    APP_PID=$!
}

# Waits for /actuator/health/readiness to say UP; sets READY_MS (since start_app) and APP_PORT.
wait_ready() {
    local deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
    while [ $SECONDS -lt $deadline ]; do
        if ! kill -0 "$APP_PID" 2>/dev/null; then
            wait "$APP_PID" 2>/dev/null || true
            APP_PID=""
            fail_with_log "the app exited before it became ready"
        fi
        if [ -z "$APP_PORT" ]; then
            APP_PORT=$(sed -n 's/.*Tomcat started on port \([0-9]*\).*/\1/p' "$APP_LOG" | head -n 1) \
                || fail_with_log "cannot read the port from $APP_LOG"
        fi
        if [ -n "$APP_PORT" ] && curl -sf --max-time 10 "http://127.0.0.1:$APP_PORT/actuator/health/readiness" 2>/dev/null | grep '"status":"UP"' >/dev/null; then
            READY_MS=$((($(date +%s%N) - APP_STARTED_NS) / 1000000))
            return 0
        fi
        sleep 0.05
    done
    fail_with_log "the app was not ready after ${READY_TIMEOUT_SECONDS}s"
}

fail_with_log() {
    printf 'ERROR: %s. Last lines of %s:\n' "$1" "$APP_LOG" >&2
    tail -n 30 "$APP_LOG" 2>&1 | sed 's/^/    /' >&2 || true
    exit 1
}

# Stops the app with SIGTERM, as docker stop does, and insists that it shuts down gracefully.
stop_app() {
    [ -n "$APP_PID" ] || return 0
    local pid=$APP_PID waited=0
    APP_PID=""
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        if [ $waited -ge 300 ]; then
            kill -KILL "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            die "the app ignored SIGTERM for 30s and had to be killed (log: $APP_LOG)"
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    wait "$pid" 2>/dev/null || true
    grep -q "Graceful shutdown complete" "$APP_LOG" || fail_with_log "the app stopped on SIGTERM without a graceful shutdown"
}

# Whatever happens, leave no app running behind.
cleanup_app() {
    if [ -n "$APP_PID" ]; then
        kill -KILL "$APP_PID" 2>/dev/null || true
        wait "$APP_PID" 2>/dev/null || true
    fi
}
trap cleanup_app EXIT

# http METHOD PATH [JSON_BODY]: sets HTTP_STATUS, HTTP_TYPE (content type) and HTTP_BODY.
http() {
    local method=$1 path=$2 body=${3:-}
    local args=(-s --max-time 30 -X "$method" -w '\n%{http_code} %{content_type}' "http://127.0.0.1:$APP_PORT$path")
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' -d "$body")
    local out last
    out=$(curl "${args[@]}") || fail_with_log "$method $path: no HTTP answer"
    last=$(tail -n 1 <<<"$out")
    HTTP_STATUS=${last%% *}
    HTTP_TYPE=${last#* }
    HTTP_BODY=$(sed '$d' <<<"$out")
}

expect() {
    local what=$1 expected=$2 actual=$3
    [ "$actual" = "$expected" ] || fail_with_log "$what: expected '$expected', got '$actual'"
}

# The API calls every proof makes: they touch JSON, validation, JPA and problem details, the
# parts that break first when reflection, resources or JDK modules go missing.
check_api() {
    local id
    http GET "/api/books?title=effective"
    expect "GET /api/books?title=effective" "200 application/json" "$HTTP_STATUS $HTTP_TYPE"
    expect "the seeded book" "9780134685991" "$(jq -r '.content[0].isbn' <<<"$HTTP_BODY")"

    http POST /api/books '{"title":"Code Complete","author":"Steve McConnell","isbn":"978-0-7356-1967-8","publicationYear":2004}'
    expect "POST /api/books" "201 application/json" "$HTTP_STATUS $HTTP_TYPE"
    expect "the stored ISBN" "9780735619678" "$(jq -r '.isbn' <<<"$HTTP_BODY")"
    id=$(jq -r '.id' <<<"$HTTP_BODY")

    http GET "/api/books/$id"
    expect "GET the new book" "200 Code Complete" "$HTTP_STATUS $(jq -r '.title' <<<"$HTTP_BODY")"

    http POST /api/books '{"title":"","author":"x","isbn":"978-0-7356-1967-9","publicationYear":1200}'
    expect "POST an invalid book" "400 application/problem+json" "$HTTP_STATUS $HTTP_TYPE"
    expect "the fields rejected" "isbn,publicationYear,title" "$(jq -r '[.errors[].field] | join(",")' <<<"$HTTP_BODY")"

    http DELETE "/api/books/$id"
    expect "DELETE the new book" "204" "$HTTP_STATUS"
    http GET "/api/books/$id"
    expect "GET the deleted book" "404 application/problem+json" "$HTTP_STATUS $HTTP_TYPE"
}

# human_size BYTES: "123.4 MiB", or "36.0 KiB" below a mebibyte.
human_size() {
    awk -v b="$1" 'BEGIN { if (b < 1048576) printf "%.1f KiB", b / 1024; else printf "%.1f MiB", b / 1048576 }'
}

# median NUMBERS...: the middle value (the lower middle for an even count).
median() {
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
