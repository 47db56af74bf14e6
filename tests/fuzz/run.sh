#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh - run each libFuzzer target for a bounded time, from its seeds.
#
#   tests/fuzz/run.sh BUILD SECONDS BUILD/fuzz/fuzz_NAME...
#
# fuzz_NAME starts from tests/fuzz/corpus/NAME/ (committed text seeds) and
# BUILD/fuzz/seeds/NAME/ (made here from real inputs: recipes/*.ini, a bundle
# by BUILD/tools/mkbundle, a tracks file by BUILD/tools/mktracks, small
# photos by ffmpeg and tests/tools/photo_meta.py); what it
# finds new goes into BUILD/fuzz/corpus/NAME/ and is kept for the next run.
# A crash, sanitizer report, leak or timeout leaves its input in
# BUILD/fuzz/crash-NAME-* and fails the run.  The last line is
# "fuzz: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd) || exit 1
seconds=$2
shift 2

seeds=$build/fuzz/seeds
mkdir -p "$seeds/recipe" "$seeds/bundle" "$seeds/tracks" "$seeds/manifest" "$seeds/minisign" "$seeds/photo" || exit 1

# Real inputs, made anew each run (cheap): every shipped recipe; a signed
# and an unsigned bundle with their manifest, key and signature; a tracks file.
cp "$root"/recipes/*.ini "$seeds/recipe/" || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/obscura-fuzz-seeds.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
printf 'exported video stand-in\n' >"$work/clip.anon.mp4"
printf '{"frames": 3}\n' >"$work/clip.summary.json"
if ! "$build/tools/mkbundle" -o "$seeds/bundle/unsigned.obscura.tar" "$work/clip.anon.mp4" ||
	! minisign -G -W -f -p "$work/k.pub" -s "$work/k.key" >/dev/null ||
	! "$build/tools/mkbundle" -o "$seeds/bundle/signed.obscura.tar" -s "$work/k.key" \
		"$work/clip.anon.mp4" "$work/clip.summary.json" ||
	! "$build/tools/mktracks" "$seeds/tracks/mktracks.h5"; then
	echo "fuzz: cannot make the seeds" >&2
	exit 1
fi
# Small photos, plain and dressed in every kind of metadata (tests/tools/photo_meta.py).
for ext in jpg png; do
	ffmpeg -nostdin -v error -f lavfi -i testsrc=size=16x16 -frames:v 1 "$work/small.$ext" &&
	python3 "$root/tests/tools/photo_meta.py" "$([ $ext = jpg ] && echo jpeg || echo png)" \
		"$work/small.$ext" "$seeds/photo/dressed.$ext" 6 &&
	cp "$work/small.$ext" "$seeds/photo/small.$ext" || { echo "fuzz: cannot make the photo seeds" >&2; exit 1; }
done
cp "$work/k.pub" "$seeds/minisign/k.pub" && cp "$work/k.key" "$seeds/minisign/k.key" || exit 1
(cd "$work" && tar -xf "$seeds/bundle/signed.obscura.tar" manifest.jsonl manifest.jsonl.minisig) || exit 1
cp "$work/manifest.jsonl" "$seeds/manifest/signed.jsonl" &&
	cp "$work/manifest.jsonl.minisig" "$seeds/minisign/signed.minisig" || exit 1

passed=0
failed=0
for bin in "$@"; do
	t=$(basename "$bin")
	name=${t#fuzz_}
	corpus=$build/fuzz/corpus/$name
	mkdir -p "$corpus" || exit 1
	committed=
	[ -d "$here/corpus/$name" ] && committed=$here/corpus/$name
	echo "# $t: $seconds s"
	# -timeout: one input taking 10 s is a finding (a hang), not slowness.
	if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$build/fuzz/crash-$name-" "$corpus" $committed "$seeds/$name" \
		>"$build/fuzz/$name.log" 2>&1; then
		grep -E '^stat::(number_of_executed_units|new_units_added)' "$build/fuzz/$name.log" |
			sed "s/^/# $t: /"
		echo "ok - $t"
		passed=$((passed + 1))
	else
		tail -n 60 "$build/fuzz/$name.log"
		echo "not ok - $t: see $build/fuzz/$name.log and $build/fuzz/crash-$name-*"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
