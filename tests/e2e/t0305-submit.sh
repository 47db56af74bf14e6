#!/bin/sh
# SPDX-License-Identifier: MIT
# t0305-submit.sh - `obscura submit --dry-run`: the plan and the Slurm scripts; tasks run by hand, then `obscura collect` gives run --json's summary.
. "$(dirname "$0")/../lib.sh"

test_expect_success 'setup: a key, three clips and a corrupt one' '
	batch_clips
'

test_expect_success 'submit --dry-run: one array task per input, the throttle, a collect job after them' '
	"$OBSCURA" submit --key k.key --ledger ledger.jsonl -o out --partition batch --cpus-per-task 2 \
		--max-parallel 3 --dry-run a.mp4 b.mp4 bad.mp4 c.mp4 >dry.txt 2>dry.err
	test_grep "4 tasks planned in out (dry run: nothing submitted)" dry.err
	test_path_is_file out/obscura-plan.json
	test_path_is_file out/obscura-task.sbatch
	test_path_is_file out/obscura-collect.sbatch
	test_grep "^#SBATCH --array=0-3%3$" out/obscura-task.sbatch
	test_grep "^#SBATCH --partition=batch$" out/obscura-task.sbatch
	test_grep "^#SBATCH --cpus-per-task=2$" out/obscura-task.sbatch
	test_grep " task .out. \"\$SLURM_ARRAY_TASK_ID\"$" out/obscura-task.sbatch
	test_grep " collect .out.$" out/obscura-collect.sbatch
	test_grep "dependency=afterany:ARRAY_JOB_ID out/obscura-collect.sbatch" dry.txt
	test_grep "^#SBATCH --array=0-3%3$" dry.txt
	test_path_is_missing out/obscura-tasks
	test_line_count ledger.jsonl 0
'

test_expect_success 'neither script nor plan holds the key: only its path' '
	secret=$(sed -n 2p k.key)
	test_grep_not "$secret" out/obscura-task.sbatch
	test_grep_not "$secret" out/obscura-collect.sbatch
	test_grep_not "$secret" out/obscura-plan.json
	test_grep_not "$secret" dry.txt
	json_get "
assert d[\"key\"] == \"k.key\", d[\"key\"]
t = d[\"tasks\"]
assert [x[\"input\"] for x in t] == [\"a.mp4\", \"b.mp4\", \"bad.mp4\", \"c.mp4\"], t
assert t[0][\"size\"] == $(wc -c <a.mp4) and t[0][\"sha256\"] == \"$(sha256_of a.mp4)\", t[0]
assert t[3][\"bundle\"] == \"out/c.mp4.obscura.tar\" and t[3][\"output\"] == \"out/c.anon.mp4\", t[3]
assert len(d[\"recipe\"][\"sha256\"]) == 64 and d[\"slurm\"][\"max_parallel\"] == 3, d" <out/obscura-plan.json
'

test_expect_success 'a second submit into the same directory is refused; --resume is the way' '
	test_must_fail_with 6 "$OBSCURA" submit --key k.key -o out --dry-run a.mp4
	test_grep "obscura-plan.json: exists" stderr
'

test_expect_success 'task without a number outside Slurm, or one outside the plan: exit 2, nothing run' '
	test_must_fail_with 2 env -u SLURM_ARRAY_TASK_ID "$OBSCURA" task out
	test_usage_error stderr
	test_grep "^obscura: no task number: give N, or run it as a Slurm array task (SLURM_ARRAY_TASK_ID)$" stderr
	test_must_fail_with 2 "$OBSCURA" task out 4
	test_usage_error stderr
	test_path_is_missing out/obscura-tasks
'

test_expect_success 'collect before any task ran: every task named as missing, exit 4' '
	test_must_fail_with 4 "$OBSCURA" collect out
	test_grep "task 0: a.mp4: task 0 left no result" stderr
	test_grep "task 3: c.mp4: task 3 left no result" stderr
	test_line_count ledger.jsonl 0
'

test_expect_success 'tasks run by hand; one missing: collect names it, resume resubmits only it' '
	"$OBSCURA" task out 0
	"$OBSCURA" task out 1
	test_must_fail_with 4 "$OBSCURA" task out 2
	test_path_is_file out/obscura-tasks/2.json
	test_must_fail_with 5 "$OBSCURA" collect out
	test_grep "task 3: c.mp4: task 3 left no result" stderr
	test_grep "task 2: bad.mp4: truncated: the file ends before its index" stderr
	"$OBSCURA" submit --resume out --dry-run >resume.txt
	test_grep "^#SBATCH --array=3%3$" out/obscura-task.sbatch
	"$OBSCURA" task out 3
'

test_expect_success 'collect: bundles verify, the ledger in plan order, the summary is run --json apart from timings' '
	rm -f ledger.jsonl ledger.jsonl.minisig ledger.jsonl.pub
	test_must_fail_with 5 "$OBSCURA" collect --json out
	mv stdout collect.json
	test_grep "4 tasks: 3 ok, 1 failed (0 without a result)" stderr
	test_cmp collect.json out/obscura-summary.json
	"$OBSCURA" verify -p k.pub --ledger ledger.jsonl out/a.mp4.obscura.tar out/b.mp4.obscura.tar out/c.mp4.obscura.tar
	test_line_count ledger.jsonl 3
	(cd local && test_must_fail_with 5 "$OBSCURA" run --no-progress -q --key ../k.key --json -o out a.mp4 b.mp4 bad.mp4 c.mp4)
	same_summary collect.json local/stdout
	json_get "
seqs = [j.get(\"ledger_seq\") for j in d[\"jobs\"]]
assert seqs == [0, 1, None, 2], seqs
j = d[\"jobs\"][2]
assert j[\"error_kind\"] == \"input\" and j[\"input\"] == \"bad.mp4\", j" <collect.json
'

test_expect_success 'collect again appends nothing twice; a tampered bundle fails its task' '
	test_must_fail_with 5 "$OBSCURA" collect -q out
	test_line_count ledger.jsonl 3
	printf xxxx >x
	dd if=x of=out/b.mp4.obscura.tar bs=1 seek=700 conv=notrunc 2>/dev/null
	test_must_fail_with 5 "$OBSCURA" collect --json out
	test_grep "task 1: out/b.mp4.obscura.tar: " stderr
	json_get "assert d[\"ok\"] == 2 and d[\"jobs\"][1][\"error_kind\"] == \"verify\", d" <stdout
	test_line_count ledger.jsonl 3
'

test_expect_success 'a task refuses an input changed since submit' '
	"$OBSCURA" submit --unsigned -o out2 --dry-run a.mp4 >/dev/null
	cp b.mp4 a.mp4
	test_must_fail_with 4 "$OBSCURA" task out2 0
	test_grep "a.mp4: changed since it was submitted" stderr
	test_path_is_missing out2/a.anon.mp4
'

test_expect_success 'submit refuses an existing output as run does; the task reports it; --analyze makes no export' '
	mkdir out4
	: >out4/a.anon.mp4
	"$OBSCURA" submit --unsigned --analyze -o out5 --dry-run a.mp4 >/dev/null
	"$OBSCURA" submit --unsigned -o out4 --dry-run a.mp4 b.mp4 >/dev/null 2>err
	test_grep -x "obscura: warning: task 0: out4/a.anon.mp4: exists (use --force to replace it); the task will report it" err
	test_grep "^obscura: 2 tasks planned in out4" err
	test_grep "^obscura: warning: (built-in defaults): hides nothing" err
	test_line_count err 3
	json_get "assert d[\"tasks\"][0][\"error_kind\"] == \"output\" and \"exists\" in d[\"tasks\"][0][\"error\"], d" \
		<out4/obscura-plan.json
	test_must_fail_with 4 "$OBSCURA" task out4 0
	test_grep "out4/a.anon.mp4: exists (use --force to replace it)" stderr
	"$OBSCURA" task out4 1
	"$OBSCURA" task out5 0
	test_path_is_file out5/a.tracks.h5
	test_path_is_file out5/a.mp4.obscura.tar
	test_path_is_missing out5/a.anon.mp4
	test_must_fail_with 5 "$OBSCURA" collect out4
	"$OBSCURA" collect out5
'

test_expect_success 'submit --redact: the tracks file and the edits in the plan; collect gives redact --json' '
	make_recipe red.ini "[pixelate]" "block = 12"
	"$OBSCURA" analyze --unsigned --no-progress -q -r red.ini -o ana c.mp4
	cp ana/c.tracks.h5 c.tracks.h5
	cp c.tracks.h5 local/
	test_must_fail_with 2 "$OBSCURA" submit --unsigned --tracks c.tracks.h5 -o outr --dry-run c.mp4
	test_grep "tracks, --keep and --add-box need --redact" stderr
	test_must_fail_with 2 "$OBSCURA" submit --unsigned --redact -o outr --dry-run c.mp4
	test_grep "tracks FILE is required" stderr
	test_must_fail_with 2 "$OBSCURA" submit --unsigned --redact --tracks c.tracks.h5 -o outr --dry-run c.mp4 b.mp4
	test_path_is_missing outr/obscura-plan.json
	"$OBSCURA" submit --key k.key --redact --tracks c.tracks.h5 --add-box 2-5:10,10,40,30 -o outr --dry-run \
		c.mp4 >/dev/null
	json_get "
r = d[\"redact\"]
assert d[\"command\"] == \"redact\" and r[\"tracks\"] == \"c.tracks.h5\", d
assert r[\"size\"] == $(wc -c <c.tracks.h5) and r[\"sha256\"] == \"$(sha256_of c.tracks.h5)\", r
assert r[\"keep\"] == [] and r[\"add_box\"] == [dict(first=2, last=5, x=10, y=10, w=40, h=30)], r
assert d[\"recipe\"][\"name\"] == \"c.tracks.h5 (its recipe)\", d[\"recipe\"]
assert [t[\"input\"] for t in d[\"tasks\"]] == [\"c.mp4\"], d" <outr/obscura-plan.json
	"$OBSCURA" task outr 0
	"$OBSCURA" collect --json outr >collect-r.json
	"$OBSCURA" verify -p k.pub outr/c.mp4.obscura.tar
	(cd local && "$OBSCURA" redact --no-progress -q --key ../k.key --json --tracks c.tracks.h5 \
		--add-box 2-5:10,10,40,30 -o outr c.mp4 >../local-r.json)
	same_summary collect-r.json local-r.json
	json_get "assert d[\"ok\"] == 1 and d[\"recipe\"] == \"c.tracks.h5 (its recipe)\", d" <collect-r.json
'

test_expect_success 'a redact task refuses a tracks file changed since submit' '
	"$OBSCURA" submit --unsigned --redact --tracks c.tracks.h5 -o outr2 --dry-run c.mp4 >/dev/null
	printf x >>c.tracks.h5
	test_must_fail_with 4 "$OBSCURA" task outr2 0
	test_grep "c.tracks.h5: changed since it was submitted" stderr
	test_path_is_missing outr2/c.anon.mp4
	json_get "assert d[\"error_kind\"] == \"input\", d" <outr2/obscura-tasks/0.json
'

test_expect_success 'with --key, the plan, scripts and logs directory are private (umask + 077); sbatch gets the user umask' '
	mkdir fakebin
	printf "#!/bin/sh\numask >>\"%s/sbatch-umask.txt\"\necho 4242\n" "$PWD" >fakebin/sbatch
	chmod +x fakebin/sbatch
	(umask 022 && PATH=$PWD/fakebin:$PATH "$OBSCURA" submit -q --key k.key -o outm b.mp4 >ids.txt)
	test_eq "4242 4242" "$(cat ids.txt)"
	test_eq 600 "$(stat -c %a outm/obscura-plan.json)" plan
	test_eq 700 "$(stat -c %a outm/obscura-task.sbatch)" task-script
	test_eq 700 "$(stat -c %a outm/obscura-collect.sbatch)" collect-script
	test_eq 700 "$(stat -c %a outm/obscura-logs)" logs
	printf "0022\n0022\n" >want-umask.txt
	test_cmp want-umask.txt sbatch-umask.txt
	(umask 022 && PATH=$PWD/fakebin:$PATH "$OBSCURA" submit -q --resume outm >/dev/null)
	test_eq 700 "$(stat -c %a outm/obscura-task.sbatch)" task-script-after-resume
	(umask 022 && PATH=$PWD/fakebin:$PATH "$OBSCURA" submit -q --unsigned -o outu b.mp4 >/dev/null)
	test_eq 644 "$(stat -c %a outu/obscura-plan.json)" unsigned-plan
	test_eq 755 "$(stat -c %a outu/obscura-task.sbatch)" unsigned-task-script
	test_eq 755 "$(stat -c %a outu/obscura-logs)" unsigned-logs
'

test_expect_success 'a task stopped by SIGTERM (scancel, preemption) leaves no result and no output' '
	ffmpeg -v error -f lavfi -i testsrc2=size=640x480:rate=25:duration=30 -c:v libx264 -pix_fmt yuv420p long.mp4
	"$OBSCURA" submit --unsigned -o out3 --dry-run long.mp4 >/dev/null
	"$OBSCURA" task out3 0 2>task.err &
	pid=$!
	sleep 1
	kill -TERM $pid
	rc=0
	wait $pid || rc=$?
	test "$rc" -eq 130
	test_grep "task 0 stopped by a signal: no result written" task.err
	test_path_is_missing out3/obscura-tasks/0.json
	test_path_is_missing out3/long.anon.mp4
	test_path_is_missing out3/long.mp4.obscura.tar
	test_no_temp out3
	"$OBSCURA" submit --resume out3 --dry-run >/dev/null
	test_grep "^#SBATCH --array=0$" out3/obscura-task.sbatch
'

test_done
