#!/usr/bin/env bash
# shellcheck disable=SC2046,SC2086  # compiler flags are word-split on purpose
# Regenerates fuzz/corpus/segment/ (fuzz_segment.c's seeds) from the encoder
# of this tree: synthetic record sets, plus one segment of a small generated
# capture ingested by build/teiten. Run it after a segment format change
# (the seeds hold raw column bytes, so they follow the format). Regression
# seeds (names starting "bug-") are kept.
#
#   make -j2 && bash fuzz/segment_seeds.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/corpus/segment
pkgs="libpcap libzstd sqlite3 libxxhash zlib libmaxminddb json-c"
tool=build/fuzz/segment_seeds
mkdir -p build/fuzz "$out"
${CC:-cc} -std=c11 -D_GNU_SOURCE -Isrc $(pkg-config --cflags $pkgs) -o "$tool" \
    fuzz/segment_seeds.c build/libteiten.a $(pkg-config --libs $pkgs) -lcsv -lpthread -lm
find "$out" -type f ! -name 'bug-*' -delete
"$tool" "$out"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/segment-seeds-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
build/teiten gen --packets 1500 --days 1 --sensors 3 --out "$tmp/gen" >/dev/null
build/teiten ingest --store "$tmp/store" --sensors "$tmp/gen/sensors.conf" \
    "$tmp/gen/sample.pcap" >/dev/null
seg=$(find "$tmp/store/seg" -name '*.tts' | sort | head -n 1)
cp "$seg" "$tmp/ingest-gen-1500.tts"
"$tool" "$out" "$tmp/ingest-gen-1500.tts"
