#!/usr/bin/env bash
# Runs every test program, every fuzz-corpus replay and every CLI test script,
# then prints the closing "N passed, N failed" line CI reads.
set -uo pipefail
BUILD=${BUILD:-build}
export TT_SHARED_DATA=${TT_SHARED_DATA:-$(cd "$(dirname "$0")/../.." && pwd)/shared/data}
export TEITEN=${TEITEN:-$PWD/$BUILD/teiten}
pass=0; fail=0; failed_names=()
add() { # add <name> <output>
    local line p f
    line=$(printf '%s\n' "$2" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ -z "$line" ]; then fail=$((fail + 1)); failed_names+=("$1 (no summary)"); return; fi
    p=$(sed -E 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
    f=$(sed -E 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\3/' <<<"$line")
    pass=$((pass + p)); fail=$((fail + f))
    [ "$f" -eq 0 ] || failed_names+=("$1")
}
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    out=$("$t" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -E 'FAIL|passed, ' | sed 's/^/  /'
    [ $rc -eq 0 ] || printf '%s\n' "$out" | grep -q 'failed' || out="$out
0 passed, 1 failed"
    add "$(basename "$t")" "$out"
done
for r in "$BUILD"/fuzz/replay_*; do
    [ -x "$r" ] || continue
    name=${r##*/replay_}
    out=$("$r" "fuzz/corpus/$name" 2>&1); rc=$?
    printf '  %s\n' "$(printf '%s\n' "$out" | tail -n 1)"
    [ $rc -eq 0 ] || out="$out
0 passed, 1 failed"
    add "replay_$name" "$out"
done
for s in tests/cli_*.sh; do
    [ -f "$s" ] || continue
    out=$(bash "$s" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -E 'FAIL|passed, ' | sed 's/^/  /'
    [ $rc -eq 0 ] || printf '%s\n' "$out" | grep -q 'failed' || out="$out
0 passed, 1 failed"
    add "$(basename "$s")" "$out"
done
[ ${#failed_names[@]} -eq 0 ] || echo "failing: ${failed_names[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
