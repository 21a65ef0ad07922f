/* Run squeezing of fixed-width segment columns; see segment_runs.h. */
#include <string.h>

#include "store/segment_int.h"
#include "store/segment_runs.h"

/* Measured on the benchmark store (two days, four segments): the first 15
 * columns went from 6.61 to 6.03 B/record, masks included; OPTSIG (bit 15,
 * store format 10) from 0.075 to 0.005 on all 92 days. */
const struct seg_squeeze seg_squeezed[SEG_SQUEEZED] = {
    {C_SPORT, 2, SEG_REST_ZERO, 0},  {C_DPORT, 2, SEG_REST_FIRST, 1},
    {C_TTL, 1, SEG_REST_ZERO, 0},    {C_WIN, 2, SEG_REST_FIRST, 1},
    {C_IPLEN, 2, SEG_REST_FIRST, 1}, {C_FRAG, 2, SEG_REST_ZERO, 0},
    {C_IPID, 2, SEG_REST_ZERO, 0},   {C_SEQ, 4, SEG_ALL_ZERO, 0},
    {C_ACK, 4, SEG_ALL_ZERO, 0},     {C_PROTO, 1, SEG_REST_FIRST, 0},
    {C_L4, 1, SEG_REST_FIRST, 0},    {C_HLEN, 1, SEG_REST_FIRST, 0},
    {C_FLAGS, 1, SEG_REST_FIRST, 0}, {C_FLAGS2, 1, SEG_REST_FIRST, 0},
    {C_PHLEN, 1, SEG_REST_FIRST, 0}, {C_OPTSIG, 4, SEG_REST_FIRST, 0},
};

const struct seg_squeeze *seg_squeeze_of(int c)
{
    for (unsigned i = 0; i < SEG_SQUEEZED; i++)
        if (seg_squeezed[i].col == c)
            return &seg_squeezed[i];
    return NULL;
}

static unsigned mask_bit(const uint8_t *masks, size_t stride, uint32_t run, unsigned bit)
{
    const uint8_t *m = masks + stride * run;
    return (unsigned)(m[0] | m[1] << 8) >> bit & 1;
}

static inline __attribute__((always_inline)) int zero_value(const uint8_t *p, unsigned w)
{
    uint32_t v = 0;
    memcpy(&v, p, w); /* w <= 4: one load for a constant w */
    return v == 0;
}

/* Whether a run of len values at p repeats in the given way. */
static inline __attribute__((always_inline)) int repeats(unsigned w, enum seg_repeat repeat,
                                                         const uint8_t *p, uint32_t len)
{
    for (uint32_t j = repeat == SEG_ALL_ZERO ? 0 : 1; j < len; j++) {
        const uint8_t *v = p + (size_t)j * w;
        if (repeat == SEG_REST_FIRST ? memcmp(v, p, w) != 0 : !zero_value(v, w))
            return 0;
    }
    return 1;
}

/* The squeeze for one width (see expand_width for why it is specialised). */
static inline __attribute__((always_inline)) void
squeeze_width(unsigned w, enum seg_repeat repeat, unsigned bit, const uint8_t *col,
              const uint32_t *runs, uint32_t nruns, uint16_t *masks, struct tt_buf *out)
{
    unsigned first = repeat != SEG_ALL_ZERO;
    size_t firsts = first ? (size_t)nruns * w : 0, rest = 0;
    const uint8_t *p = col;
    for (uint32_t i = 0; i < nruns; p += (size_t)runs[i] * w, i++) {
        if (repeats(w, repeat, p, runs[i]))
            masks[i] |= (uint16_t)(1u << bit);
        else
            rest += (size_t)(runs[i] - first) * w;
    }
    uint8_t *f = tt_buf_reserve(out, firsts + rest);
    if (!f)
        return;
    uint8_t *r = f + firsts;
    p = col;
    for (uint32_t i = 0; i < nruns; p += (size_t)runs[i] * w, i++) {
        if (first) {
            memcpy(f, p, w);
            f += w;
        }
        if (!(masks[i] >> bit & 1)) {
            size_t len = (size_t)(runs[i] - first) * w;
            memcpy(r, p + (size_t)first * w, len);
            r += len;
        }
    }
    out->len += firsts + rest;
}

void seg_squeeze_column(const struct seg_squeeze *q, unsigned bit, const uint8_t *col,
                        const uint32_t *runs, uint32_t nruns, uint16_t *masks, struct tt_buf *out)
{
    enum seg_repeat rep = (enum seg_repeat)q->repeat;
    if (q->width == 1)
        squeeze_width(1, rep, bit, col, runs, nruns, masks, out);
    else if (q->width == 2)
        squeeze_width(2, rep, bit, col, runs, nruns, masks, out);
    else
        squeeze_width(4, rep, bit, col, runs, nruns, masks, out);
}

/* The expansion for one width, in one pass with every read and write
 * bounded: a constant w lets the compiler turn the small copies into moves
 * (the drill-down expands the port column of every segment it reads). The
 * zero kinds start from a zeroed column and skip their repeating runs. */
static inline __attribute__((always_inline)) int
expand_width(unsigned w, enum seg_repeat repeat, const uint8_t *in, size_t in_len,
             const uint32_t *runs, uint32_t nruns, const uint8_t *masks, size_t stride,
             const uint8_t *kind_firsts, unsigned bit, uint8_t *out, uint32_t n)
{
    unsigned first = repeat != SEG_ALL_ZERO;
    size_t firsts = first && !kind_firsts ? (size_t)nruns * w : 0, left = (size_t)n * w;
    size_t fstep = kind_firsts ? stride : w;
    if (firsts > in_len)
        return -1;
    const uint8_t *f = kind_firsts ? kind_firsts : in, *r = in + firsts, *end = in + in_len;
    uint8_t *o = out;
    if (repeat != SEG_REST_FIRST)
        memset(out, 0, left);
    for (uint32_t i = 0; i < nruns; i++) {
        size_t len = (size_t)runs[i] * w;
        if (runs[i] == 0 || len > left)
            return -1;
        left -= len;
        if (first) {
            memcpy(o, f, w);
            f += fstep;
        }
        size_t later = len - (size_t)first * w;
        if (!mask_bit(masks, stride, i, bit)) {
            if (later > (size_t)(end - r))
                return -1;
            memcpy(o + (size_t)first * w, r, later);
            r += later;
        } else if (repeat == SEG_REST_FIRST) {
            for (size_t k = w; k < len; k += w)
                memcpy(o + k, o, w);
        }
        o += len;
    }
    return left == 0 && r == end ? 0 : -1;
}

int seg_expand_column(const struct seg_squeeze *q, unsigned bit, const uint8_t *in, size_t in_len,
                      const struct seg_run_masks *m, uint32_t n, uint8_t *out)
{
    enum seg_repeat rep = (enum seg_repeat)q->repeat;
    if (q->width == 1)
        return expand_width(1, rep, in, in_len, m->runs, m->nruns, m->masks, m->stride, m->firsts,
                            bit, out, n);
    if (q->width == 2)
        return expand_width(2, rep, in, in_len, m->runs, m->nruns, m->masks, m->stride, m->firsts,
                            bit, out, n);
    return expand_width(4, rep, in, in_len, m->runs, m->nruns, m->masks, m->stride, m->firsts, bit,
                        out, n);
}
