# SPDX-License-Identifier: MIT
# lib.sh - the end-to-end test harness, sourced by every tests/e2e/tNNNN-*.sh.
#
# In the spirit of git's t/test-lib.sh:
#
#   test_expect_success 'what it checks' '
#           commands
#   '
#
# runs the commands in a subshell with `set -e`, in the script's own scratch
# directory ($TEST_DIR, made with mktemp -d and removed at exit), capturing
# their output.  It prints "ok N - what it checks", or "not ok N - ..." followed
# by the captured output, each line prefixed with "#   ".  test_done ends a
# script: it prints the script's counts, appends "PASSED FAILED" to the file
# named by $E2E_COUNTS (set by tests/run-e2e.sh) and exits non-zero if a test
# failed.
#
# Environment: OBSCURA (the binary), TOOLS (directory of the built checkers,
# e.g. $TOOLS/framecmp).  Both default to the build/ tree when run by hand.
#
# Files made by one test and used by later ones live in $TEST_DIR; variables
# set inside a test do not survive it (it runs in a subshell).

set -u

LIB_DIR=$(cd "$(dirname "$0")/.." && pwd)
TEST_NAME=$(basename "$0" .sh)
: "${OBSCURA:=$LIB_DIR/../build/obscura}"
: "${TOOLS:=$LIB_DIR/../build/tools}"
export OBSCURA TOOLS
test_count=0
test_failed=0

# The JSON parser the tests use: Debian's python3 (installed by `make deps`).
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

if [ ! -x "$OBSCURA" ]; then
	echo "$TEST_NAME: OBSCURA=$OBSCURA is not an executable" >&2
	exit 1
fi
TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/obscura-$TEST_NAME.XXXXXX") || exit 1
trap 'chmod -R u+w "$TEST_DIR" 2>/dev/null; rm -rf "$TEST_DIR"' EXIT
cd "$TEST_DIR" || exit 1

test_expect_success() {
	if [ $# -ne 2 ]; then
		echo "bug in the test script: test_expect_success needs 2 arguments" >&2
		exit 1
	fi
	test_count=$((test_count + 1))
	_out="$TEST_DIR/.test-output"
	(
		cd "$TEST_DIR" || exit 1
		set -e
		eval "$2"
	) >"$_out" 2>&1 </dev/null
	_rc=$?
	if [ $_rc -eq 0 ]; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$_out"
		echo "#   (exit status $_rc)"
	fi
	rm -f "$_out"
}

test_done() {
	_passed=$((test_count - test_failed))
	echo "# $TEST_NAME: $_passed passed, $test_failed failed"
	if [ -n "${E2E_COUNTS:-}" ]; then
		echo "$_passed $test_failed" >>"$E2E_COUNTS"
	fi
	[ "$test_failed" -eq 0 ]
	exit $?
}

# A sanitizer's report (should Obscura be built with -fsanitize=...) ends in
# abort(), a signal test_must_fail tells from an error exit; the caller's own
# options still win.
ASAN_OPTIONS="abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS

# ---- assertions: each prints why and returns 1 when it does not hold ----
#
# `! cmd` is no assertion in a test body: `set -e` ignores a pipeline that
# begins with `!` (POSIX), so the line passes whatever cmd does.  Use
# test_must_fail_with CODE when the exit code is documented (Obscura's are,
# in obscura(1)), test_must_fail otherwise.  tests/lint-e2e.sh rejects `!`.

# test_must_fail CMD [ARGS...]: CMD must fail as a program reports an error:
# a non-zero exit, but not 126 or 127 (it could not be run: not found, not
# executable) and not death by a signal (129..192, as the shell reports it:
# a crash, an abort, a sanitizer's report).  Output goes where the caller
# sends it.
test_must_fail() {
	_got=0
	"$@" || _got=$?
	if [ "$_got" -eq 0 ]; then
		echo "test_must_fail: command succeeded: $*"
		return 1
	elif [ "$_got" -gt 128 ] && [ "$_got" -le 192 ]; then
		echo "test_must_fail: killed by signal $((_got - 128)) (exit status $_got): $*"
		return 1
	elif [ "$_got" -eq 126 ] || [ "$_got" -eq 127 ]; then
		echo "test_must_fail: could not run (exit status $_got): $*"
		return 1
	fi
	return 0
}

# test_must_fail_with CODE CMD [ARGS...]: CMD must exit with exactly CODE.
# Its stdout and stderr go to ./stdout and ./stderr for later checks.
test_must_fail_with() {
	_want=$1
	shift
	_got=0
	"$@" >stdout 2>stderr || _got=$?
	if [ "$_got" -ne "$_want" ]; then
		echo "expected exit status $_want, got $_got from: $*"
		if [ "$_got" -gt 128 ] && [ "$_got" -le 192 ]; then
			echo "(killed by signal $((_got - 128)))"
		fi
		echo "--- stderr:"
		cat stderr
		return 1
	fi
	return 0
}

# test_cmp EXPECTED ACTUAL: files are equal (diff shown otherwise).
test_cmp() {
	diff -u "$1" "$2"
}

# test_eq A B [WHAT]: two strings are equal.
test_eq() {
	if [ "$1" != "$2" ]; then
		echo "${3:-value}: expected '$1', got '$2'"
		return 1
	fi
}

# test_grep [GREP OPTIONS] PATTERN FILE: like grep, but shows the file on failure.
test_grep() {
	if ! grep "$@" >/dev/null; then
		_f=$(eval echo "\${$#}")
		echo "no match for grep $* ; $_f is:"
		cat "$_f"
		return 1
	fi
}

# test_grep_not [GREP OPTIONS] PATTERN FILE
test_grep_not() {
	if grep "$@"; then
		echo "unexpected match for grep $*"
		return 1
	fi
	return 0
}

# test_line_count FILE N: FILE has exactly N lines.
test_line_count() {
	_n=$(wc -l <"$1")
	if [ "$_n" -ne "$2" ]; then
		echo "$1: expected $2 lines, got $_n:"
		cat "$1"
		return 1
	fi
}

test_path_is_file() {
	if [ ! -f "$1" ]; then
		echo "$1: expected a file"
		ls -la "$(dirname "$1")" 2>&1
		return 1
	fi
}

test_path_is_missing() {
	if [ -e "$1" ]; then
		echo "$1: expected not to exist"
		return 1
	fi
}

# test_no_temp DIR...: no temporary export (.*.obscura-tmp-*) left anywhere under DIR.
test_no_temp() {
	_left=$(find "$@" -name '.*.obscura-tmp-*' 2>/dev/null)
	if [ -n "$_left" ]; then
		echo "temporary files left behind:"
		echo "$_left"
		return 1
	fi
}

# wait_for_temp DIR: until a temporary export shows up (a job is running), 10 s at most.
wait_for_temp() {
	for _i in $(seq 100); do
		if [ -n "$(find "$1" -name '.*.obscura-tmp-*' 2>/dev/null)" ]; then
			return 0
		fi
		sleep 0.1
	done
	echo "no temporary file appeared in $1"
	return 1
}

# one_error_line FILE TEXT: FILE has exactly one "obscura: error: " line, and it holds TEXT.
one_error_line() {
	grep "^obscura: error: " "$1" >errlines || true
	test_line_count errlines 1
	test_grep -F "$2" errlines
}

# ---- processes (kills and races) ----

# alive PID: the process exists and is not a zombie.
alive() {
	_st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	_st=${_st##*) }
	case $_st in
	Z* | X*) return 1 ;;
	esac
	return 0
}

# wait_gone PID: the process is gone within 5 s.
wait_gone() {
	for _i in $(seq 50); do
		if alive "$1"; then
			sleep 0.1
		else
			return 0
		fi
	done
	echo "process $1 is still running"
	return 1
}

# job_pid DIR: the pid of the one job process writing DIR (its temporaries carry it).
job_pid() {
	_t=$(find "$1" -name '.*.obscura-tmp-*' 2>/dev/null) || return 1
	test -n "$_t"
	echo "${_t##*obscura-tmp-}"
}

# test_must_be_empty FILE: FILE exists and is empty.
test_must_be_empty() {
	if [ ! -f "$1" ] || [ -s "$1" ]; then
		echo "$1: expected an empty file, holds:"
		cat "$1" 2>&1
		return 1
	fi
}

# test_usage_error FILE: exactly a one-line "obscura: ..." message then "usage: ...".
test_usage_error() {
	if [ "$(wc -l <"$1")" -ne 2 ] || ! sed -n 1p "$1" | grep -q "^obscura: ." ||
	   ! sed -n 2p "$1" | grep -q "^usage: obscura"; then
		echo "$1: expected a one-line error and the usage, got:"
		cat "$1"
		return 1
	fi
}

# test_dir_is_empty DIR
test_dir_is_empty() {
	if [ -n "$(ls -A "$1")" ]; then
		echo "$1: expected to be empty, holds:"
		ls -la "$1"
		return 1
	fi
}

# ---- clips of known faces ----

# face-api's demo photos, fetched by `make models`.
FACE_SAMPLES=$LIB_DIR/../build/npm/src/face-api-1.7.15/package/demo

# face_clip KIND FRAMES OUT.mp4 BOXES: tests/tools/face-cover KIND (make:
# three photos on grey, zooming out while panning; scene: all six on a wall,
# the camera gliding over it) as a 1280x720 30 fps H.264 clip of FRAMES
# frames, and the true face boxes of every frame in BOXES.
face_clip() {
	test_path_is_file "$FACE_SAMPLES/sample1.jpg" &&
	"$TOOLS/face-cover" "$1" "$FACE_SAMPLES" "$LIB_DIR/data/faces" "$2" "$3.yuv" "$4" &&
	ffmpeg -v error -f rawvideo -pix_fmt yuv420p -s 1280x720 -r 30 -i "$3.yuv" \
		-c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p "$3" &&
	rm "$3.yuv" &&
	test "$(probe_frames "$3")" = "$2"
}

# ---- probes ----

# probe_frames FILE: frames of the first video stream, as decoded by ffprobe.
probe_frames() {
	ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames \
		-of default=nw=1:nk=1 "$1"
}

# probe_times FILE: the presentation time of every video frame, one a line.
probe_times() {
	_frames=$(ffprobe -v error -select_streams v:0 -show_entries frame=best_effort_timestamp_time \
		-of json "$1") || return 1
	printf '%s\n' "$_frames" |
		json_get 'print("\n".join(f["best_effort_timestamp_time"] for f in d["frames"]))'
}

# test_same_times INPUT EXPORT: same number of frames, each time within 1 ms.
test_same_times() {
	probe_times "$1" >times.in || return 1
	probe_times "$2" >times.out || return 1
	if [ ! -s times.in ]; then
		echo "$1: no frame times"
		return 1
	fi
	_nin=$(wc -l <times.in)
	_nout=$(wc -l <times.out)
	if [ "$_nin" -ne "$_nout" ]; then
		echo "frame count: $1 has $_nin, $2 has $_nout"
		return 1
	fi
	paste -d ' ' times.in times.out | awk '
		{ d = $1 - $2; if (d < 0) d = -d; if (d > 0.001) { bad++; if (bad <= 5) print "frame " NR - 1 ": " $1 " vs " $2 } }
		END { if (bad) { print bad " frames differ by more than 1 ms"; exit 1 } }'
}

# framecmp ARGS...: $TOOLS/framecmp, its report kept in ./cmp and shown on failure.
framecmp() {
	if ! "$TOOLS/framecmp" "$@" >cmp 2>&1; then
		echo "framecmp $* failed:"
		cat cmp
		return 1
	fi
}

# probe_json FILE: ffprobe's view of everything a file carries (JSON on stdout).
probe_json() {
	ffprobe -v error -show_format -show_streams -show_chapters -show_programs -of json "$1"
}

# Repacks bundle $1 into $2 with python's tarfile, passing each member through
# the python expression $3 (name, data -> data, or None to drop the member).
repack() {
	"$PYTHON" - "$1" "$2" "$3" <<'PY'
import io, sys, tarfile
src, dst, expr = sys.argv[1], sys.argv[2], sys.argv[3]
with tarfile.open(src) as t, tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as o:
    for m in t.getmembers():
        data = t.extractfile(m).read()
        data = eval(expr, {"name": m.name, "data": data})
        if data is None:
            continue
        m.size = len(data)
        o.addfile(m, io.BytesIO(data))
PY
}

# json_get PYTHON_EXPR_OR_STATEMENT: runs it with d = JSON read from stdin.
json_get() {
	"$PYTHON" -c "import json, sys
d = json.load(sys.stdin)
$1"
}

# sha256 FILE...: checksums, for "inputs never modified" checks.
sha256() {
	sha256sum "$@"
}

# sha256_of FILE: FILE's SHA-256 alone, in hex; fails if FILE cannot be read
# (unlike `sha256sum FILE | cut ...`, which prints nothing and succeeds).
sha256_of() {
	_sum=$(sha256sum "$1") || return 1
	echo "${_sum%% *}"
}

# batch_clips: a key k (k.key, k.pub), three 1 s clips a.mp4, b.mp4, c.mp4,
# a corrupt bad.mp4, and a copy of all four in local/ to run locally
# (t0305, t0310: the same batch on Slurm and on this machine).
batch_clips() {
	"$OBSCURA" keygen --no-passphrase -o k >/dev/null
	ffmpeg -v error -f lavfi -i testsrc2=size=160x120:rate=10:duration=1 -c:v libx264 -pix_fmt yuv420p a.mp4
	ffmpeg -v error -f lavfi -i testsrc2=size=160x120:rate=10:duration=1 -vf hflip -c:v libx264 -pix_fmt yuv420p b.mp4
	ffmpeg -v error -f lavfi -i testsrc2=size=160x120:rate=10:duration=1 -vf vflip -c:v libx264 -pix_fmt yuv420p c.mp4
	head -c 4000 a.mp4 >bad.mp4
	mkdir local
	cp a.mp4 b.mp4 c.mp4 bad.mp4 local/
}


# same_summary A B: two batch summaries (run --json, collect --json) are the
# same apart from timings, job ids, manifest heads and ledger positions.
same_summary() {
	"$PYTHON" - "$1" "$2" <<-'PY'
	import json, sys
	a, b = (json.load(open(p)) for p in sys.argv[1:])
	def norm(d):
	    d = dict(d)
	    del d["elapsed_seconds"]
	    d["jobs"] = [{k: v for k, v in j.items()
	                  if k not in ("elapsed_seconds", "timing", "job_id", "manifest_head", "ledger_seq")}
	                 for j in d["jobs"]]
	    return d
	assert norm(a) == norm(b), (norm(a), norm(b))
	PY
}

# make_recipe FILE [INI LINES...]: a recipe from its lines.
make_recipe() {
	_f=$1
	shift
	printf '%s\n' "$@" >"$_f"
}
