/* Roll-up blocks by source country (docs/format.md): built from the sets'
 * hourly counters at encode, read back on demand. Country counters keep
 * the hourly split the same way as the port counters: a whole-day row per
 * (sensor, country, class), then an hour mask and, for more than one hour,
 * the hourly values. */
#include <stdlib.h>
#include <string.h>

#include "store/rollup_int.h"
#include "store/rollup_rows.h"

/* The sets' hours with packets as counter slots, sorted by country key
 * (keys are key1 - 1): the sets are sorted (a few thousand) and their hours
 * come out in order, rather than sorting every (set, hour). */
static struct agg_slot *sorted_slots(const struct tt_rollup *r, size_t *n)
{
    size_t cap = 0;
    for (size_t i = 0; i < r->nsets; i++)
        for (int h = 0; h < 24; h++)
            cap += r->sets[i].packets[h] != 0;
    struct agg_slot *s = malloc((cap ? cap : 1) * sizeof *s);
    struct agg_slot *order = malloc((r->nsets + 1) * sizeof *order);
    *n = 0;
    if (!s || !order) {
        free(s);
        free(order);
        return NULL;
    }
    for (size_t i = 0; i < r->nsets; i++) { /* set key, set index */
        const struct tt_roll_set *t = &r->sets[i];
        order[i] = (struct agg_slot){roll_geo_key(t->sensor, t->cc, t->cls, 0) + 1, i, 0};
    }
    if (agg_sort_slots(order, r->nsets)) {
        free(s);
        free(order);
        return NULL;
    }
    for (size_t i = 0; i < r->nsets; i++) {
        const struct tt_roll_set *t = &r->sets[order[i].packets];
        for (uint8_t h = 0; h < 24; h++)
            if (t->packets[h])
                s[(*n)++] = (struct agg_slot){roll_geo_key(t->sensor, t->cc, t->cls, h) + 1,
                                              t->packets[h], t->bytes[h]};
    }
    free(order);
    return s;
}

static struct tt_roll_geo geo_of(uint64_t key, uint8_t hour, uint64_t packets, uint64_t bytes)
{
    struct tt_roll_geo g = {
        (uint16_t)(key >> 23), (uint16_t)(key >> 7), (uint8_t)(key >> 5 & 3), hour, packets, bytes};
    return g;
}

int roll_build_enriched(struct tt_rollup *r)
{
    size_t ng;
    struct agg_slot *g = sorted_slots(r, &ng);
    free(r->geo_days);
    free(r->geo_hours);
    r->geo_days = malloc((ng ? ng : 1) * sizeof *r->geo_days);
    r->geo_hours = malloc((ng ? ng : 1) * sizeof *r->geo_hours);
    r->ngeo_days = r->ngeo_hours = 0;
    int rc = g && r->geo_days && r->geo_hours ? TT_OK : TT_ENOMEM;
    for (size_t i = 0; rc == TT_OK && i < ng; i++) {
        uint64_t key = g[i].key1 - 1;
        r->geo_hours[r->ngeo_hours++] = geo_of(key, (uint8_t)(key & 31), g[i].packets, g[i].bytes);
        struct tt_roll_geo *d = r->ngeo_days ? &r->geo_days[r->ngeo_days - 1] : NULL;
        if (d && roll_geo_key(d->sensor, d->cc, d->cls, 0) == (key & ~(uint64_t)31)) {
            d->packets += g[i].packets;
            d->bytes += g[i].bytes;
        } else {
            r->geo_days[r->ngeo_days++] = geo_of(key, TT_HOUR_DAY, g[i].packets, g[i].bytes);
        }
    }
    free(g);
    return rc;
}

static struct roll_row geo_row(const void *rows, size_t i)
{
    const struct tt_roll_geo *g = (const struct tt_roll_geo *)rows + i;
    return (struct roll_row){roll_geo_key(g->sensor, g->cc, g->cls, 0) >> 5, g->hour, g->packets,
                             g->bytes};
}

void roll_put_geo(const struct tt_rollup *r, struct tt_buf *day, struct tt_block_frames *day_frames,
                  struct tt_buf *hours, struct tt_block_frames *hour_frames)
{
    roll_rows_write(r->geo_days, r->ngeo_days, r->geo_hours, r->ngeo_hours, geo_row, day,
                    day_frames, hours, hour_frames);
}

/* Appends a decoded GEO or GEO_HOURS row (roll_rows_read). */
static int emit_geo(void *ctx, uint64_t key, uint8_t hour, uint64_t packets, uint64_t bytes)
{
    struct tt_rollup *r = ctx;
    if (hour == TT_HOUR_DAY)
        r->geo_days[r->ngeo_days++] = geo_of(key << 5, hour, packets, bytes);
    else
        r->geo_hours[r->ngeo_hours++] = geo_of(key << 5, hour, packets, bytes);
    return 0;
}

/* Reads ndays country rows and, when hp is given, their hourly split (at
 * most nhours rows). */
int roll_get_geo(struct tt_rollup *r, struct tt_rd *d, struct tt_rd *hp, size_t ndays,
                 size_t nhours)
{
    r->geo_days = calloc(ndays + 1, sizeof *r->geo_days);
    r->geo_hours = hp ? calloc(nhours + 1, sizeof *r->geo_hours) : NULL;
    if (!r->geo_days || (hp && !r->geo_hours))
        return TT_ENOMEM;
    return roll_rows_read(d->p, d->len, hp ? hp->p : NULL, hp ? hp->len : 0, ndays, nhours,
                          (1ull << 34) - 1, emit_geo, r);
}
