/* Exact distinct-source counting by merging sorted lists (srcunion.h). */
#include "query/srcunion.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/err.h"

/* List arrays of a megabyte or more (a month's or a range's sources) are
 * mapped on their own, 2 MiB-aligned, with transparent huge pages asked
 * for: filled page by page they cost one fault per 4 KiB, a third of the
 * time of `stats` over a quarter. Smaller ones come from malloc. A header
 * before the array says which. */
#define LIST_HUGE ((size_t)2 << 20)
#define LIST_MAPPED_MIN ((size_t)1 << 20)
struct list_hdr {
    void *base; /* the mapping, or NULL for malloc */
    size_t len;
};

static void *list_alloc(size_t bytes)
{
    size_t h = sizeof(struct list_hdr);
    if (bytes < LIST_MAPPED_MIN) {
        struct list_hdr *p = malloc(h + bytes);
        if (!p)
            return NULL;
        p->base = NULL;
        return p + 1;
    }
    size_t len = (bytes + 2 * LIST_HUGE) & ~(LIST_HUGE - 1); /* room to align, and the header */
    uint8_t *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    uint8_t *data =
        (uint8_t *)(((uintptr_t)base + h + LIST_HUGE - 1) & ~(uintptr_t)(LIST_HUGE - 1));
    madvise(data, len - (size_t)(data - base), MADV_HUGEPAGE); /* a hint: fine if refused */
    struct list_hdr *p = (struct list_hdr *)data - 1;
    p->base = base;
    p->len = len;
    return data;
}

static void list_free(void *data)
{
    if (!data)
        return;
    struct list_hdr *p = (struct list_hdr *)data - 1;
    if (p->base)
        munmap(p->base, p->len);
    else
        free(p);
}

int tt_srclist_of_sources(struct srclist *l, const struct tt_roll_sources *s, const uint64_t *tags,
                          int by_cc)
{
    memset(l, 0, sizeof *l);
    l->k4 = list_alloc((s->n4 + 1) * sizeof *l->k4);
    l->t4 = list_alloc((s->n4 + 1) * sizeof *l->t4);
    l->v6 = list_alloc((s->n6 + 1) * sizeof *l->v6);
    if (!l->k4 || !l->t4 || !l->v6) {
        tt_srclist_free(l);
        return TT_ENOMEM;
    }
    size_t w = 0;
    for (size_t k = 0; k < s->n4; k++) {
        uint64_t t = tags[s->pattern[k]];
        if (t == SRCLIST_SKIP)
            continue;
        l->k4[w] = (uint64_t)s->v4[k] << 16 | (by_cc ? s->cc[k] : 0);
        l->t4[w++] = t;
    }
    l->n4 = w;
    w = 0;
    for (size_t k = s->n4; k < s->n4 + s->n6; k++) {
        uint64_t t = tags[s->pattern[k]];
        if (t == SRCLIST_SKIP)
            continue;
        struct src6 *e = &l->v6[w++];
        uint16_t g = by_cc ? s->cc[k] : 0;
        memcpy(e->key, s->v6 + 16 * (k - s->n4), 16);
        e->key[16] = (uint8_t)(g >> 8);
        e->key[17] = (uint8_t)g;
        e->tag = t;
    }
    l->n6 = w;
    return TT_OK;
}

void tt_srclist_free(struct srclist *l)
{
    list_free(l->k4);
    list_free(l->t4);
    list_free(l->v6);
    memset(l, 0, sizeof *l);
}

int tt_srclist_count_groups(const struct srclist *l, uint64_t key, struct agg *out)
{
    /* a few groups hold most sources: count in an array, then hand over */
    uint32_t *n = calloc(65536, sizeof *n);
    if (!n)
        return TT_ENOMEM;
    for (size_t k = 0; k < l->n4; k++)
        n[(uint16_t)l->k4[k]]++;
    for (size_t k = 0; k < l->n6; k++)
        n[l->v6[k].key[16] << 8 | l->v6[k].key[17]]++;
    int rc = TT_OK;
    for (uint32_t g = 0; rc == TT_OK && g < 65536; g++) {
        struct agg_slot *s = n[g] ? agg_get(out, key | g) : NULL;
        if (n[g] && !s)
            rc = TT_ENOMEM;
        else if (s)
            s->packets += n[g];
    }
    free(n);
    return rc;
}

/* The IPv4 halves of a and b merged into out (sized for both). */
static void merge4(const struct srclist *a, const struct srclist *b, struct srclist *out)
{
    size_t i = 0, j = 0, w = 0;
    /* branch-free: which side comes next is a coin toss for interleaved
     * address lists, and mispredicted branches cost more than the moves */
    while (i < a->n4 && j < b->n4) {
        uint64_t x = a->k4[i], y = b->k4[j];
        size_t take_a = x <= y, take_b = y <= x;
        out->k4[w] = take_a ? x : y;
        out->t4[w++] = (a->t4[i] & (0 - (uint64_t)take_a)) | (b->t4[j] & (0 - (uint64_t)take_b));
        i += take_a;
        j += take_b;
    }
    memcpy(out->k4 + w, a->k4 + i, (a->n4 - i) * sizeof *out->k4);
    memcpy(out->t4 + w, a->t4 + i, (a->n4 - i) * sizeof *out->t4);
    w += a->n4 - i;
    memcpy(out->k4 + w, b->k4 + j, (b->n4 - j) * sizeof *out->k4);
    memcpy(out->t4 + w, b->t4 + j, (b->n4 - j) * sizeof *out->t4);
    out->n4 = w + b->n4 - j;
}

static void merge6(const struct srclist *a, const struct srclist *b, struct srclist *out)
{
    size_t i = 0, j = 0, w = 0;
    while (i < a->n6 && j < b->n6) {
        int c = memcmp(a->v6[i].key, b->v6[j].key, sizeof a->v6[i].key);
        if (c < 0) {
            out->v6[w++] = a->v6[i++];
        } else if (c > 0) {
            out->v6[w++] = b->v6[j++];
        } else {
            out->v6[w] = a->v6[i++];
            out->v6[w++].tag |= b->v6[j++].tag;
        }
    }
    memcpy(out->v6 + w, a->v6 + i, (a->n6 - i) * sizeof *out->v6);
    w += a->n6 - i;
    memcpy(out->v6 + w, b->v6 + j, (b->n6 - j) * sizeof *out->v6);
    out->n6 = w + b->n6 - j;
}

/* Replaces the last two runs by their union. */
static int merge_top(struct srcunion *u)
{
    struct srclist *a = &u->runs[u->nruns - 2], *b = &u->runs[u->nruns - 1], m;
    memset(&m, 0, sizeof m);
    size_t n4 = a->n4 + b->n4, n6 = a->n6 + b->n6;
    m.k4 = list_alloc((n4 + 1) * sizeof *m.k4);
    m.t4 = list_alloc((n4 + 1) * sizeof *m.t4);
    m.v6 = list_alloc((n6 + 1) * sizeof *m.v6);
    if (!m.k4 || !m.t4 || !m.v6) {
        tt_srclist_free(&m);
        return TT_ENOMEM;
    }
    merge4(a, b, &m);
    merge6(a, b, &m);
    tt_srclist_free(a);
    tt_srclist_free(b);
    *a = m;
    u->nruns--;
    return TT_OK;
}

static size_t size_of(const struct srclist *l)
{
    return l->n4 + l->n6;
}

int tt_srcunion_add(struct srcunion *u, struct srclist *l)
{
    if (l->n4 + l->n6 == 0) { /* nothing to merge (and maybe no arrays) */
        tt_srclist_free(l);
        return TT_OK;
    }
    if (tt_grow(&u->runs, &u->cap, u->nruns, sizeof *u->runs, 16)) {
        tt_srclist_free(l);
        return TT_ENOMEM;
    }
    u->runs[u->nruns++] = *l;
    memset(l, 0, sizeof *l);
    /* runs shrink geometrically down the stack: each source is merged
     * O(log runs) times */
    while (u->nruns >= 2 && size_of(&u->runs[u->nruns - 2]) <= 2 * size_of(&u->runs[u->nruns - 1]))
        if (merge_top(u))
            return TT_ENOMEM;
    return TT_OK;
}

int tt_srcunion_take(struct srcunion *u, struct srclist *out)
{
    memset(out, 0, sizeof *out);
    while (u->nruns >= 2)
        if (merge_top(u))
            return TT_ENOMEM;
    if (u->nruns)
        *out = u->runs[--u->nruns];
    return TT_OK;
}

void tt_srcunion_free(struct srcunion *u)
{
    for (size_t i = 0; i < u->nruns; i++)
        tt_srclist_free(&u->runs[i]);
    free(u->runs);
    u->runs = NULL;
    u->nruns = u->cap = 0;
}
