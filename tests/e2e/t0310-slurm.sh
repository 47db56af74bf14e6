#!/bin/sh
# SPDX-License-Identifier: MIT
# t0310-slurm.sh - a real one-node Slurm (munged, slurmctld, slurmd as root): submit three clips and a corrupt one, wait, collect, check.
# Skipped, with the reason, only where Slurm cannot start (not root, not installed: scripts/install-deps.sh test).
. "$(dirname "$0")/../lib.sh"

# The daemons this script started, by their pid files; then lib.sh's cleanup.
stop_slurm() {
	for d in slurmd slurmctld munged; do
		if [ -s "$TEST_DIR/$d.pid" ]; then
			kill "$(cat "$TEST_DIR/$d.pid")" 2>/dev/null || :
		fi
	done
	sleep 1
}
trap 'stop_slurm; chmod -R u+w "$TEST_DIR" 2>/dev/null; rm -rf "$TEST_DIR"' EXIT

skip_all() {
	echo "# SKIP t0310-slurm: $1"
	test_done
}

if [ "$(id -u)" != 0 ]; then
	skip_all "Slurm's daemons must start as root here"
fi
for p in munged slurmctld slurmd sbatch squeue sinfo; do
	command -v "$p" >/dev/null 2>&1 || skip_all "$p is not installed (scripts/install-deps.sh test installs slurm-wlm and munge)"
done
if [ ! -r /etc/munge/munge.key ]; then
	skip_all "/etc/munge/munge.key is missing (Debian's munge package makes it)"
fi

# One node, this machine: a configuration of our own, in the scratch
# directory, on ports of our own, so that nothing else is touched.
node=$(hostname)
port=$((20000 + $$ % 20000))
SLURM_CONF=$TEST_DIR/slurm.conf
export SLURM_CONF
cat >"$SLURM_CONF" <<CONF
ClusterName=obscuratest
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$TEST_DIR/munge.sock
StateSaveLocation=$TEST_DIR/state
SlurmdSpoolDir=$TEST_DIR/spool
SlurmctldPidFile=$TEST_DIR/slurmctld.pid
SlurmdPidFile=$TEST_DIR/slurmd.pid
SlurmctldLogFile=$TEST_DIR/slurmctld.log
SlurmdLogFile=$TEST_DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$node CPUs=$(nproc) State=UNKNOWN
PartitionName=obscura Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
mkdir -p "$TEST_DIR/state" "$TEST_DIR/spool"
munged --socket="$TEST_DIR/munge.sock" --pid-file="$TEST_DIR/munged.pid" --log-file="$TEST_DIR/munged.log" \
	--seed-file="$TEST_DIR/munge.seed" --key-file=/etc/munge/munge.key --force >/dev/null 2>&1 ||
	skip_all "munged did not start"
slurmctld >/dev/null 2>&1 || skip_all "slurmctld did not start"
slurmd >/dev/null 2>&1 || skip_all "slurmd did not start"
up=
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	sinfo -h -o %t >state.txt 2>/dev/null || :
	if grep -q idle state.txt; then
		up=1
		break
	fi
	sleep 1
done
if [ -z "$up" ]; then
	skip_all "the Slurm node did not come up in 20 s (see slurmctld.log)"
fi

# wait_jobs JOB CJOB: until Slurm has neither queued nor running (2 minutes at most).
wait_jobs() {
	for _i in $(seq 1 120); do
		squeue -h -j "$1,$2" >q.txt 2>/dev/null || :
		if [ ! -s q.txt ]; then
			break
		fi
		sleep 1
	done
	test_must_be_empty q.txt
}

test_expect_success 'setup: a key, three clips and a corrupt one; the same batch run locally' '
	batch_clips
	(cd local && test_must_fail_with 5 "$OBSCURA" run --no-progress -q --key ../k.key --json -o out a.mp4 b.mp4 bad.mp4 c.mp4)
	mv local/stdout local.json
'

test_expect_success 'submit: one array job of four tasks, two at once, and a collect job after it' '
	(umask 022 && "$OBSCURA" submit --key k.key --ledger ledger.jsonl -o out --max-parallel 2 --cpus-per-task 1 \
		a.mp4 b.mp4 bad.mp4 c.mp4 >ids.txt)
	read -r job cjob <ids.txt
	test -n "$job"
	test -n "$cjob"
	scontrol show job "$cjob" >cjob.txt
	test_grep "Dependency=afterany:${job}_\\*" cjob.txt
'

test_expect_success 'the jobs end; collect (run by Slurm) wrote the summary and the ledger' '
	read -r job cjob <ids.txt
	wait_jobs "$job" "$cjob"
	test_path_is_file out/obscura-summary.json
	test_grep "task 2: bad.mp4: truncated: the file ends before its index" out/obscura-logs/collect-$cjob.log
	"$OBSCURA" verify -p k.pub --ledger ledger.jsonl out/a.mp4.obscura.tar out/b.mp4.obscura.tar out/c.mp4.obscura.tar
	test_line_count ledger.jsonl 3
'

test_expect_success 'with a key, the plan and scripts are private; the tasks wrote with the submitting umask (022)' '
	test_eq 600 "$(stat -c %a out/obscura-plan.json)" plan
	test_eq 700 "$(stat -c %a out/obscura-task.sbatch)" task-script
	test_eq 700 "$(stat -c %a out/obscura-logs)" logs
	test_eq 644 "$(stat -c %a out/a.mp4.obscura.tar)" bundle
	test_eq 644 "$(stat -c %a out/a.anon.mp4)" export
	test_eq 644 "$(stat -c %a out/obscura-tasks/0.json)" result
'

test_expect_success 'the summary is the local run --json apart from timings; collect by hand says the same' '
	test_must_fail_with 5 "$OBSCURA" collect --json out
	test_cmp stdout out/obscura-summary.json
	test_line_count ledger.jsonl 3
	same_summary out/obscura-summary.json local.json
	json_get "
assert [j.get(\"ledger_seq\") for j in d[\"jobs\"]] == [0, 1, None, 2], d[\"jobs\"]
assert d[\"ok\"] == 3 and d[\"jobs\"][2][\"error_kind\"] == \"input\", d" <out/obscura-summary.json
'

test_expect_success 'a lost result: submit --resume runs only that task again, collect then finds all' '
	rm out/obscura-tasks/1.json
	"$OBSCURA" submit --resume out >ids2.txt
	test_grep "^#SBATCH --array=1%2$" out/obscura-task.sbatch
	read -r job cjob <ids2.txt
	wait_jobs "$job" "$cjob"
	test_path_is_file out/obscura-tasks/1.json
	test_must_fail_with 5 "$OBSCURA" collect out
	test_grep "4 tasks: 3 ok, 1 failed (0 without a result)" stderr
	test_line_count ledger.jsonl 4
'

test_expect_success 'submit --redact: one task hides from an earlier tracks file on the cluster' '
	"$OBSCURA" submit -q --key k.key --redact --tracks out/a.tracks.h5 --add-box 2-5:10,10,40,30 -o outr a.mp4 \
		>ids3.txt
	read -r job cjob <ids3.txt
	wait_jobs "$job" "$cjob"
	json_get "
assert d[\"ok\"] == 1 and d[\"jobs\"][0][\"hidden_cells\"] > 0, d
assert d[\"recipe\"] == \"(built-in defaults)\", d[\"recipe\"]" <outr/obscura-summary.json
	test_path_is_file outr/a.anon.mp4
	"$OBSCURA" verify -p k.pub outr/a.mp4.obscura.tar
'

test_done
