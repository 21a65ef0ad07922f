/* Ingest pipeline: reader (calling thread) -> one queue per worker ->
 * workers -> one catalog commit. Every batch goes to every worker, and
 * each takes the packets of its own sources (ingest_split), so a source's
 * day lands in one segment however many workers there are. Jobs cycle
 * through a fixed pool, so memory does not grow with the input. */
#include "ingest/ingest.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode/decode.h"
#include "ingest/ingest_int.h"

#define JOBS_MAX 1024                         /* 113 MiB of job state */
#define JOBS_COPIED_BYTES ((size_t)128 << 20) /* copied packet bytes in jobs in flight */

/* A batch on its way through the workers: which of its packets each takes,
 * and how many workers are still reading it. */
struct job {
    struct tt_batch *b;
    uint32_t idx[TT_BATCH_MAX];                /* packet indices, grouped by worker */
    uint32_t start[TT_INGEST_THREADS_MAX + 1]; /* worker w: idx[start[w], start[w + 1]) */
    uint64_t number;                           /* batches 1, 2, ... in the order read */
    atomic_uint pending;
};

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job **items;
    size_t cap, head, n;
    int closed;
};

struct pipeline {
    struct queue *work; /* one per worker */
    struct queue free_jobs;
    size_t copied; /* packet bytes copied into the jobs in flight, under free_jobs.mu */
    struct job *jobs;
    size_t njobs;
    struct rollup_pool rollups;
    struct worker *workers;
    pthread_t *threads;
    unsigned nthreads;
};

static int queue_init(struct queue *q, size_t cap)
{
    memset(q, 0, sizeof *q);
    q->items = calloc(cap, sizeof *q->items);
    q->cap = cap;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    return q->items ? TT_OK : TT_ENOMEM;
}

static void queue_destroy(struct queue *q)
{
    free(q->items);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
}

/* Under q->mu. No queue holds more jobs than the pool has, so there is
 * always room. */
static void enqueue_locked(struct queue *q, struct job *j)
{
    q->items[(q->head + q->n++) % q->cap] = j;
    pthread_cond_signal(&q->cv);
}

/* Under q->mu, with q->n > 0. */
static struct job *dequeue_locked(struct queue *q)
{
    struct job *j = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    return j;
}

static void queue_push(struct queue *q, struct job *j)
{
    pthread_mutex_lock(&q->mu);
    enqueue_locked(q, j);
    pthread_mutex_unlock(&q->mu);
}

/* NULL once the queue is closed and empty. */
static struct job *queue_pop(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    while (q->n == 0 && !q->closed)
        pthread_cond_wait(&q->cv, &q->mu);
    struct job *j = q->n ? dequeue_locked(q) : NULL;
    pthread_mutex_unlock(&q->mu);
    return j;
}

static void queue_close(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

/* A free job, once the packet bytes copied into the jobs in flight are
 * within JOBS_COPIED_BYTES (a stream of large packets fills every job's
 * buffer; a map fills none). */
static struct job *take_job(struct pipeline *p)
{
    struct queue *q = &p->free_jobs;
    pthread_mutex_lock(&q->mu);
    while (q->n == 0 || p->copied > JOBS_COPIED_BYTES)
        pthread_cond_wait(&q->cv, &q->mu);
    struct job *j = dequeue_locked(q);
    pthread_mutex_unlock(&q->mu);
    return j;
}

/* Counts a filled job's copied bytes as in flight. */
static void job_filled(struct pipeline *p, const struct job *j)
{
    pthread_mutex_lock(&p->free_jobs.mu);
    p->copied += j->b->buf_used;
    pthread_mutex_unlock(&p->free_jobs.mu);
}

static void return_job(struct pipeline *p, struct job *j)
{
    struct queue *q = &p->free_jobs;
    pthread_mutex_lock(&q->mu);
    p->copied -= j->b->buf_used;
    enqueue_locked(q, j);
    pthread_mutex_unlock(&q->mu);
}

void ingest_split(const struct tt_batch *b, unsigned nw, uint32_t *idx, uint32_t *start)
{
    memset(start, 0, (nw + 1) * sizeof *start);
    if (nw == 1) {
        for (uint32_t i = 0; i < b->n; i++)
            idx[i] = i;
        start[1] = b->n;
        return;
    }
    uint8_t owner[TT_BATCH_MAX]; /* nw <= TT_INGEST_THREADS_MAX = 256 */
    uint32_t cap = b->n / nw + b->n / (2 * nw) + 1, *count = start + 1;
    unsigned spill = 0;
    for (uint32_t i = 0; i < b->n; i++) {
        const struct tt_pkt *p = &b->pkts[i];
        uint32_t key = tt_decode_source_key(b->linktype, p->data, p->caplen);
        unsigned o = (unsigned)(((uint64_t)key * nw) >> 32);
        if (count[o] >= cap) { /* the caps add up to more than n: one has room */
            while (count[spill] >= cap)
                spill = (spill + 1) % nw;
            o = spill;
        }
        count[o]++;
        owner[i] = (uint8_t)o;
    }
    for (unsigned w = 0; w < nw; w++)
        start[w + 1] += start[w];
    uint32_t at[TT_INGEST_THREADS_MAX];
    memcpy(at, start, nw * sizeof *at);
    for (uint32_t i = 0; i < b->n; i++)
        idx[at[owner[i]]++] = i;
}

struct worker_arg {
    struct pipeline *p;
    struct worker *w;
    unsigned self;
};

static void *worker_main(void *arg)
{
    struct worker_arg *a = arg;
    struct job *j;
    while ((j = queue_pop(&a->p->work[a->self])) != NULL) {
        uint32_t from = j->start[a->self], to = j->start[a->self + 1];
        if (!a->w->rc)
            worker_batch(a->w, j->b, j->idx + from, to - from);
        uint64_t number = j->number;
        if (atomic_fetch_sub(&j->pending, 1) == 1)
            return_job(a->p, j);
        worker_batch_done(a->w, number);
    }
    worker_finish(a->w);
    return NULL;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned thread_count(const struct tt_ingest_opts *o)
{
    long n = o->threads ? (long)o->threads : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > TT_INGEST_THREADS_MAX ? TT_INGEST_THREADS_MAX : (unsigned)n;
}

/* Tells the roll-up pool which days batch b holds, so that a day's
 * roll-up waits for the workers behind. Compares against the current
 * day's bounds instead of dividing each time: a capture is mostly in time
 * order. */
static int note_days(struct rollup_pool *pool, const struct tt_batch *b, uint64_t number)
{
    uint64_t lo = 1, hi = 0; /* the current day's microseconds [lo, hi) */
    for (uint32_t i = 0; i < b->n; i++) {
        uint64_t ts = b->pkts[i].ts_us;
        if (ts >= lo && ts < hi)
            continue;
        uint64_t day = ts / (uint64_t)TT_US_PER_DAY;
        lo = day * (uint64_t)TT_US_PER_DAY;
        hi = lo + (uint64_t)TT_US_PER_DAY;
        if (tt_rollup_pool_note(pool, (int64_t)day, number))
            return TT_ENOMEM;
    }
    return TT_OK;
}

/* Reads the whole input through the workers. Returns the first error. */
static int pump(struct pipeline *p, struct tt_reader *rd, const char *path,
                const struct tt_ingest_opts *o, struct tt_ingest_result *res, double t0,
                struct tt_err *err)
{
    double next_progress = t0 + 0.25;
    uint64_t frames = 0, batches = 0;
    for (;;) {
        struct job *j = take_job(p);
        int n = tt_reader_fill(rd, j->b, err);
        frames += j->b->n;
        job_filled(p, j);
        if (j->b->n) {
            j->number = ++batches;
            /* one worker sees every batch in order: nothing to wait for */
            if (p->nthreads > 1 && note_days(&p->rollups, j->b, j->number)) {
                return_job(p, j);
                return tt_err_set(err, TT_ENOMEM, "%s: out of memory", path);
            }
            ingest_split(j->b, p->nthreads, j->idx, j->start);
            atomic_store(&j->pending, p->nthreads);
            for (unsigned w = 0; w < p->nthreads; w++)
                queue_push(&p->work[w], j);
        } else {
            return_job(p, j);
        }
        if (n < 0) {
            /* damage: what came before it is good and stays */
            res->damaged = 1;
            tt_strlcpy(res->damage, err->msg, sizeof res->damage);
            return TT_OK;
        }
        if (n == 0)
            return TT_OK;
        for (unsigned i = 0; i < p->nthreads; i++)
            if (p->workers[i].rc)
                return tt_err_set(err, p->workers[i].rc, "%s", p->workers[i].err.msg);
        double t = now_seconds();
        if (o->progress && t >= next_progress) {
            struct tt_ingest_progress pr = {path, frames, tt_reader_pos(rd), tt_reader_size(rd),
                                            t - t0};
            o->progress(o->progress_ctx, &pr);
            next_progress = t + 0.25;
        }
    }
}

static void merge_counts(struct pipeline *p, struct tt_ingest_result *res)
{
    res->first_ts = UINT64_MAX;
    for (unsigned i = 0; i < p->nthreads; i++) {
        const struct worker *w = &p->workers[i];
        res->frames += w->frames;
        res->stored += w->stored;
        res->unattributed += w->unattributed;
        for (int r = 0; r < TT_DEC__COUNT; r++)
            res->refused[r] += w->refused[r];
        res->first_ts = w->first_ts < res->first_ts ? w->first_ts : res->first_ts;
        res->last_ts = w->last_ts > res->last_ts ? w->last_ts : res->last_ts;
        res->segments += w->segments;
        res->rollups += w->rollups;
    }
    if (res->first_ts == UINT64_MAX)
        res->first_ts = 0;
}

/* Jobs in flight. A worker may run this many ahead of the slowest: enough
 * to go on while another seals a segment or writes a day's roll-up (tens
 * of milliseconds). Measured on the benchmark capture, 2 workers: 2 jobs
 * each left 12% of the cores idle (5.31 s), 8 each 5.08 s, 32 each 4.75 s,
 * where the time-sliced split took 4.93 s. */
static size_t job_count(unsigned nthreads)
{
    size_t n = (size_t)nthreads * 32 + 2;
    return n < JOBS_MAX ? n : JOBS_MAX;
}

static int start(struct pipeline *p, const struct tt_ingest_opts *o,
                 const struct tt_sensor_map *map, struct tt_store_txn *txn, struct worker_arg *args)
{
    p->njobs = job_count(p->nthreads);
    p->jobs = calloc(p->njobs, sizeof *p->jobs);
    p->work = calloc(p->nthreads, sizeof *p->work);
    if (!p->jobs || !p->work || queue_init(&p->free_jobs, p->njobs))
        return TT_ENOMEM;
    for (unsigned w = 0; w < p->nthreads; w++)
        if (queue_init(&p->work[w], p->njobs))
            return TT_ENOMEM;
    for (size_t i = 0; i < p->njobs; i++) {
        if (!(p->jobs[i].b = tt_batch_new()))
            return TT_ENOMEM;
        queue_push(&p->free_jobs, &p->jobs[i]);
    }
    for (unsigned i = 0; i < p->nthreads; i++) {
        if (worker_init(&p->workers[i], o, map, txn, &p->rollups, i))
            return TT_ENOMEM;
        args[i].p = p;
        args[i].w = &p->workers[i];
        args[i].self = i;
    }
    return TT_OK;
}

static void stop(struct pipeline *p, unsigned started)
{
    for (unsigned w = 0; p->work && w < p->nthreads; w++)
        queue_close(&p->work[w]);
    for (unsigned i = 0; i < started; i++)
        pthread_join(p->threads[i], NULL);
    for (unsigned w = 0; p->work && w < p->nthreads; w++)
        queue_destroy(&p->work[w]);
    queue_destroy(&p->free_jobs);
    for (size_t i = 0; p->jobs && i < p->njobs; i++)
        tt_batch_free(p->jobs[i].b);
    free(p->jobs);
    free(p->work);
}

/* Runs the pipeline over an open reader; files go into txn. */
static int run(struct tt_reader *rd, const char *path, const struct tt_ingest_opts *o,
               struct tt_store_txn *txn, struct tt_ingest_result *res, double t0,
               struct tt_err *err)
{
    struct pipeline p;
    memset(&p, 0, sizeof p);
    p.nthreads = thread_count(o);
    p.workers = calloc(p.nthreads, sizeof *p.workers);
    p.threads = calloc(p.nthreads, sizeof *p.threads);
    struct worker_arg *args = calloc(p.nthreads, sizeof *args);
    struct tt_sensor_map *map = NULL;
    int rc = p.workers && p.threads && args ? TT_OK : TT_ENOMEM;
    int pool_ok = tt_rollup_pool_init(&p.rollups, p.nthreads) == TT_OK;
    if (!pool_ok)
        rc = TT_ENOMEM;
    if (rc == TT_OK && !o->fixed_sensor && o->sensors && o->sensors->n)
        rc = tt_sensor_map_build(o->sensors, &map);
    if (rc == TT_OK)
        rc = start(&p, o, map, txn, args);
    unsigned started = 0;
    for (; rc == TT_OK && started < p.nthreads; started++)
        if (pthread_create(&p.threads[started], NULL, worker_main, &args[started]))
            rc = TT_ENOMEM;
    if (rc != TT_OK)
        tt_err_set(err, rc, "%s: cannot start ingest workers: %s", path, tt_strerror(rc));
    if (rc == TT_OK)
        rc = pump(&p, rd, path, o, res, t0, err);
    stop(&p, started);
    for (unsigned i = 0; rc == TT_OK && i < p.nthreads; i++)
        if (p.workers[i].rc)
            rc = tt_err_set(err, p.workers[i].rc, "%s", p.workers[i].err.msg);
    merge_counts(&p, res);
    for (unsigned i = 0; p.workers && i < p.nthreads; i++)
        worker_free(&p.workers[i]);
    free(p.workers);
    free(p.threads);
    free(args);
    tt_sensor_map_free(map);
    if (pool_ok)
        tt_rollup_pool_destroy(&p.rollups);
    return rc;
}

static int commit(struct tt_store *store, struct tt_store_txn *txn, struct tt_reader *rd,
                  const char *path, const struct tt_ingest_opts *o, struct tt_ingest_result *res,
                  struct tt_err *err)
{
    struct tt_input_info info;
    memset(&info, 0, sizeof info);
    int rc = tt_reader_content_hash(rd, info.hash);
    if (rc) {
        tt_store_abort(txn);
        return tt_err_set(err, rc, "%s: no content hash", path);
    }
    if (tt_store_input_seen(store, info.hash, res->skipped_as, sizeof res->skipped_as, err) > 0) {
        tt_store_abort(txn); /* a stream we could only identify at its end */
        res->skipped = 1;
        return TT_OK;
    }
    info.path = path;
    /* the bytes the hash covers: a regular file's size (however far the
     * read got), so that a file of that size is hashed before it is read */
    info.size = tt_reader_size(rd) ? tt_reader_size(rd) : res->bytes_in;
    info.frames = res->frames;
    info.stored = res->stored;
    info.unattributed = res->unattributed;
    memcpy(info.refused, res->refused, sizeof info.refused);
    info.first_ts = res->first_ts;
    info.last_ts = res->last_ts;
    info.seconds = res->seconds;
    if (o->enrich) {
        info.geo_version = tt_enricher_geo_version(o->enrich);
        info.asn_version = tt_enricher_asn_version(o->enrich);
    }
    rc = tt_store_commit(txn, &info, err);
    if (rc == TT_EEXIST) {
        res->skipped = 1;
        tt_strlcpy(res->skipped_as, path, sizeof res->skipped_as);
        return TT_OK;
    }
    return rc;
}

int tt_ingest_file(struct tt_store *store, const char *path, const struct tt_ingest_opts *opts,
                   struct tt_ingest_result *res, struct tt_err *err)
{
    memset(res, 0, sizeof *res);
    double t0 = now_seconds();
    struct tt_reader *rd = NULL;
    int rc = tt_reader_open(path, &rd, err);
    if (rc)
        return rc;
    uint8_t hash[16];
    /* A mapped file of a size ingested before may be that input: it is
     * hashed first and skipped without decoding. Any other is hashed as it
     * is read (one pass over it, not two) and checked at the commit. */
    if (tt_store_input_size_seen(store, tt_reader_size(rd)) ||
        tt_reader_hash_while_reading(rd) != 1) {
        if (tt_reader_content_hash(rd, hash) == TT_OK &&
            tt_store_input_seen(store, hash, res->skipped_as, sizeof res->skipped_as, err) > 0) {
            res->skipped = 1;
            tt_reader_close(rd);
            return TT_OK;
        }
    }
    struct tt_store_txn *txn = NULL;
    rc = tt_store_begin(store, &txn, err);
    if (rc == TT_OK)
        rc = run(rd, path, opts, txn, res, t0, err);
    res->bytes_in = tt_reader_pos(rd);
    res->seconds = now_seconds() - t0;
    if (rc == TT_OK)
        rc = commit(store, txn, rd, path, opts, res, err);
    else
        tt_store_abort(txn);
    tt_reader_close(rd);
    res->seconds = now_seconds() - t0;
    return rc;
}

uint64_t tt_ingest_malformed(const struct tt_ingest_result *res)
{
    uint64_t n = 0;
    for (int r = TT_DEC_UNKNOWN_LINK; r < TT_DEC__COUNT; r++)
        n += res->refused[r];
    return n;
}
