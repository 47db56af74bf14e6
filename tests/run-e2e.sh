#!/bin/sh
# SPDX-License-Identifier: MIT
# run-e2e.sh - run every end-to-end script tests/e2e/tNNNN-*.sh, total the results.
#
#   OBSCURA=/abs/path/obscura TOOLS=/abs/path/tools tests/run-e2e.sh [SCRIPT...]
#
# Each script sources tests/lib.sh, works in its own mktemp -d directory and
# appends "PASSED FAILED" to $E2E_COUNTS when it ends.  A script that dies
# before reporting counts as one failure.  The last line is the summary CI
# reads, exactly "N passed, N failed"; the exit status is non-zero if any failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${OBSCURA:=$here/../build/obscura}"
: "${TOOLS:=$here/../build/tools}"
export OBSCURA TOOLS

counts=$(mktemp "${TMPDIR:-/tmp}/obscura-e2e-counts.XXXXXX") || exit 1
trap 'rm -f "$counts"' EXIT
E2E_COUNTS=$counts
export E2E_COUNTS

if [ $# -eq 0 ]; then
	set -- "$here"/e2e/t[0-9][0-9][0-9][0-9]-*.sh
fi

passed=0
failed=0
for t in "$@"; do
	[ -f "$t" ] || continue
	before=$(wc -l <"$counts")
	start=$(date +%s)
	sh "$t"
	rc=$?
	after=$(wc -l <"$counts")
	echo "# $(basename "$t"): $(($(date +%s) - start)) s"
	if [ "$after" -eq "$before" ]; then
		echo "not ok - $(basename "$t") died (status $rc) before reporting"
		failed=$((failed + 1))
	elif [ "$rc" -ne 0 ] && [ "$(tail -n 1 "$counts" | cut -d' ' -f2)" -eq 0 ]; then
		echo "not ok - $(basename "$t") exited with status $rc after all its tests passed"
		failed=$((failed + 1))
	fi
done
while read -r p f; do
	passed=$((passed + p))
	failed=$((failed + f))
done <"$counts"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
