#!/usr/bin/env bash
# Fills a Maven local repository with exactly what the bookshelf build needs, by running every
# Maven goal the labs use, then proves the repository is complete by repeating them offline.
#
# This is how the offline mirror for machines without Maven Central is made:
#   bash sample-app/scripts/prime-maven-repo.sh /path/to/empty/repo
# The goals (keep this list in step with the labs' Dockerfiles; `make kit` runs them with the
# Maven 3.9 that the containers run, so its repository serves the labs' Maven mirror):
#   -DskipTests clean verify           compile (tests too), layered jar, build-info (labs 01-04);
#                                      the tests run on the host, never in an image build
#   -Pnative package                   Spring AOT + GraalVM reachability metadata  (lab 05)
#   -Pnative native:compile            the native executable; without GraalVM it stops at
#                                      "native-image is not installed", after resolving its plugin
#   dependency:go-offline, dependency:tree   Dockerfiles that cache dependencies in a layer
#
# The build runs in a scratch copy of the sources, so target/ is left alone.
# PRIME_MODES="online" skips the offline proof (`make kit` does: the labs' builds through the
# mirror prove the repository complete, and a missing artifact is logged there by name).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_java25

repo="$(mkdir -p "${1:-$PROOFS_DIR/maven-repo}" && cd "${1:-$PROOFS_DIR/maven-repo}" && pwd)"
work="$PROOFS_DIR/maven-goals"
pom=$(scratch_sources "$work")

# run_goals MODE ARGS...: MODE is "online" or "offline"; every run gets its own log file.
run_goals() {
    local mode=$1
    shift
    local log
    log="$work/$mode-$(tr -c 'a-zA-Z0-9' '_' <<<"$*" | cut -c1-60).log"
    local flags=(-B -ntp -Dmaven.repo.local="$repo" -f "$pom")
    [ "$mode" = offline ] && flags+=(-o)
    say "$mode: mvn $*"
    if ! "${MVN:-mvn}" "${flags[@]}" "$@" >"$log" 2>&1; then
        if [[ "$*" == *native:compile* ]] && grep -q "native-image is not installed" "$log"; then
            say "  stopped where GraalVM is needed, as expected on this JDK"
            return 0
        fi
        grep -E '^\[ERROR\]' "$log" | head -n 20 | sed 's/^/    /' >&2
        die "mvn $* failed ($mode); full log: $log"
    fi
}

goals=(
    "-DskipTests clean verify"
    "-Pnative -DskipTests package"
    "-Pnative -DskipTests native:compile"
    "dependency:go-offline"
    "dependency:tree"
)
for mode in ${PRIME_MODES:-online offline}; do
    for g in "${goals[@]}"; do
        # shellcheck disable=SC2086 # each entry is a list of Maven arguments
        run_goals "$mode" $g
    done
done

files=$(find "$repo" -type f \( -name '*.jar' -o -name '*.pom' -o -name '*.zip' \) | wc -l)
proof="every goal ran offline from it"
[[ "${PRIME_MODES:-online offline}" == *offline* ]] || proof="not re-run offline (PRIME_MODES=${PRIME_MODES})"
say "PASS: $repo holds everything the build needs ($files artifact files, $(human_size "$(du -sb "$repo" | cut -f1)")); $proof"
