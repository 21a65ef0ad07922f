/* Per-day merging of the workers' roll-ups (rollup_pool.h). */
#include "ingest/rollup_pool.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"

int tt_rollup_pool_init(struct rollup_pool *p, unsigned nworkers)
{
    memset(p, 0, sizeof *p);
    p->nworkers = nworkers;
    if (!(p->done = calloc(nworkers ? nworkers : 1, sizeof *p->done)))
        return TT_ENOMEM;
    if (pthread_mutex_init(&p->mu, NULL)) {
        free(p->done);
        return TT_ENOMEM;
    }
    return TT_OK;
}

void tt_rollup_pool_destroy(struct rollup_pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        tt_rollup_free(p->days[i].r);
    free(p->days);
    free(p->done);
    pthread_mutex_destroy(&p->mu);
}

/* The day's entry, under the lock; NULL if it has none. */
static struct pool_day *find(struct rollup_pool *p, int64_t day)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->days[i].day == day)
            return &p->days[i];
    return NULL;
}

/* The day's entry, added if new; under the lock. NULL: out of memory. */
static struct pool_day *find_or_add(struct rollup_pool *p, int64_t day)
{
    struct pool_day *d = find(p, day);
    if (!d && tt_grow(&p->days, &p->cap, p->n, sizeof *p->days, 16) == TT_OK) {
        d = &p->days[p->n++];
        memset(d, 0, sizeof *d);
        d->day = day;
    }
    return d;
}

/* Under the lock: the batches every worker has finished. */
static uint64_t all_done(const struct rollup_pool *p)
{
    uint64_t low = UINT64_MAX;
    for (unsigned w = 0; w < p->nworkers; w++)
        low = p->done[w] < low ? p->done[w] : low;
    return low;
}

/* Under the lock: no worker holds the day, or can still open it, once
 * every worker has finished the batches up to `done`. */
static int complete(const struct pool_day *d, uint64_t done)
{
    return d->open == 0 && d->merging == 0 && d->last_batch <= done;
}

static void drop(struct rollup_pool *p, struct pool_day *d)
{
    *d = p->days[--p->n];
}

int tt_rollup_pool_note(struct rollup_pool *p, int64_t day, uint64_t batch)
{
    int rc = TT_OK;
    pthread_mutex_lock(&p->mu);
    struct pool_day *d = find(p, day);
    if (!d && p->n < TT_ROLLUP_POOL_TRACKED && !(d = find_or_add(p, day)))
        rc = TT_ENOMEM;
    if (d && d->last_batch < batch)
        d->last_batch = batch;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int tt_rollup_pool_open(struct rollup_pool *p, int64_t day)
{
    pthread_mutex_lock(&p->mu);
    struct pool_day *d = find_or_add(p, day);
    if (d)
        d->open++;
    pthread_mutex_unlock(&p->mu);
    return d ? TT_OK : TT_ENOMEM;
}

int tt_rollup_pool_seal(struct rollup_pool *p, int64_t day, struct tt_rollup **r)
{
    int rc = TT_OK;
    pthread_mutex_lock(&p->mu);
    struct pool_day *d = find(p, day);
    if (d) {
        d->open--;
        d->merging++;
    }
    /* merge outside the lock; a worker sealing meanwhile leaves its
     * roll-up in d->r, and this loop takes it too */
    while (d && d->r && rc == TT_OK) {
        struct tt_rollup *other = d->r;
        d->r = NULL;
        pthread_mutex_unlock(&p->mu);
        rc = tt_rollup_merge(*r, other);
        tt_rollup_free(other);
        pthread_mutex_lock(&p->mu);
        d = find(p, day); /* the array may have moved */
    }
    if (d)
        d->merging--;
    if (rc == TT_OK && d && !complete(d, all_done(p))) {
        d->r = *r;
        *r = NULL;
    } else if (d) {
        drop(p, d);
    }
    pthread_mutex_unlock(&p->mu);
    if (rc) {
        tt_rollup_free(*r);
        *r = NULL;
    }
    return rc;
}

struct tt_rollup *tt_rollup_pool_ready(struct rollup_pool *p, unsigned w, uint64_t batch)
{
    struct tt_rollup *r = NULL;
    pthread_mutex_lock(&p->mu);
    if (w < p->nworkers && p->done[w] < batch)
        p->done[w] = batch;
    uint64_t done = all_done(p);
    for (size_t i = 0; i < p->n && !r;) {
        struct pool_day *d = &p->days[i];
        if (!complete(d, done)) {
            i++;
            continue;
        }
        r = d->r; /* NULL: a day noted that no worker kept (all failed) */
        drop(p, d);
    }
    pthread_mutex_unlock(&p->mu);
    return r;
}
