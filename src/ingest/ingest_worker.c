/* The per-packet path: decode, attribute, append to the day's buffer and
 * roll-up; seal a segment when the buffer is full or the day goes cold. */
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_int.h"

#define GATHER_AHEAD 16 /* records the gather prefetches ahead */

int worker_init(struct worker *w, const struct tt_ingest_opts *o, const struct tt_sensor_map *map,
                struct tt_store_txn *txn, struct rollup_pool *pool, unsigned self)
{
    memset(w, 0, sizeof *w);
    w->pool = pool;
    w->self = self;
    w->opts = o;
    w->map = map;
    w->txn = txn;
    w->seg_cap = o->segment_records ? o->segment_records : TT_INGEST_SEGMENT_DEFAULT;
    if (w->seg_cap > TT_SEG_MAX_RECORDS)
        w->seg_cap = TT_SEG_MAX_RECORDS;
    w->zlevel = o->zstd_level ? o->zstd_level : TT_INGEST_ZSTD_DEFAULT;
    w->enc = tt_seg_encoder_new(o->zstd_level); /* 0: the encoder's level per column */
    if (o->enrich) {
        if (!(w->cache = malloc(sizeof *w->cache)))
            return TT_ENOMEM;
        tt_enrich_cache_init(w->cache);
    }
    if (!(w->sorted = malloc((size_t)w->seg_cap * sizeof *w->sorted)))
        return TT_ENOMEM;
    w->first_ts = UINT64_MAX;
    for (int i = 0; i < INGEST_OPEN_DAYS; i++)
        w->days[i].day = INT64_MIN;
    return w->enc ? TT_OK : TT_ENOMEM;
}

void worker_free(struct worker *w)
{
    for (int i = 0; i < INGEST_OPEN_DAYS; i++) {
        free(w->days[i].recs);
        tt_rollup_free(w->days[i].roll);
    }
    tt_seg_encoder_free(w->enc);
    free(w->cache);
    free(w->sorted);
    tt_buf_free(&w->out);
}

static void fail(struct worker *w, int rc)
{
    if (!w->rc)
        w->rc = rc;
}

/* Puts the buffered records in the order the segment stores them (by
 * source), then enriches them and adds them to the day's roll-up a source
 * at a time: one lookup per source, in ascending address order (on a
 * darknet, spoofed one-off sources are many), and the roll-up's per-source
 * work finds the set it used for the previous record. The gather is a loop
 * of its own: with nothing else in it, its random reads overlap (measured:
 * doing the roll-up in the same loop made ingest 20% slower), and it asks
 * for the lines of the record GATHER_AHEAD places on (measured: ingest of
 * 20M packets 2% faster). */
static int add_records(struct worker *w, struct day_state *d)
{
    const uint32_t *order = tt_seg_order(w->enc, d->recs, d->n);
    if (!order)
        return TT_ENOMEM;
    for (uint32_t i = 0; i < d->n; i++) {
        if (i + GATHER_AHEAD < d->n) {
            const char *next = (const char *)&d->recs[order[i + GATHER_AHEAD]];
            __builtin_prefetch(next);
            __builtin_prefetch(next + 64);
            __builtin_prefetch(next + 128);
            __builtin_prefetch(next + sizeof *d->recs - 1);
        }
        w->sorted[i] = d->recs[order[i]];
    }
    const struct tt_enricher *e = w->cache ? w->opts->enrich : NULL;
    for (uint32_t i = 0; i < d->n; i++) {
        struct tt_record *r = &w->sorted[i];
        if (e)
            tt_enrich_next(e, w->cache, i ? r - 1 : NULL, r);
        if (tt_rollup_add(d->roll, r))
            return TT_ENOMEM;
    }
    return TT_OK;
}

static void seal_segment(struct worker *w, struct day_state *d)
{
    if (w->rc || d->n == 0)
        return;
    if (add_records(w, d)) {
        fail(w, TT_ENOMEM);
        return;
    }
    w->out.len = 0;
    int rc = tt_seg_encode(w->enc, w->sorted, d->n, d->day, w->opts->sensors, &w->out, &w->err);
    char name[TT_STORE_NAME_MAX];
    if (rc == TT_OK)
        rc = tt_store_txn_write(w->txn, TT_FILE_SEGMENT, d->day, &w->out, d->n, name, &w->err);
    /* the roll-up keeps the day's sources by naming the segments */
    if (rc == TT_OK && tt_rollup_add_segment(d->roll, name))
        rc = tt_err_set(&w->err, TT_ENOMEM, "out of memory");
    if (rc)
        fail(w, rc);
    w->segments++;
    d->n = 0;
}

static void write_rollup(struct worker *w, struct tt_rollup *r)
{
    w->out.len = 0;
    int rc = tt_rollup_encode(r, &w->out, w->zlevel, &w->err);
    if (rc == TT_OK)
        rc =
            tt_store_txn_write(w->txn, TT_FILE_ROLLUP, tt_rollup_day(r), &w->out, 0, NULL, &w->err);
    if (rc)
        fail(w, rc);
    w->rollups++;
}

/* Writes the day's segment tail and frees the slot; the roll-up goes to
 * the pool, and is written here if it comes back complete. */
static void seal_day(struct worker *w, struct day_state *d)
{
    seal_segment(w, d);
    struct tt_rollup *r = d->roll;
    d->roll = NULL;
    if (!w->rc && r && tt_rollup_pool_seal(w->pool, d->day, &r))
        fail(w, TT_ENOMEM);
    if (!w->rc && r)
        write_rollup(w, r);
    tt_rollup_free(r);
    d->day = INT64_MIN;
}

void worker_batch_done(struct worker *w, uint64_t batch)
{
    struct tt_rollup *r;
    while ((r = tt_rollup_pool_ready(w->pool, w->self, batch)) != NULL) {
        if (!w->rc)
            write_rollup(w, r);
        tt_rollup_free(r);
    }
}

static struct day_state *day_slot(struct worker *w, int64_t day)
{
    struct day_state *lru = &w->days[0];
    for (int i = 0; i < INGEST_OPEN_DAYS; i++) {
        struct day_state *d = &w->days[i];
        if (d->day == day) {
            d->last_use = ++w->tick;
            return d;
        }
        if (d->last_use < lru->last_use)
            lru = d;
    }
    if (lru->day != INT64_MIN)
        seal_day(w, lru);
    if (!lru->recs && !(lru->recs = malloc((size_t)w->seg_cap * sizeof *lru->recs))) {
        fail(w, TT_ENOMEM);
        return NULL;
    }
    if (!(lru->roll = tt_rollup_new(day)) || tt_rollup_pool_open(w->pool, day)) {
        tt_rollup_free(lru->roll);
        lru->roll = NULL;
        fail(w, TT_ENOMEM);
        return NULL;
    }
    lru->day = day;
    lru->n = 0;
    lru->last_use = ++w->tick;
    return lru;
}

static void store_record(struct worker *w, struct day_state *d, const struct tt_record *r)
{
    w->stored++;
    w->unattributed += r->sensor == TT_SENSOR_NONE;
    if (d->n == w->seg_cap)
        seal_segment(w, d);
}

void worker_batch(struct worker *w, const struct tt_batch *b, const uint32_t *idx, uint32_t n)
{
    struct day_state *d = NULL;
    for (uint32_t i = 0; i < n && !w->rc; i++) {
        const struct tt_pkt *p = &b->pkts[idx[i]];
        int64_t day = (int64_t)(p->ts_us / (uint64_t)TT_US_PER_DAY);
        if (!d || d->day != day)
            d = day_slot(w, day);
        if (!d)
            return;
        w->frames++;
        w->first_ts = p->ts_us < w->first_ts ? p->ts_us : w->first_ts;
        w->last_ts = p->ts_us > w->last_ts ? p->ts_us : w->last_ts;
        struct tt_record *r = &d->recs[d->n];
        enum tt_decode_status st =
            tt_decode_frame(b->linktype, p->data, p->caplen, p->wirelen, p->ts_us, r);
        if (st != TT_DEC_OK) {
            w->refused[st]++;
            tt_rollup_add_refused(d->roll, st, 1);
            continue;
        }
        if (w->opts->fixed_sensor)
            r->sensor = w->opts->fixed_sensor;
        else if (w->map)
            r->sensor = r->ipver == 4 ? tt_sensor_map_v4(w->map, r->dst4)
                                      : tt_sensor_map_v6(w->map, r->dst6);
        d->n++;
        store_record(w, d, r);
    }
}

void worker_finish(struct worker *w)
{
    for (int i = 0; i < INGEST_OPEN_DAYS; i++)
        if (w->days[i].day != INT64_MIN)
            seal_day(w, &w->days[i]);
    worker_batch_done(w, UINT64_MAX);
}
