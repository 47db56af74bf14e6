#!/bin/sh
# SPDX-License-Identifier: MIT
# t0001-cli.sh - the command line: help, version, usage errors and exit code 2.
. "$(dirname "$0")/../lib.sh"

test_expect_success 'obscura --help lists the commands on stdout, exit 0' '
	"$OBSCURA" --help >out 2>err
	test_grep "^usage: obscura" out
	test_grep "^  run " out
	test_grep "^  help " out
	test_grep "^  version " out
	test_must_be_empty err
'

test_expect_success 'obscura -h is --help' '
	"$OBSCURA" --help >expect
	"$OBSCURA" -h >actual
	test_cmp expect actual
'

test_expect_success 'obscura help run and obscura run --help print the same usage, exit 0' '
	"$OBSCURA" help run >help 2>err
	test_must_be_empty err
	"$OBSCURA" run --unsigned --help >runhelp
	test_cmp help runhelp
	test_grep "^usage: obscura run " help
	for opt in --recipe --output --jobs --threads --force --json --no-progress --quiet --verbose --help; do
		test_grep -e "$opt" help
	done
'

test_expect_success 'obscura --version prints the version, exit 0' '
	"$OBSCURA" --version >out 2>err
	test_grep -E "^obscura [0-9]+\.[0-9]+\.[0-9]+$" out
	test_grep "^libavformat " out
	test_must_be_empty err
	"$OBSCURA" version >out2
	test_cmp out out2
'

test_expect_success 'no command at all: help on stderr, exit 2' '
	test_must_fail_with 2 "$OBSCURA"
	test_must_be_empty stdout
	test_grep "^usage: obscura" stderr
'

test_expect_success 'unknown command: exit 2, one-line error and usage' '
	test_must_fail_with 2 "$OBSCURA" frobnicate
	test_usage_error stderr
	test_grep "frobnicate" stderr
	test_must_be_empty stdout
'

test_expect_success 'unknown top-level option: exit 2' '
	test_must_fail_with 2 "$OBSCURA" --frobnicate
	test_usage_error stderr
	test_grep -e "--frobnicate" stderr
'

test_expect_success 'help for an unknown command: exit 2' '
	test_must_fail_with 2 "$OBSCURA" help frobnicate
	test_usage_error stderr
'

test_expect_success 'run: unknown option: exit 2, one-line error naming it, nothing created' '
	touch clip.mp4
	test_must_fail_with 2 "$OBSCURA" run --unsigned --bogus clip.mp4
	test_usage_error stderr
	test_grep -e "--bogus" stderr
	test_must_be_empty stdout
	test_path_is_missing obscura-out
'

test_expect_success 'run: unknown short option: exit 2' '
	test_must_fail_with 2 "$OBSCURA" run --unsigned -Z clip.mp4
	test_usage_error stderr
	test_grep -e "-Z" stderr
'

test_expect_success 'run: missing option argument: exit 2' '
	test_must_fail_with 2 "$OBSCURA" run --unsigned -o
	test_usage_error stderr
	test_grep "needs an argument" stderr
	test_must_fail_with 2 "$OBSCURA" run --unsigned clip.mp4 --recipe
	test_usage_error stderr
	test_grep -e "--recipe" stderr
'

test_expect_success 'run: no input: exit 2' '
	test_must_fail_with 2 "$OBSCURA" run --unsigned -o outdir
	test_usage_error stderr
	test_grep "no input" stderr
	test_path_is_missing outdir
'

# An empty directory has no video to sort: under make check-asan, UBSan
# caught qsort(NULL, 0, ...) here (src/sched/inputs.c).
test_expect_success 'run: an empty directory: its job fails naming it, exit 4' '
	mkdir emptydir &&
	test_must_fail_with 4 "$OBSCURA" run --unsigned -o emptyout emptydir &&
	test_grep "emptydir: no video or photo files in this directory" stderr &&
	test_grep_not "runtime error" stderr
'

test_expect_success 'run: bad --jobs and --threads values: exit 2' '
	for j in 0 65 x 2x -1; do
		test_must_fail_with 2 "$OBSCURA" run --unsigned -j "$j" clip.mp4
		test_usage_error stderr
	done
	test_must_fail_with 2 "$OBSCURA" run --unsigned --threads 0 clip.mp4
	test_usage_error stderr
	test_path_is_missing obscura-out
'

test_done
