/* The filter and what the roll-up queries share: matching entries and
 * pattern members against it. */
#include <stdlib.h>
#include <string.h>

#include "query/query.h"
#include "query/query_int.h"
#include "query/srcunion.h"

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
    *first_day = floor_div(f->from_us, TT_US_PER_DAY);
    *last_day =
        f->to_us == INT64_MAX ? INT64_MAX / TT_US_PER_DAY : floor_div(f->to_us - 1, TT_US_PER_DAY);
}

int tt_query_whole_days(const struct tt_filter *f)
{
    return f->from_us % TT_US_PER_DAY == 0 &&
           (f->to_us == INT64_MAX || f->to_us % TT_US_PER_DAY == 0);
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
    int64_t t = day * TT_US_PER_DAY + hour * US_PER_HOUR;
    return t >= f->from_us - (US_PER_HOUR - 1) && t < f->to_us;
}

size_t tt_query_entries(const struct tt_filter *f, const struct tt_rollup *r,
                        const struct tt_roll_entry **e)
{
    return tt_query_whole_days(f) ? tt_rollup_day_entries(r, e) : tt_rollup_hour_entries(r, e);
}

int tt_query_class_ok(const struct tt_filter *f, uint8_t cls)
{
    return f->proto == TT_ANY || tt_class_of((uint8_t)f->proto) == cls;
}

int tt_query_proto_is_class(const struct tt_filter *f)
{
    return f->proto == TT_ANY || f->proto == 6 || f->proto == 17;
}

int tt_query_member_ok(const struct tt_filter *f, uint32_t member)
{
    return tt_query_sensor_ok(f, (uint16_t)(member >> 8)) && tt_query_class_ok(f, (uint8_t)member);
}

/* Per pattern of a roll-up's source table, the classes (bit per enum
 * tt_class) of its members that pass the filter's sensor and protocol (0:
 * none, SRCLIST_SKIP), as source-list tags; malloc'd, NULL when out of
 * memory. */
static uint64_t *pattern_classes(const struct tt_filter *f, const struct tt_roll_sources *s)
{
    uint64_t *tags = calloc(s->npatterns + 1, sizeof *tags);
    for (size_t p = 0; tags && p < s->npatterns; p++)
        for (uint32_t m = s->pat_start[p]; m < s->pat_start[p + 1]; m++)
            if (tt_query_member_ok(f, s->members[m]))
                tags[p] |= 1ull << (s->members[m] & 0xff);
    return tags;
}

int tt_query_file_sources(const struct tt_filter *f, const struct tt_rollup *r, int by_cc,
                          struct srclist *out)
{
    const struct tt_roll_sources *s = tt_rollup_sources(r);
    uint64_t *tags = pattern_classes(f, s);
    int rc = tags ? tt_srclist_of_sources(out, s, tags, by_cc) : TT_ENOMEM;
    free(tags);
    return rc;
}
