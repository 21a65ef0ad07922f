/* Roll-up accumulation: the per-packet path of ingest after decoding. */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/sort.h"
#include "store/rollup_int.h"

struct tt_rollup *tt_rollup_new(int64_t day)
{
    struct tt_rollup *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->day = day;
    memset(r->dedupe, 0xff, sizeof r->dedupe);
    return r;
}

void tt_rollup_free(struct tt_rollup *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nsets; i++) {
        free(r->sets[i].v4);
        free(r->sets[i].v6);
    }
    free(r->sets);
    free(r->set_index);
    roll_sources_free(r);
    roll_day_patterns_free(r);
    agg_free(&r->counts);
    free(r->days);
    free(r->hours);
    free(r->geo_days);
    free(r->geo_hours);
    free(r->segs);
    free(r);
}

/* A segment name as the store makes them (hex tag, '-', sequence number):
 * letters, digits, '-' and '_' only, so that it cannot leave its day's
 * directory. */
static int segment_name_ok(const char *name, size_t len)
{
    if (len == 0 || len >= TT_ROLL_SEG_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

int roll_add_segment(struct tt_rollup *r, const char *name, size_t len)
{
    if (!segment_name_ok(name, len))
        return TT_EINVAL;
    if (tt_grow(&r->segs, &r->capsegs, r->nsegs, sizeof *r->segs, 4))
        return TT_ENOMEM;
    memcpy(r->segs[r->nsegs], name, len);
    r->segs[r->nsegs++][len] = 0;
    return TT_OK;
}

int tt_rollup_add_segment(struct tt_rollup *r, const char *name)
{
    return roll_add_segment(r, name, strnlen(name, TT_ROLL_SEG_NAME_MAX));
}

size_t tt_rollup_segments(const struct tt_rollup *r, const char (**names)[TT_ROLL_SEG_NAME_MAX])
{
    *names = (const char(*)[TT_ROLL_SEG_NAME_MAX])r->segs;
    return r->nsegs;
}

int64_t tt_rollup_day(const struct tt_rollup *r)
{
    return r->day;
}

const char *tt_class_name(enum tt_class c)
{
    static const char *const names[] = {"tcp", "udp", "icmp", "other"};
    return (unsigned)c < TT_CLASS__COUNT ? names[c] : "?";
}

static int count(struct agg *a, uint64_t key, uint64_t bytes)
{
    struct agg_slot *s = agg_get(a, key);
    if (!s)
        return TT_ENOMEM;
    s->packets++;
    s->bytes += bytes;
    return TT_OK;
}

static uint64_t set_tag(uint16_t sensor, uint8_t cls, uint16_t cc)
{
    return (uint64_t)sensor << 24 | (uint64_t)cc << 8 | cls;
}

/* Rebuilds the open-addressed index over sets at twice the set count. */
static int set_index_grow(struct tt_rollup *r)
{
    size_t cap = r->set_index_cap ? r->set_index_cap * 2 : ROLL_SET_INDEX_MIN;
    uint32_t *ix = calloc(cap, sizeof *ix);
    if (!ix)
        return TT_ENOMEM;
    for (size_t i = 0; i < r->nsets; i++) {
        const struct tt_roll_set *s = &r->sets[i];
        size_t h = agg_mix(set_tag(s->sensor, s->cls, s->cc)) & (cap - 1);
        while (ix[h])
            h = (h + 1) & (cap - 1);
        ix[h] = (uint32_t)i + 1;
    }
    free(r->set_index);
    r->set_index = ix;
    r->set_index_cap = cap;
    return TT_OK;
}

struct tt_roll_set *roll_set_get(struct tt_rollup *r, uint16_t sensor, uint8_t cls, uint16_t cc)
{
    if (r->last_set < r->nsets && r->sets[r->last_set].sensor == sensor &&
        r->sets[r->last_set].cls == cls && r->sets[r->last_set].cc == cc)
        return &r->sets[r->last_set];
    if (2 * (r->nsets + 1) > r->set_index_cap && set_index_grow(r))
        return NULL;
    uint64_t tag = set_tag(sensor, cls, cc);
    size_t mask = r->set_index_cap - 1, h = agg_mix(tag) & mask;
    for (; r->set_index[h]; h = (h + 1) & mask) {
        const struct tt_roll_set *s = &r->sets[r->set_index[h] - 1];
        if (set_tag(s->sensor, s->cls, s->cc) == tag)
            return &r->sets[r->last_set = r->set_index[h] - 1];
    }
    if (tt_grow(&r->sets, &r->capsets, r->nsets, sizeof *r->sets, 16))
        return NULL;
    struct tt_roll_set *s = &r->sets[r->nsets];
    memset(s, 0, sizeof *s);
    s->sensor = sensor;
    s->cls = cls;
    s->cc = cc;
    r->set_index[h] = (uint32_t)r->nsets + 1;
    r->last_set = r->nsets++;
    return s;
}

static int cmp16(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

/* Sorts and de-duplicates the IPv6 addresses of a set. */
int roll_v6_compact(struct tt_roll_set *s)
{
    if (s->n6 < 2)
        return TT_OK;
    qsort(s->v6, s->n6, 16, cmp16);
    size_t w = 1;
    for (size_t i = 1; i < s->n6; i++)
        if (memcmp(s->v6 + 16 * i, s->v6 + 16 * (w - 1), 16) != 0)
            memmove(s->v6 + 16 * w++, s->v6 + 16 * i, 16);
    s->n6 = w;
    return TT_OK;
}

static int add_v6(struct tt_roll_set *s, const uint8_t a[16])
{
    if (s->n6 == s->cap6) {
        roll_v6_compact(s);
        if (s->n6 * 2 >= s->cap6) {
            size_t cap = s->cap6 ? s->cap6 * 2 : 64;
            uint8_t *n = realloc(s->v6, cap * 16);
            if (!n)
                return TT_ENOMEM;
            s->v6 = n;
            s->cap6 = cap;
        }
    }
    memcpy(s->v6 + 16 * s->n6++, a, 16);
    return TT_OK;
}

int roll_v4_compact(struct tt_roll_set *s)
{
    if (s->n4 < 2)
        return TT_OK;
    uint32_t *tmp = malloc(s->n4 * sizeof *tmp);
    if (!tmp)
        return TT_ENOMEM;
    s->n4 = tt_sort_unique_u32(s->v4, s->n4, tmp);
    free(tmp);
    return TT_OK;
}

/* Appends; a full list is made distinct first and grows when that leaves
 * it more than half full. */
static int add_v4(struct tt_roll_set *s, uint32_t a)
{
    if (s->n4 == s->cap4) {
        if (roll_v4_compact(s))
            return TT_ENOMEM;
        if (s->n4 * 2 >= s->cap4) {
            size_t cap = s->cap4 ? s->cap4 * 2 : 256;
            uint32_t *n = realloc(s->v4, cap * sizeof *n);
            if (!n)
                return TT_ENOMEM;
            s->v4 = n;
            s->cap4 = cap;
        }
    }
    s->v4[s->n4++] = a;
    return TT_OK;
}

static int add_source(struct tt_rollup *r, struct tt_roll_set *s, const struct tt_record *rec,
                      uint8_t cls)
{
    if (rec->ipver == 4) {
        /* most packets come from a source seen moments ago: skip the bitmap */
        uint64_t tag = (uint64_t)rec->sensor << 40 | (uint64_t)cls << 32 | rec->src4;
        uint64_t *slot = &r->dedupe[agg_mix(tag) & (ROLL_DEDUPE - 1)];
        if (*slot == tag)
            return TT_OK;
        *slot = tag;
    }
    if (rec->ipver == 6)
        return add_v6(s, rec->src6);
    return add_v4(s, rec->src4);
}

int tt_rollup_add(struct tt_rollup *r, const struct tt_record *rec)
{
    uint8_t kind = TT_PK_NONE;
    uint16_t port = 0;
    if (rec->l4 == TT_L4_OK && (rec->proto == 6 || rec->proto == 17)) {
        kind = TT_PK_PORT;
        port = rec->dport;
    } else if (rec->l4 == TT_L4_OK && (rec->proto == 1 || rec->proto == 58)) {
        kind = TT_PK_ICMP;
        port = (uint16_t)(rec->sport << 8 | (rec->dport & 0xff));
    }
    int64_t sec = (int64_t)(rec->ts_us / 1000000u) - r->day * 86400;
    uint8_t hour = sec >= 0 && sec < 86400 ? (uint8_t)(sec / 3600) : 0;
    uint8_t cls = (uint8_t)tt_class_of(rec->proto);
    int rc = count(&r->counts, roll_key(rec->sensor, rec->proto, kind, port, hour), rec->ip_len);
    struct tt_roll_set *s = rc ? NULL : roll_set_get(r, rec->sensor, cls, rec->cc);
    if (!s)
        return TT_ENOMEM;
    s->packets[hour]++;
    s->bytes[hour] += rec->ip_len;
    return add_source(r, s, rec, cls);
}

static int add_counters(struct agg *to, const struct agg *from)
{
    for (size_t i = 0; i < from->cap; i++) {
        const struct agg_slot *s = &from->slots[i];
        struct agg_slot *d = s->key1 ? agg_get(to, s->key1 - 1) : NULL;
        if (s->key1 && !d)
            return TT_ENOMEM;
        if (d) {
            d->packets += s->packets;
            d->bytes += s->bytes;
        }
    }
    return TT_OK;
}

/* Appends n items of size w to a list of capacity *cap; returns the list
 * (moved if it grew), NULL when out of memory (the list is then intact). */
static void *append(void *list, size_t *len, size_t *cap, const void *items, size_t n, size_t w)
{
    if (*len + n > *cap) {
        size_t c = *cap ? *cap : 256;
        while (c < *len + n)
            c *= 2;
        void *p = realloc(list, c * w);
        if (!p)
            return NULL;
        list = p;
        *cap = c;
    }
    if (n)
        memcpy((char *)list + *len * w, items, n * w);
    *len += n;
    return list;
}

int tt_rollup_merge(struct tt_rollup *dst, struct tt_rollup *src)
{
    /* the address lists are appended as they are: encoding makes every
     * list distinct anyway */
    int rc = add_counters(&dst->counts, &src->counts);
    for (size_t i = 0; rc == TT_OK && i < src->nsets; i++) {
        const struct tt_roll_set *s = &src->sets[i];
        struct tt_roll_set *d = roll_set_get(dst, s->sensor, s->cls, s->cc);
        uint32_t *v4 = NULL;
        uint8_t *v6 = NULL;
        for (int h = 0; d && h < 24; h++) {
            d->packets[h] += s->packets[h];
            d->bytes[h] += s->bytes[h];
        }
        if (!d)
            rc = TT_ENOMEM;
        else if (s->n4 && !(v4 = append(d->v4, &d->n4, &d->cap4, s->v4, s->n4, sizeof *s->v4)))
            rc = TT_ENOMEM;
        else if (s->n6 && !(v6 = append(d->v6, &d->n6, &d->cap6, s->v6, s->n6, 16)))
            rc = TT_ENOMEM;
        if (v4)
            d->v4 = v4;
        if (v6)
            d->v6 = v6;
    }
    for (size_t i = 0; rc == TT_OK && i < src->nsegs; i++)
        rc = tt_rollup_add_segment(dst, src->segs[i]);
    for (int k = 0; rc == TT_OK && k < TT_DEC__COUNT; k++)
        dst->refused[k] += src->refused[k];
    return rc;
}

void tt_rollup_add_refused(struct tt_rollup *r, enum tt_decode_status status, uint64_t n)
{
    if ((unsigned)status < TT_DEC__COUNT)
        r->refused[status] += n;
}

uint64_t tt_rollup_refused(const struct tt_rollup *r, enum tt_decode_status status)
{
    return (unsigned)status < TT_DEC__COUNT ? r->refused[status] : 0;
}

size_t tt_rollup_day_entries(const struct tt_rollup *r, const struct tt_roll_entry **out)
{
    *out = r->days;
    return r->ndays;
}

size_t tt_rollup_hour_entries(const struct tt_rollup *r, const struct tt_roll_entry **out)
{
    *out = r->hours;
    return r->nhours;
}

size_t tt_rollup_geo_entries(const struct tt_rollup *r, const struct tt_roll_geo **out)
{
    *out = r->geo_days;
    return r->ngeo_days;
}

size_t tt_rollup_geo_hour_entries(const struct tt_rollup *r, const struct tt_roll_geo **out)
{
    *out = r->geo_hours;
    return r->ngeo_hours;
}
