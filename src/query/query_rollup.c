/* Summary queries over the roll-ups. */
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "query/query.h"
#include "query/query_int.h"
#include "query/srcset.h"

#define US_PER_DAY 86400000000ll
#define US_PER_HOUR 3600000000ll
#define ROLLUP_FILE_MAX ((size_t)1 << 32)

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

int tt_query_each_rollup(struct tt_store *s, const struct tt_filter *f, unsigned want,
                         tt_rollup_fn fn, void *ctx, struct tt_err *err)
{
    int64_t d0, d1;
    tt_filter_days(f, &d0, &d1);
    struct tt_store_file *files = NULL;
    size_t n = 0;
    int rc = tt_store_files(s, TT_FILE_ROLLUP, d0, d1, &files, &n, err);
    if (!tt_query_whole_days(f))
        want |= TT_RW_HOURS;
    for (size_t i = 0; rc == TT_OK && i < n; i++) {
        char path[TT_PATH_MAX];
        uint8_t *data = NULL;
        size_t len = 0;
        struct tt_rollup *r = NULL;
        if (tt_path(path, sizeof path, "%s/%s", tt_store_dir(s), files[i].path))
            rc = tt_err_set(err, TT_ELIMIT, "%s: path too long", files[i].path);
        if (rc == TT_OK)
            rc = tt_file_read(path, ROLLUP_FILE_MAX, &data, &len, err);
        if (rc == TT_OK)
            rc = tt_rollup_decode(data, len, path, want, &r, err);
        if (rc == TT_OK)
            rc = fn(ctx, r, f, err);
        tt_rollup_free(r);
        free(data);
    }
    free(files);
    return rc;
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
    struct srcset all;
    struct srcset *per_sensor; /* indexed like st->sensors */
    size_t cap_days, cap_sensors;
    /* one day's sets, summed over that day's roll-up files (the catalog
     * lists them by day, so a day's files come together) */
    int64_t pend_day;
    int pending;
    struct srcset pend[TT_CLASS__COUNT + 1];
    uint32_t *row_of; /* sensor id -> row + 1 (0: no row yet) */
};

static struct tt_sensor_stats *sensor_row(struct stats_ctx *c, uint16_t id, struct srcset **set)
{
    struct tt_stats *st = c->st;
    uint32_t known = c->row_of[id]; /* row + 1, kept as rows are inserted */
    if (known) {
        *set = &c->per_sensor[known - 1];
        return &st->sensors[known - 1];
    }
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
            struct srcset *nu = ns ? realloc(c->per_sensor, cap * sizeof *nu) : NULL;
            if (ns)
                st->sensors = ns;
            if (!nu)
                return NULL;
            c->per_sensor = nu;
            c->cap_sensors = cap;
        }
        memmove(&st->sensors[lo + 1], &st->sensors[lo], (st->nsensors - lo) * sizeof *st->sensors);
        memmove(&c->per_sensor[lo + 1], &c->per_sensor[lo],
                (st->nsensors - lo) * sizeof *c->per_sensor);
        memset(&st->sensors[lo], 0, sizeof *st->sensors);
        memset(&c->per_sensor[lo], 0, sizeof *c->per_sensor);
        st->sensors[lo].sensor = id;
        st->nsensors++;
        for (size_t i = lo; i < st->nsensors; i++)
            c->row_of[st->sensors[i].sensor] = (uint32_t)i + 1;
    }
    *set = &c->per_sensor[lo];
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

/* Unique sources of one day, per class and all; folded into range sets. */
/* Counts and frees the pending day's unique sources. */
static void flush_day(struct stats_ctx *c)
{
    struct tt_day_stats *d = NULL;
    for (size_t i = 0; c->pending && i < c->st->ndays; i++)
        if (c->st->days[i].day == c->pend_day)
            d = &c->st->days[i];
    for (int k = 0; k <= TT_CLASS__COUNT; k++) {
        if (d)
            d->uniq[k] = tt_srcset_count(&c->pend[k]);
        if (k == TT_CLASS__COUNT && c->pending)
            tt_srcset_merge(&c->all, &c->pend[k]);
        tt_srcset_free(&c->pend[k]);
    }
    c->pending = 0;
    tt_srcset_count(&c->all); /* keep the range-wide list small as days accumulate */
}

uint8_t *tt_query_pattern_masks(const struct tt_filter *f, const struct tt_roll_sources *s)
{
    uint8_t *mask = calloc(s->npatterns + 1, 1);
    for (size_t p = 0; mask && p < s->npatterns; p++)
        for (uint32_t m = s->pat_start[p]; m < s->pat_start[p + 1]; m++)
            if (tt_query_sensor_ok(f, (uint16_t)(s->members[m] >> 8)) &&
                tt_query_class_ok(f, (uint8_t)s->members[m]))
                mask[p] |= (uint8_t)(1u << (s->members[m] & 0xff));
    return mask;
}

/* The source's sensors that pass the filter, into its per-sensor sets. */
static int stats_sensors(struct stats_ctx *c, const struct tt_roll_sources *s, size_t k)
{
    uint32_t p = s->pattern[k], prev = UINT32_MAX;
    for (uint32_t m = s->pat_start[p]; m < s->pat_start[p + 1]; m++) {
        uint32_t sensor = s->members[m] >> 8;
        if (sensor == prev || !tt_query_sensor_ok(c->f, (uint16_t)sensor) ||
            !tt_query_class_ok(c->f, (uint8_t)s->members[m]))
            continue;
        prev = sensor;
        struct srcset *ps;
        if (!sensor_row(c, (uint16_t)sensor, &ps) || tt_srcset_put_source(ps, s, k))
            return TT_ENOMEM;
        if (ps->n4 > 4 * ps->distinct + ((size_t)1 << 20))
            tt_srcset_count(ps); /* keep a long range's per-sensor list small */
    }
    return TT_OK;
}

/* Folds a roll-up's source table into its day's and the range's sets. */
static int stats_sets(struct stats_ctx *c, const struct tt_rollup *r, struct tt_day_stats *d)
{
    if (c->pending && c->pend_day != d->day)
        flush_day(c);
    c->pend_day = d->day;
    c->pending = 1;
    const struct tt_roll_sources *s = tt_rollup_sources(r);
    uint8_t *mask = tt_query_pattern_masks(c->f, s);
    int rc = mask ? TT_OK : TT_ENOMEM;
    for (size_t k = 0; rc == TT_OK && k < s->n4 + s->n6; k++) {
        uint8_t m = mask[s->pattern[k]];
        if (!m)
            continue;
        for (int cls = 0; rc == TT_OK && cls < TT_CLASS__COUNT; cls++)
            if (m >> cls & 1 && tt_srcset_put_source(&c->pend[cls], s, k))
                rc = TT_ENOMEM;
        if (rc == TT_OK && tt_srcset_put_source(&c->pend[TT_CLASS__COUNT], s, k))
            rc = TT_ENOMEM;
        if (rc == TT_OK)
            rc = stats_sensors(c, s, k);
    }
    free(mask);
    return rc;
}

static int stats_one(void *ctx, const struct tt_rollup *r, const struct tt_filter *f,
                     struct tt_err *err)
{
    struct stats_ctx *c = ctx;
    struct tt_day_stats *d = day_row(c, tt_rollup_day(r));
    if (!d)
        return tt_err_set(err, TT_ENOMEM, "out of memory");
    const struct tt_roll_entry *e;
    size_t n = tt_query_entries(c->f, r, &e);
    for (size_t i = 0; i < n; i++) {
        if (e[i].sensor == TT_SENSOR_NONE) { /* always counted, whatever --sensor says */
            struct tt_filter u = *c->f;
            u.sensor = TT_SENSOR_NONE;
            if (tt_query_entry_ok(&u, &e[i], d->day))
                c->st->unattributed += e[i].packets;
        }
        if (!tt_query_entry_ok(c->f, &e[i], d->day))
            continue;
        struct srcset *ps;
        struct tt_sensor_stats *srow = sensor_row(c, e[i].sensor, &ps);
        if (!srow)
            return tt_err_set(err, TT_ENOMEM, "out of memory");
        srow->packets += e[i].packets;
        srow->bytes += e[i].bytes;
        d->packets += e[i].packets;
        d->bytes += e[i].bytes;
        c->st->packets += e[i].packets;
        c->st->bytes += e[i].bytes;
    }
    for (int k = 0; k < TT_DEC__COUNT; k++)
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
    if (!c.row_of)
        return tt_err_set(err, TT_ENOMEM, "out of memory");
    int rc = tt_query_each_rollup(s, f, TT_RW_DAY | TT_RW_SETS | TT_RW_REFUSED, stats_one, &c, err);
    free(c.row_of);
    flush_day(&c);
    out->uniq_all = tt_srcset_count(&c.all);
    tt_srcset_free(&c.all);
    for (size_t i = 0; i < out->nsensors; i++) {
        out->sensors[i].uniq = tt_srcset_count(&c.per_sensor[i]);
        tt_srcset_free(&c.per_sensor[i]);
    }
    free(c.per_sensor);
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
