#!/usr/bin/env bash
# Re-enrichment through the CLI: a stored day keeps the country it was given
# at ingest until `teiten reenrich` recomputes it on purpose; then exactly that
# day moves, nothing else changes (packets, bytes, unique sources, other
# days), and a kill -9 in the middle of a re-enrichment loses and doubles
# nothing.
set -uo pipefail
T=${TEITEN:?TEITEN must name the teiten binary}
W=$(mktemp -d "${TT_TEST_TMP:-/tmp}/tt-reenrich-XXXXXX")
trap 'rm -rf "$W"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL cli_reenrich: $*" >&2; }
check_eq() { # check_eq WHAT GOT WANT
    if [ "$2" == "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}
# country CC's packets and sources in a `top countries --json` output, "P S"
cc_of() { python3 -c "
import json, sys
rows = [r for r in json.load(open(sys.argv[1])) if r['country'] == sys.argv[2]]
print('%d %d' % (rows[0]['packets'], rows[0]['sources']) if rows else '0 0')" "$1" "$2"; }
total_of() { python3 -c "import json, sys; print(sum(r['packets'] for r in json.load(open(sys.argv[1]))))" "$1"; }

"$T" gen --seed 11 --packets 400000 --days 6 --start 2021-10-01 --out "$W/gen" > /dev/null ||
    { bad "gen failed"; echo "cli_reenrich: $pass passed, $((fail + 1)) failed"; exit 1; }
S="$W/store"
printf '0.0.0.0,127.255.255.255,JP\n128.0.0.0,255.255.255.255,US\n' > "$W/a.csv"
printf 'start,end,cc\n0.0.0.0,127.255.255.255,FR\n128.0.0.0,255.255.255.255,US\n' > "$W/b.csv"
"$T" geo build --quiet --store "$S" --csv "$W/a.csv"
"$T" ingest --quiet --store "$S" --sensors "$W/gen/sensors.conf" "$W/gen/sample.pcap"
check_eq "ingest" "$?" 0

days="2021-10-01 2021-10-02 2021-10-03 2021-10-04 2021-10-05 2021-10-06"
snapshot() { # snapshot NAME: per day top countries and stats, and the raw scan count
    for d in $days; do
        "$T" top countries --store "$S" "$d" -n 300 --json > "$W/$1.$d.json"
    done
    "$T" stats --store "$S" --csv > "$W/$1.stats.csv"
    "$T" scan --store "$S" --json | python3 -c "import json, sys; print(json.load(sys.stdin)['matched'])" > "$W/$1.scan"
}
snapshot before
for d in $days; do # every stored packet of a day has a country (the table covers IPv4)
    check_eq "$d: JP + US + unknown = all" "$(total_of "$W/before.$d.json")" \
        "$(awk -F, -v d="$d" '$1 == d { print $2 }' "$W/before.stats.csv")"
done
[ "$(cc_of "$W/before.2021-10-03.json" JP)" != "0 0" ] && ok || bad "no JP sources on 10-03"

# a new database changes nothing stored
"$T" geo build --quiet --store "$S" --csv "$W/b.csv"
snapshot rebuilt
for d in $days; do
    cmp -s "$W/before.$d.json" "$W/rebuilt.$d.json" && ok || bad "$d moved when the database was rebuilt"
done

# reenrich one day: JP becomes FR there with the same figures, nothing else moves
"$T" reenrich --quiet --store "$S" 2021-10-03
check_eq "reenrich exit status" "$?" 0
snapshot after
check_eq "10-03 FR = JP before" "$(cc_of "$W/after.2021-10-03.json" FR)" "$(cc_of "$W/before.2021-10-03.json" JP)"
check_eq "10-03 no JP left" "$(cc_of "$W/after.2021-10-03.json" JP)" "0 0"
check_eq "10-03 US unchanged" "$(cc_of "$W/after.2021-10-03.json" US)" "$(cc_of "$W/before.2021-10-03.json" US)"
# (10-04's previous rank is 10-03's: only that column may move there)
same_rows() { python3 -c "
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
strip = lambda rows: [{k: v for k, v in r.items() if k != 'prev_rank'} for r in rows]
sys.exit(0 if strip(a) == strip(b) else 1)" "$1" "$2"; }
for d in 2021-10-01 2021-10-02 2021-10-04 2021-10-05 2021-10-06; do
    same_rows "$W/before.$d.json" "$W/after.$d.json" && ok || bad "$d moved, only 10-03 was asked for"
done
cmp -s "$W/before.2021-10-05.json" "$W/after.2021-10-05.json" && ok ||
    bad "10-05 moved (its previous day, 10-04, did not change)"
cmp -s "$W/before.stats.csv" "$W/after.stats.csv" && ok || bad "stats changed by reenrich"
check_eq "raw records after reenrich" "$(cat "$W/after.scan")" "$(cat "$W/before.scan")"
out=$("$T" reenrich --store "$S" 2021-10-03)
case $out in *"0 changed"*"0 of "*) ok ;; *) bad "second reenrich of 10-03 should change nothing: $out" ;; esac
n=$(sqlite3 "$S/catalog.sqlite" "SELECT count(*) FROM reenriched WHERE day = 18903")
check_eq "catalog records the re-enriched input-days of 10-03" "$([ "$n" -ge 1 ] && echo yes)" yes

# kill -9 in the middle of re-enriching the rest, then again to the end
"$T" reenrich --quiet --store "$S" --from 2021-10-01 --to 2021-10-06 &
pid=$!
# once two more days are committed (the catalog lists them), kill it
for _ in $(seq 1 500); do
    done_rows=$(sqlite3 "$S/catalog.sqlite" "SELECT count(*) FROM reenriched" 2> /dev/null || echo 0)
    [ "${done_rows:-0}" -ge 3 ] && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.01
done
kill -9 "$pid" 2> /dev/null
wait "$pid" 2> /dev/null
snapshot killed
killed_done=0; for d in $days; do [ "$(cc_of "$W/killed.$d.json" JP)" == "0 0" ] && killed_done=$((killed_done + 1)); done
echo "cli_reenrich: the kill -9 left $killed_done of 6 days re-enriched"
cmp -s "$W/before.stats.csv" "$W/killed.stats.csv" && ok || bad "stats changed after a killed reenrich"
check_eq "raw records after a killed reenrich" "$(cat "$W/killed.scan")" "$(cat "$W/before.scan")"
for d in $days; do # each day is old or new, never half: JP + FR = JP before
    jp=$(cc_of "$W/killed.$d.json" JP); fr=$(cc_of "$W/killed.$d.json" FR)
    check_eq "$d after kill: JP or FR, not both" "$([ "$jp" == "0 0" ] || [ "$fr" == "0 0" ] && echo yes)" yes
done
"$T" reenrich --quiet --store "$S" --from 2021-10-01 --to 2021-10-06
snapshot done
for d in $days; do
    check_eq "$d: FR = JP before" "$(cc_of "$W/done.$d.json" FR)" "$(cc_of "$W/before.$d.json" JP)"
    check_eq "$d: no JP" "$(cc_of "$W/done.$d.json" JP)" "0 0"
done
cmp -s "$W/before.stats.csv" "$W/done.stats.csv" && ok || bad "stats changed by the full reenrich"
check_eq "raw records at the end" "$(cat "$W/done.scan")" "$(cat "$W/before.scan")"
left=$(find "$S/seg" "$S/roll" -name '*.tmp' | wc -l)
check_eq "no temporary files left" "$left" 0

echo "cli_reenrich: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
