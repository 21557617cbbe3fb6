#!/usr/bin/env bash
# Runs every proof, even after one fails, and ends with a count so a failure is never buried.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_jar

proofs=(aot-check jlink-runtime startup-benchmark)
passed=0
failed=()
for proof in "${proofs[@]}"; do
    printf '\n######## %s (%d of %d)\n' "$proof" $((passed + ${#failed[@]} + 1)) "${#proofs[@]}"
    if bash "$SAMPLE_APP_DIR/scripts/$proof.sh"; then
        passed=$((passed + 1))
    else
        failed+=("$proof")
    fi
done
echo
[ ${#failed[@]} -eq 0 ] || echo "Failed proofs: ${failed[*]} (their logs are under $PROOFS_DIR)"
echo "proofs: $passed passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
