#!/usr/bin/env bash
# End to end through the CLI: generate traffic with known counts, ingest it,
# and compare every answer with what the generator says it put in. Also:
# re-ingest is skipped, compressed and stdin inputs give the same store, and
# a kill -9 in the middle of an ingest loses and doubles nothing.
set -uo pipefail
T=${TEITEN:?TEITEN must name the teiten binary}
W=$(mktemp -d "${TT_TEST_TMP:-/tmp}/tt-cli-XXXXXX")
trap 'rm -rf "$W"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL cli_ingest: $*" >&2; }
check_eq() { # check_eq WHAT GOT WANT
    if [ "$2" == "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}
# expect KEY...: the value of an expected.txt line "KEY... N"
expect() { awk -v k="$*" '{ v = $NF; $NF = ""; sub(/ +$/, ""); if ($0 == k) { print v; f = 1 } } END { if (!f) print 0 }' "$W/gen/expected.txt"; }

"$T" gen --seed 7 --packets 300000 --days 20 --start 2021-09-01 --out "$W/gen" || { bad "gen failed"; echo "$pass passed, $((fail)) failed"; exit 1; }
S="$W/store"
"$T" ingest --quiet --store "$S" --sensors "$W/gen/sensors.conf" "$W/gen/sample.pcap"
check_eq "ingest exit status" "$?" 0

# totals
"$T" stats --store "$S" --json > "$W/stats.json"
tot() { python3 -c "import json,sys; d=json.load(open('$W/stats.json')); print(eval(sys.argv[1]))" "$1"; }
check_eq "stored packets" "$(tot "d['packets']")" "$(expect stored)"
check_eq "unattributed" "$(tot "d['unattributed']")" "$(expect unattributed)"
check_eq "not IP" "$(tot "d['not_ip']")" "$(expect not_ip)"
check_eq "bytes" "$(tot "d['bytes']")" "$(expect bytes)"
for reason in $(awk '$1 == "malformed" { print $2 }' "$W/gen/expected.txt"); do
    check_eq "malformed $reason" "$(tot "d['malformed'].get('$reason', 0)")" "$(expect malformed "$reason")"
done

# per day: packets, bytes and unique sources
"$T" stats --store "$S" --csv > "$W/days.csv"
while IFS=, read -r day packets bytes ua ut uu ui; do
    [ "$day" == "day" ] && continue
    check_eq "$day packets" "$packets" "$(expect day "$day" packets)"
    check_eq "$day bytes" "$bytes" "$(expect day "$day" bytes)"
    check_eq "$day uniq all" "$ua" "$(expect day "$day" uniq all)"
    check_eq "$day uniq tcp" "$ut" "$(expect day "$day" uniq tcp)"
    check_eq "$day uniq udp" "$uu" "$(expect day "$day" uniq udp)"
    check_eq "$day uniq icmp" "$ui" "$(expect day "$day" uniq icmp)"
done < "$W/days.csv"
check_eq "days with packets" "$(($(wc -l < "$W/days.csv") - 1))" "$(grep -c '^day .* packets ' "$W/gen/expected.txt")"

# per sensor
python3 -c "
import json; d = json.load(open('$W/stats.json'))
for s in d['sensors']: print(s['sensor'], s['packets'])" > "$W/sensors.txt"
while read -r name packets; do
    check_eq "sensor $name" "$packets" "$(expect sensor "$name" packets)"
done < "$W/sensors.txt"

# per hour
"$T" series --store "$S" --step hour --csv | awk -F, 'NR > 1 && $3 > 0 { print $1, $3 }' > "$W/hours.txt"
check_eq "hours with packets" "$(wc -l < "$W/hours.txt")" "$(grep -c '^hour ' "$W/gen/expected.txt")"
bad_hours=0
while read -r hour packets; do
    [ "$packets" == "$(expect hour "$hour" packets)" ] || bad_hours=$((bad_hours + 1))
done < "$W/hours.txt"
check_eq "hours matching" "$bad_hours" 0

# top ports (TCP/UDP rows; the generator lists every port)
"$T" top ports --store "$S" -n 20 --csv > "$W/ports.csv"
while IFS=, read -r rank proto port packets rest; do
    [ "$rank" == "rank" ] && continue
    case "$proto" in
    tcp | udp) [ "$port" == "-" ] || check_eq "port $proto $port" "$packets" "$(expect port "$proto" "$port" packets)" ;;
    icmp | icmp6) check_eq "$proto ${port/\// }" "$packets" "$(expect "$proto" "${port%/*}" "${port#*/}" packets)" ;;
    esac
done < "$W/ports.csv"

# top sources, from the raw records
"$T" top sources --store "$S" -n 20 --csv > "$W/sources.csv"
while IFS=, read -r rank src packets rest; do
    [ "$rank" == "rank" ] && continue
    check_eq "source $src" "$packets" "$(expect source "$src" packets)"
done < "$W/sources.csv"

# the same input again is skipped and counts nothing
out=$("$T" ingest --store "$S" --sensors "$W/gen/sensors.conf" "$W/gen/sample.pcap" 2>&1)
check_eq "re-ingest exit" "$?" 0
case "$out" in *"already ingested"*) ok ;; *) bad "re-ingest did not say 'already ingested': $out" ;; esac
check_eq "re-ingest leaves totals" "$("$T" stats --store "$S" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["packets"])')" "$(expect stored)"
# a new file is hashed as it is read, one of a size seen before first: a
# damaged file again is skipped before it is read (no damage reported);
# a file of the same size with other bytes is ingested
D="$W/damaged"
head -c 1000000 "$W/gen/sample.pcap" > "$W/cut.pcap"
"$T" ingest --quiet --store "$D" --sensors "$W/gen/sensors.conf" "$W/cut.pcap" 2> /dev/null
check_eq "damaged ingest exit" "$?" 1
out=$("$T" ingest --store "$D" --sensors "$W/gen/sensors.conf" "$W/cut.pcap" 2>&1)
check_eq "damaged re-ingest exit" "$?" 0
case "$out" in *"already ingested"*) ok ;; *) bad "damaged re-ingest not skipped: $out" ;; esac
case "$out" in *"truncated"*) bad "damaged re-ingest was read again: $out" ;; *) ok ;; esac
before=$("$T" stats --store "$D" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["packets"])')
python3 - "$W/cut.pcap" "$W/cut2.pcap" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-1] ^= 0xff  # in the truncated last packet, never stored: the same packets
open(sys.argv[2], "wb").write(b)
PY
"$T" ingest --quiet --store "$D" --sensors "$W/gen/sensors.conf" "$W/cut2.pcap" 2> /dev/null
check_eq "same size, other bytes: ingested" "$("$T" stats --store "$D" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["packets"])')" "$((before * 2))"

# compressed files and stdin read into the same counts
gzip -c "$W/gen/sample.pcap" > "$W/sample.pcap.gz"
zstd -q -c "$W/gen/sample.pcap" > "$W/sample.pcap.zst"
for input in gz zst stdin; do
    st="$W/store-$input"
    if [ "$input" == stdin ]; then
        "$T" ingest --quiet --store "$st" --sensors "$W/gen/sensors.conf" - < "$W/gen/sample.pcap"
    else
        "$T" ingest --quiet --store "$st" --sensors "$W/gen/sensors.conf" "$W/sample.pcap.$input"
    fi
    check_eq "$input ingest exit" "$?" 0
    check_eq "$input per-day table" "$("$T" stats --store "$st" --csv | md5sum)" "$(md5sum < "$W/days.csv")"
done
# libpcap is loaded only for the inputs that need it: with a library that
# cannot be loaded, a classic pcap still reads (teiten's own reader), and a
# compressed one is refused with a message that says why
st="$W/store-nolib"
TEITEN_LIBPCAP=/nonexistent/libpcap.so "$T" ingest --quiet --store "$st" --sensors "$W/gen/sensors.conf" "$W/gen/sample.pcap"
check_eq "classic pcap without libpcap: exit" "$?" 0
check_eq "classic pcap without libpcap: per-day table" "$("$T" stats --store "$st" --csv | md5sum)" "$(md5sum < "$W/days.csv")"
out=$(TEITEN_LIBPCAP=/nonexistent/libpcap.so "$T" ingest --store "$W/store-nolib-gz" "$W/sample.pcap.gz" 2>&1)
check_eq "gzip input without libpcap: exit" "$?" 1
case "$out" in *"sample.pcap.gz: cannot load libpcap: /nonexistent/libpcap.so"*) ok ;; *) bad "no libpcap: $out" ;; esac
# any number of workers (each takes its own sources): the same answers
for threads in 1 3 7; do
    st="$W/store-t$threads"
    "$T" ingest --quiet --threads "$threads" --store "$st" --sensors "$W/gen/sensors.conf" "$W/gen/sample.pcap"
    check_eq "--threads $threads ingest exit" "$?" 0
    check_eq "--threads $threads per-day table" "$("$T" stats --store "$st" --csv | md5sum)" "$(md5sum < "$W/days.csv")"
    check_eq "--threads $threads top ports" "$("$T" top ports --store "$st" -n 30 --csv | md5sum)" "$("$T" top ports --store "$S" -n 30 --csv | md5sum)"
    check_eq "--threads $threads scan" "$("$T" scan --store "$st" --port 23 --csv | cut -d, -f1,2)" "$("$T" scan --store "$S" --port 23 --csv | cut -d, -f1,2)"
    # workers run batches apart, yet the capture is in time order: one
    # roll-up per day, merged from every worker's
    check_eq "--threads $threads days with two roll-ups" "$(find "$st/roll" -name '*.ttr' | sed 's,/[^/]*$,,' | sort | uniq -d | wc -l)" 0
done
# small segments: a day in many segments per worker, busy sources in
# several of them, so each day's roll-up merges many segments' sources
st="$W/store-small-segments"
"$T" ingest --quiet --threads 3 --segment-records 500 --store "$st" --sensors "$W/gen/sensors.conf" "$W/gen/sample.pcap"
check_eq "--segment-records 500 ingest exit" "$?" 0
check_eq "--segment-records 500 segments" "$(( $(find "$st/seg" -name '*.tts' | wc -l) > 20 * 3 * 5 ))" 1
check_eq "--segment-records 500 per-day table" "$("$T" stats --store "$st" --csv | md5sum)" "$(md5sum < "$W/days.csv")"
check_eq "--segment-records 500 part of a month" "$("$T" stats --store "$st" --from 2021-09-03 --to 2021-09-11 --json | md5sum)" "$("$T" stats --store "$S" --from 2021-09-03 --to 2021-09-11 --json | md5sum)"
check_eq "--segment-records 500 top sources" "$("$T" top sources --store "$st" -n 20 --csv | md5sum)" "$("$T" top sources --store "$S" -n 20 --csv | md5sum)"
"$T" ingest --quiet --segment-records 0 --store "$st" "$W/gen/sample.pcap" 2> /dev/null
check_eq "--segment-records 0 refused" "$?" 2
# stdin twice: identified at its end, then skipped
out=$("$T" ingest --store "$W/store-stdin" - < "$W/gen/sample.pcap" 2>&1)
case "$out" in *"already ingested"*) ok ;; *) bad "stdin re-ingest not skipped: $out" ;; esac
check_eq "stdin re-ingest leaves totals" "$("$T" stats --store "$W/store-stdin" --csv | md5sum)" "$(md5sum < "$W/days.csv")"

# kill -9 in the middle of an ingest: half the capture arrives, the ingest
# writes segments for the days it finished, then dies before its commit.
K="$W/store-kill"
mkfifo "$W/fifo"
"$T" ingest --quiet --store "$K" --sensors "$W/gen/sensors.conf" - < "$W/fifo" &
pid=$!
half=$(($(stat -c %s "$W/gen/sample.pcap") / 2))
{ head -c "$half" "$W/gen/sample.pcap"; sleep 60; } > "$W/fifo" &
feeder=$!
for _ in $(seq 150); do
    [ -n "$(find "$K/seg" -name '*.tts' 2> /dev/null | head -n 1)" ] && break
    sleep 0.2
done
written=$(find "$K/seg" -name '*.tts' 2> /dev/null | wc -l)
kill -9 "$pid" 2> /dev/null
wait "$pid" 2> /dev/null
kill "$feeder" 2> /dev/null
wait "$feeder" 2> /dev/null
[ "$written" -gt 0 ] && ok || bad "the killed ingest wrote no segment before the kill"
check_eq "killed ingest counted nothing" "$("$T" stats --store "$K" --json 2>&1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["packets"])' 2> /dev/null || echo none)" 0
"$T" ingest --quiet --store "$K" --sensors "$W/gen/sensors.conf" "$W/gen/sample.pcap"
check_eq "rerun after kill -9" "$?" 0
check_eq "kill -9 then rerun: per-day table" "$("$T" stats --store "$K" --csv | md5sum)" "$(md5sum < "$W/days.csv")"
check_eq "orphans swept" "$(find "$K/seg" -name '*.tts' | wc -l)" "$("$T" info --store "$K" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["segments"])')"

# month source tables: each month the input touched gets one; stats and
# top countries over a whole month read it and give what the days give,
# and what the generator put in
"$T" gen --seed 11 --packets 200000 --days 33 --start 2021-08-30 --out "$W/gen2" > /dev/null ||
    bad "gen of 33 days failed"
M="$W/months"
built=$("$T" ingest --json --store "$M" --sensors "$W/gen2/sensors.conf" "$W/gen2/sample.pcap" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["month_tables_built"])')
check_eq "month tables built (Aug, Sep, Oct)" "$built" 3
expect2() { awk -v k="$*" '{ v = $NF; $NF = ""; sub(/ +$/, ""); if ($0 == k) { print v; f = 1 } } END { if (!f) print 0 }' "$W/gen2/expected.txt"; }
"$T" stats --store "$M" 2021-09 --csv > "$W/sep.csv"
"$T" stats --store "$M" 2021-09 --json > "$W/sep.json"
"$T" top countries --store "$M" 2021-09 --json > "$W/sep_cc.json"
rows=0
while IFS=, read -r day packets _ ua ut uu ui; do
    [ "$day" == "day" ] && continue
    rows=$((rows + 1))
    check_eq "month table: $day packets" "$packets" "$(expect2 day "$day" packets)"
    check_eq "month table: $day uniq" "$ua $ut $uu $ui" \
        "$(expect2 day "$day" uniq all) $(expect2 day "$day" uniq tcp) $(expect2 day "$day" uniq udp) $(expect2 day "$day" uniq icmp)"
done < "$W/sep.csv"
check_eq "month table: September's days" "$rows" 30
[ "$("$T" info --store "$M" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["month_bytes"] > 0)')" == True ] &&
    ok || bad "info counts no month table bytes"
rm -rf "$M/months"
check_eq "stats without the month table" "$("$T" stats --store "$M" 2021-09 --json | md5sum)" "$(md5sum < "$W/sep.json")"
check_eq "top countries without the month table" "$("$T" top countries --store "$M" 2021-09 --json | md5sum)" "$(md5sum < "$W/sep_cc.json")"

echo "cli_ingest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
