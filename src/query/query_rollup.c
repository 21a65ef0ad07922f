/* Summary queries over the roll-ups. */
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "query/query.h"
#include "query/query_int.h"
#include "query/srcunion.h"

#define US_PER_DAY 86400000000ll
#define US_PER_HOUR 3600000000ll

void tt_filter_init(struct tt_filter *f)
{
    memset(f, 0, sizeof *f);
    f->from_us = 0;
    f->to_us = INT64_MAX;
    f->sensor = f->proto = f->port = TT_ANY;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void tt_filter_days(const struct tt_filter *f, int64_t *first_day, int64_t *last_day)
{
    *first_day = floor_div(f->from_us, US_PER_DAY);
    *last_day =
        f->to_us == INT64_MAX ? INT64_MAX / US_PER_DAY : floor_div(f->to_us - 1, US_PER_DAY);
}

int tt_query_whole_days(const struct tt_filter *f)
{
    return f->from_us % US_PER_DAY == 0 && (f->to_us == INT64_MAX || f->to_us % US_PER_DAY == 0);
}

int tt_query_sensor_ok(const struct tt_filter *f, uint16_t sensor)
{
    return f->sensor == TT_ANY ? (sensor != TT_SENSOR_NONE || f->unattributed)
                               : sensor == f->sensor;
}

int tt_query_entry_ok(const struct tt_filter *f, const struct tt_roll_entry *e, int64_t day)
{
    if (!tt_query_sensor_ok(f, e->sensor) || (f->proto != TT_ANY && e->proto != f->proto))
        return 0;
    if (f->port != TT_ANY && !(e->kind == TT_PK_PORT && e->port == f->port) &&
        !(e->kind == TT_PK_ICMP && (e->port >> 8) == f->port))
        return 0;
    return tt_query_hour_ok(f, day, e->hour);
}

int tt_query_hour_ok(const struct tt_filter *f, int64_t day, uint8_t hour)
{
    if (hour == TT_HOUR_DAY)
        return 1;
    int64_t t = day * US_PER_DAY + hour * US_PER_HOUR;
    return t >= f->from_us - (US_PER_HOUR - 1) && t < f->to_us;
}

size_t tt_query_entries(const struct tt_filter *f, const struct tt_rollup *r,
                        const struct tt_roll_entry **e)
{
    return tt_query_whole_days(f) ? tt_rollup_day_entries(r, e) : tt_rollup_hour_entries(r, e);
}

/* ---- stats ---- */

struct stats_ctx {
    const struct tt_filter *f;
    struct tt_stats *st;
    size_t cap_days, cap_sensors;
    uint32_t *row_of; /* sensor id -> row + 1 (0: no row yet) */
    /* Sources are tagged with the classes they sent (bits 0-3) and the
     * sensors (a bit each from TAG_SENSOR0 on). One day's files are merged
     * first (the catalog lists them by day, so a day's files come together),
     * then the days into the range's union. A range with more sensors than
     * tag bits is read again for the per-sensor counts of the rest. */
    struct srcunion day, range;
    int64_t pend_day;
    int pending;
    int sensors_only;  /* a later pass: per-sensor unique counts alone */
    int16_t *bit_of;   /* sensor id -> tag bit, or BIT_* */
    uint16_t sensor_of[64]; /* tag bit -> sensor id */
    int nbits, more;   /* bits given this pass; a sensor is left for the next */
    uint64_t *tags;    /* scratch: per pattern of a roll-up */
    size_t cap_tags;
};

#define TAG_SENSOR0 TT_CLASS__COUNT
#define BIT_UNSEEN (-1)
#define BIT_DONE (-2) /* counted by an earlier pass */

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
        if (st->nsensors == c->cap_sensors) {
            size_t cap = c->cap_sensors ? c->cap_sensors * 2 : 16;
            struct tt_sensor_stats *ns = realloc(st->sensors, cap * sizeof *ns);
            if (!ns)
                return NULL;
            st->sensors = ns;
            c->cap_sensors = cap;
        }
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
    if (st->ndays == c->cap_days) {
        size_t cap = c->cap_days ? c->cap_days * 2 : 128;
        struct tt_day_stats *nd = realloc(st->days, cap * sizeof *nd);
        if (!nd)
            return NULL;
        st->days = nd;
        c->cap_days = cap;
    }
    size_t at = st->ndays;
    while (at > 0 && st->days[at - 1].day > day)
        at--;
    memmove(&st->days[at + 1], &st->days[at], (st->ndays - at) * sizeof *st->days);
    memset(&st->days[at], 0, sizeof *st->days);
    st->days[at].day = day;
    st->ndays++;
    return &st->days[at];
}

int tt_query_class_ok(const struct tt_filter *f, uint8_t cls)
{
    return f->proto == TT_ANY || tt_class_of((uint8_t)f->proto) == cls;
}

int tt_query_proto_is_class(const struct tt_filter *f)
{
    return f->proto == TT_ANY || f->proto == 6 || f->proto == 17;
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
    for (size_t k = 0; rc == TT_OK && d && !c->sensors_only && k < l.n4 + l.n6; k++) {
        uint64_t t = k < l.n4 ? l.t4[k] : l.v6[k - l.n4].tag;
        for (int cls = 0; cls < TT_CLASS__COUNT; cls++)
            d->uniq[cls] += t >> cls & 1;
    }
    if (d && !c->sensors_only)
        d->uniq[TT_CLASS__COUNT] = l.n4 + l.n6;
    return rc == TT_OK ? tt_srcunion_add(&c->range, &l) : rc;
}

/* The range's unique sources, in all and per sensor of this pass. */
static int count_range(struct stats_ctx *c)
{
    struct srclist l;
    uint64_t per_bit[64] = {0};
    int rc = tt_srcunion_take(&c->range, &l);
    if (!c->sensors_only)
        c->st->uniq_all = l.n4 + l.n6;
    for (size_t k = 0; k < l.n4 + l.n6; k++)
        for (uint64_t t = (k < l.n4 ? l.t4[k] : l.v6[k - l.n4].tag) >> TAG_SENSOR0; t; t &= t - 1)
            per_bit[__builtin_ctzll(t)]++;
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

/* Whether a pattern member (sensor << 8 | class) passes the filter. */
static int member_ok(const struct tt_filter *f, uint32_t member)
{
    return tt_query_sensor_ok(f, (uint16_t)(member >> 8)) &&
           tt_query_class_ok(f, (uint8_t)member);
}

/* A sensor's tag bit this pass (-1: none). */
static int sensor_bit(struct stats_ctx *c, uint16_t sensor)
{
    int b = c->bit_of[sensor];
    if (b == BIT_UNSEEN) {
        if (c->nbits == 64 - TAG_SENSOR0) {
            c->more = 1;
            return -1;
        }
        c->sensor_of[c->nbits] = sensor;
        b = c->bit_of[sensor] = (int16_t)c->nbits++;
    }
    return b;
}

/* Per pattern of a roll-up, the classes and sensors of its members that
 * pass the filter (SRCLIST_SKIP when none do). */
static int pattern_tags(struct stats_ctx *c, const struct tt_roll_sources *s)
{
    if (s->npatterns + 1 > c->cap_tags) {
        free(c->tags);
        c->cap_tags = s->npatterns + 1;
        if (!(c->tags = malloc(c->cap_tags * sizeof *c->tags)))
            return TT_ENOMEM;
    }
    for (size_t p = 0; p < s->npatterns; p++) {
        uint64_t t = 0;
        for (uint32_t m = s->pat_start[p]; m < s->pat_start[p + 1]; m++) {
            if (!member_ok(c->f, s->members[m]))
                continue;
            t |= 1ull << (s->members[m] & 0xff);
            int b = sensor_bit(c, (uint16_t)(s->members[m] >> 8));
            if (b >= 0)
                t |= 1ull << (TAG_SENSOR0 + b);
        }
        c->tags[p] = t;
    }
    return TT_OK;
}

uint64_t *tt_query_pattern_classes(const struct tt_filter *f, const struct tt_roll_sources *s)
{
    uint64_t *tags = calloc(s->npatterns + 1, sizeof *tags);
    for (size_t p = 0; tags && p < s->npatterns; p++)
        for (uint32_t m = s->pat_start[p]; m < s->pat_start[p + 1]; m++)
            if (member_ok(f, s->members[m]))
                tags[p] |= 1ull << (s->members[m] & 0xff);
    return tags;
}

/* Adds a roll-up's sources to its day's union. */
static int stats_sets(struct stats_ctx *c, const struct tt_rollup *r, struct tt_day_stats *d)
{
    int rc = c->pending && c->pend_day != d->day ? flush_day(c) : TT_OK;
    c->pend_day = d->day;
    c->pending = 1;
    const struct tt_roll_sources *s = tt_rollup_sources(r);
    struct srclist l;
    if (rc == TT_OK)
        rc = pattern_tags(c, s);
    if (rc == TT_OK)
        rc = tt_srclist_of_sources(&l, s, c->tags, 0);
    return rc == TT_OK ? tt_srcunion_add(&c->day, &l) : rc;
}

static int stats_one(void *ctx, const struct tt_rollup *r, const struct tt_filter *f,
                     struct tt_err *err)
{
    struct stats_ctx *c = ctx;
    struct tt_day_stats *d = day_row(c, tt_rollup_day(r));
    if (!d)
        return tt_err_set(err, TT_ENOMEM, "out of memory");
    const struct tt_roll_entry *e;
    size_t n = c->sensors_only ? 0 : tt_query_entries(c->f, r, &e);
    for (size_t i = 0; i < n; i++) {
        if (e[i].sensor == TT_SENSOR_NONE) { /* always counted, whatever --sensor says */
            struct tt_filter u = *c->f;
            u.sensor = TT_SENSOR_NONE;
            if (tt_query_entry_ok(&u, &e[i], d->day))
                c->st->unattributed += e[i].packets;
        }
        if (!tt_query_entry_ok(c->f, &e[i], d->day))
            continue;
        struct tt_sensor_stats *srow = sensor_row(c, e[i].sensor);
        if (!srow)
            return tt_err_set(err, TT_ENOMEM, "out of memory");
        srow->packets += e[i].packets;
        srow->bytes += e[i].bytes;
        d->packets += e[i].packets;
        d->bytes += e[i].bytes;
        c->st->packets += e[i].packets;
        c->st->bytes += e[i].bytes;
    }
    for (int k = 0; !c->sensors_only && k < TT_DEC__COUNT; k++)
        c->st->refused[k] += tt_rollup_refused(r, (enum tt_decode_status)k);
    int rc = stats_sets(c, r, d);
    return rc ? tt_err_set(err, rc, "out of memory") : TT_OK;
}

int tt_query_stats(struct tt_store *s, const struct tt_filter *f, struct tt_stats *out,
                   struct tt_err *err)
{
    memset(out, 0, sizeof *out);
    struct stats_ctx c;
    memset(&c, 0, sizeof c);
    c.f = f;
    c.st = out;
    c.row_of = calloc((size_t)TT_SENSOR_MAX + 1, sizeof *c.row_of);
    c.bit_of = malloc(((size_t)TT_SENSOR_MAX + 1) * sizeof *c.bit_of);
    int rc = c.row_of && c.bit_of ? TT_OK : tt_err_set(err, TT_ENOMEM, "out of memory");
    for (size_t i = 0; c.bit_of && i <= TT_SENSOR_MAX; i++)
        c.bit_of[i] = BIT_UNSEEN;
    unsigned want = TT_RW_DAY | TT_RW_SETS | TT_RW_REFUSED;
    for (int pass = 0; rc == TT_OK && (pass == 0 || c.more); pass++) {
        c.sensors_only = pass > 0;
        c.nbits = c.more = 0;
        rc = tt_query_each_rollup(s, f, c.sensors_only ? TT_RW_SETS : want, stats_one, &c, err);
        if (rc == TT_OK && (flush_day(&c) || count_range(&c)))
            rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    }
    free(c.row_of);
    free(c.bit_of);
    tt_srcunion_free(&c.day);
    tt_srcunion_free(&c.range);
    free(c.tags);
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
