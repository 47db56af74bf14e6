# SPDX-License-Identifier: MIT
"""hidden_blocks.py - which 8x8 blocks two exports of one input changed, compared.

usage: hidden_blocks.py INPUT REF.mp4 NEW.mp4 WIDTH HEIGHT

Both exports are compared with INPUT through FFmpeg (luma |export - input|,
averaged over each 8x8 block by an area scale): a block is "hidden" when
that mean exceeds 6 levels (a plain x264 transcode at CRF 20 crosses it on
well under 1 % of blocks: tests/e2e/t0048).  Prints one line,

  hidden FRAMES REF NEW MISSED MISSED_PCT WORST WORST_FRAME

REF and NEW: blocks hidden by each, summed over the frames; MISSED: blocks
REF hides and NEW does not (MISSED_PCT of REF's); WORST: the most in one
frame (WORST_FRAME, 0-based), in percent of a frame's blocks.  Standard
library only.
"""
import subprocess
import sys


def hidden(inp, exp, w, h):
    graph = ("[0:v]format=gray[a];[1:v]format=gray[b];"
             "[a][b]blend=all_mode=difference,scale=%d:%d:flags=area" % (w // 8, h // 8))
    p = subprocess.Popen(["ffmpeg", "-v", "error", "-i", inp, "-i", exp, "-filter_complex", graph,
                          "-f", "rawvideo", "-pix_fmt", "gray", "-"], stdout=subprocess.PIPE)
    n = (w // 8) * (h // 8)
    while True:
        b = p.stdout.read(n)
        if len(b) < n:
            break
        yield set(i for i, v in enumerate(b) if v > 6)
    if p.wait() != 0:
        sys.exit("hidden_blocks.py: ffmpeg failed on %s" % exp)


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__.strip().splitlines()[2])
    inp, ref, new, w, h = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    frames = r = n = missed = worst = 0
    worst_frame = -1
    for i, (a, b) in enumerate(zip(hidden(inp, ref, w, h), hidden(inp, new, w, h))):
        frames += 1
        r += len(a)
        n += len(b)
        m = len(a - b)
        missed += m
        if m > worst:
            worst, worst_frame = m, i
    if not frames:
        sys.exit("hidden_blocks.py: no frames")
    print("hidden %d %d %d %d %.3f %.3f %d" % (frames, r, n, missed, 100.0 * missed / max(r, 1),
                                              100.0 * worst / ((w // 8) * (h // 8)), worst_frame))


main()
