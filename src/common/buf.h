/* Growable byte buffer for writers and a bounds-checked reader with a sticky
 * error flag, with the little-endian and LEB128 varint codings the store's
 * file formats use. Inline: they sit in the segment and roll-up hot loops. */
#ifndef TT_BUF_H
#define TT_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

#define TT_BUF_MAX ((size_t)1 << 34) /* no single stored object may exceed 16 GiB */

/* Makes room for element n of the array at *arr (a pointer to the array
 * pointer) of *cap elements of elem bytes: doubles the capacity, starting
 * at first. TT_OK, or TT_ENOMEM with the array and *cap unchanged. The
 * pointer is copied with memcpy so that any element type can be passed. */
static inline int tt_grow(void *arr, size_t *cap, size_t n, size_t elem, size_t first)
{
    if (n < *cap)
        return TT_OK;
    size_t ncap = *cap ? *cap * 2 : first;
    if (ncap <= n || ncap > SIZE_MAX / elem)
        return TT_ENOMEM;
    void *p;
    memcpy(&p, arr, sizeof p);
    void *np = realloc(p, ncap * elem);
    if (!np)
        return TT_ENOMEM;
    memcpy(arr, &np, sizeof np);
    *cap = ncap;
    /* cppcheck-suppress memleak ; the memcpy above hands np to the caller */
    return TT_OK;
}

struct tt_buf {
    uint8_t *p;
    size_t len, cap;
    int oom; /* sticky: an append failed; check once with tt_buf_ok */
};

static inline void tt_buf_free(struct tt_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* Makes room for n more bytes; returns NULL (and sets oom) on failure. */
static inline uint8_t *tt_buf_reserve(struct tt_buf *b, size_t n)
{
    if (b->oom)
        return NULL;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *np = cap <= TT_BUF_MAX ? realloc(b->p, cap) : NULL;
        if (!np) {
            b->oom = 1;
            return NULL;
        }
        b->p = np;
        b->cap = cap;
    }
    return b->p + b->len;
}

static inline int tt_buf_ok(const struct tt_buf *b)
{
    return b->oom ? TT_ENOMEM : TT_OK;
}

static inline void tt_buf_put(struct tt_buf *b, const void *src, size_t n)
{
    if (n == 0)
        return; /* an empty buffer has no pointer to offset */
    uint8_t *d = tt_buf_reserve(b, n);
    if (d) {
        memcpy(d, src, n);
        b->len += n;
    }
}

static inline void tt_buf_u8(struct tt_buf *b, uint8_t v)
{
    tt_buf_put(b, &v, 1);
}

/* Raw writers for loops that reserved room once: each returns the bytes
 * written at d (a varint takes at most TT_VARINT_MAX). */
#define TT_VARINT_MAX 10
static inline size_t tt_le_put(uint8_t *d, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        d[i] = (uint8_t)(v >> (8 * i));
    return bytes;
}

static inline size_t tt_varint_put(uint8_t *d, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        d[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    d[n++] = (uint8_t)v;
    return n;
}

static inline void tt_buf_le(struct tt_buf *b, uint64_t v, unsigned bytes)
{
    uint8_t *d = tt_buf_reserve(b, bytes);
    if (d)
        b->len += tt_le_put(d, v, bytes);
}

static inline void tt_buf_varint(struct tt_buf *b, uint64_t v)
{
    uint8_t *d = tt_buf_reserve(b, TT_VARINT_MAX);
    if (d)
        b->len += tt_varint_put(d, v);
}

static inline uint64_t tt_zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0); /* sign fill without >> of a negative */
}
static inline int64_t tt_unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Reader over [p, p+len). Any read past the end sets bad and returns 0s. */
struct tt_rd {
    const uint8_t *p;
    size_t len, pos;
    int bad;
};

static inline struct tt_rd tt_rd_make(const void *p, size_t len)
{
    struct tt_rd r = {(const uint8_t *)p, len, 0, 0};
    return r;
}

static inline int tt_rd_has(struct tt_rd *r, size_t n)
{
    if (r->bad || r->len - r->pos < n) {
        r->bad = 1;
        return 0;
    }
    return 1;
}

static inline uint64_t tt_rd_le(struct tt_rd *r, unsigned bytes)
{
    if (!tt_rd_has(r, bytes))
        return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)r->p[r->pos + i] << (8 * i);
    r->pos += bytes;
    return v;
}

static inline uint8_t tt_rd_u8(struct tt_rd *r)
{
    return (uint8_t)tt_rd_le(r, 1);
}

static inline const uint8_t *tt_rd_bytes(struct tt_rd *r, size_t n)
{
    if (!tt_rd_has(r, n))
        return NULL;
    const uint8_t *p = r->p + r->pos;
    r->pos += n;
    return p;
}

/* Adds a decoded delta to a running value unless the sum would pass max:
 * 0 when added, 1 (and *acc unchanged) when not. Checked before adding,
 * as a delta near 2^64 would wrap a sum past any later check. */
static inline int tt_add_bounded(uint64_t *acc, uint64_t delta, uint64_t max)
{
    if (*acc > max || delta > max - *acc)
        return 1;
    *acc += delta;
    return 0;
}

static inline uint64_t tt_rd_varint(struct tt_rd *r)
{
    if (!r->bad && r->len - r->pos >= 10) {
        /* the common case, away from the end: no bounds check per byte */
        const uint8_t *p = r->p + r->pos;
        if (p[0] < 0x80) {
            r->pos++;
            return p[0];
        }
        uint64_t v = p[0] & 0x7f;
        for (unsigned i = 1; i < 10; i++) {
            v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
            if (p[i] < 0x80) {
                r->pos += i + 1;
                return v;
            }
        }
        r->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->bad || r->pos >= r->len) {
            r->bad = 1;
            return 0;
        }
        uint8_t c = r->p[r->pos++];
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
    r->bad = 1; /* more than 10 bytes: not a varint we wrote */
    return 0;
}

#endif
