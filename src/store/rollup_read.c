/* A day's roll-up sources from its segments (rollup_read.h). */
#include "store/rollup_read.h"

#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "store/rollup_int.h"
#include "store/segment.h"
#include "store/store.h"

_Static_assert(TT_ROLL_SEG_NAME_MAX == TT_STORE_NAME_MAX, "a roll-up holds the store's names");

#define SEGMENT_FILE_MAX ((size_t)1 << 34)

/* The union so far of the segments read: sources ascending and
 * distinct, each with its country (0 without countries). */
struct sources {
    uint32_t *v4;
    uint8_t *v6; /* 16 bytes each */
    uint16_t *cc4, *cc6;
    size_t n4, n6;
    int two_countries; /* a source met with two countries */
};

static void sources_free(struct sources *u)
{
    free(u->v4);
    free(u->v6);
    free(u->cc4);
    free(u->cc6);
}

/* Merges a sorted, distinct list of m addresses (with their countries, or
 * none) into *addr and *cc (*n of them): the segments' lists are sorted
 * already, so one linear merge per segment. IPv4 addresses (W 4) compare
 * as numbers in host order, IPv6 ones bytewise; W is a constant in each
 * caller, so the copies and comparisons compile to plain moves. */
#define DEFINE_MERGE(NAME, W, CMP)                                                                 \
    static int NAME(uint8_t **addr, uint16_t **cc, size_t *n, const uint8_t *in,                   \
                    const uint16_t *in_cc, size_t m, int *two_countries)                           \
    {                                                                                              \
        uint8_t *a = malloc((*n + m + 1) * (W));                                                   \
        uint16_t *c = malloc((*n + m + 1) * sizeof *c);                                            \
        if (!a || !c) {                                                                            \
            free(a);                                                                               \
            free(c);                                                                               \
            return TT_ENOMEM;                                                                      \
        }                                                                                          \
        size_t i = 0, j = 0, k = 0;                                                                \
        if (*n == 0) { /* the first segment's list as it is */                                     \
            if (m)                                                                                 \
                memcpy(a, in, m *(W));                                                             \
            for (; k < m; k++)                                                                     \
                c[k] = in_cc ? in_cc[k] : 0;                                                       \
            j = m;                                                                                 \
        }                                                                                          \
        while (i < *n || j < m) {                                                                  \
            int order = i == *n ? 1 : j == m ? -1 : CMP(*addr + i * (W), in + j * (W));            \
            uint16_t jc = in_cc && j < m ? in_cc[j] : 0;                                           \
            if (order == 0 && (*cc)[i] != jc)                                                      \
                *two_countries = 1;                                                                \
            if (order <= 0) {                                                                      \
                memcpy(a + k * (W), *addr + i * (W), (W));                                         \
                c[k++] = (*cc)[i++];                                                               \
                j += order == 0;                                                                   \
            } else {                                                                               \
                memcpy(a + k * (W), in + j * (W), (W));                                            \
                c[k++] = jc;                                                                       \
                j++;                                                                               \
            }                                                                                      \
        }                                                                                          \
        free(*addr);                                                                               \
        free(*cc);                                                                                 \
        *addr = a;                                                                                 \
        *cc = c;                                                                                   \
        *n = k;                                                                                    \
        return TT_OK;                                                                              \
    }

static int cmp_v4(const uint8_t *a, const uint8_t *b)
{
    uint32_t x, y;
    memcpy(&x, a, 4);
    memcpy(&y, b, 4);
    return (x > y) - (x < y);
}

static int cmp_v6(const uint8_t *a, const uint8_t *b)
{
    return memcmp(a, b, 16);
}

DEFINE_MERGE(merge4, 4, cmp_v4)
DEFINE_MERGE(merge6, 16, cmp_v6)

static int add_segment_sources(struct sources *u, const struct tt_seg_sources *s)
{
    uint8_t *v4 = (uint8_t *)u->v4;
    int rc = merge4(&v4, &u->cc4, &u->n4, (const uint8_t *)s->v4, s->cc, s->n4, &u->two_countries);
    u->v4 = (uint32_t *)(void *)v4;
    if (rc == TT_OK)
        rc = merge6(&u->v6, &u->cc6, &u->n6, s->v6, s->cc ? s->cc + s->n4 : NULL, s->n6,
                    &u->two_countries);
    return rc;
}

static int read_segment(struct sources *u, const char *store_dir, const struct tt_rollup *r,
                        const char *segname, int with_cc, const char *name, struct tt_err *err)
{
    char path[TT_PATH_MAX];
    if (tt_store_file_path(path, sizeof path, store_dir, TT_FILE_SEGMENT, r->day, segname))
        return tt_err_set(err, TT_ELIMIT, "%s: segment path too long", name);
    const uint8_t *data = NULL;
    size_t len = 0;
    struct tt_seg *seg = NULL;
    struct tt_seg_sources s;
    int rc = tt_file_map(path, SEGMENT_FILE_MAX, &data, &len, err);
    if (rc == TT_OK)
        rc = tt_seg_open(data, len, path, &seg, err);
    if (rc == TT_OK && tt_seg_day(seg) != r->day)
        rc = tt_err_set(err, TT_ECORRUPT, "%s: corrupt roll-up: segment %s is of another day", name,
                        path);
    if (rc == TT_OK)
        rc = tt_seg_sources(seg, with_cc, &s, err);
    if (rc == TT_OK && add_segment_sources(u, &s))
        rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory", name);
    tt_seg_close(seg);
    if (data)
        tt_file_unmap(data, len);
    return rc;
}

/* Moves the union into r's source table. */
static int take_union(struct tt_rollup *r, struct sources *u, int with_cc)
{
    struct tt_roll_sources *s = &r->src;
    if (u->two_countries || u->n4 != s->n4 || u->n6 != s->n6)
        return TT_ECORRUPT;
    if (with_cc) {
        if (!(s->cc = malloc((u->n4 + u->n6 + 1) * sizeof *s->cc)))
            return TT_ENOMEM;
        if (u->n4)
            memcpy(s->cc, u->cc4, u->n4 * sizeof *s->cc);
        if (u->n6)
            memcpy(s->cc + u->n4, u->cc6, u->n6 * sizeof *s->cc);
    }
    s->v4 = u->v4 ? u->v4 : malloc(sizeof *s->v4);
    s->v6 = u->v6 ? u->v6 : malloc(16);
    u->v4 = NULL;
    u->v6 = NULL;
    r->src_in_segs = 0;
    return s->v4 && s->v6 ? TT_OK : TT_ENOMEM;
}

int tt_rollup_load_sources(struct tt_rollup *r, const char *store_dir, const char *name,
                           int without_cc, struct tt_err *err)
{
    if (!r->src_in_segs)
        return TT_OK;
    struct sources u;
    memset(&u, 0, sizeof u);
    int rc = TT_OK;
    for (size_t i = 0; rc == TT_OK && i < r->nsegs; i++)
        rc = read_segment(&u, store_dir, r, r->segs[i], !without_cc, name, err);
    if (rc == TT_OK) {
        rc = take_union(r, &u, !without_cc);
        if (rc == TT_ENOMEM)
            rc = tt_err_set(err, rc, "%s: out of memory", name);
        else if (rc)
            rc = tt_err_set(err, rc,
                            "%s: corrupt roll-up: its %zu segments' sources are not its %zu "
                            "sources with one country each",
                            name, r->nsegs, r->src.n4 + r->src.n6);
    }
    sources_free(&u);
    return rc;
}

int tt_rollup_read(const char *store_dir, const char *relpath, unsigned want,
                   struct tt_rollup **out, struct tt_err *err)
{
    char path[TT_PATH_MAX];
    uint8_t *data = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = tt_path(path, sizeof path, "%s/%s", store_dir, relpath)
                 ? tt_err_set(err, TT_ELIMIT, "%s: path too long", relpath)
                 : TT_OK;
    /* read, not mapped, though a query decodes only some of a file's
     * blocks: a roll-up is some 140 KB, and on the shared VMs mapping
     * costs more than copying (a page fault each 4 KiB, an unmap that
     * interrupts the other threads): top ports 2021-09 60.8 -> 55.5 ms,
     * stats 2021Q3 64.4 -> 59.3 (medians of 7 on the benchmark store) */
    if (rc == TT_OK)
        rc = tt_file_read(path, TT_ROLLUP_FILE_MAX, &data, &len, err);
    if (rc == TT_OK)
        rc = tt_rollup_decode(data, len, path, want, out, err);
    free(data);
    if (rc == TT_OK && (want & TT_RW_SETS))
        rc = tt_rollup_load_sources(*out, store_dir, path, (want & TT_RW_NO_CC) != 0, err);
    if (rc) {
        tt_rollup_free(*out);
        *out = NULL;
    }
    return rc;
}
