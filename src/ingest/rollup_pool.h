/* The ingest workers' roll-ups, merged per day: batches go to whichever
 * worker is free, so every worker sees most days. A worker sealing a day
 * merges its roll-up with those other workers sealed before it; the last
 * worker to seal the day writes it. One roll-up file per day and input
 * (where workers' days overlap in time) instead of one per worker: smaller,
 * and the queries merge fewer source tables. Memory stays bounded by the
 * days the workers hold open. */
#ifndef TT_ROLLUP_POOL_H
#define TT_ROLLUP_POOL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "store/rollup.h"

struct pool_day {
    int64_t day;
    unsigned open;       /* workers holding the day open */
    struct tt_rollup *r; /* merged roll-up of workers that sealed it already */
};

struct rollup_pool {
    pthread_mutex_t mu;
    struct pool_day *days;
    size_t n, cap;
};

int tt_rollup_pool_init(struct rollup_pool *p);
/* Frees what is left (after a failed ingest). */
void tt_rollup_pool_destroy(struct rollup_pool *p);
/* A worker opens the day. 0 or TT_ENOMEM. */
int tt_rollup_pool_open(struct rollup_pool *p, int64_t day);
/* A worker seals the day with roll-up *r (taken): *r comes back NULL when
 * another worker still holds the day (it will write the merge), or holding
 * the day's merged roll-up, for the caller to write. 0 or TT_ENOMEM (the
 * roll-ups are then freed). */
int tt_rollup_pool_seal(struct rollup_pool *p, int64_t day, struct tt_rollup **r);

#endif
