/* Raw record segments: one day's records (of one ingest worker) in an
 * immutable, checksummed, columnar file. The encodings are chosen for
 * darknet traffic (docs/format.md): records sorted by source then time,
 * sources stored once per run, timestamps as deltas, destination as an index
 * within the owning sensor's prefix, seq XOR destination (0 for Mirai),
 * per-source XOR-previous for fields a tool keeps fixed, IP ID against the
 * masscan derivation, then each column zstd-compressed on its own. */
#ifndef TT_SEGMENT_H
#define TT_SEGMENT_H

#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/record.h"
#include "config/sensors.h"

/* 2: per-run country and AS columns; 3: byte-plane TS, DSTOFF; 4: RUNMASK;
 * 5: bit-packed DSTOFF; 8: run kinds (RUNKIND) and narrow IP IDs (IPID8);
 * 9: country and AS as values (AS in byte planes), not XOR the previous run's;
 * 10: timestamps grouped by run size class */
#define TT_SEG_VERSION 11
#define TT_SEG_MAX_RECORDS (1u << 24) /* a segment holds at most 16M records */

/* Reusable encoder scratch (sort arrays, column buffers, zstd context); one
 * per worker thread. */
struct tt_seg_encoder;
/* zstd_level 0 lets the encoder choose a level per column. */
struct tt_seg_encoder *tt_seg_encoder_new(int zstd_level);
void tt_seg_encoder_free(struct tt_seg_encoder *e);

/* Encodes n records of UTC day `day` (days since 1970) into out (appended).
 * sensors gives the prefixes destinations are coded against; recs are left
 * in an unspecified order. Every field of every record round-trips. */
int tt_seg_encode(struct tt_seg_encoder *e, const struct tt_record *recs, uint32_t n, int64_t day,
                  const struct tt_sensors *sensors, struct tt_buf *out, struct tt_err *err);

/* The order a segment keeps records in (IP version, source, arrival): n
 * indexes into recs, valid until the encoder's next call; NULL when out of
 * memory. Records put in this order before tt_seg_encode (the ingest does,
 * to enrich and count them a source at a time) make its sort a check. */
const uint32_t *tt_seg_order(struct tt_seg_encoder *e, const struct tt_record *recs, uint32_t n);

/* Columns a reader may ask for (bit mask). */
enum tt_seg_field {
    TT_SF_SRC = 1u << 0, /* src4 / src6 */
    TT_SF_TS = 1u << 1,
    TT_SF_DST = 1u << 2, /* sensor + dst4 / dst6 */
    TT_SF_PROTO = 1u << 3,
    TT_SF_PORTS = 1u << 4,  /* sport, dport */
    TT_SF_DPORT = 1u << 8,  /* dport alone (TT_SF_PORTS gives it too) */
    TT_SF_GEO = 1u << 5,    /* cc, asn (the source's enrichment) */
    TT_SF_LEN = 1u << 6,    /* ip_len */
    TT_SF_SENSOR = 1u << 7, /* sensor alone (TT_SF_DST gives it too) */
    TT_SF_RUNS = 1u << 9,   /* the runs: their lengths and sources, not per record */
    TT_SF_ALL = 0xffffffffu,
};

/* A parsed segment over caller-owned bytes (which must outlive it). The
 * header and column directory are checked at open; each column's checksum
 * when it is first decoded. name is used in error messages. */
struct tt_seg;
int tt_seg_open(const uint8_t *data, size_t len, const char *name, struct tt_seg **out,
                struct tt_err *err);
void tt_seg_close(struct tt_seg *s);
uint32_t tt_seg_count(const struct tt_seg *s);
int64_t tt_seg_day(const struct tt_seg *s);

/* Decodes every field of every record into recs (tt_seg_count entries). */
int tt_seg_decode(struct tt_seg *s, struct tt_record *recs, struct tt_err *err);

/* Column arrays for scans, decoding only the asked-for fields; arrays not
 * asked for are NULL. Records [0, n4) are IPv4, [n4, n) IPv6. Owned by the
 * segment, valid until tt_seg_close. */
struct tt_seg_cols {
    uint32_t n, n4;
    const uint32_t *src4; /* per record; 0 for IPv6 */
    const uint8_t *src6;  /* 16 bytes per IPv6 record, index k - n4 */
    const uint64_t *ts;
    const uint16_t *sensor;
    const uint32_t *dst4;
    const uint8_t *dst6; /* 16 bytes per IPv6 record, index k - n4 */
    const uint8_t *proto;
    const uint16_t *sport, *dport;
    const uint16_t *cc;  /* per record: TT_CC of the source, 0 unknown */
    const uint32_t *asn; /* per record: AS of the source, 0 unknown */
    const uint16_t *ip_len;
    /* TT_SF_RUNS: run i (one source) is the next runs[i] records; IPv4 runs
     * first, their sources ascending in run_src4, then IPv6 ones in
     * run_src6 (16 bytes each, index i - nruns4) */
    uint32_t nruns4, nruns6;
    const uint32_t *runs, *run_src4;
    const uint8_t *run_src6;
};
int tt_seg_columns(struct tt_seg *s, uint32_t fields, struct tt_seg_cols *out, struct tt_err *err);

/* The segment's distinct sources, one per run: IPv4 ascending, then IPv6
 * ascending, and (with_cc) each one's country; a day's roll-up takes its
 * source list from these (store/rollup_read.h). Owned by the segment,
 * valid until tt_seg_close. */
struct tt_seg_sources {
    uint32_t n4, n6;
    const uint32_t *v4;
    const uint8_t *v6;  /* 16 bytes each */
    const uint16_t *cc; /* n4 + n6 entries; NULL without with_cc */
};
int tt_seg_sources(struct tt_seg *s, int with_cc, struct tt_seg_sources *out, struct tt_err *err);

#endif
