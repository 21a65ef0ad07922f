/* The roll-up's source table (docs/format.md): each distinct source of the
 * day once, with its country and the (sensor, class) sets it belongs to,
 * written as an index into a table of membership patterns. A scanner seen
 * by all sensors costs one address and one small index, not one entry per
 * sensor and class; queries read it without building bitmaps. */
#include <stdlib.h>
#include <string.h>

#include "common/sort.h"
#include "store/rollup_int.h"

#define PATTERN_MEMBERS_MAX (TT_CLASS__COUNT * 65536u)

struct pair6 {
    uint8_t addr[16];
    uint32_t set;
};

static void sources_free(struct tt_roll_sources *s)
{
    free(s->v4);
    free(s->v6);
    free(s->cc);
    free(s->pattern);
    free(s->pat_start);
    free(s->members);
    memset(s, 0, sizeof *s);
}

void roll_sources_free(struct tt_rollup *r)
{
    sources_free(&r->src);
}

/* Stable sort of pairs by address. */
static int sort_pairs4(struct tt_pair32 *p, size_t n)
{
    struct tt_pair32 *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return TT_ENOMEM;
    tt_sort_pairs32(p, n, tmp);
    free(tmp);
    return TT_OK;
}

static int cmp_pair6(const void *a, const void *b)
{
    const struct pair6 *x = a, *y = b;
    int c = memcmp(x->addr, y->addr, 16);
    return c ? c : (x->set > y->set) - (x->set < y->set);
}

/* Pattern interning: open addressing over hashes of member lists. */
struct interner {
    struct tt_roll_sources *s;
    uint32_t *slots; /* pattern + 1; 0 empty */
    size_t cap, nmembers, capmembers;
};

static uint64_t hash_members(const uint32_t *m, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull ^ n;
    for (size_t i = 0; i < n; i++)
        h = agg_mix(h ^ m[i]);
    return h;
}

static int intern_grow(struct interner *in)
{
    size_t cap = in->cap ? in->cap * 2 : 256;
    uint32_t *slots = calloc(cap, sizeof *slots);
    uint32_t *starts = realloc(in->s->pat_start, (cap / 2 + 1) * sizeof *starts);
    if (starts)
        in->s->pat_start = starts;
    if (!slots || !starts) {
        free(slots);
        return TT_ENOMEM;
    }
    for (size_t p = 0; p < in->s->npatterns; p++) {
        const uint32_t *m = in->s->members + starts[p];
        size_t h = hash_members(m, starts[p + 1] - starts[p]) & (cap - 1);
        while (slots[h])
            h = (h + 1) & (cap - 1);
        slots[h] = (uint32_t)p + 1;
    }
    free(in->slots);
    in->slots = slots;
    in->cap = cap;
    return TT_OK;
}

static int intern(struct interner *in, const uint32_t *m, size_t n, uint32_t *out)
{
    struct tt_roll_sources *s = in->s;
    if (2 * (s->npatterns + 1) > in->cap && intern_grow(in))
        return TT_ENOMEM;
    size_t h = hash_members(m, n) & (in->cap - 1);
    for (; in->slots[h]; h = (h + 1) & (in->cap - 1)) {
        uint32_t p = in->slots[h] - 1;
        if (s->pat_start[p + 1] - s->pat_start[p] == n &&
            memcmp(s->members + s->pat_start[p], m, n * sizeof *m) == 0) {
            *out = p;
            return TT_OK;
        }
    }
    if (in->nmembers + n > in->capmembers) {
        size_t cap = in->capmembers ? in->capmembers * 2 : 1024;
        while (cap < in->nmembers + n)
            cap *= 2;
        uint32_t *nm = realloc(s->members, cap * sizeof *nm);
        if (!nm)
            return TT_ENOMEM;
        s->members = nm;
        in->capmembers = cap;
    }
    memcpy(s->members + in->nmembers, m, n * sizeof *m);
    s->pat_start[s->npatterns] = (uint32_t)in->nmembers;
    in->nmembers += n;
    s->pat_start[s->npatterns + 1] = (uint32_t)in->nmembers;
    in->slots[h] = (uint32_t)s->npatterns + 1;
    *out = (uint32_t)s->npatterns++;
    return TT_OK;
}

/* One source from its run of pairs [set indexes], into slot k. */
static int put_source(struct tt_rollup *r, struct interner *in, size_t k, const uint32_t *sets,
                      size_t n, uint32_t *scratch)
{
    for (size_t i = 0; i < n; i++) { /* insertion sort: a source is in few sets */
        uint32_t m = (uint32_t)r->sets[sets[i]].sensor << 8 | r->sets[sets[i]].cls;
        size_t j = i;
        for (; j && scratch[j - 1] > m; j--)
            scratch[j] = scratch[j - 1];
        scratch[j] = m;
    }
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (!w || scratch[i] != scratch[w - 1])
            scratch[w++] = scratch[i];
    r->src.cc[k] = r->sets[sets[0]].cc;
    return intern(in, scratch, w, &r->src.pattern[k]);
}

static int gather(struct tt_rollup *r, struct tt_pair32 **p4, size_t *n4, struct pair6 **p6,
                  size_t *n6)
{
    size_t m4 = 0, m6 = 0;
    for (size_t i = 0; i < r->nsets; i++) {
        /* IPv4 lists may hold repeats: the sort of all pairs below meets them
         * anyway, and compacting thousands of small lists one by one costs more */
        if (roll_v6_compact(&r->sets[i]))
            return TT_ENOMEM;
        m4 += r->sets[i].n4;
        m6 += r->sets[i].n6;
    }
    *p4 = malloc((m4 ? m4 : 1) * sizeof **p4);
    *p6 = malloc((m6 ? m6 : 1) * sizeof **p6);
    if (!*p4 || !*p6)
        return TT_ENOMEM;
    *n4 = *n6 = 0;
    for (size_t i = 0; i < r->nsets; i++) {
        const struct tt_roll_set *s = &r->sets[i];
        for (size_t k = 0; k < s->n4; k++)
            (*p4)[(*n4)++] = (struct tt_pair32){s->v4[k], (uint32_t)i}; /* address, set */
        for (size_t k = 0; k < s->n6; k++) {
            memcpy((*p6)[*n6].addr, s->v6 + 16 * k, 16);
            (*p6)[(*n6)++].set = (uint32_t)i;
        }
    }
    int rc = sort_pairs4(*p4, *n4);
    qsort(*p6, *n6, sizeof **p6, cmp_pair6);
    return rc;
}

static size_t distinct4(const struct tt_pair32 *p, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        d += !i || p[i].key != p[i - 1].key;
    return d;
}

static size_t distinct6(const struct pair6 *p, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        d += !i || memcmp(p[i].addr, p[i - 1].addr, 16) != 0;
    return d;
}

int roll_build_sources(struct tt_rollup *r)
{
    struct tt_pair32 *p4 = NULL;
    struct pair6 *p6 = NULL;
    size_t n4 = 0, n6 = 0;
    roll_sources_free(r);
    struct tt_roll_sources *s = &r->src;
    struct interner in = {s, NULL, 0, 0, 0};
    int rc = gather(r, &p4, &n4, &p6, &n6);
    size_t d4 = rc ? 0 : distinct4(p4, n4), d6 = rc ? 0 : distinct6(p6, n6);
    uint32_t *sets = malloc((r->nsets + 1) * sizeof *sets);
    uint32_t *scratch = malloc((r->nsets + 1) * sizeof *scratch);
    s->v4 = malloc((d4 ? d4 : 1) * sizeof *s->v4);
    s->v6 = malloc((d6 ? d6 : 1) * 16);
    s->cc = malloc((d4 + d6 + 1) * sizeof *s->cc);
    s->pattern = malloc((d4 + d6 + 1) * sizeof *s->pattern);
    if (!rc && (!sets || !scratch || !s->v4 || !s->v6 || !s->cc || !s->pattern))
        rc = TT_ENOMEM;
    for (size_t i = 0; rc == TT_OK && i < n4;) {
        size_t j = i, n = 0;
        for (; j < n4 && p4[j].key == p4[i].key; j++)
            if (!n || sets[n - 1] != p4[j].val) /* a set's repeats sort together */
                sets[n++] = p4[j].val;
        s->v4[s->n4] = p4[i].key;
        rc = put_source(r, &in, s->n4++, sets, n, scratch);
        i = j;
    }
    for (size_t i = 0; rc == TT_OK && i < n6;) {
        size_t j = i, n = 0;
        for (; j < n6 && memcmp(p6[j].addr, p6[i].addr, 16) == 0; j++)
            sets[n++] = p6[j].set;
        memcpy(s->v6 + 16 * s->n6, p6[i].addr, 16);
        rc = put_source(r, &in, d4 + s->n6++, sets, n, scratch);
        i = j;
    }
    if (rc == TT_OK && !s->pat_start && !(s->pat_start = calloc(1, sizeof *s->pat_start)))
        rc = TT_ENOMEM;
    free(in.slots);
    free(sets);
    free(scratch);
    free(p4);
    free(p6);
    if (rc)
        roll_sources_free(r);
    return rc;
}

/* Blocks: SRC (n4, n6 varints; IPv4 ascending deltas; IPv6 16 bytes each),
 * SRC_CC (u16 per source, XOR the previous), SRC_PAT (varint per source),
 * PATTERNS (count; per pattern: members, then sensor varint and class u8). */
void roll_put_sources(const struct tt_rollup *r, struct tt_buf *src, struct tt_buf *cc,
                      struct tt_buf *pat, struct tt_buf *patterns)
{
    const struct tt_roll_sources *s = &r->src;
    tt_buf_varint(src, s->n4);
    tt_buf_varint(src, s->n6);
    for (size_t k = 0; k < s->n4; k++)
        tt_buf_varint(src, s->v4[k] - (k ? s->v4[k - 1] : 0));
    tt_buf_put(src, s->v6, 16 * s->n6);
    uint16_t prev = 0;
    for (size_t k = 0; k < s->n4 + s->n6; k++) {
        tt_buf_le(cc, (uint16_t)(s->cc[k] ^ prev), 2);
        prev = s->cc[k];
        tt_buf_varint(pat, s->pattern[k]);
    }
    tt_buf_varint(patterns, s->npatterns);
    for (size_t p = 0; p < s->npatterns; p++) {
        tt_buf_varint(patterns, s->pat_start[p + 1] - s->pat_start[p]);
        for (uint32_t m = s->pat_start[p]; m < s->pat_start[p + 1]; m++) {
            tt_buf_varint(patterns, s->members[m] >> 8);
            tt_buf_u8(patterns, (uint8_t)s->members[m]);
        }
    }
}

static int get_patterns(struct tt_roll_sources *s, struct tt_rd *rd)
{
    uint64_t np = tt_rd_varint(rd);
    if (rd->bad || np > rd->len)
        return TT_ECORRUPT;
    s->npatterns = (size_t)np;
    s->pat_start = calloc(np + 1, sizeof *s->pat_start);
    s->members = malloc((rd->len / 2 + 1) * sizeof *s->members);
    if (!s->pat_start || !s->members)
        return TT_ENOMEM;
    uint32_t nm = 0;
    for (size_t p = 0; p < np && !rd->bad; p++) {
        uint64_t n = tt_rd_varint(rd);
        if (n == 0 || n > PATTERN_MEMBERS_MAX || nm + n > rd->len / 2 + 1)
            return TT_ECORRUPT;
        for (uint64_t i = 0; i < n && !rd->bad; i++) {
            uint64_t sensor = tt_rd_varint(rd);
            uint8_t cls = tt_rd_u8(rd);
            uint32_t m = (uint32_t)sensor << 8 | cls;
            if (sensor > 65535 || cls >= TT_CLASS__COUNT || (i && m <= s->members[nm - 1]))
                return TT_ECORRUPT;
            s->members[nm++] = m;
        }
        s->pat_start[p + 1] = nm;
    }
    return rd->bad || rd->pos != rd->len ? TT_ECORRUPT : TT_OK;
}

static int get_addresses(struct tt_roll_sources *s, struct tt_rd *rd, size_t max)
{
    uint64_t n4 = tt_rd_varint(rd), n6 = tt_rd_varint(rd);
    if (rd->bad || n4 > max || n6 > max || n4 + n6 > max || n4 > rd->len || n6 > rd->len / 16)
        return TT_ECORRUPT;
    s->v4 = malloc((n4 ? n4 : 1) * sizeof *s->v4);
    s->v6 = malloc((n6 ? n6 : 1) * 16);
    if (!s->v4 || !s->v6)
        return TT_ENOMEM;
    uint64_t a = 0;
    for (size_t k = 0; k < n4 && !rd->bad; k++) {
        uint64_t d = tt_rd_varint(rd);
        if ((k && d == 0) || (a += d) > UINT32_MAX)
            return TT_ECORRUPT;
        s->v4[k] = (uint32_t)a;
    }
    const uint8_t *b6 = tt_rd_bytes(rd, (size_t)n6 * 16);
    if (rd->bad || rd->pos != rd->len || (n6 && !b6))
        return TT_ECORRUPT;
    if (n6)
        memcpy(s->v6, b6, (size_t)n6 * 16);
    for (size_t k = 1; k < n6; k++)
        if (memcmp(s->v6 + 16 * (k - 1), s->v6 + 16 * k, 16) >= 0)
            return TT_ECORRUPT;
    s->n4 = (size_t)n4;
    s->n6 = (size_t)n6;
    return TT_OK;
}

int roll_get_sources(struct tt_rollup *r, struct tt_rd *src, struct tt_rd *cc, struct tt_rd *pat,
                     struct tt_rd *patterns, size_t max)
{
    struct tt_roll_sources *s = &r->src;
    int rc = get_patterns(s, patterns);
    if (rc == TT_OK)
        rc = get_addresses(s, src, max);
    size_t n = s->n4 + s->n6;
    if (rc == TT_OK && cc->len != 2 * n)
        rc = TT_ECORRUPT;
    if (rc == TT_OK) {
        s->cc = malloc((n + 1) * sizeof *s->cc);
        s->pattern = malloc((n + 1) * sizeof *s->pattern);
        if (!s->cc || !s->pattern)
            rc = TT_ENOMEM;
    }
    uint16_t prev = 0;
    for (size_t k = 0; rc == TT_OK && k < n; k++) {
        /* cc->len == 2 n, checked above */
        s->cc[k] = prev = (uint16_t)(prev ^ (cc->p[2 * k] | cc->p[2 * k + 1] << 8));
        uint64_t p = tt_rd_varint(pat);
        if (pat->bad || p >= s->npatterns)
            rc = TT_ECORRUPT;
        else
            s->pattern[k] = (uint32_t)p;
    }
    if (rc == TT_OK && (pat->bad || pat->pos != pat->len))
        rc = TT_ECORRUPT;
    return rc;
}

const struct tt_roll_sources *tt_rollup_sources(const struct tt_rollup *r)
{
    return &r->src;
}
