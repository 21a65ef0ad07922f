/* Source countries and ASes: top lists with the previous period's rank (from
 * the roll-ups' country counters and country-keyed source sets, or from a
 * raw scan when the filter needs each record), and series by country or AS. */
#include <stdlib.h>
#include <string.h>

#include "common/agg.h"
#include "common/sort.h"
#include "query/query.h"
#include "query/query_int.h"
#include "query/srcunion.h"

/* The roll-ups answer for countries unless the filter needs a record's port,
 * a protocol finer than the roll-ups' classes (icmp vs icmp6, GRE...), or
 * part of a day (source sets are per day: their unique counts would cover
 * sources seen outside the hours asked for). */
static int geo_rollups_answer(const struct tt_filter *f)
{
    return f->port == TT_ANY && tt_query_proto_is_class(f) && tt_query_whole_days(f);
}

struct geo_ctx {
    struct agg totals;       /* cc -> packets, bytes */
    struct srcunion sources; /* keyed by source and country */
};

/* On a decoder thread: the file's sources by country (none from a day
 * whose month's table has them). */
static int geo_prep(void *ctx, const struct tt_rollup *r, int role, const struct tt_filter *f,
                    void **out, struct tt_err *err)
{
    struct srclist *l = calloc(1, sizeof *l);
    int rc = !l ? TT_ENOMEM : role == TT_PLAN_IN_MONTH ? TT_OK : tt_query_file_sources(f, r, 1, l);
    if (rc) {
        free(l);
        return tt_err_set(err, rc, "out of memory");
    }
    *out = l;
    return TT_OK;
}

static void geo_release(void *p)
{
    tt_srclist_free(p);
    free(p);
}

/* The file's country counters into the totals. */
static int geo_totals(void *ctx, const struct tt_rollup *r, const struct tt_filter *f,
                      struct tt_err *err)
{
    struct geo_ctx *c = ctx;
    const struct tt_roll_geo *g;
    size_t n = tt_rollup_geo_entries(r, &g);
    for (size_t i = 0; i < n; i++) {
        if (!tt_query_sensor_ok(f, g[i].sensor) || !tt_query_class_ok(f, g[i].cls))
            continue;
        struct agg_slot *s = agg_get(&c->totals, g[i].cc);
        if (!s)
            return tt_err_set(err, TT_ENOMEM, "out of memory");
        s->packets += g[i].packets;
        s->bytes += g[i].bytes;
    }
    return TT_OK;
}

/* A day's counters and sources, a month table's sources (it has no
 * counters). */
static int geo_use(void *ctx, const struct tt_rollup *r, int role, void *prepared,
                   const struct tt_filter *f, struct tt_err *err)
{
    struct geo_ctx *c = ctx;
    struct srclist *l = prepared;
    int rc = tt_srcunion_add(&c->sources, l);
    free(l);
    return rc ? tt_err_set(err, rc, "out of memory") : geo_totals(ctx, r, f, err);
}

/* Every group of the range: totals (packets, bytes) and, unless sources is
 * NULL (a previous period is ranked by packets alone), distinct sources in
 * the packets counter. */
static int all_groups(struct tt_store *s, const struct tt_filter *f, enum tt_group_by by,
                      unsigned threads, struct agg *totals, struct agg *sources, struct tt_err *err)
{
    if (by == TT_GROUP_ASN || !geo_rollups_answer(f)) {
        struct tt_scan_stats ss;
        struct agg unused = {0};
        int rc = tt_query_scan_groups(s, f, by == TT_GROUP_ASN, -1, threads, totals,
                                      sources ? sources : &unused, &ss, err);
        agg_free(&unused);
        return rc;
    }
    static const struct tt_rollup_steps steps = {geo_prep, geo_use, geo_release};
    struct geo_ctx c;
    memset(&c, 0, sizeof c);
    int rc;
    if (sources) {
        struct tt_walk_plan plan;
        rc = tt_query_plan(s, f, TT_RW_SETS | TT_RW_GEO, TT_RW_GEO, TT_RW_SETS, &plan, err);
        if (rc == TT_OK)
            rc = tt_query_walk(s, f, plan.walk, plan.n, &steps, &c, err);
        tt_query_plan_free(&plan);
    } else {
        rc = tt_query_each_rollup(s, f, TT_RW_GEO, geo_totals, &c, err);
    }
    struct srclist l = {0};
    if (rc == TT_OK && sources &&
        (tt_srcunion_take(&c.sources, &l) || tt_srclist_count_groups(&l, 0, sources)))
        rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    tt_srclist_free(&l);
    tt_srcunion_free(&c.sources);
    *totals = c.totals;
    return rc;
}

static int cmp_rows(const void *a, const void *b)
{
    const struct tt_group_row *x = a, *y = b;
    if (x->packets != y->packets)
        return x->packets < y->packets ? 1 : -1;
    return (x->key > y->key) - (x->key < y->key);
}

/* Every group of the range, the first top ranked. */
static int ranked(struct tt_store *s, const struct tt_filter *f, enum tt_group_by by,
                  unsigned threads, int with_sources, size_t top, struct tt_group_row **rows,
                  size_t *nrows, uint64_t *total, struct tt_err *err)
{
    struct agg totals = {0}, sources = {0};
    *rows = NULL;
    *nrows = 0;
    *total = 0;
    int rc = all_groups(s, f, by, threads, &totals, with_sources ? &sources : NULL, err);
    struct tt_group_row *r = rc ? NULL : calloc(totals.n + 1, sizeof *r);
    if (rc == TT_OK && !r)
        rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; r && i < totals.cap; i++) {
        const struct agg_slot *sl = &totals.slots[i];
        if (!sl->key1 || !sl->packets)
            continue;
        struct agg_slot *src = agg_get(&sources, sl->key1 - 1);
        r[n++] = (struct tt_group_row){(uint32_t)(sl->key1 - 1), sl->packets, sl->bytes,
                                       src ? src->packets : 0, 0};
        *total += sl->packets;
    }
    agg_free(&totals);
    agg_free(&sources);
    if (r)
        tt_sort_top(r, n, sizeof *r, top, cmp_rows);
    *rows = r;
    *nrows = n;
    return rc;
}

int tt_query_top_groups(struct tt_store *s, const struct tt_filter *f, enum tt_group_by by,
                        int64_t prev_from, int64_t prev_to, size_t n, unsigned threads,
                        struct tt_group_row **rows, size_t *nrows, uint64_t *total,
                        struct tt_err *err)
{
    struct tt_group_row *cur = NULL, *prev = NULL;
    size_t ncur = 0, nprev = 0;
    uint64_t ptotal;
    int rc = ranked(s, f, by, threads, 1, n, &cur, &ncur, total, err);
    if (rc == TT_OK && prev_from < prev_to) {
        struct tt_filter pf = *f;
        pf.from_us = prev_from;
        pf.to_us = prev_to;
        /* its rank is by packets: its sources are not needed */
        rc = ranked(s, &pf, by, threads, 0, n, &prev, &nprev, &ptotal, err);
    }
    if (ncur > n)
        ncur = n;
    for (size_t i = 0; rc == TT_OK && i < ncur; i++)
        for (size_t j = 0; j < nprev && j < n; j++)
            if (prev[j].key == cur[i].key)
                cur[i].prev_rank = (int)j + 1;
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
