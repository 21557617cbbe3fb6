#!/usr/bin/env bash
# Proof: the app survives Spring's ahead-of-time processing, the step a GraalVM native image
# (lab 05) is built from, without needing GraalVM. It builds the AOT-processed jar with the
# parent's native profile, starts it on the JVM with -Dspring.aot.enabled=true, and checks that
# it really ran in AOT mode and answers the API.
#
# The build runs in a scratch copy of the sources so that target/bookshelf.jar stays the plain
# jar the other proofs and the labs use.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_java25

work="$PROOFS_DIR/aot"
pom=$(scratch_sources "$work")

say "AOT-processing the app: mvn -Pnative package (log: $work/maven.log)"
if ! "${MVN:-mvn}" -B -ntp -Pnative -DskipTests -f "$pom" package >"$work/maven.log" 2>&1; then
    grep -E '^\[(ERROR|WARNING)\]' "$work/maven.log" | head -n 30 | sed 's/^/    /' >&2
    die "the AOT build failed; the full log is $work/maven.log"
fi
jar="$(dirname "$pom")/target/bookshelf.jar"
unzip -p "$jar" META-INF/MANIFEST.MF | grep '^Spring-Boot-Native-Processed: true' >/dev/null \
    || die "$jar is not marked Spring-Boot-Native-Processed: the native profile did not apply"
generated=$(unzip -l "$jar" | grep -c '__BeanDefinitions.class' || true)
[ "$generated" -gt 0 ] || die "$jar holds no AOT-generated bean definitions"
say "AOT processing generated bean definitions for $generated classes"

say "Starting the AOT-processed jar with -Dspring.aot.enabled=true"
start_app "$work/app.log" java -Dspring.aot.enabled=true -jar "$jar"
wait_ready
grep -q "Starting AOT-processed BookshelfApplication" "$work/app.log" \
    || fail_with_log "the app started, but not in AOT mode"
check_api
stop_app

say "PASS: the AOT-processed app was ready in ${READY_MS} ms on the JVM and answered the API"
