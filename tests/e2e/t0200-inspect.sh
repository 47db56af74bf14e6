#!/bin/sh
# SPDX-License-Identifier: MIT
# t0200-inspect.sh - tracks.h5 as standard tools read it, `obscura inspect`, its MOTChallenge export, bad files.
. "$(dirname "$0")/../lib.sh"

# The scenario of tests/tools/mktracks.c: 640x480, 25 fps, 100 frames;
# 1 person confirmed 10..59 (10-11, 58-59 extrapolated, 30-34 interpolated),
# 2 face confirmed 20..79, 3 person tentative 70..74, 4 vehicle confirmed
# 80..99 and never hidden.
RECIPE='[detect]
people = centernet
'

test_expect_success 'setup: a synthetic tracks.h5 written by the real writer' '
	"$TOOLS/mktracks" t.h5
	test_path_is_file t.h5
'

test_expect_success 'the same scenario makes the same bytes' '
	"$TOOLS/mktracks" again.h5
	cmp t.h5 again.h5
'

test_expect_success 'inspect: what wrote it, the input, the video, models, recipe, classes, tracks' '
	"$OBSCURA" inspect t.h5 >out
	printf mktracks >input.bytes
	printf centernet >model.bytes
	printf "%s" "$RECIPE" >recipe.bytes
	in=$(sha256_of input.bytes)
	model=$(sha256_of model.bytes)
	recipe=$(sha256_of recipe.bytes)
	test_grep -x "t.h5: Obscura tracks, written by Obscura 0.1.0, job 00112233445566778899aabbccddeeff" out
	test_grep -x "input:    sha256 $in, 12345 bytes" out
	test_grep -x "video:    640x480, 25 fps, 100 frames, 4.000 s" out
	test_grep -x "models:   centernet sha256 $model" out
	test_grep -x "recipe:   sha256 $recipe" out
	test_grep -x "rows:     135 on 100 frames" out
	test_grep -E "^face +1 +1 +60 +60$" out
	test_grep -E "^person +2 +1 +46 +55$" out
	test_grep -E "^vehicle +1 +1 +20 +0$" out
	test_grep_not -E "^(text|manual|other) " out
	test_grep -E "^ +1  person +yes +10\.\.59 +0\.400\.\.2\.360 +41 +0\.700$" out
	test_grep -E "^ +2  face +yes +20\.\.79 +0\.800\.\.3\.160 +60 +0\.900$" out
	test_grep -E "^ +3  person +no +70\.\.74 +2\.800\.\.2\.960 +5 +0\.300$" out
	test_grep -E "^ +4  vehicle +yes +80\.\.99 +3\.200\.\.3\.960 +20 +0\.800$" out
'

test_expect_success 'inspect --json: every field' '
	"$OBSCURA" inspect --json t.h5 >j.json
	json_get "
import hashlib
rsha = hashlib.sha256(b\"[detect]\\npeople = centernet\\n\").hexdigest()
assert d[\"file\"] == \"t.h5\" and d[\"format\"] == \"obscura-tracks\", d
assert d[\"obscura_version\"] == \"0.1.0\" and d[\"job_id\"] == \"00112233445566778899aabbccddeeff\"
assert d[\"input\"] == {\"sha256\": hashlib.sha256(b\"mktracks\").hexdigest(), \"size\": 12345}, d[\"input\"]
assert d[\"video\"] == {\"width\": 640, \"height\": 480, \"fps_num\": 25, \"fps_den\": 1, \"frames\": 100, \"duration\": 4.0}, d[\"video\"]
assert d[\"models\"] == [{\"name\": \"centernet\", \"sha256\": hashlib.sha256(b\"centernet\").hexdigest()}]
assert d[\"recipe_sha256\"] == rsha and d[\"recipe_sha256_ok\"] is True
assert d[\"rows\"] == 135 and d[\"frames_listed\"] == 100
c = d[\"classes\"]
assert c[\"person\"] == {\"tracks\": 2, \"confirmed\": 1, \"rows\": 55, \"observed\": 46, \"hidden\": 55}, c
assert c[\"face\"] == {\"tracks\": 1, \"confirmed\": 1, \"rows\": 60, \"observed\": 60, \"hidden\": 60}, c
assert c[\"vehicle\"] == {\"tracks\": 1, \"confirmed\": 1, \"rows\": 20, \"observed\": 20, \"hidden\": 0}, c
assert c[\"text\"][\"tracks\"] == 0 and c[\"manual\"][\"rows\"] == 0
t = d[\"tracks\"]
assert [x[\"id\"] for x in t] == [1, 2, 3, 4]
assert [x[\"class\"] for x in t] == [\"person\", \"face\", \"person\", \"vehicle\"]
assert [x[\"confirmed\"] for x in t] == [True, True, False, True]
assert [x[\"hidden\"] for x in t] == [True, True, True, False]
assert [(x[\"first_frame\"], x[\"last_frame\"]) for x in t] == [(10, 59), (20, 79), (70, 74), (80, 99)]
assert [(x[\"first_pts\"], x[\"last_pts\"]) for x in t] == [(0.4, 2.36), (0.8, 3.16), (2.8, 2.96), (3.2, 3.96)]
assert [(x[\"observed\"], x[\"rows\"]) for x in t] == [(41, 50), (60, 60), (5, 5), (20, 20)]
for x, m in zip(t, [0.7, 0.9, 0.3, 0.8]):
    assert abs(x[\"mean_score\"] - m) < 1e-6, x
assert \"mot\" not in d
" <j.json
'

# The expected MOT lines of the scenario, computed here from its definition.
expected_mot() {
	"$PYTHON" - "$1" <<-\PY
	import sys
	cls = sys.argv[1]
	for f in range(100):
	    if cls == "person" and 12 <= f <= 57:
	        s = 0.75 if 30 <= f <= 34 else 0.5 + 0.1 * (f % 5)
	        print(f"{f + 1},1,{100 + 2 * (f - 10):.2f},50.00,40.00,80.00,{s:.4f},-1,-1,-1")
	    if cls == "face" and 20 <= f <= 79:
	        print(f"{f + 1},2,300.50,{20.25 + 0.5 * (f - 20):.2f},16.00,16.00,0.9000,-1,-1,-1")
	    if cls == "vehicle" and f >= 80:
	        print(f"{f + 1},4,10.00,400.00,120.00,60.00,0.8000,-1,-1,-1")
	PY
}

test_expect_success '--mot: confirmed people, observed and interpolated rows, 1-based frames' '
	"$OBSCURA" inspect --mot people.csv t.h5 >out
	expected_mot person >expect
	test_line_count expect 46
	test_cmp expect people.csv
	test_grep -x "mot:      people.csv: 46 rows of 1 confirmed person identities" out
	head -n 2 people.csv >first
	printf "%s\n" "13,1,104.00,50.00,40.00,80.00,0.7000,-1,-1,-1" \
		"14,1,106.00,50.00,40.00,80.00,0.8000,-1,-1,-1" >expect.first
	test_cmp expect.first first
	test_grep -x "31,1,140.00,50.00,40.00,80.00,0.7500,-1,-1,-1" people.csv
	test_grep_not "^11,1," people.csv
	test_grep_not "^59,1," people.csv
	test_grep_not ",3," people.csv
	test_no_temp .
'

test_expect_success '--mot --class face / vehicle / text; --json reports the export' '
	"$OBSCURA" inspect --mot faces.csv --class face t.h5 >/dev/null
	expected_mot face >expect
	test_line_count faces.csv 60
	test_cmp expect faces.csv
	"$OBSCURA" inspect --json --class vehicle --mot cars.csv t.h5 >j.json
	expected_mot vehicle >expect
	test_cmp expect cars.csv
	json_get "assert d[\"mot\"] == {\"file\": \"cars.csv\", \"class\": \"vehicle\", \"rows\": 20, \"tracks\": 1}, d[\"mot\"]" <j.json
	"$OBSCURA" inspect --mot text.csv --class text t.h5 >/dev/null
	test_must_be_empty text.csv
	test_no_temp .
'

test_expect_success '--mot into a missing directory: exit 6, one line naming the CSV, nothing left' '
	test_must_fail_with 6 "$OBSCURA" inspect --mot no/such/dir/p.csv t.h5
	test_line_count stderr 1
	test_grep "^obscura: error: no/such/dir/p.csv: No such file or directory$" stderr
	test_must_be_empty stdout
	test_path_is_missing no
	test_no_temp .
'

test_expect_success '--mot onto a file that exists: exit 6, one line, the file untouched; --force replaces it' '
	echo "my notes" >notes.csv
	test_must_fail_with 6 "$OBSCURA" inspect --mot notes.csv t.h5
	test_line_count stderr 1
	test_grep "^obscura: error: notes.csv already exists (use --force to replace it)$" stderr
	test_must_be_empty stdout
	test_eq "$(cat notes.csv)" "my notes"
	"$OBSCURA" inspect --force --mot notes.csv t.h5 >/dev/null
	expected_mot person >expect
	test_cmp expect notes.csv
	test_no_temp .
'

test_expect_success '--mot naming the tracks file itself (any spelling): exit 2, the tracks file untouched' '
	cp t.h5 self.h5
	before=$(sha256_of self.h5)
	test_must_fail_with 2 "$OBSCURA" inspect --mot self.h5 self.h5
	test_usage_error stderr
	test_grep "^obscura: --mot self.h5: is the tracks file being read; choose another name$" stderr
	test_must_fail_with 2 "$OBSCURA" inspect --mot ./self.h5 self.h5
	test_usage_error stderr
	test_eq "$(sha256_of self.h5)" "$before"
	"$OBSCURA" inspect self.h5 >/dev/null
	test_no_temp .
'

test_expect_success 'usage errors: exit 2' '
	test_must_fail_with 2 "$OBSCURA" inspect
	test_usage_error stderr
	test_must_fail_with 2 "$OBSCURA" inspect t.h5 again.h5
	test_usage_error stderr
	test_must_fail_with 2 "$OBSCURA" inspect --class face t.h5
	test_usage_error stderr
	test_must_fail_with 2 "$OBSCURA" inspect --mot x.csv --class dog t.h5
	test_usage_error stderr
	test_path_is_missing x.csv
	test_must_fail_with 2 "$OBSCURA" inspect --bogus t.h5
	test_usage_error stderr
	"$OBSCURA" inspect --help >help
	test_grep -e "--mot FILE" help
'

test_expect_success 'h5dump reads the layout and every row' '
	h5dump -H t.h5 >h
	for a in format format_version obscura_version job_id recipe recipe_sha256 input_sha256 \
		input_size width height fps_num fps_den frames; do
		test_grep "ATTRIBUTE \"$a\"" h
	done
	for d in models detections frames tracks; do
		test_grep "DATASET \"$d\"" h
	done
	test_grep "\"extrapolated\" *2;" h
	test_grep "\"vehicle\" *2;" h
	h5dump -d /detections t.h5 >d
	test_grep "DATASPACE  SIMPLE { ( 135 ) / ( H5S_UNLIMITED ) }" d
	test "$(grep -c "^   (" d)" -eq 135
	test_grep -x "         extrapolated," d
	h5dump -p -H -d /detections t.h5 >p
	test_grep "CHUNKED ( 4096 )" p
	test_grep "PREPROCESSING SHUFFLE" p
	test_grep "COMPRESSION DEFLATE { LEVEL 6 }" p
	h5dump -a /recipe t.h5 >r
	test_grep "people = centernet" r
'

test_expect_success 'h5py reads the attributes and datasets' '
	"$PYTHON" - <<-\PY
	import hashlib, h5py
	with h5py.File("t.h5", "r") as f:
	    a = f.attrs
	    assert a["format"] == "obscura-tracks" and a["format_version"] == 1
	    assert a["obscura_version"] == "0.1.0" and a["job_id"] == "00112233445566778899aabbccddeeff"
	    assert a["recipe"] == "[detect]\npeople = centernet\n"
	    assert a["recipe_sha256"] == hashlib.sha256(a["recipe"].encode()).hexdigest()
	    assert a["input_sha256"] == hashlib.sha256(b"mktracks").hexdigest() and a["input_size"] == 12345
	    assert (a["width"], a["height"], a["fps_num"], a["fps_den"], a["frames"]) == (640, 480, 25, 1, 100)
	    m = f["models"][:]
	    assert len(m) == 1 and m[0]["name"] == b"centernet"
	    assert m[0]["sha256"].decode() == hashlib.sha256(b"centernet").hexdigest()

	    det = f["detections"]
	    assert det.shape == (135,) and det.chunks == (4096,) and det.compression == "gzip" and det.shuffle
	    cls = h5py.check_enum_dtype(det.dtype["class"])
	    assert cls == {"face": 0, "person": 1, "vehicle": 2, "text": 3, "manual": 4, "other": 5}, cls
	    kind = h5py.check_enum_dtype(det.dtype["kind"])
	    assert kind == {"observed": 0, "interpolated": 1, "extrapolated": 2}, kind
	    r = det[:]
	    assert list(r["frame"]) == sorted(r["frame"])
	    one = r[r["track"] == 1]
	    assert list(one["frame"]) == list(range(10, 60))
	    for x in one:
	        f_ = int(x["frame"])
	        k = 2 if f_ <= 11 or f_ >= 58 else 1 if 30 <= f_ <= 34 else 0
	        assert x["kind"] == k and x["class"] == 1 and x["hidden"] == 1, x
	        assert abs(x["pts"] - f_ / 25) < 1e-12
	        assert (x["x"], x["y"], x["w"], x["h"]) == (100 + 2 * (f_ - 10), 50, 40, 80), x
	        assert (x["cover_x"], x["cover_y"], x["cover_w"], x["cover_h"]) == (96 + 2 * (f_ - 10), 46, 48, 88), x
	        s = 0 if k == 2 else 0.75 if k == 1 else 0.5 + 0.1 * (f_ % 5)
	        assert abs(x["score"] - s) < 1e-6, x
	    assert set(r[r["track"] == 4]["hidden"]) == {0}
	    assert len(r[r["class"] == 0]) == 60

	    fr = f["frames"][:]
	    assert list(fr["frame"]) == list(range(100))
	    assert list(fr["boxes"][:12]) == [0] * 10 + [1, 1]
	    assert int(fr["boxes"].sum()) == 135 and int(fr["hidden"].sum()) == 115
	    assert fr["boxes"][72] == 2 and fr["boxes"][5] == 0 and fr["hidden"][85] == 0

	    t = f["tracks"][:]
	    assert list(t["id"]) == [1, 2, 3, 4]
	    assert list(t["class"]) == [1, 0, 1, 2] and list(t["confirmed"]) == [1, 1, 0, 1]
	    assert list(t["observed"]) == [41, 60, 5, 20] and list(t["rows"]) == [50, 60, 5, 20]
	    assert list(t["first_frame"]) == [10, 20, 70, 80] and list(t["last_frame"]) == [59, 79, 74, 99]
	    assert abs(t["mean_score"][0] - 0.7) < 1e-6
	    assert list(t["identity"]) == [1, 2, 3, 4]  # nothing joined: each its own
	PY
'

test_expect_success 'a file written before identities: each track its own identity' '
	"$PYTHON" - <<-\PY &&
	import h5py, numpy, shutil
	shutil.copy("t.h5", "old.h5")
	with h5py.File("old.h5", "r+") as f:
	    t = f["tracks"][:]
	    names = [n for n in t.dtype.names if n != "identity"]
	    old = numpy.zeros(len(t), dtype=[(n, t.dtype[n]) for n in names])
	    for n in names:
	        old[n] = t[n]
	    del f["tracks"]
	    f.create_dataset("tracks", data=old)
	PY
	"$OBSCURA" inspect --json --mot old.csv old.h5 >old.json &&
	json_get "assert [(t[\"id\"], t[\"identity\"]) for t in d[\"tracks\"]] == [(1, 1), (2, 2), (3, 3), (4, 4)], d[\"tracks\"]" <old.json &&
	test_cmp people.csv old.csv
'

test_expect_success '--mot: the gap between two tracks of one identity is filled, as the analyzer counts it' '
	"$PYTHON" - <<-\PY
	import h5py, shutil
	shutil.copy("t.h5", "joined.h5")
	with h5py.File("joined.h5", "r+") as f:
	    t = f["tracks"][:]
	    t["confirmed"][2] = 1  # person track 3 (frames 70..74): the same person as track 1 (10..59)
	    t["identity"][2] = 1
	    f["tracks"][...] = t
	PY
	"$OBSCURA" inspect --mot joined.csv joined.h5 >out
	"$PYTHON" - <<-\PY
	import csv
	rows = [r for r in csv.reader(open("joined.csv"))]
	frames = [int(r[0]) for r in rows]
	assert {r[1] for r in rows} == {"1"}, rows
	# 1-based: track 1 observed or interpolated 13..58 (its extrapolated
	# tail 59..60 is not exported), the gap bridged 61..70, track 3 71..75
	assert frames == list(range(13, 59)) + list(range(61, 76)), frames
	PY
	test_grep -x "mot:      joined.csv: 61 rows of 1 confirmed person identities" out
'

test_expect_success 'not a readable tracks file: exit 9, one line naming the file and the cause' '
	printf "frame,id\n1,2\n" >notes.txt
	ffmpeg -v error -f lavfi -i testsrc=size=64x48:rate=5 -t 1 -c:v libx264 -pix_fmt yuv420p clip.mp4
	"$PYTHON" - <<-\PY
	import h5py, shutil
	with h5py.File("plain.h5", "w") as f:
	    f["x"] = [1, 2, 3]
	shutil.copy("t.h5", "newer.h5")
	with h5py.File("newer.h5", "r+") as f:
	    f.attrs["format_version"] = 2
	shutil.copy("t.h5", "nodet.h5")
	with h5py.File("nodet.h5", "r+") as f:
	    del f["detections"]
	shutil.copy("t.h5", "unfinished.h5")
	with h5py.File("unfinished.h5", "r+") as f:
	    del f.attrs["frames"]
	PY
	head -c 5000 t.h5 >cut.h5
	for c in "notes.txt:not an HDF5 file" "missing.h5:No such file or directory" \
		"clip.mp4:not an HDF5 file" "plain.h5:not an Obscura tracks file (no" \
		"newer.h5:format version 2 is newer than this Obscura reads (1)" \
		"nodet.h5:no /detections dataset" "unfinished.h5:incomplete" \
		"cut.h5:not a readable HDF5 file" ".:is a directory"; do
		f=${c%%:*}
		test_must_fail_with 9 "$OBSCURA" inspect "$f"
		test_line_count stderr 1
		test_grep -F "obscura: error: $f: ${c#*:}" stderr
		test_must_be_empty stdout
		test_must_fail_with 9 "$OBSCURA" inspect --json --mot o.csv "$f"
		test_line_count stderr 1
		test_path_is_missing o.csv
	done
'

test_done
