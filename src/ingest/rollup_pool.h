/* The ingest workers' roll-ups, merged per day: every worker takes its
 * share of every batch, so every worker sees most days. A worker sealing a
 * day merges its roll-up into the day's entry. The merged roll-up is
 * written once no worker holds the day open and every worker has finished
 * the last batch the reader saw the day in: a worker running ahead seals a
 * day before one behind it has opened it, and writing then would leave two
 * roll-ups of one day. One roll-up file per day and input (where the input
 * is in time order) instead of one per worker: smaller, and the queries
 * merge fewer source tables. Memory stays bounded by the days in the
 * batches in flight. */
#ifndef TT_ROLLUP_POOL_H
#define TT_ROLLUP_POOL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "store/rollup.h"

/* Days the pool follows batch by batch; past this (inputs with timestamps
 * all over the calendar) a day is written as soon as no worker holds it
 * open, which may leave several roll-ups of it, each of them correct. */
#define TT_ROLLUP_POOL_TRACKED 256

struct pool_day {
    int64_t day;
    unsigned open;       /* workers holding the day open */
    unsigned merging;    /* workers merging into r outside the lock */
    uint64_t last_batch; /* the last batch seen with the day; 0: not followed */
    struct tt_rollup *r; /* merged roll-up of workers that sealed it already */
};

struct rollup_pool {
    pthread_mutex_t mu;
    struct pool_day *days;
    size_t n, cap;
    uint64_t *done; /* per worker: the batches it has finished (they come 1, 2, ...) */
    unsigned nworkers;
};

int tt_rollup_pool_init(struct rollup_pool *p, unsigned nworkers);
/* Frees what is left (after a failed ingest). */
void tt_rollup_pool_destroy(struct rollup_pool *p);
/* The reader: batch number `batch` holds packets of the day. Called before
 * the batch goes to any worker. 0 or TT_ENOMEM. */
int tt_rollup_pool_note(struct rollup_pool *p, int64_t day, uint64_t batch);
/* A worker opens the day. 0 or TT_ENOMEM. */
int tt_rollup_pool_open(struct rollup_pool *p, int64_t day);
/* A worker seals the day with roll-up *r (taken): *r comes back NULL when
 * the pool holds the merge for later, or holding the day's merged
 * roll-up, for the caller to write. 0 or TT_ENOMEM (the roll-ups are then
 * freed). */
int tt_rollup_pool_seal(struct rollup_pool *p, int64_t day, struct tt_rollup **r);
/* Worker w has finished batches up to `batch` (UINT64_MAX: it has
 * finished). Returns a held roll-up that is now complete, for the caller
 * to write, or NULL; call again until NULL. */
struct tt_rollup *tt_rollup_pool_ready(struct rollup_pool *p, unsigned w, uint64_t batch);

#endif
