#!/bin/sh
# SPDX-License-Identifier: MIT
# t0030-bad-input.sh - bad inputs, bad outputs, bad recipes, interrupts: one
# clear line naming the file, the documented exit status (obscura(1): 2 usage,
# 3 recipe, 4 every job failed, 5 some failed, 6 output directory unusable,
# 130 interrupted), the good jobs of the batch still done, nothing left
# behind for a failed job, inputs never modified.
. "$(dirname "$0")/../lib.sh"

M2MP4=/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4
VTEST=/usr/share/doc/opencv-doc/examples/data/vtest.avi

# one_error_line FILE NAME: exactly one "obscura: error: NAME: ..." line for NAME.
one_error_line() {
	n=$(grep -c "^obscura: error: $2: ." "$1" || true)
	if [ "$n" -ne 1 ]; then
		echo "expected one 'obscura: error: $2: <cause>' line in $1, found $n:"
		cat "$1"
		return 1
	fi
}

test_expect_success 'setup: good and bad inputs' '
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 25 \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p good.mp4
	# moov at the end (ffmpeg default): a cut loses the index
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 100 \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p moov-last.mp4
	head -c $(($(stat -c %s moov-last.mp4) / 2)) moov-last.mp4 >no-moov.mp4
	# moov first: a cut inside the media data, synthetic and real
	ffmpeg -nostdin -v error -i moov-last.mp4 -c copy -movflags +faststart moov-first.mp4
	head -c $(($(stat -c %s moov-first.mp4) / 2)) moov-first.mp4 >cut-mdat.mp4
	head -c 2000000 "$M2MP4" >cut-real.mp4
	: >empty.mp4
	head -c 65536 /dev/urandom >random.mp4
	printf "This is not a video.\nJust some notes.\n" >notes.avi
	mkdir novideo
	echo "a readme" >novideo/README.txt
	sha256 good.mp4 no-moov.mp4 cut-mdat.mp4 cut-real.mp4 empty.mp4 random.mp4 notes.avi >inputs.sha256
'

test_expect_success 'the truncated fixtures are what they claim' '
	test_must_fail_with 1 ffprobe -v error no-moov.mp4
	test_grep -i "moov atom not found" stderr
	test_eq 100 "$(ffprobe -v error -select_streams v:0 -show_entries stream=nb_frames -of default=nw=1:nk=1 cut-mdat.mp4)" "index of cut-mdat.mp4"
'

# Each bad input alone: exit 4, one line naming the file, nothing in out/.
for bad in empty.mp4 random.mp4 no-moov.mp4 cut-mdat.mp4 cut-real.mp4 notes.avi missing.mp4 novideo; do
	test_expect_success "bad input $bad alone: exit 4, one error line naming it, no output" "
		test_must_fail_with 4 \"\$OBSCURA\" run --unsigned -o out $bad
		one_error_line stderr $bad
		test_grep '1 job: 0 ok, 1 failed' stderr
		test_dir_is_empty out
	"
done

test_expect_success 'the causes are told apart' '
	"$OBSCURA" run --unsigned -o out empty.mp4 random.mp4 cut-mdat.mp4 missing.mp4 novideo no-moov.mp4 2>err || true
	test_grep "empty.mp4: empty file" err
	test_grep "random.mp4: not a readable video file" err
	test_grep "no-moov.mp4: truncated: the file ends before its index (no moov box)" err
	test_grep "cut-mdat.mp4: truncated" err
	test_grep "missing.mp4: No such file or directory" err
	test_grep "novideo: no video or photo files" err
'

test_expect_success 'text named .png or .jpg: not a readable file, not a missing frame size' '
	printf "This is not a picture.\n" >notes.png
	cp notes.png notes.jpg
	for f in notes.png notes.jpg; do
		test_must_fail_with 4 "$OBSCURA" run --unsigned -o out $f
		one_error_line stderr $f
		test_grep "^obscura: error: $f: not a readable video or picture file: " stderr
		test_dir_is_empty out
	done
'

test_expect_success 'a batch of bad inputs and good ones (-j 2): exit 5, good ones done' '
	cp good.mp4 good2.mp4
	test_must_fail_with 5 "$OBSCURA" run --unsigned -j 2 --json -o out good.mp4 empty.mp4 random.mp4 \
		no-moov.mp4 cut-mdat.mp4 cut-real.mp4 notes.avi missing.mp4 novideo good2.mp4
	mv stdout summary.json
	for f in empty.mp4 random.mp4 no-moov.mp4 cut-mdat.mp4 cut-real.mp4 notes.avi missing.mp4 novideo; do
		one_error_line stderr $f
	done
	test_grep "10 jobs: 2 ok, 8 failed" stderr
	test_eq 25 "$(probe_frames out/good.anon.mp4)" "frames of good"
	test_eq 25 "$(probe_frames out/good2.anon.mp4)" "frames of good2"
	ls -A out >listing
	printf "good.anon.mp4\ngood.mp4.obscura.tar\ngood.tracks.h5\ngood2.anon.mp4\ngood2.mp4.obscura.tar\ngood2.tracks.h5\n" >expect
	test_cmp expect listing
'

test_expect_success '--json summary: parses, one entry per input with input/output/status/error/frames' '
	json_get "
jobs = d[\"jobs\"]
assert d[\"ok\"] == 2 and d[\"failed\"] == 8, (d[\"ok\"], d[\"failed\"])
assert d[\"interrupted\"] is False
assert [j[\"input\"] for j in jobs] == \"good.mp4 empty.mp4 random.mp4 no-moov.mp4 cut-mdat.mp4 cut-real.mp4 notes.avi missing.mp4 novideo good2.mp4\".split()
for j in jobs:
	for k in (\"input\", \"output\", \"status\", \"frames\"):
		assert k in j, (k, j)
	if j[\"input\"].startswith(\"good\"):
		assert j[\"status\"] == \"ok\" and j[\"frames\"] == 25 and j[\"output\"].endswith(\".anon.mp4\"), j
		assert j.get(\"error\") is None, j
	else:
		assert j[\"status\"] == \"failed\" and j[\"output\"] is None, j
		assert j[\"error\"].startswith(j[\"input\"] + \": \") and \"\\n\" not in j[\"error\"], j
		assert j[\"error_kind\"] == \"input\", j
" <summary.json
'

test_expect_success 'failed jobs leave no temporary file; inputs unmodified' '
	test_no_temp .
	sha256sum -c --quiet inputs.sha256
'

test_expect_success 'existing export without --force: that job fails (exit 5), file untouched' '
	sha256 out/good.anon.mp4 >export.sha256
	rm out/good2.anon.mp4 out/good2.mp4.obscura.tar out/good2.tracks.h5
	test_must_fail_with 5 "$OBSCURA" run --unsigned -o out good.mp4 good2.mp4
	one_error_line stderr out/good.anon.mp4
	test_grep "exists" stderr
	test_grep -e "--force" stderr
	sha256sum -c --quiet export.sha256
	test_path_is_file out/good2.anon.mp4
	test_must_fail_with 4 "$OBSCURA" run --unsigned -o out good.mp4
'

test_expect_success '--force replaces the existing export' '
	echo junk >out/good.anon.mp4
	"$OBSCURA" run --unsigned -q --force -o out good.mp4
	test_eq 25 "$(probe_frames out/good.anon.mp4)" "frames"
	test_no_temp out
'

test_expect_success 'unusable output directory: exit 6, one line naming it, no job run' '
	test_must_fail_with 6 "$OBSCURA" run --unsigned -o /proc/obscura-e2e-test good.mp4
	test_line_count stderr 1
	test_grep "^obscura: error: /proc/obscura-e2e-test: " stderr
	test_must_fail_with 6 "$OBSCURA" run --unsigned -o notes.avi/sub good.mp4
	test_line_count stderr 1
	test_grep "^obscura: error: notes.avi/sub: .*Not a directory" stderr
	sha256sum -c --quiet inputs.sha256
'

test_expect_success 'bad recipe, unknown key: exit 3, file:line, section and key named, nothing run' '
	make_recipe unknown.ini "[pixelate]" "block = 16" "frobnicate = 1"
	test_must_fail_with 3 "$OBSCURA" run --unsigned -r unknown.ini -o rout good.mp4
	test_line_count stderr 1
	test_grep "^obscura: error: unknown.ini:3: \[pixelate\] frobnicate: unknown key" stderr
	test_path_is_missing rout
'

test_expect_success 'bad recipe, bad value: exit 3, file:line and key named' '
	make_recipe badvalue.ini "[output]" "preset = veryfast" "crf = 99"
	test_must_fail_with 3 "$OBSCURA" run --unsigned -r badvalue.ini -o rout good.mp4
	test_line_count stderr 1
	test_grep "^obscura: error: badvalue.ini:3: \[output\] crf: " stderr
	make_recipe blur.ini "[pixelate]" "style = blur"
	test_must_fail_with 3 "$OBSCURA" run --unsigned -r blur.ini -o rout good.mp4
	test_grep "^obscura: error: blur.ini:2: .*blur" stderr
	test_path_is_missing rout
'

test_expect_success 'bad recipe, polygon with 2 points: exit 3, file, zone and key named' '
	make_recipe twopoints.ini "[exclude \"door\"]" "polygon = 0.1,0.1 0.5,0.5"
	test_must_fail_with 3 "$OBSCURA" run --unsigned -r twopoints.ini -o rout good.mp4
	test_line_count stderr 1
	test_grep "^obscura: error: twopoints.ini.*door.*polygon.*3 points" stderr
	test_path_is_missing rout
'

test_expect_success 'bad recipe, a detector misspelt: exit 3 before any job, recipe, key and name named' '
	make_recipe typo.ini "[detect]" "faces = ultrafase"
	test_must_fail_with 3 "$OBSCURA" run --unsigned -r typo.ini -o rout good.mp4 good.mp4
	test_line_count stderr 1
	test_grep "^obscura: error: typo.ini: \[detect\] faces = ultrafase: no such model in .* (see obscura models; make models builds them)$" stderr
	test_path_is_missing rout
	test_must_fail_with 3 "$OBSCURA" analyze --unsigned -r typo.ini -o rout good.mp4
	test_path_is_missing rout
'

test_expect_success 'missing recipe file: exit 3' '
	test_must_fail_with 3 "$OBSCURA" run --unsigned -r nosuch.ini -o rout good.mp4
	test_grep "^obscura: error: nosuch.ini: " stderr
'

test_expect_success 'SIGINT to the process group mid-job: exit 130, no export, no temp file' '
	setsid "$OBSCURA" run --unsigned --threads 1 -o sigint "$VTEST" good.mp4 >/dev/null 2>err &
	pid=$!
	wait_for_temp sigint
	kill -INT "-$pid"
	rc=0
	wait $pid || rc=$?
	test_eq 130 $rc "exit status"
	test_grep "interrupted" err
	test_no_temp sigint
	test_dir_is_empty sigint
'

test_expect_success 'SIGTERM to obscura alone stops the running job: exit 130, nothing left' '
	setsid "$OBSCURA" run --unsigned --threads 1 --json -o sigterm "$VTEST" good.mp4 >summary.json 2>err &
	pid=$!
	wait_for_temp sigterm
	kill -TERM $pid
	rc=0
	wait $pid || rc=$?
	test_eq 130 $rc "exit status"
	test_no_temp sigterm
	test_dir_is_empty sigterm
	json_get "
assert d[\"interrupted\"] is True, d
assert d[\"ok\"] == 0, d
assert [j[\"status\"] for j in d[\"jobs\"]] == [\"failed\", \"failed\"], d[\"jobs\"]
assert d[\"jobs\"][0][\"error_kind\"] == \"interrupted\", d[\"jobs\"][0]" <summary.json
'

test_expect_success 'inputs are unmodified after everything' '
	sha256sum -c --quiet inputs.sha256
	test_no_temp .
'

test_done
