#!/usr/bin/env bash
# End to end through the CLI: source countries and ASes decided at ingest.
# tests/mkpcap_enrich.py writes region and AS tables (a KR /25 nested in a
# US /24, IPv6, unknown sources, AS names with commas and quotes), a sensors
# file and pcaps over 2021-10-04..07, with the answer of every `top
# countries|asns` and `series --by country|asn` view worked out from the
# packets it wrote. Then: the answers after ingest; the same answers after
# the region database is replaced (past figures keep the country given at
# ingest) while lookup shows the new one; geo info's versions and inputs;
# lookup in English and Japanese; top ports' service names; bad inputs.
set -uo pipefail
T=${TEITEN:?TEITEN must name the teiten binary}
SHARED=${TT_SHARED_DATA:?TT_SHARED_DATA must name the shared data directory}
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d "${TT_TEST_TMP:-/tmp}/tt-enrich-XXXXXX")
trap 'rm -rf "$W"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL cli_enrich: $*" >&2; }
check_eq() { # check_eq WHAT GOT WANT
    if [ "$2" == "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}
check_has() { # check_has WHAT TEXT NEEDLE
    case "$2" in *"$3"*) ok ;; *) bad "$1: '$3' not in: $2" ;; esac
}
finish() { echo "cli_enrich: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }
G="$W/gen" S="$W/store"
python3 "$HERE/mkpcap_enrich.py" gen "$G" || { bad "mkpcap_enrich.py gen failed"; finish; }
# jq-less JSON: json_eval FILE EXPR (d is the parsed file)
json_eval() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>&1; }
xval() { json_eval "$G/expected.json" "$1"; }

# run_views PHASE DIR: every view of PHASE into DIR/NAME.json, then the
# helper's comparison, one PASS/FAIL line per row
run_views() {
    mkdir -p "$2"
    local phase name cmd args
    while read -r phase name cmd args; do
        [ "$phase" == "$1" ] || continue
        # shellcheck disable=SC2086 # args are single words
        "$T" $cmd $args --json --store "$S" > "$2/$name.json" 2> "$2/$name.err" ||
            bad "$name: teiten $cmd $args exited $?: $(head -c 300 "$2/$name.err")"
    done < "$G/views.txt"
    local line
    while IFS= read -r line; do
        case "$line" in
        PASS*) ok ;;
        *) bad "[$2] ${line#FAIL }" ;;
        esac
    done < <(python3 "$HERE/mkpcap_enrich.py" check "$G" "$1" "$2" 2>&1)
}

# ---- 1. databases, services, ingest --------------------------------------
"$T" geo build --store "$S" --csv "$G/geo1.csv" --date 2021-10-01 > "$W/geo1.out" 2> "$W/geo1.err"
check_eq "geo build geo1.csv exit" "$?" 0
v1=$(sed -n 's/^region database \([0-9a-f]\{16\}\):.*/\1/p' "$W/geo1.out")
if [ -n "$v1" ]; then ok; else bad "geo build printed no version: $(cat "$W/geo1.out")"; fi
check_has "geo build: ranges" "$(cat "$W/geo1.out")" "4 IPv4 ranges (768 addresses), 1 IPv6 ranges"
# the nested KR /25: one overlap, reported with both lines, the narrower kept
ol="$(xval "d['geo1_overlap']['range']")"
check_eq "geo build: overlap lines" "$(grep -c 'overlap' "$W/geo1.err")" 2 # the line and the total
check_has "geo build: overlap reported" "$(cat "$W/geo1.err")" \
    "overlap $ol: $G/geo1.csv:$(xval "d['geo1_overlap']['us_line']") says US, $G/geo1.csv:$(xval "d['geo1_overlap']['kr_line']") says KR; kept KR"
check_has "geo build: overlap count" "$(cat "$W/geo1.err")" "1 overlapping records"
"$T" asn build --store "$S" --csv "$G/asn.csv" --quiet
check_eq "asn build exit" "$?" 0
"$T" services import --store "$S" --iana "$SHARED/iana/service-names-port-numbers.csv" \
    --ports "$HERE/../etc/ports.conf"
check_eq "services import exit" "$?" 0
"$T" ingest --quiet --store "$S" --sensors "$G/sensors.conf" "$G/batch1.pcap"
check_eq "ingest batch1 exit" "$?" 0
check_eq "stored packets" "$("$T" stats --store "$S" --unattributed --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["packets"])')" "$(xval "d['packets']['1']")"

# ---- 2. every view against the generator's figures ------------------------
run_views 1 "$W/r1"

# AS series are per whole day (the roll-ups keep no hours per AS): a finer
# one is refused, not answered with wrong numbers
if err=$("$T" series --store "$S" --by asn --step hour --json 2>&1 > "$W/asn-hour.json"); then
    bad "series --by asn --step hour answered: $(head -c 200 "$W/asn-hour.json")"
else
    ok
fi
check_has "series --by asn --step hour message" "$err" "series by AS is per"

# ---- 4. lookup and service names (while geo1 is installed) ---------------
addrs=$(xval "' '.join(d['lookups'])")
# check_lookup LANG CCFIELD: every address's row of `lookup --json`
check_lookup() {
    # shellcheck disable=SC2086
    "$T" lookup --store "$S" --lang "$1" --json $addrs > "$W/lookup-$1-$2.json"
    check_eq "lookup --lang $1 exit" "$?" 0
    local line
    while IFS= read -r line; do
        case "$line" in PASS*) ok ;; *) bad "lookup --lang $1 ($2): ${line#FAIL }" ;; esac
    done < <(python3 - "$G/expected.json" "$W/lookup-$1-$2.json" "$1" "$2" << 'EOF' 2>&1
import json, sys
exp, got, lang, field = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3], sys.argv[4]
rows = {r.get("address"): r for r in got}
for a, e in exp["lookups"].items():
    cc = e[field]  # None (JSON null) when no range holds the address
    want = {"country": cc or "--", "name": exp["names"][lang][cc or "null"],
            "asn": e["asn"], "as_name": e["as_name"], "sensor": e["sensor"]}
    g = rows.get(a)
    g = {k: g.get(k) for k in want} if g else None
    print(("PASS %s" % a) if g == want else "FAIL %s: got %s, want %s" % (a, json.dumps(g, ensure_ascii=False), json.dumps(want, ensure_ascii=False)))
EOF
    )
}
check_lookup en cc1
check_lookup ja cc1
# plain table output too: the unknown address shows "--", KR's edge is KR
t=$("$T" lookup --store "$S" --lang ja 100.100.5.1 198.51.100.255 192.0.2.10 203.0.113.9 2001:db8::1 198.51.100.5)
check_has "lookup table: unknown" "$(grep '100.100.5.1' <<< "$t")" "--"
for pair in "198.51.100.255 韓国" "192.0.2.10 日本" "203.0.113.9 中国" "2001:db8::1 ドイツ" "198.51.100.5 米国"; do
    check_has "lookup table ${pair% *}" "$(grep "^ *${pair% *} " <<< "$t")" "${pair#* }"
done

# top ports: service names and packets per TCP port
"$T" top ports --store "$S" -n 20 --json > "$W/ports.json"
for svc in "23 23/TCP (telnet)" "6379 6379/TCP (redis)" "22 22/TCP (ssh)"; do
    port=${svc%% *}
    check_eq "top ports $port/tcp service" "$(json_eval "$W/ports.json" "[r['service'] for r in d if r['proto'] == 'tcp' and r['port'] == '$port']")" "['${svc#* }']"
    check_eq "top ports $port/tcp packets" "$(json_eval "$W/ports.json" "[r['packets'] for r in d if r['proto'] == 'tcp' and r['port'] == '$port']")" "[$(xval "d['ports']['1']['$port']")]"
done

# ---- 3. a new region database: stored figures stay, lookup changes --------
"$T" geo build --store "$S" --csv "$G/geo2.csv" --date 2021-11-01 > "$W/geo2.out" 2> "$W/geo2.err"
check_eq "geo build geo2.csv exit" "$?" 0
check_eq "geo build geo2.csv: no overlap" "$(cat "$W/geo2.err")" ""
v2=$(sed -n 's/^region database \([0-9a-f]\{16\}\):.*/\1/p' "$W/geo2.out")
if [ -n "$v2" ] && [ "$v2" != "$v1" ]; then ok; else bad "geo2 version '$v2' (geo1 '$v1')"; fi
run_views 1 "$W/r1-after-geo2"
if diff -r -x '*.err' "$W/r1" "$W/r1-after-geo2" > "$W/r1.diff"; then
    ok
else
    bad "answers changed after geo build: $(head -c 600 "$W/r1.diff")"
fi
check_lookup en cc2
# geo info: both versions; geo1 enriched the one input, geo2 none yet
"$T" geo info --store "$S" --json > "$W/geoinfo.json"
check_eq "geo info exit" "$?" 0
check_eq "geo info: versions" "$(json_eval "$W/geoinfo.json" "[(r['version'], r['data_date'], r['inputs']) for r in d]")" \
    "[('$v2', '2021-11-01', 0), ('$v1', '2021-10-01', 1)]"
check_has "geo info text: current" "$("$T" geo info --store "$S")" "$v2  country database (current)"
check_eq "asn info: inputs" "$("$T" asn info --store "$S" --json | python3 -c 'import json,sys; print([r["inputs"] for r in json.load(sys.stdin)])')" "[1]"

# batch 2 (2021-10-07) is enriched with geo2; the sensors stay in the store
"$T" ingest --quiet --store "$S" "$G/batch2.pcap"
check_eq "ingest batch2 exit" "$?" 0
run_views 2 "$W/r2"
"$T" geo info --store "$S" --json > "$W/geoinfo2.json"
check_eq "geo info after batch2" "$(json_eval "$W/geoinfo2.json" "[(r['version'], r['inputs']) for r in d]")" \
    "[('$v2', 1), ('$v1', 1)]"

# ---- 5. bad inputs --------------------------------------------------------
err=$("$T" geo build --store "$S" --csv "$G/bad.csv" 2>&1 > /dev/null)
check_eq "geo build bad.csv exit" "$?" 1
check_has "geo build bad.csv message" "$err" "bad.csv:3"
err=$("$T" geo build --store "$S" --csv "$G/geo1.csv" --csv "$W/no-such.csv" 2>&1 > /dev/null)
check_eq "geo build missing file exit" "$?" 1
check_has "geo build missing file message" "$err" "$W/no-such.csv"
err=$("$T" asn build --store "$S" --csv "$W/no-such-asn.csv" 2>&1 > /dev/null)
check_eq "asn build missing file exit" "$?" 1
check_has "asn build missing file message" "$err" "no-such-asn.csv"
"$T" asn build --store "$S" --rir "$SHARED/rir/nro-delegated-stats-testdata/apnic" > /dev/null 2>&1
check_eq "asn build --rir exit" "$?" 2
"$T" geo build --store "$S" --pfx2as "$G/asn.csv" > /dev/null 2>&1
check_eq "geo build --pfx2as exit" "$?" 2
# the failed builds installed nothing
check_eq "geo info after failed builds" "$("$T" geo info --store "$S" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2
check_eq "lookup after failed builds" "$("$T" lookup --store "$S" --csv 192.0.2.10 | tail -n 1 | cut -d, -f2)" FR

finish
