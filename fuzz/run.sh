#!/usr/bin/env bash
# shellcheck disable=SC2086  # compiler flags are word-split on purpose
# Runs every libFuzzer target fuzz/fuzz_<name>.c for SECONDS each (default 30):
# builds it with clang -fsanitize=fuzzer,address,undefined against the library
# sources (src/*/*.c except src/cli), seeds it from a scratch copy of
# fuzz/corpus/<name>/ (the committed corpus is never written) and uses
# fuzz/<name>.dict when there is one. Crash inputs land in
# $FUZZ_BUILD/artifacts/. Ends with "N passed, M failed" (one per target).
#
#   bash fuzz/run.sh 60            # all targets, 60 s each
#   bash fuzz/run.sh 60 pcap       # only fuzz/fuzz_pcap.c
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
secs=${1:-30}
only=${2:-}
out=${FUZZ_BUILD:-build/fuzz-run}
cc=${FUZZ_CC:-clang}
pkgs="libpcap libzstd sqlite3 libxxhash zlib libmaxminddb json-c"
cflags="-g -O1 -fno-omit-frame-pointer -std=c11 -D_GNU_SOURCE -Isrc $(pkg-config --cflags $pkgs 2>/dev/null)"
san="address,undefined -fno-sanitize-recover=undefined"
libs="$(pkg-config --libs $pkgs 2>/dev/null) -lcsv -lpthread -lm"

mkdir -p "$out/obj" "$out/artifacts"
srcs=(); objs=()
for src in src/*/*.c; do
    case $src in src/cli/*) continue ;; esac
    srcs+=("$src")
    objs+=("$out/obj/$(echo "${src%.c}" | tr / _).o")
done
if ! for i in "${!srcs[@]}"; do printf '%s %s\n' "${srcs[$i]}" "${objs[$i]}"; done |
    xargs -P "$(nproc)" -n 2 sh -c \
        "$cc $cflags -fsanitize=fuzzer-no-link,$san -c -o \"\$1\" \"\$0\" || exit 255"; then
    echo "fuzz: the library does not build with $cc"
    echo "0 passed, 1 failed"
    exit 1
fi
# an archive, so a target pulls in only the objects it needs
lib="$out/libteiten-fuzz.a"
rm -f "$lib" && ar rcs "$lib" "${objs[@]}"

pass=0; fail=0; failed_names=()
for target in fuzz/fuzz_*.c; do
    [ -f "$target" ] || continue
    name=$(basename "$target" .c); name=${name#fuzz_}
    [ -z "$only" ] || [ "$only" = "$name" ] || continue
    bin="$out/fuzz_$name"
    if ! $cc $cflags -fsanitize=fuzzer,$san -o "$bin" "$target" "$lib" $libs; then
        echo "fuzz_$name: does not build"
        fail=$((fail + 1)); failed_names+=("$name (build)")
        continue
    fi
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-$name-XXXXXX")
    [ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$scratch/"
    dict=()
    [ -f "fuzz/$name.dict" ] && dict=("-dict=fuzz/$name.dict")
    log="$out/fuzz_$name.log"
    "$bin" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$name-" "${dict[@]}" "$scratch" >"$log" 2>&1
    rc=$?
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -n 1)
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1)
    files=$(find "$scratch" -type f | wc -l)
    rm -rf "$scratch"
    if [ $rc -eq 0 ]; then
        echo "fuzz_$name: ok, ${runs:-?} runs in ${secs}s, ${cov:-cov: ?}, corpus $files"
        pass=$((pass + 1))
    else
        echo "fuzz_$name: FAILED (exit $rc), see $log"
        grep -E 'ERROR|SUMMARY|Test unit written|differ' "$log" | head -n 8 | sed 's/^/  /'
        fail=$((fail + 1)); failed_names+=("$name")
    fi
done
[ ${#failed_names[@]} -eq 0 ] || echo "failing: ${failed_names[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
