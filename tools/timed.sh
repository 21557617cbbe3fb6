#!/usr/bin/env bash
# timed.sh NAME COMMAND...: runs COMMAND and prints one timing line for the stage,
# "==> stage NAME [store]: passed in 42 s" (or failed), so every CI log shows where time
# goes; the store (SLIMLAB_STAGE_STORE, set by CI) names the image store the stage ran on.
set -uo pipefail
name=$1${SLIMLAB_STAGE_STORE:+ [$SLIMLAB_STAGE_STORE]}
shift
echo "==> stage $name"
start=$(date +%s)
"$@"
rc=$?
verdict=passed
[ $rc -eq 0 ] || verdict="FAILED (exit $rc)"
echo "==> stage $name: $verdict in $(( $(date +%s) - start )) s"
exit $rc
