/* The roll-up pool (rollup_pool.h): a day's roll-ups from every worker come
 * out merged, exactly once, and only when no worker can still add to the
 * day: not while one holds it open, nor while one has yet to finish the
 * last batch the reader saw the day in. Roll-ups carry counts of refused
 * frames here, the simplest thing a merge adds up. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "ingest/rollup_pool.h"

#define MARK TT_DEC_NOT_IP /* the refused-frame reason the tests count with */

static struct tt_rollup *rollup_of(int64_t day, uint64_t frames)
{
    struct tt_rollup *r = tt_rollup_new(day);
    if (r)
        tt_rollup_add_refused(r, MARK, frames);
    return r;
}

/* A worker seals the day with `frames`; returns what came back to write. */
static struct tt_rollup *seal(struct rollup_pool *p, int64_t day, uint64_t frames)
{
    struct tt_rollup *r = rollup_of(day, frames);
    CHECK(tt_rollup_pool_seal(p, day, &r) == TT_OK);
    return r;
}

/* Two workers, day 7 in batches 1-3: worker 0 runs ahead and seals the day
 * before worker 1 has opened it. The roll-up waits for worker 1. */
static void test_waits_for_the_worker_behind(void)
{
    struct rollup_pool p;
    CHECK(tt_rollup_pool_init(&p, 2) == TT_OK);
    for (uint64_t b = 1; b <= 3; b++)
        CHECK(tt_rollup_pool_note(&p, 7, b) == TT_OK);
    CHECK(tt_rollup_pool_note(&p, 8, 4) == TT_OK);
    CHECK(tt_rollup_pool_open(&p, 7) == TT_OK); /* worker 0, batch 1 */
    CHECK(seal(&p, 7, 10) == NULL);             /* worker 0 moves to day 8 */
    CHECK(tt_rollup_pool_ready(&p, 0, 4) == NULL);
    CHECK(tt_rollup_pool_ready(&p, 1, 2) == NULL); /* batch 3 may hold day 7 still */
    CHECK(tt_rollup_pool_open(&p, 7) == TT_OK);    /* worker 1, batch 3 */
    CHECK(seal(&p, 7, 5) == NULL);                 /* worker 1 is in batch 3 still */
    struct tt_rollup *r = tt_rollup_pool_ready(&p, 1, 3);
    CHECK(r != NULL);
    if (r) {
        CHECK_EQ_U64(tt_rollup_day(r), 7);
        CHECK_EQ_U64(tt_rollup_refused(r, MARK), 15);
    }
    tt_rollup_free(r);
    CHECK(tt_rollup_pool_ready(&p, 1, 3) == NULL);
    tt_rollup_pool_destroy(&p);
}

/* The last worker to seal a day that every worker has passed writes it at
 * once, merged with what the others sealed before. */
static void test_last_sealer_writes(void)
{
    struct rollup_pool p;
    CHECK(tt_rollup_pool_init(&p, 2) == TT_OK);
    CHECK(tt_rollup_pool_note(&p, 3, 1) == TT_OK);
    CHECK(tt_rollup_pool_open(&p, 3) == TT_OK);
    CHECK(tt_rollup_pool_open(&p, 3) == TT_OK);
    CHECK(tt_rollup_pool_ready(&p, 0, 1) == NULL);
    CHECK(tt_rollup_pool_ready(&p, 1, 1) == NULL); /* both hold it open */
    CHECK(seal(&p, 3, 2) == NULL);
    struct tt_rollup *r = seal(&p, 3, 40);
    CHECK(r != NULL);
    if (r)
        CHECK_EQ_U64(tt_rollup_refused(r, MARK), 42);
    tt_rollup_free(r);
    CHECK(tt_rollup_pool_ready(&p, 0, UINT64_MAX) == NULL);
    tt_rollup_pool_destroy(&p);
}

/* A day the reader did not note (one worker, or past the days followed)
 * is written as soon as no worker holds it open. */
static void test_untracked_day(void)
{
    struct rollup_pool p;
    CHECK(tt_rollup_pool_init(&p, 2) == TT_OK);
    CHECK(tt_rollup_pool_open(&p, 9) == TT_OK);
    struct tt_rollup *r = seal(&p, 9, 1);
    CHECK(r != NULL);
    tt_rollup_free(r);
    for (int64_t d = 0; d < TT_ROLLUP_POOL_TRACKED; d++)
        CHECK(tt_rollup_pool_note(&p, 1000 + d, 5) == TT_OK);
    CHECK(tt_rollup_pool_note(&p, 99, 5) == TT_OK); /* one too many: not followed */
    CHECK(tt_rollup_pool_open(&p, 99) == TT_OK);
    r = seal(&p, 99, 1);
    CHECK(r != NULL);
    tt_rollup_free(r);
    CHECK(tt_rollup_pool_open(&p, 1000) == TT_OK); /* followed: waits for batch 5 */
    CHECK(seal(&p, 1000, 1) == NULL);
    tt_rollup_pool_destroy(&p); /* frees what is held */
}

/* Workers finishing (UINT64_MAX) release what waits on them. */
static void test_finish_releases(void)
{
    struct rollup_pool p;
    CHECK(tt_rollup_pool_init(&p, 3) == TT_OK);
    CHECK(tt_rollup_pool_note(&p, 1, 10) == TT_OK);
    CHECK(tt_rollup_pool_note(&p, 2, 10) == TT_OK);
    CHECK(tt_rollup_pool_note(&p, 4, 10) == TT_OK); /* no worker will open it */
    for (int64_t d = 1; d <= 2; d++) {
        CHECK(tt_rollup_pool_open(&p, d) == TT_OK);
        CHECK(seal(&p, d, (uint64_t)d) == NULL);
    }
    CHECK(tt_rollup_pool_ready(&p, 0, UINT64_MAX) == NULL);
    CHECK(tt_rollup_pool_ready(&p, 1, UINT64_MAX) == NULL);
    uint64_t days = 0, frames = 0, n = 0;
    struct tt_rollup *r;
    while ((r = tt_rollup_pool_ready(&p, 2, UINT64_MAX)) != NULL) {
        days |= 1u << tt_rollup_day(r);
        frames += tt_rollup_refused(r, MARK);
        n++;
        tt_rollup_free(r);
    }
    CHECK_EQ_U64(n, 2);
    CHECK_EQ_U64(days, 0x6);
    CHECK_EQ_U64(frames, 3);
    tt_rollup_pool_destroy(&p);
}

/* Threads run the ingest's protocol over the same batches at different
 * speeds: the reader notes every batch's days first (allowed: it notes a
 * batch before any worker gets it), each worker walks the batches in order,
 * keeping one day open and sealing it when its day changes. Batch b holds
 * days b / 4 and b / 4 + 1 (the midnight inside a batch), and every worker
 * takes frames of both. Each day must come out once, with every frame. */
#define STRESS_WORKERS 4
#define STRESS_BATCHES 400
#define STRESS_DAYS (STRESS_BATCHES / 4 + 2)

struct stress {
    struct rollup_pool pool;
    pthread_mutex_t mu;
    uint64_t written[STRESS_DAYS], frames[STRESS_DAYS];
    int failed;
};

struct stress_worker {
    struct stress *s;
    unsigned self;
};

static void take_written(struct stress *s, struct tt_rollup *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&s->mu);
    int64_t d = tt_rollup_day(r);
    if (d >= 0 && d < STRESS_DAYS) {
        s->written[d]++;
        s->frames[d] += tt_rollup_refused(r, MARK);
    } else {
        s->failed = 1;
    }
    pthread_mutex_unlock(&s->mu);
    tt_rollup_free(r);
}

static void *stress_main(void *arg)
{
    struct stress_worker *a = arg;
    struct stress *s = a->s;
    int64_t open_day = -1;
    struct tt_rollup *open_r = NULL;
    uint64_t x = 0x9e3779b97f4a7c15ull * (a->self + 1);
    for (uint64_t b = 1; b <= STRESS_BATCHES; b++) {
        for (int64_t day = (int64_t)(b / 4); day <= (int64_t)(b / 4) + 1; day++) {
            if (day != open_day) {
                if (open_r) {
                    if (tt_rollup_pool_seal(&s->pool, open_day, &open_r))
                        s->failed = 1;
                    take_written(s, open_r);
                }
                open_r = tt_rollup_new(day);
                if (!open_r || tt_rollup_pool_open(&s->pool, day))
                    s->failed = 1;
                open_day = day;
            }
            tt_rollup_add_refused(open_r, MARK, a->self + 1);
        }
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        for (unsigned spin = (unsigned)(x % (2000u * (a->self + 1))); spin; spin--)
            __asm__ volatile("" ::: "memory"); /* workers at different speeds */
        struct tt_rollup *r;
        while ((r = tt_rollup_pool_ready(&s->pool, a->self, b)) != NULL)
            take_written(s, r);
    }
    if (open_r) {
        if (tt_rollup_pool_seal(&s->pool, open_day, &open_r))
            s->failed = 1;
        take_written(s, open_r);
    }
    struct tt_rollup *r;
    while ((r = tt_rollup_pool_ready(&s->pool, a->self, UINT64_MAX)) != NULL)
        take_written(s, r);
    return NULL;
}

static void test_threads(void)
{
    static struct stress s;
    memset(&s, 0, sizeof s);
    CHECK(tt_rollup_pool_init(&s.pool, STRESS_WORKERS) == TT_OK);
    pthread_mutex_init(&s.mu, NULL);
    for (uint64_t b = 1; b <= STRESS_BATCHES; b++) {
        CHECK(tt_rollup_pool_note(&s.pool, (int64_t)(b / 4), b) == TT_OK);
        CHECK(tt_rollup_pool_note(&s.pool, (int64_t)(b / 4) + 1, b) == TT_OK);
    }
    pthread_t t[STRESS_WORKERS];
    struct stress_worker args[STRESS_WORKERS];
    for (unsigned w = 0; w < STRESS_WORKERS; w++) {
        args[w] = (struct stress_worker){&s, w};
        CHECK(pthread_create(&t[w], NULL, stress_main, &args[w]) == 0);
    }
    for (unsigned w = 0; w < STRESS_WORKERS; w++)
        pthread_join(t[w], NULL);
    CHECK(!s.failed);
    /* day d is in the batches b with b / 4 == d or b / 4 + 1 == d; each
     * worker adds self + 1 per batch and day: 10 per batch in all */
    uint64_t once = 0, exact = 0;
    for (int64_t d = 0; d < STRESS_DAYS; d++) {
        uint64_t batches = 0;
        for (uint64_t b = 1; b <= STRESS_BATCHES; b++)
            batches += (int64_t)(b / 4) == d || (int64_t)(b / 4) + 1 == d;
        once += s.written[d] == 1;
        exact += s.frames[d] == batches * 10;
    }
    CHECK_EQ_U64(once, STRESS_DAYS);
    CHECK_EQ_U64(exact, STRESS_DAYS);
    CHECK_EQ_U64(s.pool.n, 0);
    tt_rollup_pool_destroy(&s.pool);
    pthread_mutex_destroy(&s.mu);
}

TT_TESTS(test_waits_for_the_worker_behind, test_last_sealer_writes, test_untracked_day,
         test_finish_releases, test_threads)
