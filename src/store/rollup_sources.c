/* The roll-up's source table (docs/format.md): each distinct source of the
 * day once, with its country and the (sensor, class) sets it belongs to,
 * written as an index into a table of membership patterns. A scanner seen
 * by all sensors costs one address and one small index, not one entry per
 * sensor and class; queries read it without building bitmaps. */
#include <stdlib.h>
#include <string.h>

#include "common/planes.h"
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
    for (size_t i = 1; i < n; i++)
        r->mixed_cc |= r->sets[sets[i]].cc != r->src.cc[k];
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
    r->mixed_cc = 0;
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

/* --- The union of decoded tables (a month's). --- */

/* An entry of one input table: its country and its pattern, numbered
 * across the inputs (input i's pattern p is its first pattern's number + p). */
struct union_in {
    uint16_t cc;
    uint32_t pattern;
};

/* The inputs' patterns by number, and their numbers in dst's table, given
 * out as sources use them (so the table holds no pattern no source has). */
struct union_acc {
    struct tt_rollup *dst;
    struct interner in;
    const uint32_t **members;    /* by number: the members, and their count */
    uint32_t *nmembers, *to_dst; /* to_dst: UINT32_MAX until used */
    uint32_t *pats, *scratch;
    size_t cap_pats, cap_scratch;
};

static int union_patterns(struct union_acc *a, struct tt_rollup *const *tabs, size_t n)
{
    size_t total = 0, w = 0;
    for (size_t i = 0; i < n; i++)
        total += tabs[i]->src.npatterns;
    a->members = malloc((total + 1) * sizeof *a->members);
    a->nmembers = malloc((total + 1) * sizeof *a->nmembers);
    a->to_dst = malloc((total + 1) * sizeof *a->to_dst);
    if (!a->members || !a->nmembers || !a->to_dst)
        return TT_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct tt_roll_sources *s = &tabs[i]->src;
        for (size_t p = 0; p < s->npatterns; p++, w++) {
            a->members[w] = s->members + s->pat_start[p];
            a->nmembers[w] = s->pat_start[p + 1] - s->pat_start[p];
            a->to_dst[w] = UINT32_MAX;
        }
    }
    return TT_OK;
}

static int grow_u32(uint32_t **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return TT_OK;
    uint32_t *n = realloc(*p, need * 2 * sizeof *n);
    if (!n)
        return TT_ENOMEM;
    *p = n;
    *cap = need * 2;
    return TT_OK;
}

/* dst's pattern for a source met with input patterns p[0..n): their
 * members' union, interned. The patterns are made distinct first (a
 * source mostly keeps one pattern from day to day), then merged one by one
 * into the union so far: linear steps over ascending member lists. */
static int union_of(struct union_acc *a, uint32_t *p, size_t n, uint32_t *out)
{
    for (size_t i = 1; i < n; i++) { /* insertion sort: a month has few days */
        uint32_t v = p[i];
        size_t j = i;
        for (; j && p[j - 1] > v; j--)
            p[j] = p[j - 1];
        p[j] = v;
    }
    size_t d = 0, need = 0;
    for (size_t i = 0; i < n; i++)
        if (!d || p[i] != p[d - 1]) {
            p[d++] = p[i];
            need += a->nmembers[p[i]];
        }
    if (d == 1) {
        if (a->to_dst[p[0]] == UINT32_MAX &&
            intern(&a->in, a->members[p[0]], a->nmembers[p[0]], &a->to_dst[p[0]]))
            return TT_ENOMEM;
        *out = a->to_dst[p[0]];
        return TT_OK;
    }
    if (grow_u32(&a->scratch, &a->cap_scratch, 2 * need))
        return TT_ENOMEM;
    uint32_t *acc = a->scratch, *next = a->scratch + need;
    size_t nacc = a->nmembers[p[0]];
    memcpy(acc, a->members[p[0]], nacc * sizeof *acc);
    for (size_t k = 1; k < d; k++) {
        const uint32_t *y = a->members[p[k]];
        size_t ny = a->nmembers[p[k]], i = 0, j = 0, w = 0;
        while (i < nacc && j < ny) { /* both ascending and distinct */
            uint32_t u = acc[i] <= y[j] ? acc[i] : y[j];
            i += acc[i] == u;
            j += y[j] == u;
            next[w++] = u;
        }
        while (i < nacc)
            next[w++] = acc[i++];
        while (j < ny)
            next[w++] = y[j++];
        uint32_t *t = acc;
        acc = next;
        next = t;
        nacc = w;
    }
    return intern(&a->in, acc, nacc, out);
}

/* Emits one distinct source into slot k: a->pats[0..n) are its input
 * patterns (reordered here), ccs its countries. */
static int union_emit(struct union_acc *a, size_t k, const uint16_t *ccs, size_t n)
{
    struct tt_roll_sources *s = &a->dst->src;
    for (size_t i = 1; i < n; i++)
        a->dst->mixed_cc |= ccs[i] != ccs[0];
    s->cc[k] = ccs[0];
    return union_of(a, a->pats, n, &s->pattern[k]);
}

/* The inputs' IPv4 sources in address order, by a heap of each input's
 * next address (address << 32 | input: a source's entries come in input
 * order). The inputs are sorted already, so this streams through each;
 * sorting all (address, entry) pairs instead read the entries back at
 * random. first[i] numbers input i's first pattern. */
static void sift_down(uint64_t *h, size_t n, size_t i)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            return;
        c += c + 1 < n && h[c + 1] < h[c];
        if (h[i] <= h[c])
            return;
        uint64_t t = h[i];
        h[i] = h[c];
        h[c] = t;
        i = c;
    }
}

static int union_v4(struct union_acc *a, struct tt_rollup *const *tabs, size_t n,
                    const size_t *first)
{
    struct tt_roll_sources *s = &a->dst->src;
    uint64_t *heap = malloc((n + 1) * sizeof *heap);
    size_t *pos = calloc(n + 1, sizeof *pos), nh = 0;
    uint16_t *ccs = malloc((n + 1) * sizeof *ccs);
    int rc = heap && pos && ccs && !grow_u32(&a->pats, &a->cap_pats, n + 1) ? TT_OK : TT_ENOMEM;
    for (size_t i = 0; rc == TT_OK && i < n; i++)
        if (tabs[i]->src.n4)
            heap[nh++] = (uint64_t)tabs[i]->src.v4[0] << 32 | i;
    for (size_t i = nh / 2; rc == TT_OK && i-- > 0;)
        sift_down(heap, nh, i);
    while (rc == TT_OK && nh) {
        uint32_t addr = (uint32_t)(heap[0] >> 32);
        size_t r = 0; /* one entry per input at most: each is distinct */
        while (nh && (uint32_t)(heap[0] >> 32) == addr) {
            size_t i = (uint32_t)heap[0], k = pos[i]++;
            const struct tt_roll_sources *t = &tabs[i]->src;
            a->pats[r] = (uint32_t)(first[i] + t->pattern[k]);
            ccs[r++] = t->cc[k];
            heap[0] = pos[i] < t->n4 ? (uint64_t)t->v4[pos[i]] << 32 | i : heap[--nh];
            sift_down(heap, nh, 0);
        }
        s->v4[s->n4] = addr;
        rc = union_emit(a, s->n4++, ccs, r);
    }
    free(heap);
    free(pos);
    free(ccs);
    return rc;
}

/* The same for IPv6 sources (few): all (address, entry) pairs sorted. */
static int union_v6(struct union_acc *a, struct tt_rollup *const *tabs, size_t n,
                    const size_t *first)
{
    struct tt_roll_sources *s = &a->dst->src;
    size_t total = 0, m = 0;
    for (size_t i = 0; i < n; i++)
        total += tabs[i]->src.n6;
    struct pair6 *p6 = malloc((total + 1) * sizeof *p6);
    struct union_in *ents = malloc((total + 1) * sizeof *ents);
    uint16_t *ccs = malloc((total + 1) * sizeof *ccs);
    int rc = p6 && ents && ccs && !grow_u32(&a->pats, &a->cap_pats, total + 1) ? TT_OK : TT_ENOMEM;
    for (size_t i = 0; rc == TT_OK && i < n; i++) {
        const struct tt_roll_sources *t = &tabs[i]->src;
        for (size_t k = t->n4; k < t->n4 + t->n6; k++, m++) {
            ents[m] = (struct union_in){t->cc[k], (uint32_t)(first[i] + t->pattern[k])};
            memcpy(p6[m].addr, t->v6 + 16 * (k - t->n4), 16);
            p6[m].set = (uint32_t)m;
        }
    }
    if (rc == TT_OK)
        qsort(p6, m, sizeof *p6, cmp_pair6); /* ties by entry: input order */
    for (size_t i = 0, j; rc == TT_OK && i < m; i = j) {
        size_t r = 0;
        for (j = i; j < m && memcmp(p6[j].addr, p6[i].addr, 16) == 0; j++, r++) {
            a->pats[r] = ents[p6[j].set].pattern;
            ccs[r] = ents[p6[j].set].cc;
        }
        memcpy(s->v6 + 16 * s->n6, p6[i].addr, 16);
        rc = union_emit(a, s->n4 + s->n6++, ccs, r);
    }
    free(p6);
    free(ents);
    free(ccs);
    return rc;
}

void roll_day_patterns_free(struct tt_rollup *r)
{
    for (size_t i = 0; i < r->nday_pats; i++) {
        free(r->day_pats[i].pattern);
        free(r->day_pats[i].sources);
    }
    free(r->day_pats);
    r->day_pats = NULL;
    r->nday_pats = 0;
}

size_t tt_rollup_day_patterns(const struct tt_rollup *r, const struct tt_roll_day_patterns **out)
{
    *out = r->day_pats;
    return r->nday_pats;
}

/* Each input day's sources counted by pattern, the patterns interned into
 * dst's table (a day's pattern is its own members, not the month's). */
static int union_days(struct union_acc *a, struct tt_rollup *const *tabs, size_t n)
{
    struct tt_rollup *dst = a->dst;
    size_t first = 0;
    if (!(dst->day_pats = calloc(n + 1, sizeof *dst->day_pats)))
        return TT_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct tt_roll_sources *s = &tabs[i]->src;
        struct tt_roll_day_patterns *d = &dst->day_pats[dst->nday_pats++];
        uint32_t *hist = calloc(s->npatterns + 1, sizeof *hist);
        struct tt_pair32 *pairs = malloc((s->npatterns + 1) * sizeof *pairs);
        struct tt_pair32 *tmp = malloc((s->npatterns + 1) * sizeof *tmp);
        d->day = tabs[i]->day;
        int rc = hist && pairs && tmp ? TT_OK : TT_ENOMEM;
        for (size_t k = 0; rc == TT_OK && k < s->n4 + s->n6; k++)
            hist[s->pattern[k]]++;
        for (size_t p = 0; rc == TT_OK && p < s->npatterns; p++) {
            uint32_t id = a->to_dst[first + p];
            if (!hist[p])
                continue;
            if (id == UINT32_MAX &&
                intern(&a->in, a->members[first + p], a->nmembers[first + p], &id))
                rc = TT_ENOMEM;
            a->to_dst[first + p] = id;
            pairs[d->n++] = (struct tt_pair32){id, hist[p]};
        }
        if (rc == TT_OK) {
            tt_sort_pairs32(pairs, d->n, tmp);
            d->pattern = malloc((d->n + 1) * sizeof *d->pattern);
            d->sources = malloc((d->n + 1) * sizeof *d->sources);
            rc = d->pattern && d->sources ? TT_OK : TT_ENOMEM;
        }
        for (size_t k = 0; rc == TT_OK && k < d->n; k++) {
            d->pattern[k] = pairs[k].key;
            d->sources[k] = pairs[k].val;
        }
        free(hist);
        free(pairs);
        free(tmp);
        if (rc)
            return rc;
        first += s->npatterns;
    }
    return TT_OK;
}

/* Block DAY_PATTERNS: LEB128 day count; per day: LEB128 days after the
 * previous one (the first: after the table's day), LEB128 pattern count,
 * then per pattern LEB128 index delta (ascending) and LEB128 sources. */
void roll_put_day_patterns(const struct tt_rollup *r, struct tt_buf *out)
{
    tt_buf_varint(out, r->nday_pats);
    int64_t prev = r->day;
    for (size_t i = 0; i < r->nday_pats; i++) {
        const struct tt_roll_day_patterns *d = &r->day_pats[i];
        tt_buf_varint(out, (uint64_t)(d->day - prev));
        tt_buf_varint(out, d->n);
        prev = d->day;
        for (size_t k = 0; k < d->n; k++) {
            tt_buf_varint(out, d->pattern[k] - (k ? d->pattern[k - 1] : 0));
            tt_buf_varint(out, d->sources[k]);
        }
    }
}

int roll_get_day_patterns(struct tt_rollup *r, struct tt_rd *rd)
{
    const struct tt_roll_sources *s = &r->src;
    uint64_t nd = tt_rd_varint(rd);
    if (rd->bad || nd > 31)
        return TT_ECORRUPT;
    if (nd && !(r->day_pats = calloc(nd, sizeof *r->day_pats)))
        return TT_ENOMEM;
    int64_t day = r->day;
    for (size_t i = 0; i < nd; i++) {
        struct tt_roll_day_patterns *d = &r->day_pats[r->nday_pats++];
        uint64_t step = tt_rd_varint(rd), n = tt_rd_varint(rd), total = 0;
        if (rd->bad || step > 31 || (i && !step) || n > s->npatterns)
            return TT_ECORRUPT;
        d->day = day += (int64_t)step;
        d->pattern = malloc((n + 1) * sizeof *d->pattern);
        d->sources = malloc((n + 1) * sizeof *d->sources);
        if (!d->pattern || !d->sources)
            return TT_ENOMEM;
        uint64_t p = 0;
        for (size_t k = 0; k < n; k++, d->n++) {
            uint64_t delta = tt_rd_varint(rd), c = tt_rd_varint(rd);
            if (rd->bad || (k && !delta) || !c || tt_add_bounded(&p, delta, s->npatterns - 1) ||
                tt_add_bounded(&total, c, s->n4 + s->n6))
                return TT_ECORRUPT;
            d->pattern[k] = (uint32_t)p;
            d->sources[k] = (uint32_t)c;
        }
    }
    return rd->bad || rd->pos != rd->len ? TT_ECORRUPT : TT_OK;
}

int tt_rollup_union_sources(struct tt_rollup *dst, struct tt_rollup *const *tabs, size_t n,
                            int by_day)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (tabs[i]->src_in_segs)
            return TT_EINVAL; /* not loaded from its segments */
        total += tabs[i]->src.n4 + tabs[i]->src.n6;
    }
    roll_sources_free(dst);
    roll_day_patterns_free(dst);
    dst->mixed_cc = 0;
    for (size_t i = 0; i < n; i++) /* an input that is itself a union */
        dst->mixed_cc |= tabs[i]->mixed_cc;
    dst->src_given = 1;
    struct tt_roll_sources *s = &dst->src;
    struct union_acc a;
    memset(&a, 0, sizeof a);
    a.dst = dst;
    a.in.s = s;
    size_t *first = malloc((n + 1) * sizeof *first);
    s->v4 = malloc((total + 1) * sizeof *s->v4);
    s->v6 = malloc((total + 1) * 16);
    s->cc = malloc((total + 1) * sizeof *s->cc);
    s->pattern = malloc((total + 1) * sizeof *s->pattern);
    int rc = first && s->v4 && s->v6 && s->cc && s->pattern ? TT_OK : TT_ENOMEM;
    for (size_t i = 0, f = 0; rc == TT_OK && i < n; f += tabs[i++]->src.npatterns)
        first[i] = f;
    if (rc == TT_OK)
        rc = union_patterns(&a, tabs, n);
    if (rc == TT_OK)
        rc = union_v4(&a, tabs, n, first);
    if (rc == TT_OK)
        rc = union_v6(&a, tabs, n, first);
    if (rc == TT_OK && by_day)
        rc = union_days(&a, tabs, n);
    if (rc == TT_OK && !s->pat_start && !(s->pat_start = calloc(1, sizeof *s->pat_start)))
        rc = TT_ENOMEM;
    free(a.in.slots);
    free(a.members);
    free(a.nmembers);
    free(a.to_dst);
    free(a.pats);
    free(a.scratch);
    free(first);
    if (rc) {
        roll_sources_free(dst);
        roll_day_patterns_free(dst);
    }
    return rc;
}

/* Blocks: SRC (n4, n6 varints; IPv4 ascending, gaps as 4 byte planes, a
 * zstd frame each; IPv6 16 bytes each), SRC_CC (u16 per source), SRC_PAT (varint per source),
 * PATTERNS (count; per pattern: members, then sensor varint and class u8). */
void roll_put_sources(const struct tt_rollup *r, struct tt_buf *src,
                      struct tt_block_frames *src_frames, struct tt_buf *cc, struct tt_buf *pat,
                      struct tt_buf *patterns)
{
    const struct tt_roll_sources *s = &r->src;
    tt_buf_varint(src, s->n4);
    tt_buf_varint(src, s->n6);
    for (size_t k = 0; k < s->n4 + s->n6; k++)
        tt_buf_varint(pat, s->pattern[k]);
    tt_buf_varint(patterns, s->npatterns);
    for (size_t p = 0; p < s->npatterns; p++) {
        tt_buf_varint(patterns, s->pat_start[p + 1] - s->pat_start[p]);
        for (uint32_t m = s->pat_start[p]; m < s->pat_start[p + 1]; m++) {
            tt_buf_varint(patterns, s->members[m] >> 8);
            tt_buf_u8(patterns, (uint8_t)s->members[m]);
        }
    }
    if (r->nsegs)
        return; /* the addresses and countries are the segments' */
    src_frames->n = 5;
    for (unsigned p = 0; p < 5; p++)
        src_frames->at[p] = src->len + p * s->n4; /* offsets outside the block are ignored */
    tt_buf_gap_planes32(src, s->v4, s->n4);
    tt_buf_put(src, s->v6, 16 * s->n6);
    for (size_t k = 0; k < s->n4 + s->n6; k++)
        tt_buf_le(cc, s->cc[k], 2);
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

/* in_segs: only the counts, the addresses being in the segments. */
static int get_addresses(struct tt_roll_sources *s, struct tt_rd *rd, size_t max, int in_segs)
{
    uint64_t n4 = tt_rd_varint(rd), n6 = tt_rd_varint(rd);
    if (rd->bad || n4 > max || n6 > max || n4 + n6 > max)
        return TT_ECORRUPT;
    if (in_segs) {
        s->n4 = (size_t)n4;
        s->n6 = (size_t)n6;
        return rd->pos == rd->len ? TT_OK : TT_ECORRUPT;
    }
    if (n4 > rd->len / 4 || n6 > rd->len / 16)
        return TT_ECORRUPT;
    const uint8_t *planes = tt_rd_bytes(rd, (size_t)n4 * 4);
    if (!planes)
        return TT_ECORRUPT;
    s->v4 = malloc((n4 ? n4 : 1) * sizeof *s->v4);
    s->v6 = malloc((n6 ? n6 : 1) * 16);
    if (!s->v4 || !s->v6)
        return TT_ENOMEM;
    uint64_t a = 0;
    for (size_t k = 0; k < n4 && !rd->bad; k++) {
        uint64_t d = tt_plane32_get(planes, n4, k);
        if ((k && d == 0) || tt_add_bounded(&a, d, UINT32_MAX))
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

/* n pattern indexes into s->pattern. */
static int get_pattern_indexes(struct tt_roll_sources *s, struct tt_rd *pat, size_t n)
{
    if (!(s->pattern = malloc((n + 1) * sizeof *s->pattern)))
        return TT_ENOMEM;
    for (size_t k = 0; k < n; k++) {
        uint64_t p = tt_rd_varint(pat);
        if (pat->bad || p >= s->npatterns)
            return TT_ECORRUPT;
        s->pattern[k] = (uint32_t)p;
    }
    return pat->bad || pat->pos != pat->len ? TT_ECORRUPT : TT_OK;
}

int roll_get_sources(struct tt_rollup *r, struct tt_rd *src, struct tt_rd *cc, struct tt_rd *pat,
                     struct tt_rd *patterns, size_t max)
{
    struct tt_roll_sources *s = &r->src;
    int rc = get_patterns(s, patterns);
    r->src_in_segs = r->nsegs > 0;
    if (rc == TT_OK)
        rc = get_addresses(s, src, max, r->src_in_segs);
    size_t n = s->n4 + s->n6;
    if (rc == TT_OK && cc && cc->len != (r->src_in_segs ? 0 : 2 * n))
        rc = TT_ECORRUPT;
    if (r->src_in_segs)
        cc = NULL; /* the countries are the segments' too */
    if (rc == TT_OK && cc && !(s->cc = malloc((n + 1) * sizeof *s->cc)))
        rc = TT_ENOMEM;
    for (size_t k = 0; rc == TT_OK && cc && k < n; k++) /* cc->len == 2 n, checked above */
        s->cc[k] = (uint16_t)(cc->p[2 * k] | cc->p[2 * k + 1] << 8);
    return rc == TT_OK ? get_pattern_indexes(s, pat, n) : rc;
}

int tt_rollup_mixed_countries(const struct tt_rollup *r)
{
    return r->mixed_cc;
}

const struct tt_roll_sources *tt_rollup_sources(const struct tt_rollup *r)
{
    return r->src_in_segs ? NULL : &r->src;
}
