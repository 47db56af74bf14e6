#!/bin/sh
# SPDX-License-Identifier: MIT
# install-model.sh TMP_ONNX FINAL_ONNX CARD
# Check TMP_ONNX's SHA-256 against the `sha256 =` key of CARD, then rename it
# to FINAL_ONNX (same directory, so the rename is atomic).  On a mismatch the
# temporary file (and any stale FINAL_ONNX) is removed and the script fails,
# so nothing that looks finished is left behind.
set -eu
tmp=$1 final=$2 card=$3
want=$(sed -n 's/^[[:space:]]*sha256[[:space:]]*=[[:space:]]*\([0-9a-fA-F]\{64\}\).*/\1/p' "$card" | head -n 1 | tr 'A-F' 'a-f')
got=$(sha256sum "$tmp" | cut -d' ' -f1)
if [ -z "$want" ]; then
    echo "install-model: $card has no sha256 key; $(basename "$final") sha256 = $got" >&2
    rm -f "$tmp" "$final"
    exit 1
fi
if [ "$got" != "$want" ]; then
    echo "install-model: $(basename "$final"): SHA-256 mismatch" >&2
    echo "  pinned in $card: $want" >&2
    echo "  produced:        $got" >&2
    rm -f "$tmp" "$final"
    exit 1
fi
mv -f "$tmp" "$final"
