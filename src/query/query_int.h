/* Shared by the query files: walking roll-ups and matching their entries. */
#ifndef TT_QUERY_INT_H
#define TT_QUERY_INT_H

#include "common/agg.h"
#include "common/fileio.h"
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
    int (*prep)(void *ctx, const struct tt_rollup *r, int role, const struct tt_filter *f,
                void **out, struct tt_err *err);
    int (*use)(void *ctx, const struct tt_rollup *r, int role, void *prepared,
               const struct tt_filter *f, struct tt_err *err);
    void (*release)(void *prepared);
};
int tt_query_each_rollup_steps(struct tt_store *s, const struct tt_filter *f, unsigned want,
                               const struct tt_rollup_steps *steps, void *ctx, struct tt_err *err);

/* The same over a list of the caller's making: each file (store-relative
 * path) decoded with its own want, and its role (the query's own code,
 * 0 for tt_query_each_rollup_steps) handed to the steps. In list order. */
struct tt_walk_file {
    const char *path;
    unsigned want;
    int role;
};
int tt_query_walk(struct tt_store *s, const struct tt_filter *f, const struct tt_walk_file *files,
                  size_t n, const struct tt_rollup_steps *steps, void *ctx, struct tt_err *err);
/* The roll-up files of the filter's days, by day; and what to decode of
 * them for want (hours added when the range is not whole days). */
int tt_query_rollup_files(struct tt_store *s, const struct tt_filter *f,
                          struct tt_store_file **files, size_t *n, struct tt_err *err);
unsigned tt_query_want(const struct tt_filter *f, unsigned want);

/* A walk that reads month source tables (store/months.h) where they
 * answer: for each whole month of the range with a valid table, that table
 * (TT_PLAN_MONTH, decoded with month_want), then the range's roll-ups, by
 * day: those of such a month as TT_PLAN_IN_MONTH (in_month_want; 0 leaves
 * them out), the others as TT_PLAN_DAY (day_want). The tables come first:
 * they are the heavy files, so the decoder threads start on them at once
 * and the days' small files fill in while their lists are merged. */
enum { TT_PLAN_DAY, TT_PLAN_IN_MONTH, TT_PLAN_MONTH };
struct tt_walk_plan {
    struct tt_store_file *files;
    struct tt_walk_file *walk;
    size_t n;
    char (*months)[TT_PATH_MAX];
};
int tt_query_plan(struct tt_store *s, const struct tt_filter *f, unsigned day_want,
                  unsigned in_month_want, unsigned month_want, struct tt_walk_plan *p,
                  struct tt_err *err);
void tt_query_plan_free(struct tt_walk_plan *p);

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
