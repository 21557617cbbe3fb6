#!/usr/bin/env bash
# Proof: the app runs on a custom Java runtime that holds only the JDK modules it uses (lab 04).
# jdeps computes the module list from the fat jar's classes and libraries, jlink builds a
# stripped runtime from it, and the app must start on that runtime and answer the API.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_java25
require_jar

work="$PROOFS_DIR/jlink"
rm -rf "$work"
mkdir -p "$work"

say "Unpacking $APP_JAR"
unzip -q "$APP_JAR" -d "$work/fatjar"

# jdeps refuses a modular jar as a root when its descriptor requires a module the app doesn't
# ship (jakarta.transaction requires jakarta.interceptor), so the roots are the app's classes and
# the plain jars; --recursive still reaches the modular jars through the class path.
roots=("$work/fatjar/BOOT-INF/classes")
for lib in "$work/fatjar/BOOT-INF/lib/"*.jar; do
    # grep reads all of unzip's output (no -q): an early exit would fail the pipe under pipefail.
    unzip -Z1 "$lib" | grep -E '^(META-INF/versions/[0-9]+/)?module-info\.class$' >/dev/null || roots+=("$lib")
done
say "Computing the module list with jdeps over the app's classes and ${#roots[@]} of its $(find "$work/fatjar/BOOT-INF/lib" -name '*.jar' | wc -l) libraries"
modules=$(jdeps --ignore-missing-deps -q --recursive --multi-release 25 --print-module-deps \
    --class-path "$work/fatjar/BOOT-INF/lib/*" "${roots[@]}" 2>&1) \
    || die "jdeps failed: $modules"
[[ "$modules" =~ ^java\.base(,[a-z.]+)*$ ]] || die "jdeps printed no module list: $modules"
echo "$modules" >"$work/modules.txt"
say "Modules: $modules"

say "Linking a stripped runtime with jlink"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --output "$work/runtime"
runtime_bytes=$(du -sb "$work/runtime" | cut -f1)
jdk_bytes=$(du -sb "$JAVA_HOME" | cut -f1)

say "Starting the app on the custom runtime"
start_app "$work/app.log" "$work/runtime/bin/java" -jar "$APP_JAR"
wait_ready
check_api
stop_app

printf '\n%-24s %12s\n' "Java runtime" "size"
printf '%-24s %12s   %s\n' "full JDK" "$(human_size "$jdk_bytes")" "$JAVA_HOME"
printf '%-24s %12s   %s\n' "custom runtime (jlink)" "$(human_size "$runtime_bytes")" "$work/runtime"
awk -v r="$runtime_bytes" -v j="$jdk_bytes" 'BEGIN { printf "the custom runtime is %.0f%% of the JDK\n\n", 100 * r / j }'
say "PASS: the app was ready in ${READY_MS} ms on a $(human_size "$runtime_bytes") runtime of $(tr ',' '\n' <<<"$modules" | wc -l) modules"
