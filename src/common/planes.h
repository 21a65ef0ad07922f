/* Byte planes: n values of `width` bytes stored as every value's byte 0,
 * then every byte 1, and so on. zstd then models each byte position with
 * statistics of its own (a darknet's sorted addresses: gaps whose top byte
 * is nearly constant and whose low bytes are noise), which one stream of
 * mixed bytes or LEB128 hides from it. */
#ifndef TT_PLANES_H
#define TT_PLANES_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* Appends n u32 values, or with gaps set their gaps (ascending values,
 * the first against 0), as 4 byte planes: 4 n bytes. */
static inline void tt_buf_planes32_of(struct tt_buf *b, const uint32_t *v, size_t n, int gaps)
{
    uint8_t *p = tt_buf_reserve(b, 4 * n);
    if (!p)
        return;
    for (unsigned plane = 0; plane < 4; plane++)
        for (size_t k = 0; k < n; k++)
            *p++ = (uint8_t)((v[k] - (gaps && k ? v[k - 1] : 0)) >> (8 * plane));
    b->len += 4 * n;
}

static inline void tt_buf_planes32(struct tt_buf *b, const uint32_t *v, size_t n)
{
    tt_buf_planes32_of(b, v, n, 0);
}

static inline void tt_buf_gap_planes32(struct tt_buf *b, const uint32_t *v, size_t n)
{
    tt_buf_planes32_of(b, v, n, 1);
}

/* Value k of n u32 values stored as 4 byte planes at p (4 n bytes). */
static inline uint32_t tt_plane32_get(const uint8_t *p, size_t n, size_t k)
{
    return (uint32_t)p[k] | (uint32_t)p[n + k] << 8 | (uint32_t)p[2 * n + k] << 16 |
           (uint32_t)p[3 * n + k] << 24;
}

#endif
