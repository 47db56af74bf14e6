#!/bin/sh
# SPDX-License-Identifier: MIT
# t0410-report.sh - obscura report: one self-contained HTML page per bundle, read in headless Chromium;
# its pictures come from the export, never from the input.
. "$(dirname "$0")/../lib.sh"

# chromium_dom HTML OUT: the page as Chromium built it (no network: file URL; errors kept in OUT.err).
chromium_dom() {
	chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$TEST_DIR/$1" >"$2" 2>"$2.err"
}

# pictures DOM DIR: every contact sheet picture of DOM as DIR/N.jpg, and DIR/list, one line a
# picture: "N FRAME X,Y,W,H..." (its hidden boxes); fails on a <script>, an external
# resource or a picture that is not a data: URI.
pictures() {
	"$PYTHON" - "$1" "$2" <<-'PY'
	import base64, html.parser, os, sys
	class Page(html.parser.HTMLParser):
	    def __init__(self):
	        super().__init__()
	        self.figs, self.cur, self.bad = [], None, []
	    def handle_starttag(self, tag, attrs):
	        a = dict(attrs)
	        if tag in ("script", "iframe", "object", "embed", "link"):
	            self.bad.append(tag)
	        for k in ("src", "href"):
	            v = a.get(k) or ""
	            if ":" in v.split("/")[0] and not v.startswith("data:image/jpeg;base64,"):
	                self.bad.append("%s=%s" % (k, v[:40]))
	        if tag == "figure" and "pic" in (a.get("class") or "").split():
	            self.cur = {"frame": a["data-frame"], "boxes": [], "jpeg": None}
	            self.figs.append(self.cur)
	        elif tag == "img" and self.cur is not None:
	            self.cur["jpeg"] = base64.b64decode(a["src"].split(",", 1)[1])
	        elif tag == "div" and self.cur is not None and "box" in (a.get("class") or "").split():
	            self.cur["boxes"].append(a["data-box"])
	p = Page()
	p.feed(open(sys.argv[1], encoding="utf-8").read())
	assert not p.bad, p.bad
	assert p.figs, "no picture"
	os.makedirs(sys.argv[2], exist_ok=True)
	with open(os.path.join(sys.argv[2], "list"), "w") as out:
	    for i, f in enumerate(p.figs):
	        assert f["jpeg"][:2] == b"\xff\xd8", "not a JPEG"
	        open(os.path.join(sys.argv[2], "%d.jpg" % i), "wb").write(f["jpeg"])
	        print(i, f["frame"], *f["boxes"], file=out)
	PY
}

test_expect_success 'setup: chromium, a key, a 30-frame clip of faces with a hostile name, a recipe with a purpose' '
	command -v chromium
	"$OBSCURA" keygen --no-passphrase -o k >/dev/null
	face_clip make 30 "c<i>&.mp4" boxes.txt
	cp "$LIB_DIR/../recipes/faces-only.ini" r.ini
	cat >>r.ini <<-EOF
	; </pre><script>alert("recipe")</script>
	[exclude "desk & <chair>"]
	polygon = 0.70,0.70 0.95,0.70 0.95,0.95 0.70,0.95
	[purpose]
	purpose = Subject access request <script>alert(1)</script> & more
	legal_basis_art6 = legal-obligation
	request_ref = SAR-2026-0142
	EOF
	"$OBSCURA" run --no-progress --key k.key -r r.ini -o out "c<i>&.mp4" 2>run.err
	test_path_is_file "out/c<i>&.mp4.obscura.tar"
'

test_expect_success 'report --index: exit 0, one line a bundle, the page and the index, no temporaries' '
	"$OBSCURA" report -p k.pub --every 0.4 --index -o rep "out/c<i>&.mp4.obscura.tar" >stdout
	printf "%s\n" "out/c<i>&.mp4.obscura.tar: OK: rep/c<i>&.mp4.report.html" "index: rep/index.html" >expect
	test_cmp expect stdout
	ls -A rep >listing
	printf "%s\n" "c<i>&.mp4.report.html" index.html >expect
	test_cmp expect listing
'

test_expect_success 'Chromium reads it: status, purpose, every hidden track, the zone; no script, nothing external' '
	chromium_dom "rep/c%3Ci%3E%26.mp4.report.html" dom.html
	tar xOf "out/c<i>&.mp4.obscura.tar" manifest.jsonl >m.jsonl
	"$PYTHON" - <<-PY
	import html.parser, json
	class Text(html.parser.HTMLParser):
	    def __init__(self):
	        super().__init__(); self.text = []; self.rows = {}; self.table = None; self.h2 = None
	    def handle_starttag(self, tag, a):
	        if tag == "table": self.table = self.h2
	        if tag == "tr" and self.table: self.rows.setdefault(self.table, []).append([])
	    def handle_data(self, d):
	        self.text.append(d)
	        if self.lasttag == "h2" and d.strip(): self.h2 = d.split(" (")[0]
	        if self.lasttag == "td" and self.table and self.rows.get(self.table): self.rows[self.table][-1].append(d)
	p = Text(); p.feed(open("dom.html", encoding="utf-8").read())
	text = "".join(p.text)
	assert "VERIFIED: signed by the trusted key" in text, text[:400]
	assert "Subject access request <script>alert(1)</script> & more" in text
	assert "legal-obligation" in text and "SAR-2026-0142" in text
	assert "</pre><script>alert(\"recipe\")</script>" in text
	assert "Zone \u201cdesk & <chair>\u201d" in text
	ev = [json.loads(l) for l in open("m.jsonl")]
	hidden = sorted(e["data"]["track"] for e in ev if e["type"] == "redaction" and e["data"].get("reason") == "detector")
	assert hidden, "nothing hidden"
	rows = [r for r in p.rows["Hidden tracks"] if r]
	assert sorted(int(r[0]) for r in rows) == hidden, (rows[:3], hidden)
	assert all(r[1] == "face" and r[5].startswith("detected ") for r in rows), rows[:3]
	assert "Hidden tracks (%d)" % len(hidden) in text
	PY
	pictures dom.html pics
	test_line_count pics/list -ge 4
'

test_expect_success 'Chromium renders it: a screenshot that is a real page, not blank' '
	chromium --headless --no-sandbox --disable-gpu --window-size=1000,3000 --screenshot="$TEST_DIR/shot.png" \
		"file://$TEST_DIR/rep/c%3Ci%3E%26.mp4.report.html" 2>shot.err
	test "$(wc -c <shot.png)" -gt 50000
	ffprobe -v error -show_entries stream=width,height -of csv=p=0 shot.png >size
	echo 1000,3000 >expect
	test_cmp expect size
'

test_expect_success 'each picture with hidden boxes is the export frame, and differs from the input there' '
	n=0
	while read -r i frame boxes; do
		[ -n "$boxes" ] || continue
		# shellcheck disable=SC2086
		"$TOOLS/thumbcmp" "pics/$i.jpg" "out/c<i>&.anon.mp4" "c<i>&.mp4" "$frame" $boxes >>cmp.txt
		n=$((n + 1))
		[ "$n" -lt 4 ] || break
	done <pics/list
	cat cmp.txt
	test "$n" -ge 3
'

test_expect_success 'redact --keep: the kept track is listed as visible, not hidden' '
	"$OBSCURA" redact --no-progress --key k.key --tracks "out/c<i>&.tracks.h5" --keep 1 -r r.ini -o red "c<i>&.mp4"
	"$OBSCURA" report -q -p k.pub -o rep2 "red/c<i>&.mp4.obscura.tar"
	chromium_dom "rep2/c%3Ci%3E%26.mp4.report.html" dom2.html
	"$PYTHON" - <<-PY
	text = open("dom2.html", encoding="utf-8").read()
	assert "Tracks kept visible (1)" in text, "kept"
	assert "kept visible on every frame (--keep)" in text
	assert "No detector ran" in text and "Tracks file replayed" in text
	PY
'

test_expect_success 'a tampered bundle gets a report saying so, and exit 7; unsigned exit 8' '
	repack "out/c<i>&.mp4.obscura.tar" bad.obscura.tar "data.replace(b\"Obscura\", b\"Oxscura\") if name == \"README.txt\" else data"
	test_must_fail_with 7 "$OBSCURA" report -p k.pub -o rep3 bad.obscura.tar
	test_grep "bad.obscura.tar: TAMPERED: rep3/bad.report.html" stdout
	chromium_dom rep3/bad.report.html dom3.html
	test_grep "TAMPERED: this bundle FAILED verification" dom3.html
	test_grep "README.txt" dom3.html
	repack "out/c<i>&.mp4.obscura.tar" nosig.obscura.tar "None if name in (\"manifest.jsonl.minisig\",) else data"
	test_must_fail_with 8 "$OBSCURA" report -o rep3 nosig.obscura.tar
	test_grep "UNSIGNED: the manifest chain" rep3/nosig.report.html
'

test_expect_success 'an unreadable bundle: exit 9, one error line, no report; the readable one still gets its own' '
	head -c 3000 "out/c<i>&.mp4.obscura.tar" >cut.obscura.tar
	test_must_fail_with 9 "$OBSCURA" report -p k.pub --index -o rep4 cut.obscura.tar "out/c<i>&.mp4.obscura.tar"
	test_line_count stderr 1
	test_grep "^obscura: error: .*cut.obscura.tar" stderr
	test_path_is_missing rep4/cut.report.html
	test_path_is_file "rep4/c<i>&.mp4.report.html"
	test_grep -F "href=\"c%3Ci%3E%26.mp4.report.html\"" rep4/index.html
	test_no_temp rep rep2 rep3 rep4
'

test_expect_success 'SIGTERM while a report is written: exit 130, no page, no temporaries, no lock' '
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=640x480:rate=25 -t 40 -c:v libx264 -preset ultrafast \
		-pix_fmt yuv420p long.mp4
	make_recipe zone.ini "[exclude \"corner\"]" "polygon = 0,0 0.2,0 0.2,0.2 0,0.2"
	"$OBSCURA" run -q --no-progress --unsigned -r zone.ini -o lo long.mp4
	"$OBSCURA" report -q --every 0.04 -o stop lo/long.mp4.obscura.tar &
	pid=$!
	wait_for_temp stop
	kill -TERM $pid
	rc=0
	wait $pid || rc=$?
	test_eq 130 $rc "report exit status"
	test_no_temp stop
	test_path_is_missing stop/long.mp4.report.html
	test_path_is_missing stop/.obscura.lock
	"$OBSCURA" report -q --every 10 -o stop lo/long.mp4.obscura.tar || test $? = 8
	test_path_is_file stop/long.mp4.report.html
'

test_expect_success 'usage: -o missing, two bundles with one report name, a bad --every: exit 2' '
	test_must_fail_with 2 "$OBSCURA" report "out/c<i>&.mp4.obscura.tar"
	mkdir other
	cp "out/c<i>&.mp4.obscura.tar" other/
	test_must_fail_with 2 "$OBSCURA" report -o rep5 "out/c<i>&.mp4.obscura.tar" "other/c<i>&.mp4.obscura.tar"
	test_grep "would both be reported as" stderr
	test_must_fail_with 2 "$OBSCURA" report --every 0 -o rep5 "out/c<i>&.mp4.obscura.tar"
	test_path_is_missing rep5
'

test_done
