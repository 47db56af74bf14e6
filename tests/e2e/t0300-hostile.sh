#!/bin/sh
# SPDX-License-Identifier: MIT
# t0300-hostile.sh - hostile file names, operands, FIFOs, kills and races
# (issue 13): each case ends with the documented exit status, one error line
# naming the file, nothing that looks finished, and inputs byte-identical.
#
#   - an input that is (or is a link to) an output of the batch: exit 2
#   - every name the file system allows: UTF-8, not UTF-8, tab, newline,
#     with LC_ALL=C as under cron; a name too long for the bundle fails early
#   - SIGKILL of the runner kills its job; the ledger still verifies; a rerun
#     completes and removes the temporaries of the dead processes, and only
#     those
#   - a second run into a locked output directory or ledger: exit 10
#   - FIFOs wherever a file is read: refused at once, never waited on
. "$(dirname "$0")/../lib.sh"

# job_pids DIR N: the pids of N job processes writing DIR, one a line, 10 s at most.
job_pids() {
	for _i in $(seq 100); do
		find "$1" -name '.*.obscura-tmp-*' >pids.tmp 2>/dev/null || true
		sed 's/.*obscura-tmp-//' pids.tmp >pids.all
		sort -u pids.all >pids
		if [ "$(wc -l <pids)" -ge "$2" ]; then
			cat pids
			return 0
		fi
		sleep 0.1
	done
	echo "fewer than $2 jobs wrote in $1"
	return 1
}

# no_outputs DIR STEM: nothing of STEM in DIR looks finished.
no_outputs() {
	test_path_is_missing "$1/$2.anon.mp4"
	test_path_is_missing "$1/$2.tracks.h5"
	test_path_is_missing "$1/$2.mp4.obscura.tar"
}

test_expect_success 'setup: clips, a key pair, a FIFO' '
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 25 \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p base.mp4
	ffmpeg -nostdin -v error -f lavfi -i testsrc=size=320x240:rate=25 -frames:v 25 \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p other.mp4
	# long enough (several seconds of work) to be killed or raced mid-job
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=640x480:rate=25 -t 20 \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p long.mp4
	"$OBSCURA" keygen --no-passphrase -o k >/dev/null
	mkfifo fifo
	sha256 base.mp4 other.mp4 long.mp4 >inputs.sha256
'

# ---- 1. an input is never an output ----

test_expect_success 'run --force with one input named as the export of another: exit 2, both named, nothing touched' '
	mkdir D
	cp base.mp4 D/clip.mp4
	cp other.mp4 D/clip.anon.mp4
	test_must_fail_with 2 "$OBSCURA" run --no-progress --unsigned --force -o D D/clip.mp4 D/clip.anon.mp4
	one_error_line stderr "D/clip.anon.mp4"
	test_grep -F "D/clip.mp4" stderr
	cmp base.mp4 D/clip.mp4
	cmp other.mp4 D/clip.anon.mp4
	test_path_is_missing D/clip.anon.anon.mp4
	test_path_is_missing D/clip.tracks.h5
	test_path_is_missing D/clip.mp4.obscura.tar
	test_no_temp D
'

test_expect_success 'the same without --force, and through a hard link under another name: exit 2' '
	test_must_fail_with 2 "$OBSCURA" run --no-progress --unsigned -o D D/clip.mp4 D/clip.anon.mp4
	one_error_line stderr "D/clip.anon.mp4"
	mkdir E
	cp base.mp4 E/a.mp4
	cp other.mp4 E/b.mp4
	ln E/b.mp4 E/a.anon.mp4
	test_must_fail_with 2 "$OBSCURA" run --no-progress --unsigned --force -o E E/a.mp4 E/b.mp4
	one_error_line stderr "E/b.mp4"
	test_grep -F "E/a.anon.mp4" stderr
	cmp other.mp4 E/b.mp4
	cmp base.mp4 E/a.mp4
	test_path_is_missing E/a.mp4.obscura.tar
	test_path_is_missing E/b.anon.mp4
'

# ---- 2. file names ----

test_expect_success 'names in UTF-8, not UTF-8, with tab or newline all work under LC_ALL=C' '
	mkdir names
	for n in "sp ace é☃" "$(printf "bad\\377name")" "$(printf "tab\\tname")" "$(printf "nl\\nname")"; do
		cp base.mp4 "names/$n.mp4"
		env -u LANG -u LC_CTYPE LC_ALL=C "$OBSCURA" run --no-progress -q --key k.key --json \
			-o nout "names/$n.mp4" >j.json
		json_get "
j = d[\"jobs\"][0]
assert j[\"status\"] == \"ok\", j
assert j[\"input\"].startswith(\"names/\"), j" <j.json
		test_path_is_file "nout/$n.anon.mp4"
		test_path_is_file "nout/$n.tracks.h5"
		"$OBSCURA" verify -q -p k.pub "nout/$n.mp4.obscura.tar"
		cmp base.mp4 "names/$n.mp4"
	done
	test_no_temp nout
'

test_expect_success 'a bundle of a name with tab checks with tar and sha256sum alone' '
	mkdir x
	tar -C x -xf "nout/$(printf "tab\\tname").mp4.obscura.tar"
	test_path_is_file x/tab%09name.anon.mp4
	(cd x && sha256sum -c --quiet SHA256SUMS)
'

test_expect_success 'a failing job named in bytes that are not UTF-8: its error line and JSON name it' '
	printf "not a video\\n" >"names/$(printf "junk\\377").mp4"
	test_must_fail_with 4 "$OBSCURA" run --no-progress --unsigned --json -o jout "names/$(printf "junk\\377").mp4"
	test_grep_not "(null)" stderr
	test_grep -F "obscura: error: names/junk" stderr
	json_get "
j = d[\"jobs\"][0]
assert j[\"status\"] == \"failed\", j
assert \"names/junk\\\\xff.mp4\" in j[\"error\"], j" <stdout
'

test_expect_success 'a ledger named in bytes that are not UTF-8 still shows tampering; inspect --json of such a name' '
	l=$(printf "led\\377.jsonl")
	"$OBSCURA" run --no-progress -q --key k.key --ledger "$l" -o lu base.mp4
	"$OBSCURA" verify -q -p k.pub --ledger "$l" lu/base.mp4.obscura.tar
	sed "s/\"seq\":0/\"seq\":5/" "$l" >l.tmp
	cp l.tmp "$l"
	test_must_fail_with 7 "$OBSCURA" verify -p k.pub --ledger "$l"
	test_grep "TAMPERED: .*seq is 5" stdout
	"$OBSCURA" inspect --json "nout/$(printf "bad\\377name").tracks.h5" >i.json
	json_get "assert d[\"file\"] == \"nout/bad\\\\xffname.tracks.h5\", d[\"file\"]" <i.json
'

test_expect_success 'a name too long for the bundle once escaped fails before any work' '
	n=$(printf "\\377%.0s" $(seq 40))
	cp base.mp4 "names/$n.mp4"
	test_must_fail_with 4 "$OBSCURA" run --no-progress --unsigned --json -o lout "names/$n.mp4"
	test_grep "longer than 100 bytes" stderr
	json_get "assert d[\"jobs\"][0][\"frames\"] == 0, d" <stdout
	test_dir_is_empty lout
'

# ---- 3 and 8. SIGKILL of the runner ----

test_expect_success 'SIGKILL of the runner kills its job: nothing finished, ledger intact, a rerun completes' '
	"$OBSCURA" run --no-progress -q --key k.key --ledger led.jsonl -o first base.mp4
	"$OBSCURA" run --no-progress --threads 1 --key k.key --ledger led.jsonl -o K long.mp4 >/dev/null 2>kerr &
	pid=$!
	wait_for_temp K
	job=$(job_pid K)
	kill -9 $pid
	rc=0
	wait $pid || rc=$?
	test_eq 137 $rc "runner exit status"
	wait_gone "$job"
	sleep 1
	no_outputs K long
	test -n "$(find K -name ".*.obscura-tmp-$job")"
	test_path_is_file K/.obscura.lock
	"$OBSCURA" verify -q -p k.pub --ledger led.jsonl first/base.mp4.obscura.tar
	"$OBSCURA" run --no-progress --key k.key --ledger led.jsonl -o K long.mp4 2>rerun
	test_grep "removed .* stale temporar" rerun
	test_no_temp K
	test_path_is_missing K/.obscura.lock
	test_path_is_file K/long.anon.mp4
	"$OBSCURA" verify -q -p k.pub --ledger led.jsonl K/long.mp4.obscura.tar first/base.mp4.obscura.tar
'

test_expect_success 'SIGKILL of a -j 2 runner kills both jobs' '
	cp long.mp4 long2.mp4
	"$OBSCURA" run --no-progress -j 2 --threads 1 --unsigned -o K2 long.mp4 long2.mp4 >/dev/null 2>&1 &
	pid=$!
	pids=$(job_pids K2 2)
	kill -9 $pid
	wait $pid || true
	for j in $pids; do
		wait_gone "$j"
	done
	sleep 1
	no_outputs K2 long
	no_outputs K2 long2
'

test_expect_success 'stale temporaries: those of dead processes go, nothing else' '
	mkdir st
	dead=$(sh -c "echo \$\$")
	: >"st/.clip.anon.mp4.obscura-tmp-$dead"
	: >"st/..clip.mp4.manifest.jsonl.obscura-tmp-$dead"
	: >"st/.clip.tracks.h5.obscura-tmp-$dead"
	: >"st/.live.anon.mp4.obscura-tmp-$$"
	: >"st/.notes.obscura-tmp-12x"
	: >"st/mine.obscura-tmp-$dead"
	: >"st/.mine.obscura-tmp-$dead.bak"
	: >"st/.obscura-tmp-$dead"
	mkdir "st/.dir.obscura-tmp-$dead"
	ln -s /nonexistent "st/.link.obscura-tmp-$dead"
	"$OBSCURA" run --no-progress --unsigned -o st base.mp4 2>err
	test_grep "removed 3 stale temporary files" err
	test_path_is_missing "st/.clip.anon.mp4.obscura-tmp-$dead"
	test_path_is_missing "st/..clip.mp4.manifest.jsonl.obscura-tmp-$dead"
	test_path_is_missing "st/.clip.tracks.h5.obscura-tmp-$dead"
	test_path_is_file "st/.live.anon.mp4.obscura-tmp-$$"
	test_path_is_file "st/.notes.obscura-tmp-12x"
	test_path_is_file "st/mine.obscura-tmp-$dead"
	test_path_is_file "st/.mine.obscura-tmp-$dead.bak"
	test_path_is_file "st/.obscura-tmp-$dead"
	test -d "st/.dir.obscura-tmp-$dead"
	test -L "st/.link.obscura-tmp-$dead"
	test_path_is_file st/base.anon.mp4
	test_path_is_missing st/.obscura.lock
'

test_expect_success 'stale temporaries beside a ledger: those of its dead runs go' '
	dead=$(sh -c "echo \$\$")
	"$OBSCURA" run --no-progress -q --key k.key --ledger sl.jsonl -o sl1 base.mp4
	: >".sl.jsonl.minisig.obscura-tmp-$dead"
	: >".sl.jsonl.minisig.obscura-tmp-$$"
	: >".other.minisig.obscura-tmp-$dead"
	"$OBSCURA" run --no-progress -q --key k.key --ledger sl.jsonl -o sl2 base.mp4
	test_path_is_missing ".sl.jsonl.minisig.obscura-tmp-$dead"
	test_path_is_file ".sl.jsonl.minisig.obscura-tmp-$$"
	test_path_is_file ".other.minisig.obscura-tmp-$dead"
	"$OBSCURA" verify -q -p k.pub --ledger sl.jsonl sl1/base.mp4.obscura.tar sl2/base.mp4.obscura.tar
'

# ---- 4. two runs at once ----

test_expect_success 'a second run into a directory in use: exit 10, the first finishes' '
	"$OBSCURA" run --no-progress -q --threads 1 --unsigned -o shared long.mp4 >/dev/null 2>aerr &
	pid=$!
	wait_for_temp shared
	test_must_fail_with 10 "$OBSCURA" run --no-progress --unsigned -o shared base.mp4
	one_error_line stderr "shared"
	test_grep "another obscura" stderr
	rc=0
	wait $pid || rc=$?
	test_eq 0 $rc "first run"
	test_path_is_file shared/long.anon.mp4
	no_outputs shared base
	test_no_temp shared
'

test_expect_success 'a second run on a ledger in use: exit 10, the ledger verifies' '
	"$OBSCURA" run --no-progress -q --threads 1 --key k.key --ledger led2.jsonl -o la long.mp4 >/dev/null 2>aerr &
	pid=$!
	wait_for_temp la
	test_must_fail_with 10 timeout 60 "$OBSCURA" run --no-progress --key k.key --ledger led2.jsonl -o lb base.mp4
	one_error_line stderr "led2.jsonl"
	test_grep "another obscura" stderr
	rc=0
	wait $pid || rc=$?
	test_eq 0 $rc "first run"
	no_outputs lb base
	"$OBSCURA" verify -q -p k.pub --ledger led2.jsonl la/long.mp4.obscura.tar
'

# ---- 5. FIFOs ----

test_expect_success 'setup: tracks, bundle and ledger to point at' '
	"$OBSCURA" run --no-progress -q --key k.key --ledger fled.jsonl -o f base.mp4
'

# Each: exit status, then the command; the FIFO must be refused at once (timeout: a hang fails).
while read -r code args; do
	test_expect_success "a FIFO is refused, not waited on: $args" "
		test_must_fail_with $code timeout 20 \"\$OBSCURA\" $args
		one_error_line stderr 'fifo: not a regular file'
		test_path_is_missing fo/base.anon.mp4
	"
done <<'EOF'
3 run --no-progress --unsigned -r fifo -o fo base.mp4
3 inspect -r fifo f/base.tracks.h5
3 redact --no-progress --unsigned -r fifo --tracks f/base.tracks.h5 -o fo base.mp4
9 inspect fifo
9 redact --no-progress --unsigned --tracks fifo -o fo base.mp4
2 run --no-progress --key fifo -o fo base.mp4
2 run --no-progress --key k.key --passphrase-file fifo -o fo base.mp4
6 run --no-progress --key k.key --ledger fifo -o fo base.mp4
4 run --no-progress --unsigned -o fo fifo
2 verify -p fifo f/base.mp4.obscura.tar
EOF

test_expect_success 'a FIFO is refused, not waited on: verify FIFO' '
	test_must_fail_with 9 timeout 20 "$OBSCURA" verify fifo
	test_line_count stdout 1
	test_grep "^fifo: UNREADABLE: fifo: not a regular file" stdout
'

test_expect_success 'a FIFO is refused, not waited on: verify --ledger FIFO' '
	test_must_fail_with 9 timeout 20 "$OBSCURA" verify -p k.pub --ledger fifo f/base.mp4.obscura.tar
	test_grep "^fifo: UNREADABLE: fifo: not a regular file" stdout
	test_grep_not "TAMPERED" stdout
'

test_expect_success 'inputs are unmodified after everything' '
	sha256sum -c --quiet inputs.sha256
	test_path_is_missing fo/base.anon.mp4
'

test_done
