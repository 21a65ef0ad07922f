/* Top ports with the previous period's rank, and time series, from the
 * roll-ups' counters. */
#include <stdlib.h>
#include <string.h>

#include "common/agg.h"
#include "common/fileio.h"
#include "common/sort.h"
#include "query/query.h"
#include "query/query_int.h"
#include "query/srcunion.h"

static uint64_t port_key(const struct tt_roll_entry *e)
{
    return (uint64_t)e->proto << 24 | (uint64_t)e->kind << 16 | e->port;
}

/* Per-port totals: TCP and UDP ports in a direct table (a roll-up's
 * entries come by sensor, then ascending port, so it is walked forwards;
 * hashing them missed the cache on every entry), the rest hashed. */
struct port_totals {
    uint64_t (*tcpudp)[2]; /* [(udp << 16) | port] -> packets, bytes */
    struct agg other;
};

static int ports_one(void *ctx, const struct tt_rollup *r, const struct tt_filter *f,
                     struct tt_err *err)
{
    struct port_totals *t = ctx;
    const struct tt_roll_entry *e;
    size_t n = tt_query_entries(f, r, &e);
    for (size_t i = 0; i < n; i++) {
        if (!tt_query_entry_ok(f, &e[i], tt_rollup_day(r)))
            continue;
        if (e[i].kind == TT_PK_PORT && (e[i].proto == 6 || e[i].proto == 17)) {
            uint64_t *d = t->tcpudp[(size_t)(e[i].proto == 17) << 16 | e[i].port];
            d[0] += e[i].packets;
            d[1] += e[i].bytes;
            continue;
        }
        struct agg_slot *s = agg_get(&t->other, port_key(&e[i]));
        if (!s)
            return tt_err_set(err, TT_ENOMEM, "out of memory");
        s->packets += e[i].packets;
        s->bytes += e[i].bytes;
    }
    return TT_OK;
}

static int cmp_rows(const void *a, const void *b)
{
    const struct tt_port_row *x = a, *y = b;
    if (x->packets != y->packets)
        return x->packets < y->packets ? 1 : -1;
    uint32_t kx = (uint32_t)x->proto << 24 | (uint32_t)x->kind << 16 | x->port;
    uint32_t ky = (uint32_t)y->proto << 24 | (uint32_t)y->kind << 16 | y->port;
    return (kx > ky) - (kx < ky);
}

/* All ports of the range, the first top ranked (ties broken by protocol
 * and port). */
static int ranked_ports(struct tt_store *s, const struct tt_filter *f, size_t top,
                        struct tt_port_row **rows, size_t *nrows, uint64_t *total,
                        struct tt_err *err)
{
    struct port_totals t = {calloc((size_t)2 << 16, sizeof *t.tcpudp), {0}};
    *rows = NULL;
    *nrows = 0;
    *total = 0;
    int rc = t.tcpudp ? tt_query_each_rollup(s, f, TT_RW_DAY, ports_one, &t, err)
                      : tt_err_set(err, TT_ENOMEM, "out of memory");
    size_t ndense = 0;
    for (size_t i = 0; rc == TT_OK && i < (size_t)2 << 16; i++)
        ndense += t.tcpudp[i][0] != 0;
    struct tt_port_row *r = rc ? NULL : calloc(ndense + t.other.n + 1, sizeof *r);
    if (rc == TT_OK && !r)
        rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; r && i < (size_t)2 << 16; i++)
        if (t.tcpudp[i][0])
            r[n++] = (struct tt_port_row){i >> 16 ? 17 : 6, TT_PK_PORT,     (uint16_t)i,
                                          t.tcpudp[i][0],   t.tcpudp[i][1], 0};
    for (size_t i = 0; r && i < t.other.cap; i++) {
        const struct agg_slot *sl = &t.other.slots[i];
        if (!sl->key1)
            continue;
        uint64_t k = sl->key1 - 1;
        r[n++] = (struct tt_port_row){
            (uint8_t)(k >> 24), (uint8_t)(k >> 16 & 0xff), (uint16_t)k, sl->packets, sl->bytes, 0};
    }
    for (size_t i = 0; i < n; i++)
        *total += r[i].packets;
    free(t.tcpudp);
    agg_free(&t.other);
    if (r)
        tt_sort_top(r, n, sizeof *r, top, cmp_rows);
    *rows = r;
    *nrows = n;
    return rc;
}

int tt_query_top_ports(struct tt_store *s, const struct tt_filter *f, int64_t prev_from,
                       int64_t prev_to, size_t n, struct tt_port_row **rows, size_t *nrows,
                       uint64_t *total, struct tt_err *err)
{
    uint64_t prev_total;
    struct tt_port_row *cur = NULL, *prev = NULL;
    size_t ncur = 0, nprev = 0;
    int rc = ranked_ports(s, f, n, &cur, &ncur, total, err);
    if (rc == TT_OK && prev_from < prev_to) {
        struct tt_filter pf = *f;
        pf.from_us = prev_from;
        pf.to_us = prev_to;
        rc = ranked_ports(s, &pf, n, &prev, &nprev, &prev_total, err);
    }
    if (ncur > n)
        ncur = n;
    /* the previous rank counts only within the previous period's top n */
    for (size_t i = 0; rc == TT_OK && i < ncur; i++)
        for (size_t j = 0; j < nprev && j < n; j++)
            if (prev[j].proto == cur[i].proto && prev[j].kind == cur[i].kind &&
                prev[j].port == cur[i].port) {
                cur[i].prev_rank = (int)j + 1;
                break;
            }
    free(prev);
    if (rc) {
        free(cur);
        cur = NULL;
        ncur = 0;
    }
    *rows = cur;
    *nrows = ncur;
    return rc;
}

struct series_ctx {
    enum tt_series_step step;
    enum tt_series_by by;
    struct agg a;
    /* by country per whole day: sources per (day, country), keyed as the
     * points are; a day's files come together (the catalog lists them by
     * day) and are merged before they are counted */
    int sources;
    struct srcunion day;
    int64_t pend_day;
    int pending;
    struct agg day_sources; /* (day, country) -> sources, in packets */
};

static uint64_t day_group_key(int64_t day, uint32_t group)
{
    return (uint64_t)(day - INT32_MIN) << 32 | group;
}

/* Counts the pending day's sources per country. */
static int flush_sources(struct series_ctx *c)
{
    if (!c->pending)
        return TT_OK;
    c->pending = 0;
    struct srclist l;
    int rc = tt_srcunion_take(&c->day, &l);
    if (rc == TT_OK)
        rc = tt_srclist_count_groups(&l, day_group_key(c->pend_day, 0), &c->day_sources);
    tt_srclist_free(&l);
    return rc;
}

/* The file's sources into its day's union. */
static int series_sources(struct series_ctx *c, const struct tt_rollup *r,
                          const struct tt_filter *f)
{
    int rc = c->pending && c->pend_day != tt_rollup_day(r) ? flush_sources(c) : TT_OK;
    c->pend_day = tt_rollup_day(r);
    c->pending = 1;
    struct srclist l;
    if (rc == TT_OK)
        rc = tt_query_file_sources(f, r, 1, &l);
    if (rc == TT_OK)
        rc = tt_srcunion_add(&c->day, &l);
    return rc;
}

static uint32_t series_group(enum tt_series_by by, const struct tt_roll_entry *e)
{
    switch (by) {
    case TT_BY_SENSOR:
        return e->sensor;
    case TT_BY_PORT:
        return (uint32_t)port_key(e);
    case TT_BY_PROTO:
        return e->proto;
    default:
        return 0;
    }
}

static int series_add(struct series_ctx *c, int64_t t, uint32_t group, uint64_t packets,
                      uint64_t bytes, struct tt_err *err)
{
    struct agg_slot *s = agg_get(&c->a, (uint64_t)(t - INT32_MIN) << 32 | group);
    if (!s)
        return tt_err_set(err, TT_ENOMEM, "out of memory");
    s->packets += packets;
    s->bytes += bytes;
    return TT_OK;
}

/* By source country, from the hourly country counters. */
static int series_enriched(struct series_ctx *c, const struct tt_rollup *r,
                           const struct tt_filter *f, struct tt_err *err)
{
    int64_t day = tt_rollup_day(r);
    int rc = TT_OK;
    const struct tt_roll_geo *g;
    size_t n = c->step == TT_STEP_HOUR || !tt_query_whole_days(f)
                   ? tt_rollup_geo_hour_entries(r, &g)
                   : tt_rollup_geo_entries(r, &g);
    for (size_t i = 0; rc == TT_OK && i < n; i++) {
        if (!tt_query_sensor_ok(f, g[i].sensor) || !tt_query_class_ok(f, g[i].cls) ||
            !tt_query_hour_ok(f, day, g[i].hour))
            continue;
        int64_t t = c->step == TT_STEP_HOUR ? day * 24 + g[i].hour : day;
        rc = series_add(c, t, g[i].cc, g[i].packets, g[i].bytes, err);
    }
    if (rc == TT_OK && c->sources && series_sources(c, r, f))
        rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    return rc;
}

static int series_one(void *ctx, const struct tt_rollup *r, const struct tt_filter *f,
                      struct tt_err *err)
{
    struct series_ctx *c = ctx;
    if (c->by == TT_BY_COUNTRY)
        return series_enriched(c, r, f, err);
    const struct tt_roll_entry *e;
    size_t n = c->step == TT_STEP_HOUR ? tt_rollup_hour_entries(r, &e) : tt_query_entries(f, r, &e);
    int64_t day = tt_rollup_day(r);
    for (size_t i = 0; i < n; i++) {
        if (!tt_query_entry_ok(f, &e[i], day))
            continue;
        int64_t t = c->step == TT_STEP_HOUR ? day * 24 + e[i].hour : day;
        uint64_t key = (uint64_t)(t - INT32_MIN) << 32 | series_group(c->by, &e[i]);
        struct agg_slot *s = agg_get(&c->a, key);
        if (!s)
            return tt_err_set(err, TT_ENOMEM, "out of memory");
        s->packets += e[i].packets;
        s->bytes += e[i].bytes;
    }
    return TT_OK;
}

static int cmp_points(const void *a, const void *b)
{
    const struct tt_series_point *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->group > y->group) - (x->group < y->group);
}

/* Sorted points from a table keyed (t - base) << 32 | group. */
static int points_of(const struct agg *a, int64_t base, struct tt_series_point **pts, size_t *n,
                     struct tt_err *err)
{
    struct tt_series_point *p = calloc(a->n + 1, sizeof *p);
    if (!p)
        return tt_err_set(err, TT_ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < a->cap; i++) {
        const struct agg_slot *sl = &a->slots[i];
        if (sl->key1)
            p[k++] = (struct tt_series_point){base + (int64_t)((sl->key1 - 1) >> 32),
                                              (uint32_t)(sl->key1 - 1), sl->packets, sl->bytes, 0};
    }
    qsort(p, k, sizeof *p, cmp_points);
    *pts = p;
    *n = k;
    return TT_OK;
}

/* By AS: the roll-ups keep no AS split (it would cost more than it saves),
 * so a parallel raw scan groups records per day and AS. */
static int series_asn(struct tt_store *s, const struct tt_filter *f, enum tt_series_step step,
                      struct tt_series_point **pts, size_t *n, struct tt_err *err)
{
    if (step == TT_STEP_HOUR)
        return tt_err_set(err, TT_EINVAL, "series by AS is per day");
    int64_t d0, d1;
    tt_filter_days(f, &d0, &d1);
    struct agg totals = {0}, unused = {0};
    struct tt_scan_stats ss;
    int rc = tt_query_scan_groups(s, f, 1, d0, 0, &totals, &unused, &ss, err);
    if (rc == TT_OK)
        rc = points_of(&totals, d0, pts, n, err);
    agg_free(&totals);
    agg_free(&unused);
    return rc;
}

int tt_query_series(struct tt_store *s, const struct tt_filter *f, enum tt_series_step step,
                    enum tt_series_by by, struct tt_series_point **pts, size_t *n,
                    struct tt_err *err)
{
    struct series_ctx c;
    memset(&c, 0, sizeof c);
    c.step = step;
    c.by = by;
    *pts = NULL;
    *n = 0;
    unsigned want = step == TT_STEP_HOUR ? TT_RW_HOURS : TT_RW_DAY;
    if (by == TT_BY_ASN)
        return series_asn(s, f, step, pts, n, err);
    if (by == TT_BY_COUNTRY) {
        /* the country counters are per protocol class and have no ports */
        if (f->port != TT_ANY || !tt_query_proto_is_class(f))
            return tt_err_set(err, TT_EINVAL,
                              "series by country takes --proto tcp|udp and no "
                              "--port (top countries --port answers that)");
        want = TT_RW_GEO_HOURS;
        c.sources = step == TT_STEP_DAY && tt_query_whole_days(f);
        want |= c.sources ? TT_RW_SETS : 0;
    }
    int rc = tt_query_each_rollup(s, f, want, series_one, &c, err);
    if (rc == TT_OK && flush_sources(&c))
        rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    if (rc == TT_OK)
        rc = points_of(&c.a, INT32_MIN, pts, n, err);
    for (size_t i = 0; rc == TT_OK && c.sources && i < *n; i++) {
        struct tt_series_point *p = &(*pts)[i];
        struct agg_slot *sl = agg_get(&c.day_sources, day_group_key(p->t, p->group));
        if (!sl)
            rc = tt_err_set(err, TT_ENOMEM, "out of memory");
        else
            p->sources = sl->packets;
    }
    tt_srcunion_free(&c.day);
    agg_free(&c.day_sources);
    agg_free(&c.a);
    return rc;
}
