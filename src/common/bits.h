/* Bit packing, least significant bit first: values of known widths (0..32
 * bits) back to back, for fields whose width follows from data the reader
 * has already (a destination offset from its prefix length). The reader is
 * bounds-checked with a sticky error flag, like tt_rd. */
#ifndef TT_BITS_H
#define TT_BITS_H

#include <stddef.h>
#include <stdint.h>

/* Bytes that n bits take. */
static inline size_t tt_bits_bytes(uint64_t n)
{
    return (size_t)((n + 7) / 8);
}

struct tt_bitw {
    uint8_t *p; /* room reserved by the caller: tt_bits_bytes(total bits) */
    uint64_t acc;
    unsigned n; /* bits held in acc, < 8 between calls */
};

/* Appends the low width bits of v (the rest must be 0). */
static inline void tt_bitw_put(struct tt_bitw *w, uint32_t v, unsigned width)
{
    w->acc |= (uint64_t)v << w->n;
    w->n += width;
    while (w->n >= 8) {
        *w->p++ = (uint8_t)w->acc;
        w->acc >>= 8;
        w->n -= 8;
    }
}

/* Writes the last partial byte (its high bits 0); returns the end. */
static inline uint8_t *tt_bitw_end(struct tt_bitw *w)
{
    if (w->n)
        *w->p++ = (uint8_t)w->acc;
    w->acc = 0;
    w->n = 0;
    return w->p;
}

struct tt_bitr {
    const uint8_t *p, *end;
    uint64_t acc;
    unsigned n; /* bits held in acc */
    int bad;    /* sticky: a read went past the end */
};

static inline void tt_bitr_init(struct tt_bitr *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->end = p + len;
    r->acc = 0;
    r->n = 0;
    r->bad = 0;
}

/* The next width (0..32) bits; 0 and r->bad set past the end. */
static inline uint32_t tt_bitr_get(struct tt_bitr *r, unsigned width)
{
    while (r->n < width) {
        if (r->p == r->end) {
            r->bad = 1;
            return 0;
        }
        r->acc |= (uint64_t)*r->p++ << r->n;
        r->n += 8;
    }
    uint32_t v = (uint32_t)(r->acc & (((uint64_t)1 << width) - 1));
    r->acc >>= width;
    r->n -= width;
    return v;
}

/* Whether every byte was read and the padding bits of the last are 0. */
static inline int tt_bitr_done(const struct tt_bitr *r)
{
    return !r->bad && r->p == r->end && r->n < 8 && r->acc == 0;
}

#endif
