#include "store/segment_ranks.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/sort.h"

void seg_ranker_init(struct seg_ranker *k)
{
    memset(k->count, 0, sizeof k->count);
    memset(k->rank, SEG_RANK_ESCAPE, sizeof k->rank);
}

/* Candidates as count << 16 | (65535 - value): larger is better. */
static int better_first(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x < y) - (x > y);
}

static uint16_t value_at(const uint8_t *in, size_t i)
{
    return (uint16_t)(in[2 * i] | in[2 * i + 1] << 8);
}

size_t seg_rank_encode(struct seg_ranker *k, const uint8_t *in, size_t n, struct tt_buf *out)
{
    size_t begin = out->len;
    size_t nd = 0, nc = 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t v = value_at(in, i);
        if (k->count[v]++ == 0)
            k->distinct[nd++] = v;
    }
    uint64_t *cand = k->cand;
    for (size_t i = 0; i < nd; i++)
        if (k->count[k->distinct[i]] >= 2)
            cand[nc++] = (uint64_t)k->count[k->distinct[i]] << 16 | (65535u - k->distinct[i]);
    tt_sort_top(cand, nc, sizeof *cand, SEG_RANK_MAX, better_first);
    size_t t = nc < SEG_RANK_MAX ? nc : SEG_RANK_MAX;
    tt_buf_varint(out, t);
    tt_buf_varint(out, n);
    for (size_t r = 0; r < t; r++) {
        uint16_t v = (uint16_t)(65535u - (cand[r] & 0xffff));
        k->rank[v] = (uint8_t)r;
        tt_buf_le(out, v, 2);
    }
    size_t escapes = 0, at = out->len;
    uint8_t *p = tt_buf_reserve(out, n);
    if (p) {
        for (size_t i = 0; i < n; i++)
            escapes += (p[i] = k->rank[value_at(in, i)]) == SEG_RANK_ESCAPE;
        out->len += n;
    }
    uint8_t *e = p ? tt_buf_reserve(out, 2 * escapes) : NULL;
    if (e) {
        const uint8_t *ranks = out->p + at; /* the reserve may have moved it */
        for (size_t i = 0; i < n; i++)
            if (ranks[i] == SEG_RANK_ESCAPE) {
                memcpy(e, in + 2 * i, 2);
                e += 2;
            }
        out->len += 2 * escapes;
    }
    for (size_t i = 0; i < nd; i++) {
        k->count[k->distinct[i]] = 0;
        k->rank[k->distinct[i]] = SEG_RANK_ESCAPE;
    }
    return at + n - begin;
}

int seg_rank_decode(const uint8_t *in, size_t len, uint8_t **out, size_t *n)
{
    struct tt_rd rd = tt_rd_make(in, len);
    uint64_t t = tt_rd_varint(&rd), m = tt_rd_varint(&rd);
    const uint8_t *table = rd.bad || t > SEG_RANK_MAX ? NULL : tt_rd_bytes(&rd, 2 * t);
    const uint8_t *ranks = table && m <= len ? tt_rd_bytes(&rd, m) : NULL;
    if (!ranks)
        return TT_ECORRUPT;
    size_t escapes = 0;
    for (size_t i = 0; i < m; i++) {
        if (ranks[i] == SEG_RANK_ESCAPE)
            escapes++;
        else if (ranks[i] >= t)
            return TT_ECORRUPT;
    }
    const uint8_t *esc = tt_rd_bytes(&rd, 2 * escapes);
    if (!esc || rd.pos != rd.len)
        return TT_ECORRUPT;
    uint8_t *v = malloc(m ? 2 * m : 1);
    if (!v)
        return TT_ENOMEM;
    /* a table lookup per value, then the escapes in their places */
    uint8_t lut[2 * 256] = {0};
    memcpy(lut, table, 2 * t);
    for (size_t i = 0; i < m; i++)
        memcpy(v + 2 * i, lut + 2 * (size_t)ranks[i], 2);
    for (size_t i = 0; escapes && i < m; i++)
        if (ranks[i] == SEG_RANK_ESCAPE) {
            memcpy(v + 2 * i, esc, 2);
            esc += 2;
            escapes--;
        }
    *out = v;
    *n = m;
    return TT_OK;
}
