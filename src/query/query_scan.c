/* Drill-down over raw segments: threads take segment files in turn, decode
 * only the columns the filter and the question need, and aggregate
 * privately; the results are merged at the end. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/agg.h"
#include "common/buf.h"
#include "common/fileio.h"
#include "common/sort.h"
#include "query/query.h"
#include "query/query_int.h"
#include "store/segment.h"

#define SEGMENT_FILE_MAX ((size_t)1 << 34)

enum scan_kind { SCAN_COUNT, SCAN_SOURCES, SCAN_COUNTRY, SCAN_ASN };

struct v6hit {
    uint8_t src[16];
    uint16_t port, sensor;
    uint32_t group; /* SCAN_COUNTRY / SCAN_ASN: the source's country or AS */
};

/* A source scan keeps, per IPv4 source, its packets and in the same slot's
 * bytes counter (unused there) a mask of its sensors below this id; higher
 * ids go to the (source, sensor) pairs. */
#define SENSOR_MASK_IDS 64

/* (IPv4 source, value) pairs, appended as runs are scanned and sorted by
 * source once at the end: cheaper than a table lookup per run. */
struct pair_list {
    struct tt_pair32 *v;
    size_t n, cap;
};

struct scan_part {
    uint64_t scanned, matched;
    struct agg packets, sensors; /* IPv4: src; src<<16|sensor */
    struct pair_list ports;      /* (source, port), each at most once a run */
    struct agg groups;           /* group: packets, bytes */
    struct pair_list members;    /* (source, group), once a run */
    struct v6hit *v6;
    size_t n6, cap6;
    int rc;
    struct tt_err err;
};

struct scan {
    struct tt_store *store;
    const struct tt_filter *f;
    enum scan_kind kind;
    int64_t group_day0; /* >= 0: group keys are (day - day0) << 32 | group, no sources */
    int time_filter;    /* the range cuts days: records are checked against it */
    uint8_t sensor_ok[TT_SENSOR_MAX + 1]; /* the filter's sensor test, per sensor id */
    struct tt_store_file *files;
    size_t nfiles, next;
    pthread_mutex_t mu;
    struct scan_part *parts;
    unsigned nparts;
};

static int add_v6(struct scan_part *p, const uint8_t *src, uint16_t port, uint16_t sensor,
                  uint32_t group)
{
    if (tt_grow(&p->v6, &p->cap6, p->n6, sizeof *p->v6, 256))
        return TT_ENOMEM;
    struct v6hit *h = &p->v6[p->n6++];
    memcpy(h->src, src, 16);
    h->port = port;
    h->sensor = sensor;
    h->group = group;
    return TT_OK;
}

static int needs_time(const struct tt_filter *f)
{
    int64_t d0, d1;
    tt_filter_days(f, &d0, &d1);
    return f->from_us > d0 * 86400000000ll ||
           (f->to_us != INT64_MAX && f->to_us < (d1 + 1) * 86400000000ll);
}

/* Counting by sensor and port alone, the common drill-down: no branch per
 * record. */
static uint64_t count_port(const struct scan *sc, const struct tt_seg_cols *c)
{
    uint64_t m = 0;
    uint16_t port = (uint16_t)sc->f->port;
    for (uint32_t k = 0; k < c->n; k++)
        m += sc->sensor_ok[c->sensor[k]] & (c->dport[k] == port);
    return m;
}

/* Whether record k passes the filter. */
static inline int matches(const struct scan *sc, const struct tt_seg_cols *c, uint32_t k)
{
    const struct tt_filter *f = sc->f;
    return sc->sensor_ok[c->sensor[k]] && (!c->proto || c->proto[k] == f->proto) &&
           (f->port == TT_ANY || c->dport[k] == f->port) &&
           (!sc->time_filter || ((int64_t)c->ts[k] >= f->from_us && (int64_t)c->ts[k] < f->to_us));
}

/* Distinct ports of a run, gathered before they go to the (source, port)
 * pairs: a run is one source's records of a segment, mostly to one or a
 * few ports. */
#define RUN_PORTS 16
struct run_ports {
    uint16_t port[RUN_PORTS];
    unsigned n;
};

static int pair_push(struct pair_list *l, uint32_t key, uint32_t val)
{
    if (tt_grow(&l->v, &l->cap, l->n, sizeof *l->v, 4096))
        return TT_ENOMEM;
    l->v[l->n++] = (struct tt_pair32){key, val};
    return TT_OK;
}

static int flush_ports(struct scan_part *p, uint32_t src, struct run_ports *rp)
{
    for (unsigned j = 0; j < rp->n; j++)
        if (pair_push(&p->ports, src, rp->port[j]))
            return TT_ENOMEM;
    rp->n = 0;
    return TT_OK;
}

static int add_port(struct scan_part *p, uint32_t src, struct run_ports *rp, uint16_t port)
{
    for (unsigned j = rp->n; j-- > 0;)
        if (rp->port[j] == port)
            return TT_OK;
    if (rp->n == RUN_PORTS && flush_ports(p, src, rp))
        return TT_ENOMEM;
    rp->port[rp->n++] = port;
    return TT_OK;
}

/* Packets, distinct ports and sensors per source, a run at a time: the
 * tables see a run once, not each of its records. */
static int scan_sources(const struct scan *sc, struct scan_part *p, const struct tt_seg_cols *c)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < c->nruns4 + c->nruns6; i++) {
        uint32_t end = k + c->runs[i];
        if (i >= c->nruns4) {
            const uint8_t *src6 = c->run_src6 + (size_t)(i - c->nruns4) * 16;
            for (; k < end; k++) {
                if (!matches(sc, c, k))
                    continue;
                p->matched++;
                if (add_v6(p, src6, c->dport[k], c->sensor[k], 0))
                    return TT_ENOMEM;
            }
            continue;
        }
        uint32_t src = c->run_src4[i];
        uint64_t packets = 0, mask = 0;
        struct run_ports rp = {.n = 0};
        for (; k < end; k++) {
            if (!matches(sc, c, k))
                continue;
            packets++;
            uint16_t sensor = c->sensor[k];
            if (sensor < SENSOR_MASK_IDS)
                mask |= 1ull << sensor;
            else if (!agg_get(&p->sensors, (uint64_t)src << 16 | sensor))
                return TT_ENOMEM;
            if (add_port(p, src, &rp, c->dport[k]))
                return TT_ENOMEM;
        }
        if (!packets)
            continue;
        p->matched += packets;
        struct agg_slot *a = agg_get(&p->packets, src);
        if (!a || flush_ports(p, src, &rp))
            return TT_ENOMEM;
        a->packets += packets;
        a->bytes |= mask;
    }
    return TT_OK;
}

/* Adds packets and bytes to a group key's totals. */
static int add_group(struct scan_part *p, uint64_t key, uint64_t packets, uint64_t bytes)
{
    struct agg_slot *a = packets ? agg_get(&p->groups, key) : NULL;
    if (packets && !a)
        return TT_ENOMEM;
    if (a) {
        a->packets += packets;
        a->bytes += bytes;
    }
    return TT_OK;
}

/* Packets, bytes and distinct sources by the source's country or AS (and
 * day, for series), a run at a time: a run's source has one country and
 * one AS, so the totals and the (group, source) pair see it once. */
static int scan_groups(const struct scan *sc, struct scan_part *p, const struct tt_seg_cols *c)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < c->nruns4 + c->nruns6; i++) {
        uint32_t end = k + c->runs[i];
        uint32_t g = sc->kind == SCAN_ASN ? c->asn[k] : c->cc[k];
        uint64_t key = UINT64_MAX, packets = 0, bytes = 0, run_packets = 0;
        for (; k < end; k++) {
            if (!matches(sc, c, k))
                continue;
            uint64_t kk = g;
            if (sc->group_day0 >= 0)
                kk |= (uint64_t)((int64_t)(c->ts[k] / 86400000000ull) - sc->group_day0) << 32;
            if (kk != key) { /* a new day (series): the last key's totals first */
                if (add_group(p, key, packets, bytes))
                    return TT_ENOMEM;
                key = kk;
                packets = bytes = 0;
            }
            packets++;
            bytes += c->ip_len[k];
            run_packets++;
        }
        if (add_group(p, key, packets, bytes))
            return TT_ENOMEM;
        p->matched += run_packets;
        if (!run_packets || sc->group_day0 >= 0)
            continue;
        if (i >= c->nruns4 ? add_v6(p, c->run_src6 + (size_t)(i - c->nruns4) * 16, 0, 0, g)
                           : pair_push(&p->members, c->run_src4[i], g))
            return TT_ENOMEM;
    }
    return TT_OK;
}

static int scan_columns(struct scan *sc, struct scan_part *p, const struct tt_seg_cols *c)
{
    const struct tt_filter *f = sc->f;
    p->scanned += c->n;
    if (sc->kind == SCAN_COUNT && !sc->time_filter && !c->proto && f->port != TT_ANY) {
        p->matched += count_port(sc, c);
        return TT_OK;
    }
    if (sc->kind == SCAN_SOURCES)
        return scan_sources(sc, p, c);
    if (sc->kind == SCAN_COUNTRY || sc->kind == SCAN_ASN)
        return scan_groups(sc, p, c);
    for (uint32_t k = 0; k < c->n; k++)
        p->matched += (uint64_t)matches(sc, c, k);
    return TT_OK;
}

static int scan_file(struct scan *sc, struct scan_part *p, const struct tt_store_file *file)
{
    char path[TT_PATH_MAX];
    const uint8_t *data = NULL;
    size_t len = 0;
    struct tt_seg *seg = NULL;
    struct tt_seg_cols c;
    uint32_t fields = TT_SF_SENSOR;
    fields |= sc->f->proto != TT_ANY ? TT_SF_PROTO : 0;
    fields |= sc->f->port != TT_ANY || sc->kind == SCAN_SOURCES ? TT_SF_DPORT : 0;
    int by_group = sc->kind == SCAN_COUNTRY || sc->kind == SCAN_ASN;
    fields |= sc->time_filter || (by_group && sc->group_day0 >= 0) ? TT_SF_TS : 0;
    fields |= sc->kind == SCAN_SOURCES ? TT_SF_RUNS : 0;
    fields |= by_group ? TT_SF_RUNS | TT_SF_GEO | TT_SF_LEN : 0;
    int rc = tt_path(path, sizeof path, "%s/%s", tt_store_dir(sc->store), file->path)
                 ? tt_err_set(&p->err, TT_ELIMIT, "%s: path too long", file->path)
                 : TT_OK;
    if (rc == TT_OK)
        rc = tt_file_map(path, SEGMENT_FILE_MAX, &data, &len, &p->err);
    if (rc == TT_OK)
        rc = tt_seg_open(data, len, path, &seg, &p->err);
    if (rc == TT_OK)
        rc = tt_seg_columns(seg, fields, &c, &p->err);
    if (rc == TT_OK && scan_columns(sc, p, &c))
        rc = tt_err_set(&p->err, TT_ENOMEM, "out of memory");
    tt_seg_close(seg);
    tt_file_unmap(data, len);
    return rc;
}

struct scan_thread {
    struct scan *sc;
    struct scan_part *p;
};

static void *scan_main(void *arg)
{
    struct scan_thread *t = arg;
    for (;;) {
        pthread_mutex_lock(&t->sc->mu);
        size_t i = t->sc->next++;
        pthread_mutex_unlock(&t->sc->mu);
        if (i >= t->sc->nfiles || t->p->rc)
            return NULL;
        t->p->rc = scan_file(t->sc, t->p, &t->sc->files[i]);
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void part_free(struct scan_part *p)
{
    agg_free(&p->packets);
    free(p->ports.v);
    free(p->members.v);
    agg_free(&p->sensors);
    agg_free(&p->groups);
    free(p->v6);
}

/* Runs the scan over the filter's days with nthreads threads. */
static int scan_run(struct scan *sc, unsigned nthreads, struct tt_scan_stats *ss,
                    struct tt_err *err)
{
    sc->time_filter = needs_time(sc->f);
    for (size_t i = 0; i <= TT_SENSOR_MAX; i++)
        sc->sensor_ok[i] = (uint8_t)(tt_query_sensor_ok(sc->f, (uint16_t)i) != 0);
    double t0 = now_seconds();
    int64_t d0, d1;
    tt_filter_days(sc->f, &d0, &d1);
    int rc = tt_store_files(sc->store, TT_FILE_SEGMENT, d0, d1, &sc->files, &sc->nfiles, err);
    if (rc)
        return rc;
    if (nthreads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nthreads = n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
    }
    sc->parts = calloc(nthreads, sizeof *sc->parts);
    sc->nparts = sc->parts ? nthreads : 0;
    pthread_t *th = calloc(nthreads, sizeof *th);
    struct scan_thread *args = calloc(nthreads, sizeof *args);
    if (!sc->parts || !th || !args)
        rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    pthread_mutex_init(&sc->mu, NULL);
    unsigned started = 0;
    for (; rc == TT_OK && started < nthreads; started++) {
        args[started] = (struct scan_thread){sc, &sc->parts[started]};
        if (pthread_create(&th[started], NULL, scan_main, &args[started]))
            rc = tt_err_set(err, TT_ENOMEM, "cannot start scan threads");
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&sc->mu);
    memset(ss, 0, sizeof *ss);
    for (unsigned i = 0; sc->parts && i < nthreads; i++) {
        ss->scanned += sc->parts[i].scanned;
        ss->matched += sc->parts[i].matched;
        if (rc == TT_OK && sc->parts[i].rc)
            rc = tt_err_set(err, sc->parts[i].rc, "%s", sc->parts[i].err.msg);
    }
    ss->segments = sc->nfiles;
    ss->seconds = now_seconds() - t0;
    free(th);
    free(args);
    free(sc->files);
    return rc;
}

int tt_query_count_raw(struct tt_store *s, const struct tt_filter *f, unsigned threads,
                       struct tt_scan_stats *ss, struct tt_err *err)
{
    struct scan sc = {.store = s, .f = f, .kind = SCAN_COUNT, .group_day0 = -1};
    int rc = scan_run(&sc, threads, ss, err);
    for (unsigned i = 0; i < sc.nparts; i++)
        part_free(&sc.parts[i]);
    free(sc.parts);
    return rc;
}

/* Folds every part's tables into the first. */
static int merge_parts(struct scan *sc)
{
    struct scan_part *to = &sc->parts[0];
    for (unsigned i = 1; i < sc->nparts; i++) {
        struct scan_part *from = &sc->parts[i];
        struct agg *src[2] = {&from->packets, &from->sensors};
        struct agg *dst[2] = {&to->packets, &to->sensors};
        for (int t = 0; t < 2; t++)
            for (size_t k = 0; k < src[t]->cap; k++) {
                const struct agg_slot *sl = &src[t]->slots[k];
                struct agg_slot *d = sl->key1 ? agg_get(dst[t], sl->key1 - 1) : NULL;
                if (sl->key1 && !d)
                    return TT_ENOMEM;
                if (d) {
                    d->packets += sl->packets;
                    d->bytes |= sl->bytes; /* the sources' sensor masks */
                }
            }
        for (size_t k = 0; k < from->n6; k++)
            if (add_v6(to, from->v6[k].src, from->v6[k].port, from->v6[k].sensor,
                       from->v6[k].group))
                return TT_ENOMEM;
    }
    return TT_OK;
}

/* Distinct (source, x) pairs counted per source into out. */
static int distinct_per_source(const struct agg *pairs, struct agg *out)
{
    for (size_t k = 0; k < pairs->cap; k++) {
        if (!pairs->slots[k].key1)
            continue;
        struct agg_slot *d = agg_get(out, (pairs->slots[k].key1 - 1) >> 16);
        if (!d)
            return TT_ENOMEM;
        d->packets++;
    }
    return TT_OK;
}

static int cmp_v6hit(const void *a, const void *b)
{
    const struct v6hit *x = a, *y = b;
    int c = memcmp(x->src, y->src, 16);
    if (c)
        return c;
    if (x->port != y->port)
        return x->port < y->port ? -1 : 1;
    return (x->sensor > y->sensor) - (x->sensor < y->sensor);
}

static int cmp_source_rows(const void *a, const void *b)
{
    const struct tt_source_row *x = a, *y = b;
    if (x->packets != y->packets)
        return x->packets < y->packets ? 1 : -1;
    if (x->ipver != y->ipver)
        return x->ipver < y->ipver ? -1 : 1;
    if (x->src4 != y->src4)
        return x->src4 < y->src4 ? -1 : 1;
    return memcmp(x->src6, y->src6, 16);
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* IPv6 sources from the sorted hit list: packets, distinct ports and
 * sensors. scratch holds n6 entries. */
static size_t v6_rows(struct scan_part *p, struct tt_source_row *rows, uint16_t *scratch)
{
    qsort(p->v6, p->n6, sizeof *p->v6, cmp_v6hit);
    size_t n = 0;
    for (size_t i = 0; i < p->n6;) {
        struct tt_source_row *r = &rows[n++];
        memset(r, 0, sizeof *r);
        r->ipver = 6;
        memcpy(r->src6, p->v6[i].src, 16);
        size_t j = i;
        for (; j < p->n6 && memcmp(p->v6[j].src, p->v6[i].src, 16) == 0; j++) {
            r->packets++;
            r->ports += j == i || p->v6[j].port != p->v6[j - 1].port;
            scratch[j - i] = p->v6[j].sensor;
        }
        qsort(scratch, j - i, sizeof *scratch, cmp_u16);
        for (size_t k = 0; k < j - i; k++)
            r->sensors += k == 0 || scratch[k] != scratch[k - 1];
        i = j;
    }
    return n;
}

enum pair_kind { PAIR_PORTS, PAIR_MEMBERS };

static const struct pair_list *pairs_of(const struct scan_part *p, enum pair_kind kind)
{
    return kind == PAIR_PORTS ? &p->ports : &p->members;
}

/* Every part's pairs of a kind in one array sorted by source (stable: a
 * source's values in the order scanned). NULL when out of memory. */
static struct tt_pair32 *sorted_pairs(const struct scan *sc, enum pair_kind kind, size_t *n)
{
    *n = 0;
    for (unsigned i = 0; i < sc->nparts; i++)
        *n += pairs_of(&sc->parts[i], kind)->n;
    struct tt_pair32 *all = malloc((*n ? *n : 1) * sizeof *all);
    struct tt_pair32 *tmp = malloc((*n ? *n : 1) * sizeof *tmp);
    size_t at = 0;
    for (unsigned i = 0; all && tmp && i < sc->nparts; i++) {
        const struct pair_list *l = pairs_of(&sc->parts[i], kind);
        if (l->n) /* a part that met no IPv4 source has no list */
            memcpy(all + at, l->v, l->n * sizeof *all);
        at += l->n;
    }
    if (all && tmp)
        tt_sort_pairs32(all, *n, tmp);
    free(tmp);
    if (!tmp) {
        free(all);
        return NULL;
    }
    return all;
}

/* Distinct ports per IPv4 source into out: each source's ports counted
 * once (a bit per port). */
static int distinct_ports(const struct scan *sc, struct agg *out)
{
    size_t n;
    struct tt_pair32 *all = sorted_pairs(sc, PAIR_PORTS, &n);
    uint64_t *seen = calloc(65536 / 64, sizeof *seen);
    int rc = all && seen ? TT_OK : TT_ENOMEM;
    for (size_t i = 0; rc == TT_OK && i < n;) {
        size_t j = i;
        uint64_t distinct = 0;
        for (; j < n && all[j].key == all[i].key; j++) {
            uint64_t bit = 1ull << (all[j].val & 63);
            distinct += !(seen[all[j].val >> 6] & bit);
            seen[all[j].val >> 6] |= bit;
        }
        for (size_t k = i; k < j; k++)
            seen[all[k].val >> 6] = 0;
        struct agg_slot *d = agg_get(out, all[i].key);
        if (!d)
            rc = TT_ENOMEM;
        else
            d->packets = distinct;
        i = j;
    }
    free(all);
    free(seen);
    return rc;
}

static int source_rows(struct scan *sc, size_t top, struct tt_source_row **rows, size_t *nrows)
{
    struct scan_part *p = &sc->parts[0];
    struct agg nports = {0}, nsensors = {0};
    int rc = merge_parts(sc);
    if (rc == TT_OK)
        rc = distinct_ports(sc, &nports);
    if (rc == TT_OK)
        rc = distinct_per_source(&p->sensors, &nsensors);
    struct tt_source_row *r = rc ? NULL : calloc(p->packets.n + p->n6 + 1, sizeof *r);
    uint16_t *scratch = r ? calloc(p->n6 + 1, sizeof *scratch) : NULL;
    if (!scratch) {
        free(r);
        r = NULL;
    }
    size_t n = 0;
    for (size_t k = 0; r && k < p->packets.cap; k++) {
        const struct agg_slot *sl = &p->packets.slots[k];
        if (!sl->key1)
            continue;
        uint64_t src = sl->key1 - 1;
        struct tt_source_row *row = &r[n++];
        row->ipver = 4;
        row->src4 = (uint32_t)src;
        row->packets = sl->packets;
        const struct agg_slot *np = agg_find(&nports, src), *ns = agg_find(&nsensors, src);
        row->ports = np ? (uint32_t)np->packets : 0;
        row->sensors = (uint32_t)__builtin_popcountll(sl->bytes) + (ns ? (uint32_t)ns->packets : 0);
    }
    if (r) {
        n += v6_rows(p, r + n, scratch);
        tt_sort_top(r, n, sizeof *r, top, cmp_source_rows);
    } else if (rc == TT_OK) {
        rc = TT_ENOMEM;
    }
    free(scratch);
    agg_free(&nports);
    agg_free(&nsensors);
    *rows = r;
    *nrows = n < top ? n : top;
    return rc;
}

int tt_query_top_sources(struct tt_store *s, const struct tt_filter *f, size_t n, unsigned threads,
                         struct tt_source_row **rows, size_t *nrows, struct tt_scan_stats *ss,
                         struct tt_err *err)
{
    struct scan sc = {.store = s, .f = f, .kind = SCAN_SOURCES, .group_day0 = -1};
    *rows = NULL;
    *nrows = 0;
    int rc = scan_run(&sc, threads, ss, err);
    if (rc == TT_OK && sc.nparts && source_rows(&sc, n, rows, nrows))
        rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    for (unsigned i = 0; i < sc.nparts; i++)
        part_free(&sc.parts[i]);
    free(sc.parts);
    return rc;
}

static int cmp_v6group(const void *a, const void *b)
{
    const struct v6hit *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return memcmp(x->src, y->src, 16);
}

/* Folds the parts into out: group -> packets, bytes, and distinct sources
 * (in the slot's own third counter, carried in a second table). */
static int merge_groups(struct scan *sc, struct agg *totals, struct agg *sources)
{
    int rc = TT_OK;
    for (unsigned i = 0; rc == TT_OK && i < sc->nparts; i++) {
        const struct scan_part *p = &sc->parts[i];
        for (size_t k = 0; rc == TT_OK && k < p->groups.cap; k++) {
            const struct agg_slot *sl = &p->groups.slots[k];
            struct agg_slot *d = sl->key1 ? agg_get(totals, sl->key1 - 1) : NULL;
            if (sl->key1 && !d)
                rc = TT_ENOMEM;
            if (d) {
                d->packets += sl->packets;
                d->bytes += sl->bytes;
            }
        }
    }
    /* IPv4 sources: each (source, group) once; a source has one group but
     * where its days were enriched differently */
    size_t nm = 0;
    struct tt_pair32 *m = rc ? NULL : sorted_pairs(sc, PAIR_MEMBERS, &nm);
    if (rc == TT_OK && !m)
        rc = TT_ENOMEM;
    for (size_t k = 0; rc == TT_OK && k < nm; k++) {
        size_t first = k;
        while (first > 0 && m[first - 1].key == m[k].key && m[first - 1].val != m[k].val)
            first--;
        if (first > 0 && m[first - 1].key == m[k].key)
            continue; /* this group was counted for this source before */
        struct agg_slot *d = agg_get(sources, m[k].val);
        if (!d)
            rc = TT_ENOMEM;
        else
            d->packets++;
    }
    free(m);
    /* IPv6 sources: sorted by (group, source), counted once each */
    struct v6hit *all = NULL;
    size_t n = 0;
    for (unsigned i = 0; i < sc->nparts; i++)
        n += sc->parts[i].n6;
    if (rc == TT_OK && n && !(all = malloc(n * sizeof *all)))
        rc = TT_ENOMEM;
    for (unsigned i = 0, at = 0; all && i < sc->nparts; at += (unsigned)sc->parts[i].n6, i++)
        if (sc->parts[i].n6)
            memcpy(all + at, sc->parts[i].v6, sc->parts[i].n6 * sizeof *all);
    if (all)
        qsort(all, n, sizeof *all, cmp_v6group);
    for (size_t k = 0; rc == TT_OK && all && k < n; k++) {
        if (k && all[k].group == all[k - 1].group && !memcmp(all[k].src, all[k - 1].src, 16))
            continue;
        struct agg_slot *d = agg_get(sources, all[k].group);
        if (!d)
            rc = TT_ENOMEM;
        else
            d->packets++;
    }
    free(all);
    return rc;
}

int tt_query_scan_groups(struct tt_store *s, const struct tt_filter *f, int by_asn, int64_t day0,
                         unsigned threads, struct agg *totals, struct agg *sources,
                         struct tt_scan_stats *ss, struct tt_err *err)
{
    struct scan sc = {
        .store = s, .f = f, .kind = by_asn ? SCAN_ASN : SCAN_COUNTRY, .group_day0 = day0};
    int rc = scan_run(&sc, threads, ss, err);
    if (rc == TT_OK && merge_groups(&sc, totals, sources))
        rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    for (unsigned i = 0; i < sc.nparts; i++)
        part_free(&sc.parts[i]);
    free(sc.parts);
    return rc;
}
