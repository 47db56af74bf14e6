#!/bin/sh
# SPDX-License-Identifier: MIT
# t0056-text-variant.sh - the text detector at the frame's shape finds what the
# square one finds.  `ppocr_det` (models/ppocr_det.card) picks, per frame, the
# PP-OCR DB network fixed to the input that pads the frame least: on a 1280x720
# frame ppocr_det_640x384 (the 640x640 input would be 44 % padding), on a
# 768x576 frame ppocr_det_640x480, on a portrait frame the square one.  Each sees
# the frame at the scale of the 640x640 input, so on a synthetic frame with four
# printed lines (a CCTV timestamp, a sign, a caption, a plate-like "AB-123-CD")
# it must give the boxes that ppocr_det_640x640 gives: as many, one to one at
# IoU >= 0.8 and scores within 0.05, and each line covered.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$LIB_DIR/.." && pwd)
: "${OBSCURA_MODEL_DIR:=$ROOT/build/models}"

# W H: frame-WxH.png with the four lines, their boxes in truth-WxH.txt
frame() {
	"$PYTHON" - "$1" "$2" <<-'PY'
	import sys, cv2, numpy as np
	w, h = int(sys.argv[1]), int(sys.argv[2])
	img = np.full((h, w, 3), 200, np.uint8)
	cv2.rectangle(img, (0, int(h * 0.6)), (w, h), (60, 90, 120), -1)
	lines = [("2024-05-17 13:42:07 CAM 3", 0.02, 0.05, cv2.FONT_HERSHEY_SIMPLEX, 0.8, (255, 255, 255), 2),
	         ("OBSCURA 2024", 0.05, 0.25, cv2.FONT_HERSHEY_SIMPLEX, 2.0, (20, 20, 20), 5),
	         ("forensic video", 0.08, 0.45, cv2.FONT_HERSHEY_COMPLEX, 1.2, (0, 0, 160), 2),
	         ("AB-123-CD", 0.55, 0.85, cv2.FONT_HERSHEY_DUPLEX, 1.6, (250, 250, 250), 3)]
	with open("truth-%dx%d.txt" % (w, h), "w") as t:
	    for text, fx, fy, font, scale, colour, thick in lines:
	        org = (int(w * fx), int(h * fy))
	        cv2.putText(img, text, org, font, scale, colour, thick)
	        (tw, th), base = cv2.getTextSize(text, font, scale, thick)
	        t.write("%d %d %d %d\n" % (org[0], org[1] - th, org[0] + tw, org[1] + base))
	cv2.imwrite("frame-%dx%d.png" % (w, h), img)
	PY
}

# same W H CARD: ppocr_det runs CARD on the frame and finds the square network's boxes
same() {
	f=frame-$1x$2
	"$TOOLS/detect-image" "$OBSCURA_MODEL_DIR" ppocr_det "$f.png" >"$f.family" 2>"$f.family.err" &&
	"$TOOLS/detect-image" "$OBSCURA_MODEL_DIR" ppocr_det_640x640 "$f.png" >"$f.square" 2>"$f.square.err" &&
	test_grep "^$3: 1 passes" "$f.family.err" &&
	test_grep "^ppocr_det_640x640: 1 passes" "$f.square.err" &&
	"$PYTHON" - "$f" "truth-$1x$2.txt" <<-'PY'
	import sys
	f, truth = sys.argv[1:]
	def boxes(path):   # detect-image: x y w h score label class
	    return [(float(x), float(y), float(x) + float(w), float(y) + float(h), float(s))
	            for x, y, w, h, s, *_ in (l.split() for l in open(path))]
	def iou(a, b):
	    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
	    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
	    u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
	    return ix * iy / u
	fam, sq = boxes(f + ".family"), boxes(f + ".square")
	lines = [tuple(map(float, l.split())) for l in open(truth)]
	print(f, "family:", fam, "square:", sq)
	assert len(fam) == len(sq) == len(lines), (len(fam), len(sq), len(lines))
	for s in sq:
	    best = max(fam, key=lambda d: iou(s, d))
	    assert iou(s, best) >= 0.8 and abs(s[4] - best[4]) <= 0.05, (s, best, iou(s, best))
	for t in lines:
	    assert all(max(iou(t, d) for d in ds) >= 0.5 for ds in (fam, sq)), t
	PY
}

test_expect_success 'frames with printed text, 16:9, 4:3 and portrait' '
	frame 1280 720 && frame 768 576 && frame 480 640
'

test_expect_success '1280x720: ppocr_det_640x384 finds the boxes the 640x640 input finds' '
	same 1280 720 ppocr_det_640x384
'

test_expect_success '768x576: ppocr_det_640x480 finds the boxes the 640x640 input finds' '
	same 768 576 ppocr_det_640x480
'

test_expect_success 'portrait 480x640: the square network itself' '
	same 480 640 ppocr_det
'

test_done
