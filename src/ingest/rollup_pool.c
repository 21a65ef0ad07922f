/* Per-day merging of the workers' roll-ups (rollup_pool.h). */
#include "ingest/rollup_pool.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"

int tt_rollup_pool_init(struct rollup_pool *p)
{
    memset(p, 0, sizeof *p);
    return pthread_mutex_init(&p->mu, NULL) ? TT_ENOMEM : TT_OK;
}

void tt_rollup_pool_destroy(struct rollup_pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        tt_rollup_free(p->days[i].r);
    free(p->days);
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

int tt_rollup_pool_open(struct rollup_pool *p, int64_t day)
{
    int rc = TT_OK;
    pthread_mutex_lock(&p->mu);
    struct pool_day *d = find(p, day);
    if (!d && tt_grow(&p->days, &p->cap, p->n, sizeof *p->days, 16) == TT_OK) {
        d = &p->days[p->n++];
        memset(d, 0, sizeof *d);
        d->day = day;
    }
    if (d)
        d->open++;
    else
        rc = TT_ENOMEM;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int tt_rollup_pool_seal(struct rollup_pool *p, int64_t day, struct tt_rollup **r)
{
    int rc = TT_OK;
    pthread_mutex_lock(&p->mu);
    struct pool_day *d = find(p, day);
    if (d)
        d->open--;
    /* merge outside the lock; whoever finds the day closed with nothing
     * left to merge writes it */
    while (d && d->r && rc == TT_OK) {
        struct tt_rollup *other = d->r;
        d->r = NULL;
        pthread_mutex_unlock(&p->mu);
        rc = tt_rollup_merge(*r, other);
        tt_rollup_free(other);
        pthread_mutex_lock(&p->mu);
        d = find(p, day); /* the array may have moved */
    }
    if (rc == TT_OK && d && d->open > 0) {
        d->r = *r;
        *r = NULL;
    } else if (d) {
        *d = p->days[--p->n];
    }
    pthread_mutex_unlock(&p->mu);
    if (rc) {
        tt_rollup_free(*r);
        *r = NULL;
    }
    return rc;
}
