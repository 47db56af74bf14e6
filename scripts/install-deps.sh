#!/bin/sh
# SPDX-License-Identifier: MIT
# install-deps.sh - install the Debian packages Obscura needs, if any is missing.
# Idempotent: does nothing (and needs no root) when everything is present.
# Usage: scripts/install-deps.sh [build|test|models|fuzz|all]   (default: all)
set -eu

BUILD="make gcc g++ pkg-config libavformat-dev libavcodec-dev libavfilter-dev libavutil-dev
libswscale-dev libinih-dev libjansson-dev libgcrypt20-dev libarchive-dev libhdf5-dev
libopenblas-dev libopencv-dev libplplot-dev plplot-driver-cairo"
TEST="bc time libcmocka-dev ffmpeg opencv-doc forensics-samples-files man-db groff-base python3
hdf5-tools python3-h5py jq minisign slurm-wlm munge chromium"
MODELS="python3 python3-onnx python3-numpy python3-opencv openssl tar gzip"
# make fuzz / check-asan: clang and its libFuzzer runtime (libclang_rt.fuzzer)
FUZZ="clang libclang-rt-dev"

case "${1:-all}" in
build) want="$BUILD" ;;
test) want="$BUILD $TEST" ;;
models) want="$MODELS" ;;
fuzz) want="$FUZZ" ;;
*) want="$BUILD $TEST $MODELS" ;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# npm: any working npm will do (some images ship Node.js with its own npm,
# which conflicts with Debian's npm package).
case "${1:-all}" in
build | test | fuzz) ;;
*) command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm" ;;
esac
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing" >&2
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
		echo "install-deps: not root; run: apt-get install$missing" >&2
		exit 1
	fi
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run to finish rather than fail on its lock.
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
