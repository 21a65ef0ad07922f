/* Shared by the query files: walking roll-ups and matching their entries. */
#ifndef TT_QUERY_INT_H
#define TT_QUERY_INT_H

#include "common/agg.h"
#include "query/query.h"

typedef int (*tt_rollup_fn)(void *ctx, const struct tt_rollup *r, const struct tt_filter *f,
                            struct tt_err *err);

/* Calls fn for each roll-up file of the filter's days, in catalog order (by
 * day), on the calling thread; files are decoded ahead on other threads,
 * with want (hours are added when the range does not fall on day
 * boundaries). rollup_walk.c. */
int tt_query_each_rollup(struct tt_store *s, const struct tt_filter *f, unsigned want,
                         tt_rollup_fn fn, void *ctx, struct tt_err *err);

/* The same with work done on the decoder threads first: prep runs there,
 * several at once (it locks what it shares in ctx), and its result reaches
 * use, in order on the calling thread, which frees it. A result the walk
 * never hands over (after an error) goes to release. */
struct tt_rollup_steps {
    int (*prep)(void *ctx, const struct tt_rollup *r, const struct tt_filter *f, void **out,
                struct tt_err *err);
    int (*use)(void *ctx, const struct tt_rollup *r, void *prepared, const struct tt_filter *f,
               struct tt_err *err);
    void (*release)(void *prepared);
};
int tt_query_each_rollup_steps(struct tt_store *s, const struct tt_filter *f, unsigned want,
                               const struct tt_rollup_steps *steps, void *ctx, struct tt_err *err);

/* The entries of r at the filter's resolution: day totals, or hours. */
size_t tt_query_entries(const struct tt_filter *f, const struct tt_rollup *r,
                        const struct tt_roll_entry **e);

int tt_query_entry_ok(const struct tt_filter *f, const struct tt_roll_entry *e, int64_t day);
int tt_query_sensor_ok(const struct tt_filter *f, uint16_t sensor);
/* Whether a protocol class (enum tt_class) passes the filter's protocol, and
 * whether that protocol is a whole class (any, tcp, udp): the roll-ups keep
 * countries per class only. */
int tt_query_class_ok(const struct tt_filter *f, uint8_t cls);
int tt_query_proto_is_class(const struct tt_filter *f);
/* Whether a source-pattern member (sensor << 8 | class) passes the filter. */
int tt_query_member_ok(const struct tt_filter *f, uint32_t member);
/* Whether [from, to) falls on UTC day boundaries (day totals suffice). */
int tt_query_whole_days(const struct tt_filter *f);
/* Whether an hour of a day (or TT_HOUR_DAY) lies in the filter's range. */
int tt_query_hour_ok(const struct tt_filter *f, int64_t day, uint8_t hour);

struct srclist;
/* The roll-up's sources that pass the filter as a sorted list tagged with
 * their classes (keyed by country too with by_cc). 0 or TT_ENOMEM. */
int tt_query_file_sources(const struct tt_filter *f, const struct tt_rollup *r, int by_cc,
                          struct srclist *out);

/* Raw scan grouping the filter's records by the source's country (by_asn
 * 0) or AS: totals gets group -> packets, bytes; sources group -> distinct
 * sources (in the packets counter). With day0 >= 0 the groups are per day,
 * keyed (day - day0) << 32 | group, and sources are not counted. Both
 * tables are the caller's. */
int tt_query_scan_groups(struct tt_store *s, const struct tt_filter *f, int by_asn, int64_t day0,
                         unsigned threads, struct agg *totals, struct agg *sources,
                         struct tt_scan_stats *ss, struct tt_err *err);

#endif
