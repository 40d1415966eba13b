#!/bin/sh
# Build and test dependencies of iommusim.
#   tools/deps.sh check     exit 0 when everything is present
#   tools/deps.sh install   install what is missing with apt-get (as root or via sudo)
set -u
missing=""
have() { command -v "$1" >/dev/null 2>&1; }
pkg-config --exists check 2>/dev/null || missing="$missing check pkg-config"
have lcov || missing="$missing lcov"
have genhtml || missing="$missing lcov"
/usr/bin/python3 -c 'import pytest' 2>/dev/null || missing="$missing python3-pytest"
have clang || missing="$missing clang"
[ -e /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a ] || \
	ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || \
	missing="$missing libclang-rt-dev"
have gcc || missing="$missing gcc"
have make || missing="$missing make"

case "${1:-check}" in
check)
	[ -z "$missing" ] && exit 0
	echo "missing:$missing"; exit 1 ;;
install)
	[ -z "$missing" ] && { echo "deps: all present"; exit 0; }
	echo "deps: installing$missing"
	sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq || exit 1
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$missing >/dev/null || exit 1
	echo "deps: done" ;;
*) echo "usage: $0 check|install" >&2; exit 2 ;;
esac
