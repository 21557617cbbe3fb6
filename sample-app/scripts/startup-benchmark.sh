#!/usr/bin/env bash
# Measures startup on the JVM three ways, in one run so that the ratios are fair: the plain fat
# jar, the jar extracted with Spring Boot's jarmode tools, and the extracted app with a JDK 25
# AOT cache made by a training run. Runs are interleaved so that machine noise hits each alike.
#
# Before that it checks the layered extraction (extract --layers) that the images will copy
# layer by layer, and prints each layer's size.
#
# It prints the medians and the ratios. It fails if the JVM rejects the AOT cache, never on a
# timing: these machines are too noisy for a timing to be a verdict.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_java25
require_jar

runs="${STARTUP_RUNS:-3}"
work="$PROOFS_DIR/startup"
rm -rf "$work"
mkdir -p "$work"

say "Extracting the layers the images will use: java -Djarmode=tools -jar bookshelf.jar extract --layers"
java -Djarmode=tools -jar "$APP_JAR" extract --layers --destination "$work/layers" >"$work/extract-layers.log" 2>&1 \
    || { cat "$work/extract-layers.log" >&2; die "extracting the layers failed"; }
for layer in $(java -Djarmode=tools -jar "$APP_JAR" list-layers); do
    [ -d "$work/layers/$layer" ] || die "layer $layer was not extracted"
    printf '    layer %-22s %12s\n' "$layer" "$(human_size "$(du -sb "$work/layers/$layer" | cut -f1)")"
done

say "Extracting the jar for the AOT cache: java -Djarmode=tools -jar bookshelf.jar extract"
java -Djarmode=tools -jar "$APP_JAR" extract --destination "$work/app" >"$work/extract.log" 2>&1 \
    || { cat "$work/extract.log" >&2; die "extracting the jar failed"; }

say "Training run: -XX:AOTCacheOutput=app.aot -Dspring.context.exit=onRefresh"
(cd "$work/app" && java -XX:AOTCacheOutput=app.aot -Dspring.context.exit=onRefresh -jar bookshelf.jar) \
    >"$work/training.log" 2>&1 || { tail -n 30 "$work/training.log" >&2; die "the training run failed"; }
[ -s "$work/app/app.aot" ] || { tail -n 30 "$work/training.log" >&2; die "the training run wrote no AOT cache"; }
say "AOT cache: $(human_size "$(stat -c %s "$work/app/app.aot")")"

variants=(fat-jar extracted extracted+aot-cache)
declare -A ready started rss

for ((run = 1; run <= runs; run++)); do
    for variant in "${variants[@]}"; do
        log="$work/$variant-$run.log"
        case $variant in
            fat-jar) start_app "$log" java -jar "$APP_JAR" ;;
            extracted) start_app "$log" env -C "$work/app" java -jar bookshelf.jar ;;
            extracted+aot-cache) start_app "$log" env -C "$work/app" java -XX:AOTCache=app.aot -jar bookshelf.jar ;;
        esac
        wait_ready
        rss_kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$APP_PID/status")
        stop_app
        if grep -qE '\]\[error *\]\[aot\]' "$log"; then
            grep -E '\]\[(error|warning) *\]\[aot\]' "$log" | sed 's/^/    /' >&2
            die "the JVM rejected the AOT cache (log: $log)"
        fi
        started_s=$(sed -n 's/.*Started BookshelfApplication in \([0-9.]*\) seconds.*/\1/p' "$log")
        [ -n "$started_s" ] || die "no 'Started BookshelfApplication in' line in $log"
        ready[$variant]+=" $READY_MS"
        started[$variant]+=" $(awk -v s="$started_s" 'BEGIN { printf "%d", s * 1000 }')"
        rss[$variant]+=" $((rss_kib / 1024))"
        say "run $run/$runs $variant: ready in $READY_MS ms, Spring says started in ${started_s}s, RSS $((rss_kib / 1024)) MiB"
    done
done

# shellcheck disable=SC2086 # the lists are space-separated numbers on purpose
{
    printf '\nMedians of %d runs each, measured now on this machine (%s cores):\n' "$runs" "$(nproc)"
    printf '%-22s %16s %20s %10s\n' "variant" "ready (ms)" "Spring started (ms)" "RSS (MiB)"
    for variant in "${variants[@]}"; do
        printf '%-22s %16s %20s %10s\n' "$variant" "$(median ${ready[$variant]})" \
            "$(median ${started[$variant]})" "$(median ${rss[$variant]})"
    done
    fat=$(median ${ready[fat-jar]})
    for variant in extracted extracted+aot-cache; do
        awk -v v="$(median ${ready[$variant]})" -v f="$fat" -v n="$variant" \
            'BEGIN { printf "%s is ready in %.2fx the time of the fat jar (%.1fx faster)\n", n, v / f, f / v }'
    done
    echo
}
say "PASS: the JVM used the AOT cache in every cached run"
