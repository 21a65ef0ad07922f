/* Run kinds; see segment_kinds.h. */
#define XXH_INLINE_ALL
#include "store/segment_kinds.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "store/segment_int.h"
#include "store/segment_runs.h"

int seg_kind_field(int c)
{
    switch (c) {
    case C_PROTO:
        return 3;
    case C_L4:
        return 4;
    case C_HLEN:
        return 5;
    case C_FLAGS:
        return 6;
    case C_FLAGS2:
        return 7;
    case C_PHLEN:
        return 8;
    case C_OPTSIG:
        return 9; /* u32, to 12 */
    default:
        return -1;
    }
}

void seg_kinds_free(struct seg_kinds *k)
{
    free(k->slot);
    free(k->id);
    free(k->count);
    free(k->rank);
    free(k->first);
    memset(k, 0, sizeof *k);
}

static int kinds_reserve(struct seg_kinds *k, uint32_t nruns)
{
    size_t slots = 64;
    while (slots < 2 * (size_t)nruns)
        slots *= 2;
    if (slots > k->slots) {
        free(k->slot);
        if (!(k->slot = malloc(slots * sizeof *k->slot))) {
            k->slots = 0;
            return -1;
        }
        k->slots = slots;
    }
    if (nruns > k->cap) {
        free(k->id);
        free(k->count);
        free(k->rank);
        free(k->first);
        k->id = malloc(nruns * sizeof *k->id);
        k->count = malloc(nruns * sizeof *k->count);
        k->rank = malloc(nruns * sizeof *k->rank);
        k->first = malloc(nruns * sizeof *k->first);
        k->cap = k->id && k->count && k->rank && k->first ? nruns : 0;
        if (!k->cap)
            return -1;
    }
    return 0;
}

static int more_runs_first(const void *a, const void *b, void *ctx)
{
    const struct seg_kinds *k = ((const void **)ctx)[0];
    const uint8_t *rows = ((const void **)ctx)[1];
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (k->count[x] != k->count[y])
        return k->count[x] > k->count[y] ? -1 : 1;
    return memcmp(rows + (size_t)k->first[x] * SEG_KIND_LEN,
                  rows + (size_t)k->first[y] * SEG_KIND_LEN, SEG_KIND_LEN);
}

size_t seg_kinds_encode(struct seg_kinds *k, const uint8_t *rows, uint32_t nruns,
                        struct tt_buf *out)
{
    if (kinds_reserve(k, nruns))
        return 0;
    memset(k->slot, 0, k->slots * sizeof *k->slot);
    uint32_t nk = 0;
    for (uint32_t i = 0; i < nruns; i++) {
        const uint8_t *row = rows + (size_t)i * SEG_KIND_LEN;
        size_t h = (size_t)XXH3_64bits(row, SEG_KIND_LEN) & (k->slots - 1);
        for (;; h = (h + 1) & (k->slots - 1)) {
            uint32_t s = k->slot[h];
            if (!s) {
                k->slot[h] = nk + 1;
                k->first[nk] = i;
                k->count[nk] = 0;
                k->id[i] = nk++;
                break;
            }
            if (memcmp(rows + (size_t)k->first[s - 1] * SEG_KIND_LEN, row, SEG_KIND_LEN) == 0) {
                k->id[i] = s - 1;
                break;
            }
        }
        k->count[k->id[i]]++;
    }
    /* k->rank first holds the kinds in table order, then each kind's rank */
    for (uint32_t j = 0; j < nk; j++)
        k->rank[j] = j;
    const void *ctx[2] = {k, rows};
    qsort_r(k->rank, nk, sizeof *k->rank, more_runs_first, ctx);
    size_t begin = out->len;
    tt_buf_varint(out, nk);
    uint8_t *t = tt_buf_reserve(out, (size_t)nk * SEG_KIND_LEN);
    if (t) { /* byte planes: the kinds' masks vary in a few bits, ports in many */
        for (unsigned byte = 0; byte < SEG_KIND_LEN; byte++)
            for (uint32_t j = 0; j < nk; j++)
                *t++ = rows[(size_t)k->first[k->rank[j]] * SEG_KIND_LEN + byte];
        out->len += (size_t)nk * SEG_KIND_LEN;
    }
    size_t table = out->len - begin;
    for (uint32_t j = 0; j < nk; j++)
        k->count[k->rank[j]] = j; /* count now: the kind's rank */
    for (uint32_t i = 0; i < nruns; i++)
        tt_buf_varint(out, k->count[k->id[i]]);
    return tt_buf_ok(out) == TT_OK ? table : 0;
}

int seg_kinds_decode(const uint8_t *in, size_t len, uint32_t nruns, uint8_t *rows)
{
    struct tt_rd rd = tt_rd_make(in, len);
    uint64_t nk = tt_rd_varint(&rd);
    if (rd.bad || nk > nruns || (nruns && nk == 0))
        return -1;
    const uint8_t *table = tt_rd_bytes(&rd, (size_t)nk * SEG_KIND_LEN);
    if (!table)
        return -1;
    uint8_t *kinds = malloc(nk ? (size_t)nk * SEG_KIND_LEN : 1);
    if (!kinds)
        return -1;
    int bad = 0;
    for (uint64_t j = 0; j < nk; j++) {
        uint8_t *row = kinds + j * SEG_KIND_LEN;
        for (unsigned byte = 0; byte < SEG_KIND_LEN; byte++)
            row[byte] = table[byte * nk + j];
        bad |= row[SEG_KIND_IPIDP] >= SEG_IPID__COUNT; /* every mask bit names a column */
    }
    for (uint32_t i = 0; !bad && i < nruns; i++) {
        uint64_t j = tt_rd_varint(&rd);
        if (rd.bad || j >= nk)
            bad = 1;
        else
            memcpy(rows + (size_t)i * SEG_KIND_LEN, kinds + j * SEG_KIND_LEN, SEG_KIND_LEN);
    }
    free(kinds);
    return !bad && rd.pos == rd.len ? 0 : -1;
}
