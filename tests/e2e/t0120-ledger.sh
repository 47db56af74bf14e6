#!/bin/sh
# SPDX-License-Identifier: MIT
# t0120-ledger.sh - `obscura run --ledger`: one signed, hash-chained entry per bundle across runs; `verify --ledger` checks it.
. "$(dirname "$0")/../lib.sh"

test_expect_success 'setup: a key pair and two small clips' '
	"$OBSCURA" keygen --no-passphrase -o k >/dev/null
	ffmpeg -v error -f lavfi -i testsrc2=size=160x120:rate=10:duration=1 -c:v libx264 -pix_fmt yuv420p a.mp4
	ffmpeg -v error -f lavfi -i testsrc2=size=160x120:rate=10:duration=1 -vf hflip -c:v libx264 -pix_fmt yuv420p b.mp4
'

test_expect_success 'two successive runs append two chained entries' '
	"$OBSCURA" run --no-progress -q --key k.key --ledger ledger.jsonl --json -o out1 a.mp4 >s1.json
	"$OBSCURA" run --no-progress -q --key k.key --ledger ledger.jsonl --json -o out2 b.mp4 >s2.json
	test_line_count ledger.jsonl 2
	test_path_is_file ledger.jsonl.minisig
	test_path_is_file ledger.jsonl.pub
	a=$(sha256_of out1/a.mp4.obscura.tar)
	b=$(sha256_of out2/b.mp4.obscura.tar)
	"$PYTHON" - "$a" "$b" <<-PY
	import hashlib, json, sys
	lines = open("ledger.jsonl", "rb").read().splitlines()
	ev = [json.loads(l) for l in lines]
	assert [e["seq"] for e in ev] == [0, 1], ev
	assert all(e["type"] == "bundle" for e in ev), ev
	assert ev[0]["prev"] == "0" * 64, ev[0]
	assert ev[1]["prev"] == hashlib.sha256(lines[0]).hexdigest(), ev[1]
	assert ev[0]["data"]["sha256"] == sys.argv[1] and ev[1]["data"]["sha256"] == sys.argv[2], ev
	assert ev[0]["data"]["bundle"] == "a.mp4.obscura.tar" and ev[0]["data"]["status"] == "ok", ev
	s2 = json.load(open("s2.json"))["jobs"][0]
	assert ev[1]["data"]["manifest_head"] == s2["manifest_head"], (ev, s2)
	assert ev[1]["data"]["job_id"] == s2["job_id"] and s2["ledger_seq"] == 1, (ev, s2)
	assert set(ev[1]["data"]) == {"bundle", "sha256", "size", "manifest_head", "job_id", "input", "status"}
	PY
'

test_expect_success 'verify --ledger with the trusted key, and with the bundles: exit 0' '
	"$OBSCURA" verify -p k.pub --ledger ledger.jsonl >v.txt
	test_grep "ledger.jsonl: OK: ledger of 2 entries, chain intact, signed by trusted key" v.txt
	"$OBSCURA" verify -p k.pub --ledger ledger.jsonl out1/a.mp4.obscura.tar out2/b.mp4.obscura.tar >v2.txt
	test_line_count v2.txt 3
	"$OBSCURA" verify -p k.pub --json --ledger ledger.jsonl out2/b.mp4.obscura.tar >v.json
	json_get "
assert d[0][\"status\"] == \"ok\" and d[0][\"chain\"][\"entries\"] == 2, d
assert d[0][\"signature\"][\"status\"] == \"valid\", d
assert d[1][\"ledger_seq\"] == 1, d" <v.json
'

test_expect_success 'Debian minisign verifies the ledger; the trusted comment names head and count' '
	minisign -Vm ledger.jsonl -p k.pub >ms.out
	test_grep "Signature and comment signature verified" ms.out
	# the chain hashes the last line without its newline
	tail -n 1 ledger.jsonl >last
	truncate -s -1 last
	head=$(sha256_of last)
	test_grep "entries:2" ms.out
	test_grep "head:$head" ms.out
'

test_expect_success 'a bundle not in the ledger: exit 7' '
	mkdir other
	"$OBSCURA" run --no-progress -q --key k.key -o other a.mp4
	test_must_fail_with 7 "$OBSCURA" verify -p k.pub --ledger ledger.jsonl other/a.mp4.obscura.tar
	test_grep "is not in the ledger" stdout
'

test_expect_success 'a flipped byte: verify exit 7 naming the line' '
	cp ledger.jsonl flip.jsonl
	cp ledger.jsonl.minisig flip.jsonl.minisig
	sed -i "1s/\"status\":\"ok\"/\"status\":\"ko\"/" flip.jsonl
	test_must_fail_with 1 cmp ledger.jsonl flip.jsonl
	test_must_fail_with 7 "$OBSCURA" verify -p k.pub --ledger flip.jsonl
	test_grep "TAMPERED: flip.jsonl: manifest line 2" stdout
'

test_expect_success 'the first line deleted: verify exit 7 naming line 1' '
	sed 1d ledger.jsonl >del.jsonl
	cp ledger.jsonl.minisig del.jsonl.minisig
	test_must_fail_with 7 "$OBSCURA" verify -p k.pub --ledger del.jsonl
	test_grep "line 1" stdout
	test_must_fail_with 7 "$OBSCURA" verify -p k.pub --json --ledger del.jsonl
	json_get "assert d[0][\"chain\"][\"line\"] == 1 and d[0][\"status\"] == \"tampered\", d" <stdout
'

test_expect_success 'no signature: exit 8; missing ledger: exit 9' '
	cp ledger.jsonl nosig.jsonl
	test_must_fail_with 8 "$OBSCURA" verify -p k.pub --ledger nosig.jsonl
	test_must_fail_with 9 "$OBSCURA" verify -p k.pub --ledger nope.jsonl
'

test_expect_success 'a run appending to a tampered ledger refuses (exit 6) and appends nothing' '
	cp del.jsonl before
	test_must_fail_with 6 "$OBSCURA" run --no-progress -q --key k.key --ledger del.jsonl -o out3 b.mp4
	test_grep "del.jsonl: manifest line 1" stderr
	test_grep "refusing to append" stderr
	cmp before del.jsonl
	test_path_is_missing out3/b.mp4.obscura.tar
'

test_expect_success '--ledger with --unsigned: usage error, exit 2' '
	test_must_fail_with 2 "$OBSCURA" run --no-progress --unsigned --ledger x.jsonl -o out4 a.mp4
	test_path_is_missing x.jsonl
'

test_done
