/* Range sets: growable arrays filled by the source parsers, then finalised
 * into sorted, non-overlapping tables (the narrower range wins). */
#include "enrich/range.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tt_range_set_free(struct tt_range_set *s)
{
    if (!s)
        return;
    free(s->v4);
    free(s->v6);
    free(s->names);
    for (unsigned i = 0; i < s->nfiles; i++)
        free(s->files[i]);
    memset(s, 0, sizeof *s);
}

int tt_range_add_file(struct tt_range_set *s, const char *name)
{
    if (!s || !name)
        return TT_EINVAL;
    if (s->nfiles >= TT_RANGE_FILES_MAX)
        return TT_ELIMIT;
    size_t len = strlen(name);
    char *copy = malloc(len + 1);
    if (!copy)
        return TT_ENOMEM;
    memcpy(copy, name, len + 1);
    s->files[s->nfiles] = copy;
    return (int)s->nfiles++;
}

/* Doubles *cap (from 1024) until it holds need elements of size each, at
 * most max elements. */
static int grow(void **p, size_t *cap, size_t need, size_t size, size_t max)
{
    if (need <= *cap)
        return TT_OK;
    if (need > max)
        return TT_ELIMIT;
    size_t ncap = *cap ? *cap : 1024;
    while (ncap < need)
        ncap *= 2;
    if (ncap > max)
        ncap = max;
    void *np = realloc(*p, ncap * size);
    if (!np)
        return TT_ENOMEM;
    *p = np;
    *cap = ncap;
    return TT_OK;
}

int tt_range_add4(struct tt_range_set *s, uint32_t lo, uint32_t hi, uint32_t value, uint16_t file,
                  uint32_t line)
{
    if (!s || lo > hi || value == 0 || file >= s->nfiles)
        return TT_EINVAL;
    int rc = grow((void **)&s->v4, &s->cap4, s->n4 + 1, sizeof *s->v4, TT_RANGE_MAX);
    if (rc)
        return rc;
    s->v4[s->n4++] =
        (struct tt_range4){.lo = lo, .hi = hi, .value = value, .file = file, .line = line};
    return TT_OK;
}

int tt_range_add6(struct tt_range_set *s, const uint8_t lo[16], const uint8_t hi[16],
                  uint32_t value, uint16_t file, uint32_t line)
{
    if (!s || !lo || !hi || memcmp(lo, hi, 16) > 0 || value == 0 || file >= s->nfiles)
        return TT_EINVAL;
    int rc = grow((void **)&s->v6, &s->cap6, s->n6 + 1, sizeof *s->v6, TT_RANGE_MAX);
    if (rc)
        return rc;
    struct tt_range6 *r = &s->v6[s->n6++];
    memcpy(r->lo, lo, 16);
    memcpy(r->hi, hi, 16);
    r->value = value;
    r->file = file;
    r->line = line;
    return TT_OK;
}

/* Names are appended unsorted (finalize sorts them; the last one of an asn
 * wins); replacing here only when the latest entry is the same AS keeps
 * add O(1) for the common "same AS on consecutive lines" case. */
int tt_range_add_name(struct tt_range_set *s, uint32_t asn, const char *name)
{
    if (!s || !name)
        return TT_EINVAL;
    struct tt_asname *n;
    if (s->nnames && s->names[s->nnames - 1].asn == asn) {
        n = &s->names[s->nnames - 1];
    } else {
        int rc =
            grow((void **)&s->names, &s->capnames, s->nnames + 1, sizeof *s->names, TT_RANGE_MAX);
        if (rc)
            return rc;
        n = &s->names[s->nnames++];
    }
    n->asn = asn;
    if (tt_strlcpy(n->name, name, sizeof n->name) != TT_OK) {
        size_t len = sizeof n->name - 1; /* cut: not inside a UTF-8 sequence */
        while (len && ((unsigned char)n->name[len] & 0xc0) == 0x80)
            len--;
        n->name[len] = '\0';
    }
    return TT_OK;
}

/* --- Finalise. Both families go through one algorithm on 128-bit
 * addresses (IPv4 as ::a.b.c.d), so the edge cases are handled once. --- */

struct u128 {
    uint64_t h, l;
};

struct item {
    struct u128 lo, hi;
    uint32_t value, line;
    uint16_t file;
};

static int u128_cmp(struct u128 a, struct u128 b)
{
    if (a.h != b.h)
        return a.h < b.h ? -1 : 1;
    return a.l < b.l ? -1 : a.l > b.l;
}

static struct u128 u128_sub(struct u128 a, struct u128 b)
{
    struct u128 r = {a.h - b.h - (a.l < b.l), a.l - b.l};
    return r;
}

static struct u128 u128_inc(struct u128 a)
{
    struct u128 r = {a.h + (a.l == UINT64_MAX), a.l + 1};
    return r;
}

static struct u128 u128_dec(struct u128 a)
{
    struct u128 r = {a.h - (a.l == 0), a.l - 1};
    return r;
}

static struct u128 u128_from16(const uint8_t b[16])
{
    struct u128 r = {0, 0};
    for (int i = 0; i < 8; i++) {
        r.h = r.h << 8 | b[i];
        r.l = r.l << 8 | b[8 + i];
    }
    return r;
}

static void u128_to16(struct u128 a, uint8_t b[16])
{
    for (int i = 7; i >= 0; i--) {
        b[i] = (uint8_t)a.h;
        b[8 + i] = (uint8_t)a.l;
        a.h >>= 8;
        a.l >>= 8;
    }
}

/* > 0 when a beats b where both cover an address: narrower, then the later
 * record (file, then line), then (only for determinism) the larger value. */
static int rank_cmp(const struct item *a, const struct item *b)
{
    int w = u128_cmp(u128_sub(b->hi, b->lo), u128_sub(a->hi, a->lo));
    if (w)
        return w;
    if (a->file != b->file)
        return a->file > b->file ? 1 : -1;
    if (a->line != b->line)
        return a->line > b->line ? 1 : -1;
    return a->value > b->value ? 1 : a->value < b->value ? -1 : 0;
}

static int item_sort_cmp(const void *pa, const void *pb)
{
    const struct item *a = pa, *b = pb;
    int c = u128_cmp(a->lo, b->lo);
    if (c)
        return c;
    c = u128_cmp(a->hi, b->hi);
    if (c)
        return c;
    if (a->value != b->value)
        return a->value < b->value ? -1 : 1;
    return rank_cmp(a, b); /* the better record last among exact duplicates */
}

/* Drops exact duplicates (same lo, hi and value; the later record is kept):
 * they change nothing and would make the overlap scan quadratic. */
static size_t dedupe(struct item *it, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o && u128_cmp(it[o - 1].lo, it[i].lo) == 0 && u128_cmp(it[o - 1].hi, it[i].hi) == 0 &&
            it[o - 1].value == it[i].value)
            o--;
        it[o++] = it[i];
    }
    return o;
}

/* A binary max-heap of item indices by rank_cmp (the winner on top). */
struct heap {
    uint32_t *v;
    size_t n;
    const struct item *it;
};

static int heap_better(const struct heap *h, size_t a, size_t b)
{
    return rank_cmp(&h->it[h->v[a]], &h->it[h->v[b]]) > 0;
}

static void heap_swap(struct heap *h, size_t a, size_t b)
{
    uint32_t t = h->v[a];
    h->v[a] = h->v[b];
    h->v[b] = t;
}

static void heap_push(struct heap *h, uint32_t x)
{
    size_t i = h->n++;
    h->v[i] = x;
    while (i && heap_better(h, i, (i - 1) / 2)) {
        heap_swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_pop(struct heap *h)
{
    h->v[0] = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && heap_better(h, l, m))
            m = l;
        if (r < h->n && heap_better(h, r, m))
            m = r;
        if (m == i)
            return;
        heap_swap(h, i, m);
        i = m;
    }
}

/* Appends [lo, hi] -> w's value, joining it to the previous piece when that
 * has the same value and ends right before lo. */
static int emit(struct item **out, size_t *nout, size_t *cap, struct u128 lo, struct u128 hi,
                const struct item *w)
{
    if (*nout) {
        struct item *p = &(*out)[*nout - 1];
        if (p->value == w->value && u128_cmp(u128_inc(p->hi), lo) == 0) {
            p->hi = hi;
            return TT_OK;
        }
    }
    int rc = grow((void **)out, cap, *nout + 1, sizeof **out, 2 * (size_t)TT_RANGE_MAX + 1);
    if (rc)
        return rc;
    struct item *p = &(*out)[(*nout)++];
    *p = *w;
    p->lo = lo;
    p->hi = hi;
    return TT_OK;
}

/* The sweep: at each position the best range covering it (heap top) wins
 * until it ends or the next range starts. Every step ends at a range's hi
 * (popped next) or before a range's lo (pushed next), so there are at most
 * 2n steps of O(log n). it is sorted by lo; max is the family's last address. */
static int sweep(const struct item *it, size_t n, struct u128 max, struct item **out, size_t *nout)
{
    struct heap h = {malloc((n ? n : 1) * sizeof *h.v), 0, it};
    size_t cap = 0, i = 0;
    struct u128 pos = {0, 0};
    int rc = h.v ? TT_OK : TT_ENOMEM;
    *out = NULL;
    *nout = 0;
    while (rc == TT_OK && (i < n || h.n)) {
        if (!h.n)
            pos = it[i].lo;
        while (i < n && u128_cmp(it[i].lo, pos) == 0)
            heap_push(&h, (uint32_t)i++);
        while (h.n && u128_cmp(it[h.v[0]].hi, pos) < 0)
            heap_pop(&h);
        if (!h.n)
            continue;
        const struct item *w = &it[h.v[0]];
        struct u128 end = w->hi;
        if (i < n && u128_cmp(u128_dec(it[i].lo), end) < 0)
            end = u128_dec(it[i].lo); /* it[i].lo > pos >= 0: no wrap */
        rc = emit(out, nout, &cap, pos, end, w);
        if (u128_cmp(end, max) == 0)
            break; /* i == n here: a later lo would have cut end short */
        pos = u128_inc(end);
    }
    free(h.v);
    return rc;
}

static void fmt_addr(struct u128 a, int ipver, char *buf, size_t size)
{
    if (ipver == 4) {
        uint32_t v = (uint32_t)a.l;
        snprintf(buf, size, "%u.%u.%u.%u", v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255);
        return;
    }
    uint8_t b[16];
    u128_to16(a, b);
    if (!inet_ntop(AF_INET6, b, buf, (socklen_t)size))
        tt_strlcpy(buf, "?", size);
}

static void report_pair(const struct tt_range_set *s, int ipver, const struct item *x,
                        const struct item *y, tt_range_report_fn report, void *ctx)
{
    const struct item *a = x, *b = y; /* a loses, b wins */
    if (rank_cmp(a, b) > 0) {
        a = y;
        b = x;
    }
    struct tt_range_conflict c = {.ipver = ipver};
    fmt_addr(u128_cmp(a->lo, b->lo) > 0 ? a->lo : b->lo, ipver, c.lo, sizeof c.lo);
    fmt_addr(u128_cmp(a->hi, b->hi) < 0 ? a->hi : b->hi, ipver, c.hi, sizeof c.hi);
    c.file_a = a->file < s->nfiles ? s->files[a->file] : "?";
    c.file_b = b->file < s->nfiles ? s->files[b->file] : "?";
    c.line_a = a->line;
    c.line_b = b->line;
    c.value_a = a->value;
    c.value_b = b->value;
    report(ctx, &c);
}

/* Every pair of overlapping records with different values, found once when
 * the later-starting one begins: the active list holds the ranges still
 * open, so the scan costs O(n + overlapping pairs). it is sorted by lo. */
static int find_conflicts(const struct tt_range_set *s, int ipver, const struct item *it, size_t n,
                          tt_range_report_fn report, void *ctx, uint64_t *count)
{
    uint32_t *act = malloc((n ? n : 1) * sizeof *act);
    if (!act)
        return TT_ENOMEM;
    size_t na = 0;
    for (size_t i = 0; i < n; i++) {
        size_t o = 0;
        for (size_t k = 0; k < na; k++) {
            const struct item *p = &it[act[k]];
            if (u128_cmp(p->hi, it[i].lo) < 0)
                continue; /* ended before it[i]: drop for good */
            act[o++] = act[k];
            if (p->value != it[i].value) {
                (*count)++;
                if (report)
                    report_pair(s, ipver, p, &it[i], report, ctx);
            }
        }
        na = o;
        act[na++] = (uint32_t)i;
    }
    free(act);
    return TT_OK;
}

static int load4(const struct tt_range_set *s, struct item *it, struct tt_err *err)
{
    for (size_t i = 0; i < s->n4; i++) {
        const struct tt_range4 *r = &s->v4[i];
        if (r->lo > r->hi || r->value == 0)
            return tt_err_set(err, TT_EINVAL, "%s:%u: empty range or no value",
                              r->file < s->nfiles ? s->files[r->file] : "?", r->line);
        it[i] = (struct item){{0, r->lo}, {0, r->hi}, r->value, r->line, r->file};
    }
    return TT_OK;
}

static int load6(const struct tt_range_set *s, struct item *it, struct tt_err *err)
{
    for (size_t i = 0; i < s->n6; i++) {
        const struct tt_range6 *r = &s->v6[i];
        it[i] = (struct item){u128_from16(r->lo), u128_from16(r->hi), r->value, r->line, r->file};
        if (u128_cmp(it[i].lo, it[i].hi) > 0 || r->value == 0)
            return tt_err_set(err, TT_EINVAL, "%s:%u: empty range or no value",
                              r->file < s->nfiles ? s->files[r->file] : "?", r->line);
    }
    return TT_OK;
}

static void store4(struct tt_range_set *s, const struct item *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s->v4[i] = (struct tt_range4){(uint32_t)o[i].lo.l, (uint32_t)o[i].hi.l, o[i].value,
                                      o[i].file, o[i].line};
    s->n4 = n;
}

static void store6(struct tt_range_set *s, const struct item *o, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct tt_range6 *r = &s->v6[i];
        u128_to16(o[i].lo, r->lo);
        u128_to16(o[i].hi, r->hi);
        r->value = o[i].value;
        r->file = o[i].file;
        r->line = o[i].line;
    }
    s->n6 = n;
}

/* One family: load, sort, report overlaps, sweep, and store the result in
 * place of the input (the output is never longer than needed: it reuses
 * the input array when it fits, else grows it). */
static int finalize_family(struct tt_range_set *s, int ipver, tt_range_report_fn report, void *ctx,
                           uint64_t *count, struct tt_err *err)
{
    size_t n = ipver == 4 ? s->n4 : s->n6, nout = 0;
    struct item *it = malloc((n ? n : 1) * sizeof *it), *out = NULL;
    struct u128 max = {ipver == 4 ? 0 : UINT64_MAX, ipver == 4 ? UINT32_MAX : UINT64_MAX};
    int rc = it ? TT_OK : TT_ENOMEM;
    if (rc == TT_OK)
        rc = ipver == 4 ? load4(s, it, err) : load6(s, it, err);
    if (rc != TT_OK)
        goto out;
    qsort(it, n, sizeof *it, item_sort_cmp);
    n = dedupe(it, n);
    rc = find_conflicts(s, ipver, it, n, report, ctx, count);
    if (rc == TT_OK)
        rc = sweep(it, n, max, &out, &nout);
    if (rc != TT_OK)
        goto out;
    if (ipver == 4) {
        rc = grow((void **)&s->v4, &s->cap4, nout, sizeof *s->v4, 2 * (size_t)TT_RANGE_MAX + 1);
        if (rc == TT_OK)
            store4(s, out, nout);
    } else {
        rc = grow((void **)&s->v6, &s->cap6, nout, sizeof *s->v6, 2 * (size_t)TT_RANGE_MAX + 1);
        if (rc == TT_OK)
            store6(s, out, nout);
    }
out:
    if (rc == TT_ENOMEM || rc == TT_ELIMIT)
        tt_err_set(err, rc, "range set: IPv%d: %s", ipver, tt_strerror(rc));
    free(it);
    free(out);
    return rc;
}

struct name_ref {
    uint32_t asn;
    uint32_t idx;
};

static int name_ref_cmp(const void *pa, const void *pb)
{
    const struct name_ref *a = pa, *b = pb;
    if (a->asn != b->asn)
        return a->asn < b->asn ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Sorts names by asn; of several names for one AS the last added wins. */
static int finalize_names(struct tt_range_set *s, struct tt_err *err)
{
    size_t n = s->nnames, o = 0;
    if (n < 2)
        return TT_OK;
    struct name_ref *ref = malloc(n * sizeof *ref);
    struct tt_asname *nv = malloc(n * sizeof *nv);
    int rc = ref && nv ? TT_OK : tt_err_set(err, TT_ENOMEM, "range set: AS names: out of memory");
    if (rc != TT_OK)
        goto out;
    for (size_t i = 0; i < n; i++)
        ref[i] = (struct name_ref){s->names[i].asn, (uint32_t)i};
    qsort(ref, n, sizeof *ref, name_ref_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && ref[i + 1].asn == ref[i].asn)
            continue;
        nv[o++] = s->names[ref[i].idx];
    }
    free(s->names);
    s->names = nv;
    s->nnames = o;
    s->capnames = n;
    nv = NULL;
out:
    free(ref);
    free(nv);
    return rc;
}

int tt_range_finalize(struct tt_range_set *s, tt_range_report_fn report, void *ctx,
                      uint64_t *conflicts, struct tt_err *err)
{
    uint64_t count = 0;
    if (!s)
        return tt_err_set(err, TT_EINVAL, "range set: NULL");
    int rc = finalize_family(s, 4, report, ctx, &count, err);
    if (rc == TT_OK)
        rc = finalize_family(s, 6, report, ctx, &count, err);
    if (rc == TT_OK)
        rc = finalize_names(s, err);
    if (conflicts)
        *conflicts = count;
    return rc;
}
