#!/bin/sh
# SPDX-License-Identifier: MIT
# t0302-kills.sh - kills and stops at several moments of a job (issue 13),
# beside t0300 (SIGKILL of the runner as a job starts, of a -j 2 runner,
# stale temporaries, two runs at once) and t0030 (SIGINT, SIGTERM without a
# ledger):
#   - SIGKILL of the job process alone, as it starts, mid-encode and while
#     its bundle is written: the runner reports it failed, removes its
#     temporaries and goes on with the batch;
#   - SIGKILL of runner and job together, mid-encode and while the bundle
#     is written;
#   - SIGTERM of the runner with a ledger, mid-encode (the jobs stop) and
#     while a bundle is written (that job is past its last frame: it ends
#     whole and is recorded; the next never starts);
#   - SIGHUP of the runner mid-encode (a terminal or ssh session gone): as
#     SIGTERM; under nohup, which ignores it, nothing changes.
# After each: nothing finished-looking (a bundle is there only if it
# verifies and is in the ledger), the ledger verifies, and a rerun
# (--skip-done) completes. The late moment is caught by polling for the
# bundle's temporary file, made to take a while to write: a lossless
# export of a noisy clip (about 50 MB).
. "$(dirname "$0")/../lib.sh"

# moment_pid DIR STEM MOMENT: waits, 60 s at most, until the job writing
# STEM's outputs in DIR reaches MOMENT and prints its pid:
#   start   its first temporary file (the manifest, before any frame);
#   encode  its export's temporary file past 512 KB;
#   bundle  its bundle's temporary file (the export is finished, not renamed).
# Polls without sleeping: the bundle is written in well under a second.
moment_pid() {
	case $3 in
	start) _pat=".$2.*obscura-tmp-*" _min=0 ;;
	encode) _pat=".$2.anon.mp4.obscura-tmp-*" _min=512 ;;
	bundle) _pat=".$2.mp4.obscura.tar.obscura-tmp-*" _min=0 ;;
	esac
	_end=$(($(date +%s) + 60))
	while [ "$(date +%s)" -le $_end ]; do
		_t=$(find "$1" -maxdepth 1 -name "$_pat" ! -size -${_min}k -print -quit 2>/dev/null) || true
		if [ -n "$_t" ]; then
			echo "${_t##*obscura-tmp-}"
			return 0
		fi
	done
	echo "$1: $2 never reached $3"
	return 1
}

# nothing_unrecorded DIR LEDGER: every bundle in DIR verifies and is in
# LEDGER, which verifies; every export and tracks file has its bundle.
nothing_unrecorded() {
	for _b in "$1"/*.obscura.tar; do
		if [ -e "$_b" ]; then
			"$OBSCURA" verify -q -p k.pub --ledger "$2" "$_b" || return 1
		fi
	done
	for _o in "$1"/*.anon.mp4 "$1"/*.tracks.h5; do
		if [ -e "$_o" ]; then
			_s=${_o##*/}
			_s=${_s%.anon.mp4}
			_s=${_s%.tracks.h5}
			test_path_is_file "$1/$_s.mp4.obscura.tar" || return 1
		fi
	done
	"$OBSCURA" verify -q -p k.pub --ledger "$2"
}

# no_outputs DIR STEM: nothing of STEM in DIR looks finished.
no_outputs() {
	test_path_is_missing "$1/$2.anon.mp4"
	test_path_is_missing "$1/$2.tracks.h5"
	test_path_is_missing "$1/$2.mp4.obscura.tar"
}

test_expect_success 'setup: a key, clips, a lossless recipe' '
	"$OBSCURA" keygen --no-passphrase -o k >/dev/null
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 25 \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p base.mp4
	# several seconds of work at one thread, to be killed in the middle
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=640x480:rate=25 -t 20 \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p long.mp4
	# its lossless export is about 50 MB, so that the bundle takes a while to write
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=640x480:rate=25 -t 4 -vf noise=alls=60:allf=t \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p late.mp4
	make_recipe lossless.ini "[output]" "crf = 0" "preset = ultrafast"
	make_recipe plain.ini "[recipe]" "name = plain"
	sha256 base.mp4 long.mp4 late.mp4 >inputs.sha256
'

# ---- SIGKILL of the job alone: the runner reports it and goes on ----

# Each: the moment, the input killed, the recipe.
while read -r moment stem recipe; do
	test_expect_success "SIGKILL of the job alone ($moment): reported failed, its temporaries removed, the batch goes on" "
		mkdir -p in-$moment
		cp $stem.mp4 base.mp4 in-$moment/
		\"\$OBSCURA\" run --no-progress --threads 1 --json -r $recipe --key k.key --ledger led-$moment.jsonl \
			-o J-$moment in-$moment/$stem.mp4 in-$moment/base.mp4 >j.json 2>j.err &
		pid=\$!
		job=\$(moment_pid J-$moment $stem $moment)
		kill -9 \$job
		rc=0
		wait \$pid || rc=\$?
		test_eq 5 \$rc 'runner exit status'
		json_get \"
a, b = d['jobs']
assert a['status'] == 'failed' and a['error_kind'] == 'internal', a
assert a['error'] == 'in-$moment/$stem.mp4: job process died (signal 9)', a
assert a['bundle'] is None and b['status'] == 'ok', d\" <j.json
		test_grep '^obscura: error: in-$moment/$stem.mp4: job process died (signal 9)' j.err
		test_no_temp J-$moment
		no_outputs J-$moment $stem
		nothing_unrecorded J-$moment led-$moment.jsonl
		\"\$OBSCURA\" run --no-progress -q --skip-done --json -r $recipe --key k.key --ledger led-$moment.jsonl \
			-o J-$moment in-$moment >r.json
		json_get \"assert [j['status'] for j in d['jobs']] == ['skipped', 'ok'], d\" <r.json
		nothing_unrecorded J-$moment led-$moment.jsonl
		test_path_is_file J-$moment/$stem.anon.mp4
	"
done <<'EOF'
start long plain.ini
encode long plain.ini
bundle late lossless.ini
EOF

# ---- SIGKILL of runner and job together: temporaries stay, the next run clears them ----

while read -r moment stem recipe; do
	test_expect_success "SIGKILL of runner and job together ($moment): nothing finished, the ledger intact, a rerun completes" "
		\"\$OBSCURA\" run --no-progress -q -r $recipe --key k.key --ledger both.jsonl -o B-$moment base.mp4
		\"\$OBSCURA\" run --no-progress --threads 1 -r $recipe --key k.key --ledger both.jsonl \
			-o B-$moment $stem.mp4 >/dev/null 2>&1 &
		pid=\$!
		job=\$(moment_pid B-$moment $stem $moment)
		kill -9 \$pid \$job
		rc=0
		wait \$pid || rc=\$?
		test_eq 137 \$rc 'runner exit status'
		wait_gone \$job
		no_outputs B-$moment $stem
		test -n \"\$(find B-$moment -name \".*.obscura-tmp-\$job\")\"
		nothing_unrecorded B-$moment both.jsonl
		\"\$OBSCURA\" run --no-progress --skip-done -r $recipe --key k.key --ledger both.jsonl \
			-o B-$moment $stem.mp4 base.mp4 2>rerun
		test_grep 'removed .* stale temporar' rerun
		test_no_temp B-$moment
		test_path_is_file B-$moment/$stem.anon.mp4
		nothing_unrecorded B-$moment both.jsonl
	"
done <<'EOF'
encode long plain.ini
bundle late lossless.ini
EOF

# ---- SIGTERM of the runner: a clean stop ----

test_expect_success 'SIGTERM of a -j 2 runner with a ledger mid-encode: exit 130, nothing finished, a rerun completes' '
	cp long.mp4 long2.mp4
	"$OBSCURA" run --no-progress -j 2 --threads 1 --json --key k.key --ledger term.jsonl \
		-o T long.mp4 long2.mp4 base.mp4 >t.json 2>t.err &
	pid=$!
	moment_pid T long encode >/dev/null
	kill -TERM $pid
	rc=0
	wait $pid || rc=$?
	test_eq 130 $rc "runner exit status"
	json_get "
assert d[\"interrupted\"] is True and d[\"ok\"] == 0, d
assert [j[\"error_kind\"] for j in d[\"jobs\"]] == [\"interrupted\"] * 3, d" <t.json
	test_no_temp T
	no_outputs T long
	no_outputs T long2
	no_outputs T base
	test_path_is_missing T/.obscura.lock
	"$OBSCURA" run --no-progress -q --skip-done --key k.key --ledger term.jsonl -o T long.mp4 long2.mp4 base.mp4
	nothing_unrecorded T term.jsonl
'

test_expect_success 'SIGTERM of the runner while a bundle is written: that job ends whole and recorded, no other starts' '
	"$OBSCURA" run --no-progress --threads 1 --json -r lossless.ini --key k.key --ledger late.jsonl \
		-o TL late.mp4 base.mp4 >tl.json 2>tl.err &
	pid=$!
	moment_pid TL late bundle >/dev/null
	kill -TERM $pid
	rc=0
	wait $pid || rc=$?
	test_eq 130 $rc "runner exit status"
	test_no_temp TL
	no_outputs TL base
	nothing_unrecorded TL late.jsonl
	json_get "
a, b = d[\"jobs\"]
assert d[\"interrupted\"] is True, d
assert a[\"status\"] == \"ok\" and a[\"ledger_seq\"] == 0, a
assert b[\"error_kind\"] == \"interrupted\", b" <tl.json
	"$OBSCURA" run --no-progress -q --skip-done -r lossless.ini --key k.key --ledger late.jsonl -o TL late.mp4 base.mp4
	nothing_unrecorded TL late.jsonl
	test_path_is_file TL/late.anon.mp4
'

# ---- SIGHUP: the terminal or the ssh session gone ----

test_expect_success 'SIGHUP of the runner mid-encode: exit 130, nothing finished, no temporaries' '
	"$OBSCURA" run --no-progress --threads 1 --json -r plain.ini --unsigned -o H long.mp4 base.mp4 \
		>h.json 2>h.err &
	pid=$!
	moment_pid H long encode >/dev/null
	kill -HUP $pid
	rc=0
	wait $pid || rc=$?
	test_eq 130 $rc "runner exit status"
	json_get "assert d[\"interrupted\"] is True and d[\"ok\"] == 0, d" <h.json
	test_no_temp H
	no_outputs H long
	no_outputs H base
	test_path_is_missing H/.obscura.lock
'

test_expect_success 'under nohup (SIGHUP ignored) the same SIGHUP changes nothing: the batch finishes' '
	nohup "$OBSCURA" run --no-progress --threads 1 -q -r plain.ini --unsigned -o NH long.mp4 \
		>nh.out 2>nh.err &
	pid=$!
	moment_pid NH long encode >/dev/null
	kill -HUP $pid
	rc=0
	wait $pid || rc=$?
	test_eq 0 $rc "runner exit status"
	test_path_is_file NH/long.anon.mp4
	test_path_is_file NH/long.mp4.obscura.tar
'

test_expect_success 'inputs are unmodified after everything' '
	sha256sum -c --quiet inputs.sha256
'

test_done
