#!/usr/bin/env bash
# The README's first command ends here: generate the bundled multi-sensor
# sample, ingest it into a fresh embedded store, and print the summary.
set -euo pipefail
T=${1:-build/teiten}
OUT=${DEMO_DIR:-demo}
rm -rf "$OUT/store"
echo "== generating the sample capture (8 sensors, 92 days) into $OUT/"
"$T" gen --packets "${DEMO_PACKETS:-2000000}" --out "$OUT"
echo "== enrichment: default region and AS databases (npm, pinned), service names"
bash "$(dirname "$0")/enrich-defaults.sh" "$T" "$OUT/store"
IANA=$(dirname "$0")/../../shared/data/iana/service-names-port-numbers.csv
if [ -f "$IANA" ]; then
    "$T" services import --store "$OUT/store" --iana "$IANA" --ports "$(dirname "$0")/../etc/ports.conf"
else
    "$T" services import --store "$OUT/store" --ports "$(dirname "$0")/../etc/ports.conf"
fi
echo "== ingesting $OUT/sample.pcap into $OUT/store"
"$T" ingest --store "$OUT/store" --sensors "$OUT/sensors.conf" "$OUT/sample.pcap"
echo
echo "== the quarter: totals, per day, per sensor"
"$T" stats --store "$OUT/store" 2021Q3
echo
echo "== top destination ports of September, ranked against August"
"$T" top ports --store "$OUT/store" 2021-09
echo
echo "== top source countries of September, ranked against August (English, then Japanese)"
"$T" top countries --store "$OUT/store" 2021-09 -n 5
"$T" top countries --store "$OUT/store" 2021-09 -n 5 --lang ja
echo
echo "== where telnet (23/tcp) scans came from in the quarter (a raw drill-down)"
"$T" top countries --store "$OUT/store" 2021Q3 --port 23/tcp -n 3
echo
echo "== top source ASes of the quarter"
"$T" top asns --store "$OUT/store" 2021Q3 -n 5
echo
echo "== top sources of the quarter (a raw drill-down)"
"$T" top sources --store "$OUT/store" 2021Q3 -n 5
echo
"$T" info --store "$OUT/store"
echo
echo "The generator's own counts are in $OUT/expected.txt; 'make test' compares them."
