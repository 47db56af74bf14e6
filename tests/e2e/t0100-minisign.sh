#!/bin/sh
# SPDX-License-Identifier: MIT
# t0100-minisign.sh - audit interop as a recipient tries it: minisign, GNU tar, sha256sum; obscura verify's exit codes.
. "$(dirname "$0")/../lib.sh"

DATA=$LIB_DIR/data/audit

test_expect_success 'a minisign key and signature verify with obscura' '
	mkdir t1
	cd t1
	minisign -G -W -p ms.pub -s ms.key >/dev/null
	echo "signed by minisign" >msg
	minisign -S -s ms.key -m msg -t "from minisign" >/dev/null
	"$TOOLS/minisig" -V -p ms.pub -m msg -x msg.minisig >out
	test_grep "^from minisign$" out
	echo "altered" >>msg
	test_must_fail_with 1 "$TOOLS/minisig" -V -p ms.pub -m msg -x msg.minisig
	test_grep "signature does not match" stderr
'

test_expect_success 'obscura signs with a minisign key; minisign verifies' '
	mkdir t2
	cd t2
	minisign -G -W -p ms.pub -s ms.key >/dev/null
	echo "signed by obscura" >msg
	"$TOOLS/minisig" -S -s ms.key -t "from obscura" -m msg -x msg.minisig
	minisign -Vm msg -x msg.minisig -p ms.pub >out
	test_grep "Trusted comment: from obscura" out
'

test_expect_success 'the committed good signature verifies with minisign, the forgeries do not' '
	mkdir t3
	cd t3
	minisign -Vm "$DATA/message.txt" -p "$DATA/signer.pub" >/dev/null
	test_must_fail_with 1 minisign -Vm "$DATA/forged.txt" -p "$DATA/signer.pub"
	test_grep "^Signature verification failed" stderr
	test_must_fail_with 1 minisign -Vm "$DATA/message.txt" -x "$DATA/message.txt.forged-comment.minisig" -p "$DATA/signer.pub"
	test_grep "^Comment signature verification failed" stderr
'

test_expect_success 'obscura keygen: key files, mode 0600, no overwrite without --force' '
	mkdir t4
	cd t4
	"$OBSCURA" keygen --no-passphrase -o k >out
	test_grep "^key id [0-9A-F]\{16\}$" out
	test "$(stat -c %a k.key)" = 600
	test_must_fail_with 6 "$OBSCURA" keygen --no-passphrase -o k
	test_grep "already exists" stderr
	"$OBSCURA" keygen --no-passphrase -o k --force >/dev/null
	test_must_fail_with 2 "$OBSCURA" keygen --no-passphrase --passphrase-file x
	test_usage_error stderr
'

test_expect_success 'obscura keygen -o DIR: a usage error, not the hidden DIR/.key and DIR/.pub' '
	mkdir keys
	test_must_fail_with 2 "$OBSCURA" keygen --no-passphrase -o keys/
	test_usage_error stderr
	test_grep "^obscura: --output keys/: names a directory; give a prefix such as keys/dpo$" stderr
	test_must_fail_with 2 "$OBSCURA" keygen --no-passphrase -o keys
	test_usage_error stderr
	test_must_fail_with 2 "$OBSCURA" keygen --no-passphrase -o not-yet/
	test_usage_error stderr
	test_dir_is_empty keys
	test_path_is_missing not-yet
	"$OBSCURA" keygen --no-passphrase -o keys/dpo >/dev/null
	test_path_is_file keys/dpo.key
'

test_expect_success 'minisign signs with an obscura key, passphrase-protected (scrypt)' '
	mkdir t5
	cd t5
	printf "long passphrase\n" >pass
	chmod 600 pass
	"$OBSCURA" keygen --passphrase-file pass -o enc >/dev/null 2>&1
	echo data >msg
	minisign -S -s enc.key -m msg <pass >/dev/null
	"$TOOLS/minisig" -V -p enc.pub -m msg -x msg.minisig >/dev/null
'

test_expect_success 'a secret key readable by others is refused' '
	mkdir t6
	cd t6
	"$OBSCURA" keygen --no-passphrase -o k >/dev/null
	echo x >a.txt
	chmod 644 k.key
	test_must_fail_with 1 "$TOOLS/mkbundle" -o b.obscura.tar -s k.key a.txt
	test_grep "accessible by group or others (mode 0644)" stderr
	test_path_is_missing b.obscura.tar
'

test_expect_success 'a public key given as the secret key is named as such, not sent to chmod' '
	mkdir t6b
	cd t6b
	"$OBSCURA" keygen --no-passphrase -o k >/dev/null
	echo x >a.txt
	test_must_fail_with 1 "$TOOLS/mkbundle" -o b.obscura.tar -s k.pub a.txt
	test_grep "k.pub: a public key, not a secret key (give k.key, the file obscura keygen wrote with it)" stderr
	test_grep_not "chmod" stderr
	test_path_is_missing b.obscura.tar
'

test_expect_success 'a recipient checks a bundle with GNU tar, minisign and sha256sum alone' '
	mkdir t7
	cd t7
	"$OBSCURA" keygen --no-passphrase -o k >/dev/null
	head -c 300000 /dev/urandom >export.mp4
	echo "{}" >tracks.json
	"$TOOLS/mkbundle" -o b.obscura.tar -s k.key export.mp4 tracks.json
	tar tf b.obscura.tar >list
	printf "%s\n" export.mp4 tracks.json signer.pub manifest.jsonl manifest.jsonl.minisig >expect
	test_cmp expect list
	mkdir x
	tar xf b.obscura.tar -C x
	minisign -Vm x/manifest.jsonl -p k.pub >/dev/null
	"$PYTHON" -c "
import json, sys
for l in open(\"x/manifest.jsonl\"):
    e = json.loads(l)
    if e[\"type\"] == \"output\":
        print(e[\"data\"][\"sha256\"] + \"  \" + e[\"data\"][\"name\"])
" >x/SHA256SUMS
	test_line_count x/SHA256SUMS 3
	(cd x && sha256sum -c --quiet SHA256SUMS)
	"$OBSCURA" verify -p k.pub b.obscura.tar >out
	test_grep "OK: signed by trusted key" out
'

test_expect_success 'obscura verify: exit codes 0, 8 (unsigned), 7 (tampered), 9 (unreadable)' '
	mkdir t8
	cd t8
	"$OBSCURA" keygen --no-passphrase -o k >/dev/null
	"$OBSCURA" keygen --no-passphrase -o other >/dev/null
	echo "the export" >export.mp4
	"$TOOLS/mkbundle" -o good.obscura.tar -s k.key export.mp4
	"$TOOLS/mkbundle" -o unsigned.obscura.tar export.mp4
	"$TOOLS/mkbundle" -o forger.obscura.tar -s other.key export.mp4
	"$OBSCURA" verify -p k.pub good.obscura.tar >out
	"$OBSCURA" verify good.obscura.tar >out
	test_grep "UNTRUSTED" out
	test_must_fail_with 8 "$OBSCURA" verify -p k.pub unsigned.obscura.tar
	test_grep "UNSIGNED" stdout
	test_must_fail_with 7 "$OBSCURA" verify -p k.pub forger.obscura.tar
	test_grep "not by key" stdout
	repack good.obscura.tar flipped.tar "data.replace(b\"export\", b\"exp0rt\") if name == \"export.mp4\" else data"
	test_must_fail_with 7 "$OBSCURA" verify -p k.pub flipped.tar
	test_grep "member .export.mp4.: sha256 differs" stdout
	repack good.obscura.tar dropped.tar "b\"\".join(l for i, l in enumerate(data.splitlines(True)) if i != 1) if name == \"manifest.jsonl\" else data"
	test_must_fail_with 7 "$OBSCURA" verify -p k.pub dropped.tar
	test_grep "manifest line 2: seq is 2, expected 1" stdout
	head -c 1000 good.obscura.tar >cut.tar
	test_must_fail_with 9 "$OBSCURA" verify -p k.pub cut.tar
	test_grep "UNREADABLE" stdout
	test_must_fail_with 7 "$OBSCURA" verify -p k.pub good.obscura.tar flipped.tar unsigned.obscura.tar
	test_must_fail_with 8 "$OBSCURA" verify --json -p k.pub good.obscura.tar unsigned.obscura.tar
	mv stdout report.json
	test "$("$PYTHON" -c "import json; print(\" \".join(b[\"status\"] for b in json.load(open(\"report.json\"))))")" = "ok unsigned"
'

test_done
