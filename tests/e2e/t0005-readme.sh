#!/bin/sh
# SPDX-License-Identifier: MIT
# t0005-readme: every command example in README.md runs as written.
#
# The README's ```sh blocks (all but the set-up block, whose `make` commands
# are what CI itself runs) are joined into one script and run with `set -e`
# from a scratch directory that looks like the source tree (build/ and
# recipes/ linked), on Debian's sample footage.  A README example that
# exits non-zero, or names a file that is not there, fails this test.
. "$(dirname "$0")/../lib.sh"

SRC=$LIB_DIR/..

test_expect_success 'the README has runnable examples' '
	/usr/bin/python3 - "$SRC/README.md" >"$TEST_DIR/readme.sh" <<-PY &&
	import re, sys
	text = open(sys.argv[1]).read()
	blocks = re.findall(r"^\`\`\`sh\n(.*?)^\`\`\`", text, re.S | re.M)
	out = [b for b in blocks if not re.search(r"^make ", b, re.M)]
	if not out:
	    sys.exit("README.md: no example blocks")
	print("set -e")
	for b in out:
	    print(b)
	PY
	test_grep "build/obscura run" "$TEST_DIR/readme.sh"
'

test_expect_success 'every README example exits 0' '
	mkdir readme &&
	ln -s "$(dirname "$OBSCURA")" readme/build &&
	ln -s "$SRC/recipes" readme/recipes &&
	cd readme &&
	sh ../readme.sh >../readme.out 2>../readme.err || {
		echo "a README example failed:"; tail -n 20 ../readme.err; exit 1; }
	test_path_is_file export/movie-hello.mp4.obscura.tar &&
	test_path_is_file out/vtest.tracks.h5 &&
	test_path_is_file summary.json &&
	test_path_is_file batch.json
'

test_done
