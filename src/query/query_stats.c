/* Totals, per-day packets and unique sources per class, per sensor, from
 * the roll-ups. Each file's share (its counters summed per sensor, its
 * sources as a tagged sorted list) is worked out on the decoder threads;
 * the calling thread adds the shares up in day order and merges the lists:
 * a day's files first (the catalog lists them by day, so they come
 * together), then the days into the range's union. A whole month with a
 * month table (store/months.h) adds that one list to the range's union
 * instead, and its days' unique counts come from the table's per-day
 * pattern counts: its days' files are read for their counters only. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "query/query.h"
#include "query/query_int.h"
#include "query/srcunion.h"

/* Source tags: the classes a source sent (bits 0-3) and its sensors, a bit
 * each from TAG_SENSOR0 on, given out as sensors are met. A range with more
 * sensors than bits is read again for the per-sensor counts of the rest. */
#define TAG_SENSOR0 TT_CLASS__COUNT
#define TAG_SENSORS (64 - TAG_SENSOR0)
#define BIT_UNSEEN (-1)
#define BIT_DONE (-2) /* counted by an earlier pass */

/* What a walked file is to the query (tt_query_plan): a day's roll-up
 * gives counters, and sources into its day's count and the range's; a day
 * of a month with a table, counters only; a month table, sources into the
 * range's and its days' counts. */
enum { ROLE_DAY = TT_PLAN_DAY, ROLE_DAY_TOTALS = TT_PLAN_IN_MONTH, ROLE_MONTH = TT_PLAN_MONTH };

struct stats_ctx {
    const struct tt_filter *f;
    struct tt_stats *st;
    size_t cap_days, cap_sensors;
    uint32_t *row_of; /* sensor id -> row + 1 (0: no row yet) */
    struct srcunion day, range;
    int64_t pend_day;
    int pending;
    int sensors_only; /* a later pass: per-sensor unique counts alone */
    /* the tag bits, given out by the decoder threads: under mu */
    pthread_mutex_t mu;
    int16_t *bit_of;                 /* sensor id -> tag bit, or BIT_* */
    uint64_t *sensor_part;           /* sensor id -> member_tag's part; 0 unknown */
    uint16_t sensor_of[TAG_SENSORS]; /* tag bit -> sensor id */
    int nbits, more;                 /* bits given this pass; a sensor left for the next */
};

struct month_day {
    int64_t day;
    uint64_t uniq[TT_CLASS__COUNT + 1];
};

/* One roll-up's share. */
struct sensor_sum {
    uint16_t sensor;
    uint64_t packets, bytes;
};
struct stats_file {
    struct srclist sources;
    struct month_day *days; /* ROLE_MONTH: its days' unique counts */
    size_t ndays;
    uint64_t packets, bytes, unattributed;
    struct sensor_sum *sensors;
    size_t nsensors;
};

static void stats_file_free(void *p)
{
    struct stats_file *sf = p;
    if (!sf)
        return;
    tt_srclist_free(&sf->sources);
    free(sf->days);
    free(sf->sensors);
    free(sf);
}

static struct tt_sensor_stats *sensor_row(struct stats_ctx *c, uint16_t id)
{
    struct tt_stats *st = c->st;
    uint32_t known = c->row_of[id]; /* row + 1, kept as rows are inserted */
    if (known)
        return &st->sensors[known - 1];
    size_t lo = 0, hi = st->nsensors;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (st->sensors[mid].sensor < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == st->nsensors || st->sensors[lo].sensor != id) {
        if (tt_grow(&st->sensors, &c->cap_sensors, st->nsensors, sizeof *st->sensors, 16))
            return NULL;
        memmove(&st->sensors[lo + 1], &st->sensors[lo], (st->nsensors - lo) * sizeof *st->sensors);
        memset(&st->sensors[lo], 0, sizeof *st->sensors);
        st->sensors[lo].sensor = id;
        st->nsensors++;
        for (size_t i = lo; i < st->nsensors; i++)
            c->row_of[st->sensors[i].sensor] = (uint32_t)i + 1;
    }
    return &st->sensors[lo];
}

static struct tt_day_stats *day_row(struct stats_ctx *c, int64_t day)
{
    struct tt_stats *st = c->st;
    for (size_t i = st->ndays; i-- > 0;)
        if (st->days[i].day == day)
            return &st->days[i];
    if (tt_grow(&st->days, &c->cap_days, st->ndays, sizeof *st->days, 128))
        return NULL;
    size_t at = st->ndays;
    while (at > 0 && st->days[at - 1].day > day)
        at--;
    memmove(&st->days[at + 1], &st->days[at], (st->ndays - at) * sizeof *st->days);
    memset(&st->days[at], 0, sizeof *st->days);
    st->days[at].day = day;
    st->ndays++;
    return &st->days[at];
}

/* A sensor's tag bit this pass (-1: none); under c->mu. */
static int sensor_bit(struct stats_ctx *c, uint16_t sensor)
{
    int b = c->bit_of[sensor];
    if (b == BIT_UNSEEN) {
        if (c->nbits == TAG_SENSORS) {
            c->more = 1;
            return -1;
        }
        c->sensor_of[c->nbits] = sensor;
        b = c->bit_of[sensor] = (int16_t)c->nbits++;
    }
    return b;
}

/* A member's tag: its class and its sensor's bit, or 0 when the filter
 * leaves it out. The sensor's part is worked out once per pass (a day has
 * ~15 K members, of a few sensors): sensor_part holds it with bit 0 set
 * as "known" (bit 0 is a class bit, never in a sensor's part), or
 * PART_OUT. Under c->mu. */
#define PART_OUT 2u
static uint64_t member_tag(struct stats_ctx *c, uint32_t m)
{
    uint16_t sensor = (uint16_t)(m >> 8);
    uint64_t part = c->sensor_part[sensor];
    if (!part) {
        int ok = tt_query_sensor_ok(c->f, sensor), b = ok ? sensor_bit(c, sensor) : -1;
        part = !ok ? PART_OUT : 1 | (b >= 0 ? 1ull << (TAG_SENSOR0 + b) : 0);
        c->sensor_part[sensor] = part;
    }
    uint8_t cls = (uint8_t)m;
    if (part == PART_OUT || !tt_query_class_ok(c->f, cls))
        return 0;
    return (part & ~1ull) | 1ull << cls;
}

/* Per pattern of a roll-up, the classes and sensors of its members that
 * pass the filter (SRCLIST_SKIP when none do). */
static void pattern_tags(struct stats_ctx *c, const struct tt_roll_sources *s, uint64_t *tags)
{
    pthread_mutex_lock(&c->mu);
    for (size_t p = 0; p < s->npatterns; p++) {
        uint64_t t = 0;
        for (uint32_t m = s->pat_start[p]; m < s->pat_start[p + 1]; m++)
            t |= member_tag(c, s->members[m]);
        tags[p] = t;
    }
    pthread_mutex_unlock(&c->mu);
}

/* Whether the country counters answer for the totals: they are per
 * protocol class and have no ports, and they are several times fewer than
 * the port counters (measured on the benchmark quarter: 237 K against
 * 1.33 M). */
static int totals_by_class(const struct tt_filter *f)
{
    return f->port == TT_ANY && tt_query_proto_is_class(f);
}

/* Adds a counter to the file's share; counters come sorted by sensor. */
static int add_share(struct stats_file *sf, uint16_t sensor, uint64_t packets, uint64_t bytes)
{
    struct sensor_sum *last = sf->nsensors ? &sf->sensors[sf->nsensors - 1] : NULL;
    if (!last || last->sensor != sensor) {
        struct sensor_sum *ns = realloc(sf->sensors, (sf->nsensors + 1) * sizeof *ns);
        if (!ns)
            return TT_ENOMEM;
        sf->sensors = ns;
        last = &ns[sf->nsensors++];
        *last = (struct sensor_sum){sensor, 0, 0};
    }
    last->packets += packets;
    last->bytes += bytes;
    sf->packets += packets;
    sf->bytes += bytes;
    return TT_OK;
}

/* The file's counters that pass the filter, summed per sensor; packets to
 * no sensor are always counted as unattributed, whatever --sensor says. */
static int sum_entries(const struct stats_ctx *c, const struct tt_rollup *r, struct stats_file *sf)
{
    int64_t day = tt_rollup_day(r);
    const struct tt_filter *f = c->f;
    if (totals_by_class(f)) {
        const struct tt_roll_geo *g;
        size_t n = tt_query_whole_days(f) ? tt_rollup_geo_entries(r, &g)
                                          : tt_rollup_geo_hour_entries(r, &g);
        for (size_t i = 0; i < n; i++) {
            if (!tt_query_class_ok(f, g[i].cls) || !tt_query_hour_ok(f, day, g[i].hour))
                continue;
            if (g[i].sensor == TT_SENSOR_NONE)
                sf->unattributed += g[i].packets;
            if (tt_query_sensor_ok(f, g[i].sensor) &&
                add_share(sf, g[i].sensor, g[i].packets, g[i].bytes))
                return TT_ENOMEM;
        }
        return TT_OK;
    }
    const struct tt_roll_entry *e;
    size_t n = tt_query_entries(f, r, &e);
    struct tt_filter unattributed = *f;
    unattributed.sensor = TT_SENSOR_NONE;
    for (size_t i = 0; i < n; i++) {
        if (e[i].sensor == TT_SENSOR_NONE && tt_query_entry_ok(&unattributed, &e[i], day))
            sf->unattributed += e[i].packets;
        if (tt_query_entry_ok(f, &e[i], day) &&
            add_share(sf, e[i].sensor, e[i].packets, e[i].bytes))
            return TT_ENOMEM;
    }
    return TT_OK;
}

/* A month table's days' unique sources per class, from the day pattern
 * counts and the patterns' tags. */
static int count_month_days(const struct tt_rollup *r, const uint64_t *tags, struct stats_file *sf)
{
    const struct tt_roll_day_patterns *dp;
    size_t nd = tt_rollup_day_patterns(r, &dp);
    if (!(sf->days = calloc(nd + 1, sizeof *sf->days)))
        return TT_ENOMEM;
    for (size_t i = 0; i < nd; i++) {
        struct month_day *d = &sf->days[sf->ndays++];
        d->day = dp[i].day;
        for (size_t k = 0; k < dp[i].n; k++) {
            uint64_t t = tags[dp[i].pattern[k]], n = dp[i].sources[k];
            d->uniq[TT_CLASS__COUNT] += t != SRCLIST_SKIP ? n : 0;
            for (int cls = 0; cls < TT_CLASS__COUNT; cls++)
                d->uniq[cls] += (t >> cls & 1) * n;
        }
    }
    return TT_OK;
}

/* On a decoder thread. */
static int stats_prep(void *ctx, const struct tt_rollup *r, int role, const struct tt_filter *f,
                      void **out, struct tt_err *err)
{
    struct stats_ctx *c = ctx;
    const struct tt_roll_sources *s = tt_rollup_sources(r);
    struct stats_file *sf = calloc(1, sizeof *sf);
    uint64_t *tags = sf ? malloc((s->npatterns + 1) * sizeof *tags) : NULL;
    int rc = tags ? TT_OK : TT_ENOMEM;
    if (rc == TT_OK && !c->sensors_only && role != ROLE_MONTH)
        rc = sum_entries(c, r, sf);
    if (rc == TT_OK && role != ROLE_DAY_TOTALS) {
        pattern_tags(c, s, tags);
        rc = tt_srclist_of_sources(&sf->sources, s, tags, 0);
        if (rc == TT_OK && role == ROLE_MONTH && !c->sensors_only)
            rc = count_month_days(r, tags, sf);
    }
    free(tags);
    if (rc) {
        stats_file_free(sf);
        return tt_err_set(err, rc, "out of memory");
    }
    *out = sf;
    return TT_OK;
}

/* Counts the pending day's unique sources per class and hands its list to
 * the range's union. */
static int flush_day(struct stats_ctx *c)
{
    if (!c->pending)
        return TT_OK;
    c->pending = 0;
    struct tt_day_stats *d = NULL;
    for (size_t i = c->st->ndays; !d && i-- > 0;)
        if (c->st->days[i].day == c->pend_day)
            d = &c->st->days[i];
    struct srclist l;
    int rc = tt_srcunion_take(&c->day, &l);
    if (rc == TT_OK && d && !c->sensors_only) {
        for (size_t k = 0; k < l.n4 + l.n6; k++) {
            uint64_t t = k < l.n4 ? l.t4[k] : l.v6[k - l.n4].tag;
            for (int cls = 0; cls < TT_CLASS__COUNT; cls++)
                d->uniq[cls] += t >> cls & 1;
        }
        d->uniq[TT_CLASS__COUNT] = l.n4 + l.n6;
    }
    return rc == TT_OK ? tt_srcunion_add(&c->range, &l) : rc;
}

/* On the calling thread, in day order. */
static int stats_use(void *ctx, const struct tt_rollup *r, int role, void *prepared,
                     const struct tt_filter *f, struct tt_err *err)
{
    struct stats_ctx *c = ctx;
    struct stats_file *sf = prepared;
    if (role == ROLE_MONTH) {
        int rc = tt_srcunion_add(&c->range, &sf->sources);
        for (size_t i = 0; rc == TT_OK && i < sf->ndays; i++) {
            struct tt_day_stats *d = day_row(c, sf->days[i].day);
            if (!d)
                rc = TT_ENOMEM;
            else
                memcpy(d->uniq, sf->days[i].uniq, sizeof d->uniq);
        }
        stats_file_free(sf);
        return rc ? tt_err_set(err, rc, "out of memory") : TT_OK;
    }
    struct tt_day_stats *d = day_row(c, tt_rollup_day(r));
    int rc = d ? TT_OK : TT_ENOMEM;
    if (rc == TT_OK && !c->sensors_only) {
        d->packets += sf->packets;
        d->bytes += sf->bytes;
        c->st->packets += sf->packets;
        c->st->bytes += sf->bytes;
        c->st->unattributed += sf->unattributed;
        for (size_t i = 0; rc == TT_OK && i < sf->nsensors; i++) {
            struct tt_sensor_stats *row = sensor_row(c, sf->sensors[i].sensor);
            if (!row)
                rc = TT_ENOMEM;
            else {
                row->packets += sf->sensors[i].packets;
                row->bytes += sf->sensors[i].bytes;
            }
        }
        for (int k = 0; k < TT_DEC__COUNT; k++)
            c->st->refused[k] += tt_rollup_refused(r, (enum tt_decode_status)k);
    }
    if (rc == TT_OK && c->pending && c->pend_day != d->day)
        rc = flush_day(c);
    if (rc == TT_OK && role == ROLE_DAY) {
        c->pend_day = d->day;
        c->pending = 1;
        rc = tt_srcunion_add(&c->day, &sf->sources);
    }
    stats_file_free(sf);
    return rc ? tt_err_set(err, rc, "out of memory") : TT_OK;
}

/* Counts of the distinct sensor parts of source tags: a source's sensors
 * are one of few combinations, so counting each combination once and
 * spreading its count over its bits at the end saves a loop of
 * unpredictable length per source (measured on the benchmark quarter,
 * 433 K sources: `stats 2021Q3` 37 -> 33 ms, median of 9, three
 * alternating runs). */
#define PARTS_SLOTS 4096
struct part_counts {
    uint64_t key[PARTS_SLOTS]; /* sensor part + 1; 0 empty */
    uint64_t n[PARTS_SLOTS];
    uint64_t overflow[TAG_SENSORS]; /* bits of parts past a full table */
    size_t used;
};

static void count_part(struct part_counts *pc, uint64_t tag)
{
    uint64_t part = tag >> TAG_SENSOR0, key = part + 1;
    size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 52);
    while (pc->key[i] != key && pc->key[i] != 0)
        i = (i + 1) & (PARTS_SLOTS - 1);
    if (pc->key[i] == 0) {
        if (pc->used == PARTS_SLOTS / 2) {
            for (uint64_t t = part; t; t &= t - 1)
                pc->overflow[__builtin_ctzll(t)]++;
            return;
        }
        pc->key[i] = key;
        pc->used++;
    }
    pc->n[i]++;
}

/* The range's unique sources, in all and per sensor of this pass. */
static int count_range(struct stats_ctx *c)
{
    struct srclist l;
    uint64_t per_bit[TAG_SENSORS];
    struct part_counts *pc = calloc(1, sizeof *pc);
    int rc = tt_srcunion_take(&c->range, &l);
    if (!pc)
        rc = TT_ENOMEM;
    if (!c->sensors_only)
        c->st->uniq_all = l.n4 + l.n6;
    for (size_t k = 0; pc && k < l.n4; k++)
        count_part(pc, l.t4[k]);
    for (size_t k = 0; pc && k < l.n6; k++)
        count_part(pc, l.v6[k].tag);
    if (pc) {
        memcpy(per_bit, pc->overflow, sizeof per_bit);
        for (size_t i = 0; i < PARTS_SLOTS; i++)
            for (uint64_t t = pc->key[i] ? pc->key[i] - 1 : 0; t; t &= t - 1)
                per_bit[__builtin_ctzll(t)] += pc->n[i];
    }
    free(pc);
    tt_srclist_free(&l);
    for (int b = 0; rc == TT_OK && b < c->nbits; b++) {
        struct tt_sensor_stats *row = sensor_row(c, c->sensor_of[b]);
        if (!row)
            return TT_ENOMEM;
        row->uniq = per_bit[b];
        c->bit_of[c->sensor_of[b]] = BIT_DONE;
    }
    return rc;
}

int tt_query_stats(struct tt_store *s, const struct tt_filter *f, struct tt_stats *out,
                   struct tt_err *err)
{
    static const struct tt_rollup_steps steps = {stats_prep, stats_use, stats_file_free};
    memset(out, 0, sizeof *out);
    struct stats_ctx c;
    memset(&c, 0, sizeof c);
    c.f = f;
    c.st = out;
    c.row_of = calloc((size_t)TT_SENSOR_MAX + 1, sizeof *c.row_of);
    c.bit_of = malloc(((size_t)TT_SENSOR_MAX + 1) * sizeof *c.bit_of);
    c.sensor_part = calloc((size_t)TT_SENSOR_MAX + 1, sizeof *c.sensor_part);
    int rc =
        c.row_of && c.bit_of && c.sensor_part ? TT_OK : tt_err_set(err, TT_ENOMEM, "out of memory");
    for (size_t i = 0; c.bit_of && i <= TT_SENSOR_MAX; i++)
        c.bit_of[i] = BIT_UNSEEN;
    pthread_mutex_init(&c.mu, NULL);
    unsigned want = TT_RW_SETS | TT_RW_NO_CC | TT_RW_REFUSED; /* no countries here */
    if (!totals_by_class(f))
        want |= TT_RW_DAY;
    else
        want |= tt_query_whole_days(f) ? TT_RW_GEO : TT_RW_GEO_HOURS;
    for (int pass = 0; rc == TT_OK && (pass == 0 || c.more); pass++) {
        c.sensors_only = pass > 0;
        c.nbits = c.more = 0;
        if (pass > 0) /* calloc's pages stay untouched in the usual single pass */
            memset(c.sensor_part, 0, ((size_t)TT_SENSOR_MAX + 1) * sizeof *c.sensor_part);
        /* a later pass needs no day's counts: the tables and the days
         * outside them */
        unsigned plain = c.sensors_only ? TT_RW_SETS | TT_RW_NO_CC : want;
        unsigned in_month = c.sensors_only ? 0 : want & ~(unsigned)TT_RW_SETS;
        struct tt_walk_plan plan;
        rc = tt_query_plan(s, f, plain, in_month, TT_RW_SETS | TT_RW_NO_CC, &plan, err);
        if (rc == TT_OK)
            rc = tt_query_walk(s, f, plan.walk, plan.n, &steps, &c, err);
        tt_query_plan_free(&plan);
        if (rc == TT_OK && (flush_day(&c) || count_range(&c)))
            rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    }
    pthread_mutex_destroy(&c.mu);
    free(c.row_of);
    free(c.bit_of);
    free(c.sensor_part);
    tt_srcunion_free(&c.day);
    tt_srcunion_free(&c.range);
    if (rc)
        tt_stats_free(out);
    return rc;
}

void tt_stats_free(struct tt_stats *st)
{
    free(st->days);
    free(st->sensors);
    memset(st, 0, sizeof *st);
}
