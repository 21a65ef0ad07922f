/* Destination -> sensor attribution. Prefixes of different sensors never
 * overlap (the parser refuses it), so IPv4 is a binary search over sorted
 * disjoint ranges; IPv6 prefixes are few and matched in turn. Read-only
 * after build, so every ingest worker shares one map. */
#include <stdlib.h>
#include <string.h>

#include "common/record.h"
#include "config/sensors.h"

struct range4 {
    uint32_t first, last;
    uint16_t sensor;
};

struct pfx6 {
    struct tt_prefix p;
    uint16_t sensor;
};

struct tt_sensor_map {
    struct range4 *v4;
    size_t n4;
    struct pfx6 *v6;
    size_t n6;
};

static int cmp_range(const void *a, const void *b)
{
    const struct range4 *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

int tt_sensor_map_build(const struct tt_sensors *s, struct tt_sensor_map **out)
{
    size_t n = 0;
    for (uint32_t i = 0; i < s->n; i++)
        n += s->s[i].n_prefixes;
    struct tt_sensor_map *m = calloc(1, sizeof *m);
    if (m) {
        m->v4 = calloc(n + 1, sizeof *m->v4);
        m->v6 = calloc(n + 1, sizeof *m->v6);
    }
    if (!m || !m->v4 || !m->v6) {
        tt_sensor_map_free(m);
        return TT_ENOMEM;
    }
    for (uint32_t i = 0; i < s->n; i++)
        for (uint32_t k = 0; k < s->s[i].n_prefixes; k++) {
            const struct tt_prefix *p = &s->s[i].prefixes[k];
            if (p->ipver == 4) {
                uint32_t span =
                    p->len ? (uint32_t)(((uint64_t)1 << (32 - p->len)) - 1) : UINT32_MAX;
                m->v4[m->n4++] = (struct range4){p->v4, p->v4 + span, s->s[i].id};
            } else {
                m->v6[m->n6].p = *p;
                m->v6[m->n6++].sensor = s->s[i].id;
            }
        }
    qsort(m->v4, m->n4, sizeof *m->v4, cmp_range);
    *out = m;
    return TT_OK;
}

void tt_sensor_map_free(struct tt_sensor_map *m)
{
    if (!m)
        return;
    free(m->v4);
    free(m->v6);
    free(m);
}

/* The last range starting at or before dst, found without a data-dependent
 * branch: a darknet's destinations are random, so a branchy search
 * mispredicts about every other step, once per packet. */
uint16_t tt_sensor_map_v4(const struct tt_sensor_map *m, uint32_t dst)
{
    if (m->n4 == 0)
        return TT_SENSOR_NONE;
    const struct range4 *r = m->v4;
    for (size_t n = m->n4; n > 1;) {
        size_t half = n / 2;
        r = r[half].first <= dst ? r + half : r;
        n -= half;
    }
    return r->first <= dst && dst <= r->last ? r->sensor : TT_SENSOR_NONE;
}

uint16_t tt_sensor_map_v6(const struct tt_sensor_map *m, const uint8_t dst[16])
{
    for (size_t i = 0; i < m->n6; i++) {
        const struct tt_prefix *p = &m->v6[i].p;
        unsigned full = p->len / 8, rest = p->len % 8;
        if (memcmp(p->v6, dst, full) == 0 &&
            (rest == 0 || ((p->v6[full] ^ dst[full]) >> (8 - rest)) == 0))
            return m->v6[i].sensor;
    }
    return TT_SENSOR_NONE;
}
