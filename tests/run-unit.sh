#!/bin/sh
# SPDX-License-Identifier: MIT
# run-unit.sh - run every cmocka unit-test binary given, total their results.
# Each binary exits with the number of failed tests; cmocka prints its own
# per-test lines.  The last line is the summary CI reads: "N passed, N failed".
set -u
passed=0
failed=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	n=$(printf '%s\n' "$out" | grep -c '^\[       OK \]')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | head -n 1)
	f=${f:-0}
	passed=$((passed + n))
	failed=$((failed + f))
	# A crash or a failure cmocka did not itemize still counts.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "unit: $t exited with status $rc" >&2
		failed=$((failed + 1))
	fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
