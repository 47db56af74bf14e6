#!/bin/sh
# SPDX-License-Identifier: MIT
# t0303-skip-done.sh - `run --skip-done` (issue 13, cron): a nightly run over
# a growing directory does only the new files; a bundle that exists but is
# not a finished job of its input (tampered, signed by another key, made
# from other content, its export changed beside it) is neither skipped nor
# replaced, unless --force redoes it; a done bundle the ledger lacks is
# appended to it.
. "$(dirname "$0")/../lib.sh"

# statuses FILE: the jobs' "input status" pairs of a run --json summary, one a line.
statuses() {
	json_get "
for j in d[\"jobs\"]:
    print(j[\"input\"], j[\"status\"])" <"$1"
}

test_expect_success 'setup: a key, another key, clips' '
	"$OBSCURA" keygen --no-passphrase -o k >/dev/null
	"$OBSCURA" keygen --no-passphrase -o other >/dev/null
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=160x120:rate=10 -frames:v 10 \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p a.mp4
	ffmpeg -nostdin -v error -f lavfi -i testsrc=size=160x120:rate=10 -frames:v 10 \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p b.mp4
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=160x120:rate=10 -frames:v 10 -vf hflip \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p c.mp4
	mkdir in
	cp a.mp4 in/
'

test_expect_success 'night 1: one file' '
	"$OBSCURA" run --no-progress -q --skip-done --json --key k.key --ledger led.jsonl -o out in >n1.json
	json_get "assert (d[\"ok\"], d[\"skipped\"], d[\"failed\"]) == (1, 0, 0), d" <n1.json
	sha256 out/a.anon.mp4 out/a.tracks.h5 out/a.mp4.obscura.tar >night1.sha256
'

test_expect_success 'night 2: a new file is done, the old one skipped untouched; the ledger has each once' '
	cp b.mp4 in/
	"$OBSCURA" run --no-progress --skip-done --json --key k.key --ledger led.jsonl -o out in >n2.json 2>n2.err
	statuses n2.json >st
	printf "in/a.mp4 skipped\\nin/b.mp4 ok\\n" >st.expect
	test_cmp st.expect st
	json_get "
assert (d[\"ok\"], d[\"skipped\"], d[\"failed\"]) == (1, 1, 0), d
a = d[\"jobs\"][0]
assert a[\"bundle\"] == \"out/a.mp4.obscura.tar\" and a[\"ledger_seq\"] == 0, a
assert a[\"frames\"] == 0 and len(a[\"manifest_head\"]) == 64 and a[\"job_id\"], a" <n2.json
	test_grep "^obscura: skipped: in/a.mp4: done (a.mp4.obscura.tar verifies)" n2.err
	test_grep "1 ok, 0 failed, 1 skipped" n2.err
	sha256sum -c --quiet night1.sha256
	"$OBSCURA" verify -q -p k.pub --ledger led.jsonl out/a.mp4.obscura.tar out/b.mp4.obscura.tar
	test_line_count led.jsonl 2
'

test_expect_success 'night 3: everything done: exit 0, nothing written' '
	sha256 out/* led.jsonl >night2.sha256
	"$OBSCURA" run --no-progress -q --skip-done --json --key k.key --ledger led.jsonl -o out in >n3.json
	json_get "assert (d[\"ok\"], d[\"skipped\"], d[\"failed\"]) == (0, 2, 0), d" <n3.json
	sha256sum -c --quiet night2.sha256
'

test_expect_success 'a tampered bundle is neither skipped nor replaced: its input fails, exit 5' '
	cp c.mp4 in/
	python3 -c "
import sys
p = \"out/a.mp4.obscura.tar\"
d = bytearray(open(p, \"rb\").read())
d[3000] ^= 1
open(p, \"wb\").write(d)"
	sha256 out/a.mp4.obscura.tar >tampered.sha256
	test_must_fail_with 5 "$OBSCURA" run --no-progress --skip-done --json --key k.key --ledger led.jsonl -o out in
	one_error_line stderr "out/a.mp4.obscura.tar: exists but is not a finished job of in/a.mp4: TAMPERED"
	test_grep "not skipped (--force redoes it)" stderr
	statuses stdout >st
	printf "in/a.mp4 failed\\nin/b.mp4 skipped\\nin/c.mp4 ok\\n" >st.expect
	test_cmp st.expect st
	json_get "assert d[\"jobs\"][0][\"error_kind\"] == \"output\", d" <stdout
	sha256sum -c --quiet tampered.sha256
	test_no_temp out
'

test_expect_success '--skip-done --force redoes the tampered one alone, saying why' '
	"$OBSCURA" run --no-progress --skip-done --force --json --key k.key --ledger led.jsonl -o out in >f.json 2>f.err
	statuses f.json >st
	printf "in/a.mp4 ok\\nin/b.mp4 skipped\\nin/c.mp4 skipped\\n" >st.expect
	test_cmp st.expect st
	test_grep "^obscura: warning: out/a.mp4.obscura.tar: exists but is not a finished job .*; redoing it (--force)" f.err
	json_get "assert \"TAMPERED\" in d[\"jobs\"][0][\"redone\"], d" <f.json
	"$OBSCURA" verify -q -p k.pub --ledger led.jsonl out/a.mp4.obscura.tar out/b.mp4.obscura.tar out/c.mp4.obscura.tar
'

test_expect_success 'not done either: an input replaced under its name, an export changed beside its bundle' '
	cp c.mp4 in/a.mp4
	test_must_fail_with 5 "$OBSCURA" run --no-progress --skip-done --key k.key -o out in
	one_error_line stderr "out/a.mp4.obscura.tar: exists but is not a finished job of in/a.mp4: it was made from other content"
	cp a.mp4 in/a.mp4
	cp out/b.anon.mp4 b.keep
	printf x >>out/b.anon.mp4
	test_must_fail_with 5 "$OBSCURA" run --no-progress --skip-done --key k.key -o out in
	one_error_line stderr "out/b.anon.mp4 is not the copy the bundle holds"
	rm out/b.anon.mp4
	test_must_fail_with 5 "$OBSCURA" run --no-progress --skip-done --key k.key -o out in
	one_error_line stderr "out/b.anon.mp4"
	cp b.keep out/b.anon.mp4
	"$OBSCURA" run --no-progress -q --skip-done --key k.key -o out in
'

test_expect_success 'signed by another key: not done for this key; an unsigned run takes it' '
	test_must_fail_with 4 "$OBSCURA" run --no-progress --skip-done --key other.key -o out in/a.mp4
	one_error_line stderr "out/a.mp4.obscura.tar: exists but is not a finished job of in/a.mp4: TAMPERED"
	"$OBSCURA" run --no-progress --skip-done --json --unsigned -o out in/a.mp4 >u.json
	json_get "assert d[\"skipped\"] == 1, d" <u.json
'

test_expect_success 'unsigned bundles: an unsigned run skips them, a signing run does not' '
	mkdir in2
	cp a.mp4 in2/
	"$OBSCURA" run --no-progress -q --unsigned -o uout in2
	"$OBSCURA" run --no-progress --skip-done --json --unsigned -o uout in2 >u2.json
	json_get "assert d[\"skipped\"] == 1, d" <u2.json
	test_must_fail_with 4 "$OBSCURA" run --no-progress --skip-done --key k.key -o uout in2
	one_error_line stderr "out/a.mp4.obscura.tar: exists but is not a finished job of in2/a.mp4: it is unsigned"
'

test_expect_success 'a done bundle the ledger lacks is appended to it once' '
	mkdir in3
	cp a.mp4 b.mp4 in3/
	"$OBSCURA" run --no-progress -q --key k.key -o lout in3
	"$OBSCURA" run --no-progress --skip-done --json --key k.key --ledger led3.jsonl -o lout in3 >l.json
	json_get "assert [j[\"ledger_seq\"] for j in d[\"jobs\"]] == [0, 1], d" <l.json
	"$OBSCURA" run --no-progress -q --skip-done --key k.key --ledger led3.jsonl -o lout in3
	test_line_count led3.jsonl 2
	"$OBSCURA" verify -q -p k.pub --ledger led3.jsonl lout/a.mp4.obscura.tar lout/b.mp4.obscura.tar
'

test_expect_success 'analyze --skip-done and redact --skip-done' '
	"$OBSCURA" analyze --no-progress -q --unsigned -o an in2
	"$OBSCURA" analyze --no-progress --skip-done --json --unsigned -o an in2 >an.json
	json_get "assert d[\"skipped\"] == 1, d" <an.json
	"$OBSCURA" redact --no-progress -q --unsigned --tracks an/a.tracks.h5 -o rd in2/a.mp4
	"$OBSCURA" redact --no-progress --skip-done --json --unsigned --tracks an/a.tracks.h5 -o rd in2/a.mp4 >rd.json
	json_get "assert d[\"skipped\"] == 1, d" <rd.json
'

test_done
