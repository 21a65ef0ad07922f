/* Questions analysts ask of the store. Summaries (totals, per day/hour,
 * unique sources, top ports, series) read the roll-ups; what roll-ups cannot
 * answer (top sources, raw counts under any filter) scans raw segments in
 * parallel. Unattributed packets (sensor 0) are left out unless asked for. */
#ifndef TT_QUERY_H
#define TT_QUERY_H

#include <stdint.h>

#include "common/err.h"
#include "decode/decode.h"
#include "store/rollup.h"
#include "store/store.h"

#define TT_ANY (-1)

struct tt_filter {
    int64_t from_us, to_us; /* [from, to) */
    int sensor;             /* sensor id or TT_ANY */
    int proto;              /* IP protocol number or TT_ANY */
    int port;               /* TCP/UDP destination port (or ICMP type) or TT_ANY */
    int unattributed;       /* include sensor 0 */
};

void tt_filter_init(struct tt_filter *f); /* everything, attributed only */

/* Whole days covered by [from, to): the roll-ups' unique-source sets are per
 * UTC day, so unique counts always cover whole days. */
void tt_filter_days(const struct tt_filter *f, int64_t *first_day, int64_t *last_day);

struct tt_day_stats {
    int64_t day;
    uint64_t packets, bytes;
    uint64_t uniq[TT_CLASS__COUNT + 1]; /* per class, [TT_CLASS__COUNT] = all */
};

struct tt_sensor_stats {
    uint16_t sensor;
    uint64_t packets, bytes, uniq;
};

struct tt_stats {
    uint64_t packets, bytes, uniq_all; /* uniq over the whole range */
    uint64_t unattributed;             /* packets to no sensor (always counted) */
    uint64_t refused[TT_DEC__COUNT];
    struct tt_day_stats *days; /* one per day with roll-ups, ascending */
    size_t ndays;
    struct tt_sensor_stats *sensors; /* ascending id */
    size_t nsensors;
};

int tt_query_stats(struct tt_store *s, const struct tt_filter *f, struct tt_stats *out,
                   struct tt_err *err);
void tt_stats_free(struct tt_stats *st);

/* A port (or ICMP type/code, or "no port") with its totals. */
struct tt_port_row {
    uint8_t proto, kind; /* enum tt_portkind */
    uint16_t port;
    uint64_t packets, bytes;
    int prev_rank; /* 1-based rank in the previous period, 0 = not in its top */
};

/* Top n destination ports over [from, to), ranked by packets, each with
 * its rank over [prev_from, prev_to) (pass prev_from == prev_to for none);
 * *total gets the packets of every port the filter passes (the top's
 * share denominator when the filter has no port). */
int tt_query_top_ports(struct tt_store *s, const struct tt_filter *f, int64_t prev_from,
                       int64_t prev_to, size_t n, struct tt_port_row **rows, size_t *nrows,
                       uint64_t *total, struct tt_err *err);

enum tt_series_step { TT_STEP_DAY, TT_STEP_HOUR };
enum tt_series_by { TT_BY_TOTAL, TT_BY_SENSOR, TT_BY_PORT, TT_BY_PROTO, TT_BY_COUNTRY, TT_BY_ASN };

struct tt_series_point {
    int64_t t;      /* day or hour index since 1970 */
    uint32_t group; /* sensor id, proto<<24|kind<<16|port, proto, TT_CC, AS, or 0 */
    uint64_t packets, bytes;
    uint64_t sources; /* distinct sources: by country, per whole day; else 0 */
};
int tt_query_series(struct tt_store *s, const struct tt_filter *f, enum tt_series_step step,
                    enum tt_series_by by, struct tt_series_point **pts, size_t *n,
                    struct tt_err *err);

/* Top source countries or ASes: packets, bytes and exact unique sources,
 * with the previous period's rank. Countries come from the roll-ups when
 * the filter allows (whole days, no --port, a protocol that is a whole class:
 * tcp or udp) and from a raw scan otherwise; ASes always from a raw scan (their source
 * counts need each record's source). *total gets all packets matched. */
enum tt_group_by { TT_GROUP_COUNTRY, TT_GROUP_ASN };
struct tt_group_row {
    uint32_t key; /* TT_CC or AS number; 0 unknown */
    uint64_t packets, bytes, sources;
    int prev_rank; /* 1-based rank in the previous period's top n, 0 = not in it */
};
int tt_query_top_groups(struct tt_store *s, const struct tt_filter *f, enum tt_group_by by,
                        int64_t prev_from, int64_t prev_to, size_t n, unsigned threads,
                        struct tt_group_row **rows, size_t *nrows, uint64_t *total,
                        struct tt_err *err);

/* Raw scans. */
struct tt_source_row {
    uint8_t ipver;
    uint32_t src4;
    uint8_t src6[16];
    uint64_t packets;
    uint32_t ports;   /* distinct destination ports */
    uint32_t sensors; /* distinct sensors */
};
struct tt_scan_stats {
    uint64_t scanned, matched, segments;
    double seconds;
};
int tt_query_top_sources(struct tt_store *s, const struct tt_filter *f, size_t n, unsigned threads,
                         struct tt_source_row **rows, size_t *nrows, struct tt_scan_stats *ss,
                         struct tt_err *err);
int tt_query_count_raw(struct tt_store *s, const struct tt_filter *f, unsigned threads,
                       struct tt_scan_stats *ss, struct tt_err *err);

#endif
