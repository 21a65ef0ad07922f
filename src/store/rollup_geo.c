/* Roll-up blocks by source country (docs/format.md): built from the sets'
 * hourly counters at encode, read back on demand. Country counters keep
 * the hourly split the same way as the port counters: a whole-day row per
 * (sensor, country, class), then an hour mask and, for more than one hour,
 * the hourly values. */
#include <stdlib.h>
#include <string.h>

#include "store/rollup_int.h"

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

void roll_put_geo(const struct tt_rollup *r, struct tt_buf *day, struct tt_buf *hours)
{
    uint64_t prev = 0;
    size_t h = 0;
    for (size_t i = 0; i < r->ngeo_days; i++) {
        const struct tt_roll_geo *d = &r->geo_days[i];
        uint64_t g = roll_geo_key(d->sensor, d->cc, d->cls, 0) >> 5;
        tt_buf_varint(day, g - prev);
        tt_buf_varint(day, d->packets);
        tt_buf_varint(day, d->bytes);
        prev = g;
        size_t start = h;
        uint32_t mask = 0;
        for (; h < r->ngeo_hours; h++) {
            const struct tt_roll_geo *x = &r->geo_hours[h];
            if (roll_geo_key(x->sensor, x->cc, x->cls, 0) >> 5 != g)
                break;
            mask |= 1u << x->hour;
        }
        tt_buf_varint(hours, mask);
        for (size_t j = start; h - start > 1 && j < h; j++) {
            tt_buf_varint(hours, r->geo_hours[j].packets);
            roll_put_hour_bytes(hours, r->geo_hours[j].bytes, r->geo_hours[j].packets, d->packets,
                                d->bytes);
        }
    }
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
    uint64_t g = 0;
    for (size_t i = 0; i < ndays && !d->bad; i++) {
        uint64_t delta = tt_rd_varint(d), pk = tt_rd_varint(d), by = tt_rd_varint(d);
        if ((i && delta == 0) || tt_add_bounded(&g, delta, (1ull << 34) - 1))
            d->bad = 1;
        uint64_t key = g << 5;
        r->geo_days[r->ngeo_days++] = geo_of(key, TT_HOUR_DAY, pk, by);
        if (!hp)
            continue;
        uint8_t hour[24];
        uint64_t hk[24], hb[24];
        unsigned n = roll_get_split(hp, pk, by, hour, hk, hb);
        if (n > nhours - r->ngeo_hours)
            hp->bad = 1;
        for (unsigned j = 0; j < n && !hp->bad; j++)
            r->geo_hours[r->ngeo_hours++] = geo_of(key, hour[j], hk[j], hb[j]);
    }
    return d->bad || d->pos != d->len || (hp && (hp->bad || hp->pos != hp->len)) ? TT_ECORRUPT
                                                                                 : TT_OK;
}
