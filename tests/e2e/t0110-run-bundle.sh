#!/bin/sh
# SPDX-License-Identifier: MIT
# t0110-run-bundle.sh - every `obscura run` job ends in a signed bundle that a recipient checks with standard tools.
. "$(dirname "$0")/../lib.sh"

GPS="+48.8584+002.2945/"

test_expect_success 'setup: a key pair and a 300-frame clip with GPS and title tags' '
	"$OBSCURA" keygen --no-passphrase -o k >/dev/null
	ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=25 -t 12 \
		-metadata location="$GPS" -metadata title="Secret Name" \
		-c:v libx264 -pix_fmt yuv420p clip.mp4
	test "$(stat -c %a k.key)" = 600
'

test_expect_success 'run --key: export and bundle, nothing else left; JSON names both' '
	"$OBSCURA" run --no-progress --key k.key --json -o out clip.mp4 >summary.json
	ls -A out >listing
	printf "%s\n" clip.anon.mp4 clip.mp4.obscura.tar clip.tracks.h5 >expect
	test_cmp expect listing
	json_get "
j = d[\"jobs\"][0]
assert j[\"status\"] == \"ok\", j
assert j[\"bundle\"] == \"out/clip.mp4.obscura.tar\", j
assert j[\"signed\"] is True and len(j[\"job_id\"]) == 32, j
print(j[\"manifest_head\"])" <summary.json >head
	test "$(wc -c <head)" -eq 65
'

test_expect_success 'obscura verify with the trusted key: exit 0' '
	"$OBSCURA" verify -p k.pub out/clip.mp4.obscura.tar >out.txt
	test_grep "OK: signed by trusted key" out.txt
'

test_expect_success 'a recipient: GNU tar, minisign -Vm and sha256sum -c alone' '
	tar tf out/clip.mp4.obscura.tar >list
	printf "%s\n" clip.anon.mp4 clip.tracks.h5 SHA256SUMS README.txt signer.pub manifest.jsonl manifest.jsonl.minisig >expect
	test_cmp expect list
	mkdir x
	tar xf out/clip.mp4.obscura.tar -C x
	(cd x && minisign -Vm manifest.jsonl -p ../k.pub >../ms.out)
	test_grep "Signature and comment signature verified" ms.out
	test_grep "head:$(cat head)" ms.out
	(cd x && minisign -Vm manifest.jsonl -p signer.pub >/dev/null)
	(cd x && sha256sum -c SHA256SUMS >../sums.out)
	test_line_count sums.out 4
	sums=$(sha256_of x/SHA256SUMS)
	test_grep -F "\"name\":\"SHA256SUMS\",\"size\":$(wc -c <x/SHA256SUMS),\"sha256\":\"$sums\"" x/manifest.jsonl
	cmp x/clip.anon.mp4 out/clip.anon.mp4
	test_grep -F "minisign -Vm manifest.jsonl -p signer.pub" x/README.txt
	test_grep -F "sha256sum -c SHA256SUMS" x/README.txt
	test_grep -F "out of band" x/README.txt
	test_grep -F "$(sed -n "s/.*public key //p" k.pub)" x/README.txt
'

test_expect_success 'the manifest: events in order, input hash, dropped tag names but never their values' '
	tar xOf out/clip.mp4.obscura.tar manifest.jsonl >m.jsonl
	ih=$(sha256_of clip.mp4)
	mh=$(cat head)
	"$PYTHON" - "$ih" "$mh" <<-PY
	import hashlib, json, sys
	lines = open("m.jsonl", "rb").read().splitlines()
	ev = [json.loads(l) for l in lines]
	types = [e["type"] for e in ev]
	# the built-in defaults hide nothing: the manifest says so (a warning event)
	assert types == ["start", "input", "checkpoint", "checkpoint", "warning", "output", "output", "output", "output",
	                 "output", "end"], types
	assert ev[4]["data"]["kind"] == "hides_nothing", ev[4]
	assert hashlib.sha256(lines[-1]).hexdigest() == sys.argv[2]
	s = ev[0]["data"]
	assert s["argv"][0] == "run" and "clip.mp4" in s["argv"], s
	assert s["recipe"]["sha256"] == hashlib.sha256(s["recipe"]["text"].encode()).hexdigest()
	assert "hostname" not in json.dumps(s) and s["signed"] is True
	i = ev[1]["data"]
	assert i["path"] == "clip.mp4" and i["sha256"] == sys.argv[1], i
	keys = [t["key"] for t in i["dropped_tags"]]
	assert "location" in keys and "title" in keys, keys
	c = [e["data"] for e in ev if e["type"] == "checkpoint"]
	assert (c[0]["first"], c[0]["last"], c[1]["first"], c[1]["last"]) == (0, 249, 250, 299), c
	assert ev[-1]["data"]["status"] == "ok" and ev[-1]["data"]["frames"] == 300
	PY
	test_grep_not -F "48.8584" m.jsonl
	test_grep_not -F "Secret Name" m.jsonl
	test_grep_not -r -F "48.8584" x
'

test_expect_success 'checkpoints match the export as a demuxer reads it' '
	"$TOOLS/checkpoints" out/clip.anon.mp4 >cp.file
	tar xOf out/clip.mp4.obscura.tar manifest.jsonl >cp.jsonl
	"$PYTHON" -c "
import json
for l in open(\"cp.jsonl\"):
    e = json.loads(l)
    if e[\"type\"] == \"checkpoint\":
        d = e[\"data\"]
        print(d[\"first\"], d[\"last\"], d[\"sha256\"])" >cp.manifest
	test_line_count cp.file 2
	test_cmp cp.manifest cp.file
'

test_expect_success 'tampering: a flipped export byte, a replaced input hash, reordered entries: exit 7, named' '
	b=out/clip.mp4.obscura.tar
	repack $b flip.tar "data[:5000] + bytes([data[5000] ^ 1]) + data[5001:] if name == \"clip.anon.mp4\" else data"
	test_must_fail_with 7 "$OBSCURA" verify -p k.pub flip.tar
	test_grep "TAMPERED" stdout
	test_grep "member .clip.anon.mp4.: sha256 differs" stdout
	ih=$(sha256_of clip.mp4)
	repack $b input.tar "data.replace(b\"$ih\", b\"0\" * 64) if name == \"manifest.jsonl\" else data"
	test_must_fail_with 7 "$OBSCURA" verify -p k.pub input.tar
	test_grep "TAMPERED" stdout
	test_grep "manifest line 3" stdout
	repack $b order.tar "b\"\".join((lambda l: l[:2] + [l[3], l[2]] + l[4:])(data.splitlines(True))) if name == \"manifest.jsonl\" else data"
	test_must_fail_with 7 "$OBSCURA" verify -p k.pub order.tar
	test_grep "manifest line 3" stdout
	mkdir t
	tar xf input.tar -C t
	test_must_fail_with 1 minisign -Vm t/manifest.jsonl -p k.pub
	test_grep "^Signature verification failed" stderr
'

test_expect_success '--unsigned: no signature, no signer.pub; verify says unsigned (exit 8)' '
	"$OBSCURA" run -q --no-progress --unsigned -o uns clip.mp4
	tar tf uns/clip.mp4.obscura.tar >list
	printf "%s\n" clip.anon.mp4 clip.tracks.h5 SHA256SUMS README.txt manifest.jsonl >expect
	test_cmp expect list
	test_must_fail_with 8 "$OBSCURA" verify -p k.pub uns/clip.mp4.obscura.tar
	test_grep "UNSIGNED" stdout
	tar xOf uns/clip.mp4.obscura.tar README.txt >readme
	test_grep "NOT SIGNED" readme
'

test_expect_success 'a secret key readable by others: exit 2, nothing written' '
	cp k.key open.key
	chmod 644 open.key
	test_must_fail_with 2 "$OBSCURA" run --no-progress --key open.key -o o644 clip.mp4
	test_grep "accessible by group or others (mode 0644)" stderr
	test_line_count stderr 1
	test_path_is_missing o644
	OBSCURA_KEY=open.key test_must_fail_with 2 "$OBSCURA" run --no-progress -o o644 clip.mp4
	test_path_is_missing o644
'

test_expect_success 'no key and no --unsigned: exit 2 telling how, nothing written; OBSCURA_KEY works' '
	test_must_fail_with 2 "$OBSCURA" run --no-progress -o nokey clip.mp4
	test_usage_error stderr
	test_grep "obscura keygen" stderr
	test_grep -e "--unsigned" stderr
	test_path_is_missing nokey
	test_must_fail_with 2 "$OBSCURA" run --key k.key --unsigned -o nokey clip.mp4
	test_usage_error stderr
	OBSCURA_KEY=k.key "$OBSCURA" run -q --no-progress -o envkey clip.mp4
	"$OBSCURA" verify -q -p k.pub envkey/clip.mp4.obscura.tar
'

test_expect_success 'a passphrase-protected key with --passphrase-file signs; without it: exit 2' '
	printf "a long passphrase\n" >pass
	chmod 600 pass
	"$OBSCURA" keygen --passphrase-file pass -o enc >/dev/null 2>&1
	test_must_fail_with 2 "$OBSCURA" run --no-progress --key enc.key -o encout clip.mp4
	test_grep "passphrase" stderr
	test_path_is_missing encout
	"$OBSCURA" run -q --no-progress --key enc.key --passphrase-file pass -o encout clip.mp4
	"$OBSCURA" verify -q -p enc.pub encout/clip.mp4.obscura.tar
'

test_expect_success 'a failed job leaves neither export nor bundle nor manifest' '
	head -c 20000 /dev/urandom >junk.mp4
	test_must_fail_with 4 "$OBSCURA" run --no-progress --key k.key -o fail junk.mp4
	test_dir_is_empty fail
'

test_expect_success 'an existing bundle is not replaced without --force' '
	rm out/clip.anon.mp4 out/clip.tracks.h5
	sha256sum out/clip.mp4.obscura.tar >b.sha
	test_must_fail_with 4 "$OBSCURA" run --no-progress --key k.key -o out clip.mp4
	test_grep "clip.mp4.obscura.tar: exists" stderr
	sha256sum -c --quiet b.sha
	"$OBSCURA" run -q --no-progress --force --key k.key -o out clip.mp4
	"$OBSCURA" verify -q -p k.pub out/clip.mp4.obscura.tar
'

test_done
