/* Worker state shared by the ingest pipeline and the per-packet path. */
#ifndef TT_INGEST_INT_H
#define TT_INGEST_INT_H

#include "capture/reader.h"
#include "ingest/ingest.h"
#include "ingest/rollup_pool.h"
#include "store/rollup.h"
#include "store/segment.h"

#define INGEST_OPEN_DAYS 3 /* days a worker keeps open before sealing the oldest */

struct day_state {
    int64_t day;
    struct tt_record *recs;
    uint32_t n;
    struct tt_rollup *roll;
    uint64_t last_use;
};

struct worker {
    const struct tt_ingest_opts *opts;
    const struct tt_sensor_map *map;
    struct tt_store_txn *txn;
    struct rollup_pool *pool; /* the day's roll-ups are merged across workers */
    struct tt_seg_encoder *enc;
    struct tt_enrich_cache *cache; /* NULL without an enricher */
    struct tt_record *sorted;      /* seg_cap records: a segment in its stored order */
    struct tt_buf out;
    struct day_state days[INGEST_OPEN_DAYS];
    uint64_t tick;
    uint32_t seg_cap;
    int zlevel;
    /* counts, merged into the result at the end */
    uint64_t frames, stored, unattributed, refused[TT_DEC__COUNT];
    uint64_t first_ts, last_ts, segments, rollups;
    int rc;
    struct tt_err err;
};

int worker_init(struct worker *w, const struct tt_ingest_opts *o, const struct tt_sensor_map *map,
                struct tt_store_txn *txn, struct rollup_pool *pool);
/* Decodes and stores a batch; sets w->rc on failure (then ignores further batches). */
void worker_batch(struct worker *w, const struct tt_batch *b);
/* Seals every open day. */
void worker_finish(struct worker *w);
void worker_free(struct worker *w);

#endif
