#!/bin/sh
# SPDX-License-Identifier: MIT
# t0304-memory-cap.sh - the recipe's [job] memory_cap (issue 13): a frame
# size whose lookahead, queues and codecs would need more is refused as the
# input is opened, before decoding, in one line naming the file, the
# estimate and the cap (exit 11 when no job succeeded); the default (auto)
# accepts 720p.
. "$(dirname "$0")/../lib.sh"

test_expect_success 'setup: a 4096x4096 clip, a 720p clip, recipes with caps' '
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=4096x4096:rate=25 -frames:v 3 \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p big.mp4
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=1280x720:rate=25 -frames:v 30 \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p hd.mp4
	make_recipe cap1g.ini "[job]" "memory_cap = 1G"
	make_recipe cap300m.ini "[job]" "memory_cap = 300M"
	sha256 big.mp4 hd.mp4 >inputs.sha256
'

test_expect_success 'a 1G cap refuses 4096x4096 at once: exit 11, one line with the estimate, nothing written' '
	start=$(date +%s)
	test_must_fail_with 11 timeout 30 "$OBSCURA" run --no-progress --unsigned --json --threads 2 \
		-r cap1g.ini -o out big.mp4
	end=$(date +%s)
	test $((end - start)) -le 10
	one_error_line stderr "big.mp4: 4096x4096 frames need about 2.8G of memory (110 frames"
	test_grep -F "memory_cap is 1G; raise it" stderr
	json_get "
j = d[\"jobs\"][0]
assert j[\"status\"] == \"failed\" and j[\"error_kind\"] == \"memory\" and j[\"frames\"] == 0, j" <stdout
	test_path_is_missing out/big.anon.mp4
	test_path_is_missing out/big.tracks.h5
	test_path_is_missing out/big.mp4.obscura.tar
	test_no_temp out
'

test_expect_success 'the estimate follows the lookahead and the threads; analyze needs less' '
	make_recipe la.ini "[job]" "memory_cap = 1G" "[track]" "lookahead = 2"
	test_must_fail_with 11 "$OBSCURA" run --no-progress --unsigned --threads 1 -r la.ini -o out big.mp4
	test_grep -F "frames need about 3.2G of memory (125 frames" stderr
	test_must_fail_with 11 "$OBSCURA" analyze --no-progress --unsigned --threads 1 -r cap1g.ini -o out big.mp4
	test_grep -F "frames need about 1.2G of memory (42 frames" stderr
'

test_expect_success 'one input refused among others: exit 5; a cap that fits 720p runs it' '
	test_must_fail_with 5 "$OBSCURA" run --no-progress --unsigned --json -r cap1g.ini -o mix big.mp4 hd.mp4
	json_get "assert [j[\"error_kind\"] for j in d[\"jobs\"]] == [\"memory\", \"ok\"], d" <stdout
	test_path_is_file mix/hd.anon.mp4
	test_must_fail_with 11 "$OBSCURA" run --no-progress --unsigned --threads 2 -r cap300m.ini -o small hd.mp4
	one_error_line stderr "hd.mp4: 1280x720 frames need about"
'

test_expect_success 'the default (auto) accepts 720p' '
	"$OBSCURA" run --no-progress -q --unsigned --json -o def hd.mp4 >def.json
	json_get "assert d[\"ok\"] == 1, d" <def.json
	test_path_is_file def/hd.anon.mp4
	sha256sum -c --quiet inputs.sha256
'

test_done
