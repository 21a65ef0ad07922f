/* Walking a range's roll-up files: decoder threads read and decode files
 * (and do a query's per-file work, if it has some) ahead of the caller,
 * which sees them one at a time, in catalog order (by day), on its own
 * thread; so a query's folding code needs no locks and its merges overlap
 * the decoding of the next files. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fileio.h"
#include "query/query_int.h"
#include "store/months.h"
#include "store/rollup_read.h"

#define WALK_THREADS_MAX 16
#define WALK_AHEAD 4 /* files decoded ahead per thread: bounds memory */

struct slot {
    struct tt_rollup *r;
    void *prepared;
    int rc, done;
    struct tt_err err;
};

struct walk {
    struct tt_store *store;
    const struct tt_walk_file *files;
    const struct tt_filter *f;
    const struct tt_rollup_steps *steps;
    tt_rollup_fn fn; /* without steps */
    void *ctx;
    size_t n, next, consumed, window;
    int stop;
    struct slot *slots;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static int decode_file(struct walk *w, size_t i, struct tt_rollup **r, struct tt_err *err)
{
    const struct tt_walk_file *wf = &w->files[i];
    return tt_rollup_read(tt_store_dir(w->store), wf->path, wf->want, r, err);
}

static void *decoder_main(void *arg)
{
    struct walk *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->stop && w->next < w->n && w->next >= w->consumed + w->window)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->stop || w->next >= w->n)
            break;
        size_t i = w->next++;
        pthread_mutex_unlock(&w->mu);
        struct slot *s = &w->slots[i];
        struct tt_rollup *r = NULL;
        void *prepared = NULL;
        int rc = decode_file(w, i, &r, &s->err);
        if (rc == TT_OK && w->steps)
            rc = w->steps->prep(w->ctx, r, w->files[i].role, w->f, &prepared, &s->err);
        pthread_mutex_lock(&w->mu);
        s->r = r;
        s->prepared = prepared;
        s->rc = rc;
        s->done = 1;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static unsigned walk_threads(size_t nfiles)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned t = n < 1 ? 1 : n > WALK_THREADS_MAX ? WALK_THREADS_MAX : (unsigned)n;
    return nfiles < t ? (unsigned)nfiles : t;
}

/* Hands the files to fn in order; the first error (a file's or fn's) stops
 * the walk. */
static int walk_run(struct walk *w, struct tt_err *err)
{
    pthread_t th[WALK_THREADS_MAX];
    unsigned nth = walk_threads(w->n), started = 0;
    w->window = (size_t)nth * WALK_AHEAD;
    for (; started < nth; started++)
        if (pthread_create(&th[started], NULL, decoder_main, w))
            break;
    int rc = started ? TT_OK : tt_err_set(err, TT_ENOMEM, "cannot start roll-up readers");
    for (size_t i = 0; rc == TT_OK && i < w->n; i++) {
        struct slot *s = &w->slots[i];
        pthread_mutex_lock(&w->mu);
        while (!s->done)
            pthread_cond_wait(&w->cv, &w->mu);
        pthread_mutex_unlock(&w->mu);
        if (s->rc) {
            *err = s->err;
            rc = s->rc;
        } else if (w->steps) {
            rc = w->steps->use(w->ctx, s->r, w->files[i].role, s->prepared, w->f, err);
            s->prepared = NULL;
        } else {
            rc = w->fn(w->ctx, s->r, w->f, err);
        }
        tt_rollup_free(s->r);
        s->r = NULL;
        pthread_mutex_lock(&w->mu);
        w->consumed = i + 1;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
    }
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    for (size_t i = 0; i < w->n; i++) { /* decoded past an error */
        tt_rollup_free(w->slots[i].r);
        if (w->slots[i].prepared)
            w->steps->release(w->slots[i].prepared);
    }
    return rc;
}

static int walk_files(struct tt_store *s, const struct tt_filter *f,
                      const struct tt_walk_file *files, size_t n,
                      const struct tt_rollup_steps *steps, tt_rollup_fn fn, void *ctx,
                      struct tt_err *err)
{
    if (n == 0)
        return TT_OK;
    struct walk w;
    memset(&w, 0, sizeof w);
    w.store = s;
    w.f = f;
    w.steps = steps;
    w.fn = fn;
    w.ctx = ctx;
    w.files = files;
    w.n = n;
    w.slots = calloc(n, sizeof *w.slots);
    if (!w.slots)
        return tt_err_set(err, TT_ENOMEM, "out of memory");
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    int rc = walk_run(&w, err);
    pthread_mutex_destroy(&w.mu);
    pthread_cond_destroy(&w.cv);
    free(w.slots);
    return rc;
}

static int walk(struct tt_store *s, const struct tt_filter *f, unsigned want,
                const struct tt_rollup_steps *steps, tt_rollup_fn fn, void *ctx, struct tt_err *err)
{
    struct tt_store_file *files = NULL;
    struct tt_walk_file *wf = NULL;
    size_t n = 0;
    int rc = tt_query_rollup_files(s, f, &files, &n, err);
    if (rc == TT_OK && !(wf = calloc(n + 1, sizeof *wf)))
        rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    for (size_t i = 0; rc == TT_OK && i < n; i++)
        wf[i] = (struct tt_walk_file){files[i].path, tt_query_want(f, want), 0};
    if (rc == TT_OK)
        rc = walk_files(s, f, wf, n, steps, fn, ctx, err);
    free(wf);
    free(files);
    return rc;
}

int tt_query_rollup_files(struct tt_store *s, const struct tt_filter *f,
                          struct tt_store_file **files, size_t *n, struct tt_err *err)
{
    int64_t d0, d1;
    tt_filter_days(f, &d0, &d1);
    return tt_store_files(s, TT_FILE_ROLLUP, d0, d1, files, n, err);
}

unsigned tt_query_want(const struct tt_filter *f, unsigned want)
{
    return want | (tt_query_whole_days(f) ? 0 : TT_RW_HOURS);
}

void tt_query_plan_free(struct tt_walk_plan *p)
{
    free(p->files);
    free(p->walk);
    free(p->months);
    memset(p, 0, sizeof *p);
}

int tt_query_plan(struct tt_store *s, const struct tt_filter *f, unsigned day_want,
                  unsigned in_month_want, unsigned month_want, struct tt_walk_plan *p,
                  struct tt_err *err)
{
    memset(p, 0, sizeof *p);
    size_t nfiles = 0;
    int rc = tt_query_rollup_files(s, f, &p->files, &nfiles, err);
    p->walk = rc ? NULL : calloc(2 * nfiles + 1, sizeof *p->walk);
    p->months = rc ? NULL : calloc(nfiles + 1, sizeof *p->months);
    uint8_t *in_table = rc ? NULL : calloc(nfiles + 1, 1);
    if (rc == TT_OK && (!p->walk || !p->months || !in_table))
        rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    int64_t d0, d1;
    tt_filter_days(f, &d0, &d1);
    size_t nm = 0;
    for (size_t i = 0, j; rc == TT_OK && i < nfiles; i = j) {
        int64_t first, last;
        tt_month_of(p->files[i].day, &first, &last);
        for (j = i; j < nfiles && p->files[j].day <= last;)
            j++;
        int table = 0; /* a name that cannot be made: the days answer */
        if (first >= d0 && last <= d1)
            tt_month_table_lookup(s, first, p->files + i, j - i, p->months[nm], &table);
        if (table) {
            memset(in_table + i, 1, j - i);
            p->walk[p->n++] = (struct tt_walk_file){p->months[nm++], month_want, TT_PLAN_MONTH};
        }
    }
    for (size_t k = 0; rc == TT_OK && k < nfiles; k++)
        if (!in_table[k] || in_month_want)
            p->walk[p->n++] = (struct tt_walk_file){
                p->files[k].path, tt_query_want(f, in_table[k] ? in_month_want : day_want),
                in_table[k] ? TT_PLAN_IN_MONTH : TT_PLAN_DAY};
    free(in_table);
    if (rc)
        tt_query_plan_free(p);
    return rc;
}

int tt_query_walk(struct tt_store *s, const struct tt_filter *f, const struct tt_walk_file *files,
                  size_t n, const struct tt_rollup_steps *steps, void *ctx, struct tt_err *err)
{
    return walk_files(s, f, files, n, steps, NULL, ctx, err);
}

int tt_query_each_rollup(struct tt_store *s, const struct tt_filter *f, unsigned want,
                         tt_rollup_fn fn, void *ctx, struct tt_err *err)
{
    return walk(s, f, want, NULL, fn, ctx, err);
}

int tt_query_each_rollup_steps(struct tt_store *s, const struct tt_filter *f, unsigned want,
                               const struct tt_rollup_steps *steps, void *ctx, struct tt_err *err)
{
    return walk(s, f, want, steps, NULL, ctx, err);
}
