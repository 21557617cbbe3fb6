#!/usr/bin/env bash
# timed.sh NAME COMMAND...: runs COMMAND and prints one timing line for the stage,
# "==> stage NAME: passed in 42 s" (or failed), so every CI log shows where time goes.
set -uo pipefail
name=$1
shift
echo "==> stage $name"
start=$(date +%s)
"$@"
rc=$?
verdict=passed
[ $rc -eq 0 ] || verdict="FAILED (exit $rc)"
echo "==> stage $name: $verdict in $(( $(date +%s) - start )) s"
exit $rc
