# shellcheck shell=bash disable=SC2034 # the globals here are read by the scripts that source it
# Shared by the scripts beside it (source it, don't run it): find a Java 25, say what happens,
# end any failing step with an ERROR: line, and make scratch copies of the sources.
#
# The proofs that once lived beside it (Spring AOT on the JVM, the jlink runtime, startup with
# and without the AOT cache) are now proved in containers by labs/04-jlink, so each thing has
# one implementation.

set -Eeuo pipefail

SAMPLE_APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Scratch space; the helpers point it outside sample-app/, the labs' build context.
PROOFS_DIR="${SLIMLAB_PROOFS_DIR:-$SAMPLE_APP_DIR/build-proofs}"
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

# scratch_sources DIR: a fresh copy of the app's sources in DIR/src, for Maven builds that must
# leave target/bookshelf.jar alone. Prints the copy's pom.xml.
scratch_sources() {
    rm -rf "$1"
    mkdir -p "$1/src"
    cp -r "$SAMPLE_APP_DIR/pom.xml" "$SAMPLE_APP_DIR/src" "$1/src/"
    echo "$1/src/pom.xml"
}

# human_size BYTES: "123.4 MiB", or "36.0 KiB" below a mebibyte.
human_size() {
    awk -v b="$1" 'BEGIN { if (b < 1048576) printf "%.1f KiB", b / 1024; else printf "%.1f MiB", b / 1048576 }'
}
