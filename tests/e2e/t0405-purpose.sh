#!/bin/sh
# SPDX-License-Identifier: MIT
# t0405-purpose.sh - a recipe's [purpose] goes into the signed manifest and the summary; none warns, --strict refuses;
# so does a recipe that hides nothing (no detector, no zone: the built-in defaults).
. "$(dirname "$0")/../lib.sh"

test_expect_success 'setup: a key, a 2 s clip, a recipe with a purpose and one without' '
	"$OBSCURA" keygen --no-passphrase -o k >/dev/null
	ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=25 -t 2 -c:v libx264 -pix_fmt yuv420p clip.mp4
	make_recipe plain.ini "[exclude \"desk\"]" "polygon = 0.1,0.1 0.4,0.1 0.4,0.4 0.1,0.4"
	cp plain.ini purpose.ini
	cat >>purpose.ini <<-EOF
	[purpose]
	purpose = Subject access request <SAR> & "friends"
	legal_basis = GDPR Art. 15(3)
	legal_basis_art6 = legal-obligation
	controller = Example Ltd, dpo@example.org
	data_subjects = customers and staff
	recipients = the requester
	retention = 30 days after delivery
	request_ref = SAR-2026-0142
	EOF
'

test_expect_success 'run with a purpose: no warning; manifest and summary carry it; verify OK' '
	"$OBSCURA" run --no-progress --strict --key k.key --json -r purpose.ini -o out clip.mp4 >summary.json 2>err
	test_grep_not "warning" err
	"$OBSCURA" verify -p k.pub out/clip.mp4.obscura.tar >v.txt
	test_grep "OK: signed by trusted key" v.txt
	tar xOf out/clip.mp4.obscura.tar manifest.jsonl >m.jsonl
	"$PYTHON" - <<-PY
	import json
	want = {"purpose": "Subject access request <SAR> & \"friends\"", "legal_basis": "GDPR Art. 15(3)",
	        "legal_basis_art6": "legal-obligation", "controller": "Example Ltd, dpo@example.org",
	        "data_subjects": "customers and staff", "recipients": "the requester",
	        "retention": "30 days after delivery", "request_ref": "SAR-2026-0142"}
	start = json.loads(open("m.jsonl").readline())
	assert start["type"] == "start" and start["data"]["purpose"] == want, start["data"].get("purpose")
	s = json.load(open("summary.json"))
	assert s["purpose"] == want, s.get("purpose")
	PY
'

test_expect_success 'run without a purpose: one warning naming the recipe; manifest purpose null' '
	"$OBSCURA" run --no-progress --unsigned --json -r plain.ini -o out2 clip.mp4 >summary.json 2>err
	grep "warning" err >w
	test_line_count w 1
	test_grep "^obscura: warning: plain.ini: states no purpose" w
	tar xOf out2/clip.mp4.obscura.tar manifest.jsonl >m2.jsonl
	head -n 1 m2.jsonl >start.json
	json_get "assert d[\"data\"][\"purpose\"] is None, d" <start.json
	json_get "assert d[\"purpose\"] is None" <summary.json
	"$OBSCURA" run --no-progress --unsigned -q -r plain.ini -o out3 clip.mp4 2>err
	test_grep_not "warning" err
'

test_expect_success 'run --strict without a purpose: exit 2, one line naming the recipe, nothing written' '
	test_must_fail_with 2 "$OBSCURA" run --no-progress --strict --unsigned -r plain.ini -o strict clip.mp4
	test_line_count stderr 1
	test_grep "^obscura: error: plain.ini: states no purpose.*--strict refuses it" stderr
	test_path_is_missing strict
	cp plain.ini half.ini
	printf "%s\n" "[purpose]" "purpose = only the why" >>half.ini
	test_must_fail_with 2 "$OBSCURA" run --no-progress --strict --unsigned -r half.ini -o strict clip.mp4
	test_grep "half.ini: states no purpose" stderr
	test_path_is_missing strict
'

test_expect_success 'analyze makes no export: no warning; redact --strict refuses, with a purpose runs' '
	"$OBSCURA" analyze --no-progress --unsigned -r plain.ini -o an clip.mp4 2>err
	test_grep_not "warning" err
	test_must_fail_with 2 "$OBSCURA" redact --no-progress --strict --unsigned --tracks an/clip.tracks.h5 \
		-o red clip.mp4
	test_grep "^obscura: error: an/clip.tracks.h5.*states no purpose" stderr
	test_path_is_missing red
	"$OBSCURA" redact --no-progress --strict --unsigned --tracks an/clip.tracks.h5 -r purpose.ini \
		-o red clip.mp4 2>err
	test_grep_not "warning" err
	tar xOf red/clip.mp4.obscura.tar manifest.jsonl >m3.jsonl
	head -n 1 m3.jsonl >start.json
	json_get "assert d[\"data\"][\"purpose\"][\"request_ref\"] == \"SAR-2026-0142\", d" <start.json
'

test_expect_success 'a bad Art. 6 basis: exit 3, one line naming file, line and key' '
	make_recipe bad.ini "[purpose]" "purpose = x" "legal_basis_art6 = because"
	test_must_fail_with 3 "$OBSCURA" run --no-progress --unsigned -r bad.ini -o bad clip.mp4
	test_line_count stderr 1
	test_grep "^obscura: error: bad.ini:3: \[purpose\] legal_basis_art6: must be consent, contract" stderr
'

test_expect_success 'a recipe that hides nothing: one warning saying so; --strict refuses it; -q is quiet' '
	make_recipe bare.ini "[pixelate]" "block = 8"
	"$OBSCURA" run --no-progress --unsigned -r bare.ini -o bare clip.mp4 2>err
	grep "hides nothing" err >w
	test_line_count w 1
	test_grep "^obscura: warning: bare.ini: hides nothing (no detector, no exclusion zone)" w
	"$OBSCURA" run --no-progress --key k.key -o default clip.mp4 2>err
	test_grep "^obscura: warning: (built-in defaults): hides nothing" err
	tar xOf default/clip.mp4.obscura.tar manifest.jsonl >m4.jsonl
	"$PYTHON" -c "
import json
kinds = [e[\"data\"][\"kind\"] for e in map(json.loads, open(\"m4.jsonl\")) if e[\"type\"] == \"warning\"]
assert kinds == [\"hides_nothing\"], kinds"
	"$OBSCURA" report -p k.pub -o rep default/clip.mp4.obscura.tar >/dev/null
	test_grep "Warning: the recipe hides nothing" rep/clip.mp4.report.html
	test_grep "None: no track was found" rep/clip.mp4.report.html
	"$OBSCURA" run --no-progress --unsigned -q -o quiet clip.mp4 2>err
	test_grep_not "hides nothing" err
	test_must_fail_with 2 "$OBSCURA" run --no-progress --strict --unsigned -r bare.ini -o strict clip.mp4
	test_line_count stderr 1
	test_grep "^obscura: error: bare.ini: hides nothing.*--strict refuses it" stderr
	test_path_is_missing strict
	"$OBSCURA" run --no-progress --unsigned -r plain.ini -o zoned clip.mp4 2>err
	test_grep_not "hides nothing" err
	tar xOf zoned/clip.mp4.obscura.tar manifest.jsonl >m5.jsonl
	test_grep_not "hides_nothing" m5.jsonl
	make_recipe faces.ini "[detect]" "faces = ultraface"
	OBSCURA_MODEL_DIR=$LIB_DIR/../build/models "$OBSCURA" run --no-progress --unsigned -r faces.ini -o faced \
		clip.mp4 2>err
	test_grep_not "hides nothing" err
	"$OBSCURA" analyze --no-progress --unsigned -o an2 clip.mp4 2>err
	test_grep_not "hides nothing" err
'

test_done
