/* Exact unique-source counting (srcset.h). */
#include "query/srcset.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/sort.h"

static int v6_add(struct v6list *l, const uint8_t *a, size_t n)
{
    if (l->n + n > l->cap) {
        size_t cap = l->cap ? l->cap : 256;
        while (cap < l->n + n)
            cap *= 2;
        uint8_t *p = realloc(l->a, cap * 16);
        if (!p)
            return TT_ENOMEM;
        l->a = p;
        l->cap = cap;
    }
    if (n)
        memcpy(l->a + 16 * l->n, a, 16 * n);
    l->n += n;
    return TT_OK;
}

static int cmp16(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

static uint64_t v6_distinct(struct v6list *l)
{
    if (l->n == 0)
        return 0;
    qsort(l->a, l->n, 16, cmp16);
    size_t w = 1;
    for (size_t i = 1; i < l->n; i++)
        if (memcmp(l->a + 16 * i, l->a + 16 * (w - 1), 16) != 0)
            memmove(l->a + 16 * w++, l->a + 16 * i, 16);
    l->n = w;
    return w;
}

int tt_srcset_grow4(struct srcset *u, size_t n)
{
    if (u->n4 + n <= u->cap4)
        return TT_OK;
    size_t cap = u->cap4 ? u->cap4 : 4096;
    while (cap < u->n4 + n)
        cap *= 2;
    uint32_t *p = realloc(u->v4, cap * sizeof *p);
    if (!p)
        return TT_ENOMEM;
    u->v4 = p;
    u->cap4 = cap;
    return TT_OK;
}

int tt_srcset_put6(struct srcset *u, const uint8_t a[16])
{
    return v6_add(&u->v6, a, 1);
}

/* Appends another set's distinct addresses. */
int tt_srcset_merge(struct srcset *u, struct srcset *from)
{
    tt_srcset_count(from);
    if (tt_srcset_grow4(u, from->n4))
        return TT_ENOMEM;
    if (from->n4 && u->n4 && u->nruns <= SRCSET_RUNS) { /* a new ascending run */
        if (u->nruns < SRCSET_RUNS)
            u->run[u->nruns] = u->n4;
        u->nruns++;
    }
    if (from->n4)
        memcpy(u->v4 + u->n4, from->v4, from->n4 * sizeof *u->v4);
    u->n4 += from->n4;
    return v6_add(&u->v6, from->v6.a, from->v6.n);
}

/* Merges the ascending, distinct ranges v[a0, a1) and v[b0, b1) into out,
 * dropping addresses both hold; returns the merged length. */
static size_t merge2(const uint32_t *v, size_t a0, size_t a1, size_t b0, size_t b1, uint32_t *out)
{
    size_t w = 0;
    while (a0 < a1 && b0 < b1) {
        uint32_t x = v[a0], y = v[b0];
        out[w++] = x < y ? x : y;
        a0 += x <= y;
        b0 += y <= x;
    }
    while (a0 < a1)
        out[w++] = v[a0++];
    while (b0 < b1)
        out[w++] = v[b0++];
    return w;
}

/* Folds the runs into the first, left to right: O(n x runs), runs <= 16. */
static int merge_runs(struct srcset *u)
{
    if (!(u->tmp = realloc(u->tmp, (u->n4 ? u->n4 : 1) * sizeof *u->tmp)))
        return TT_ENOMEM;
    size_t len = u->run[0];
    for (size_t r = 0; r < u->nruns; r++) {
        size_t end = r + 1 < u->nruns ? u->run[r + 1] : u->n4;
        len = merge2(u->v4, 0, len, u->run[r], end, u->tmp);
        memcpy(u->v4, u->tmp, len * sizeof *u->v4); /* len <= end: later runs stay intact */
    }
    u->n4 = len;
    return TT_OK;
}

uint64_t tt_srcset_count(struct srcset *u)
{
    if (u->n4 > u->distinct) {
        int rc = TT_OK;
        if (u->nruns == 0)
            ; /* one ascending run: already distinct */
        else if (u->nruns < SRCSET_RUNS)
            rc = merge_runs(u);
        else if (!(u->tmp = realloc(u->tmp, u->n4 * sizeof *u->tmp)))
            rc = TT_ENOMEM;
        else
            u->n4 = tt_sort_unique_u32(u->v4, u->n4, u->tmp);
        if (rc == TT_OK) {
            u->distinct = u->n4;
            u->nruns = 0;
        }
    }
    return u->n4 + v6_distinct(&u->v6);
}

void tt_srcset_free(struct srcset *u)
{
    free(u->v4);
    free(u->tmp);
    free(u->v6.a);
    memset(u, 0, sizeof *u);
}

struct srcset *tt_srcset_map_get(struct srcset_map *m, uint64_t key)
{
    struct agg_slot *s = agg_get(&m->index, key);
    if (!s)
        return NULL;
    if (!s->packets) {
        struct srcset *n = realloc(m->sets, (m->n + 1) * sizeof *n);
        if (!n)
            return NULL;
        m->sets = n;
        memset(&m->sets[m->n], 0, sizeof *m->sets);
        s->packets = ++m->n;
    }
    return &m->sets[s->packets - 1];
}

struct srcset *tt_srcset_map_find(struct srcset_map *m, uint64_t key)
{
    struct agg_slot *s = agg_get(&m->index, key);
    return s && s->packets ? &m->sets[s->packets - 1] : NULL;
}

void tt_srcset_map_free(struct srcset_map *m)
{
    for (size_t i = 0; i < m->n; i++)
        tt_srcset_free(&m->sets[i]);
    free(m->sets);
    agg_free(&m->index);
    memset(m, 0, sizeof *m);
}
