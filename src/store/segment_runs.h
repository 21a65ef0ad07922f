/* Run squeezing of fixed-width segment columns (docs/format.md, RUNKIND).
 * A darknet source sends with one tool, so within its run most header
 * fields repeat: per run and column, one mask bit says "repeats", and then
 * the column stores only what the run's first record needs. */
#ifndef TT_SEGMENT_RUNS_H
#define TT_SEGMENT_RUNS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* How a squeezed column repeats within a run when its mask bit is set. */
enum seg_repeat {
    SEG_REST_ZERO,  /* the first value is stored, every later one is 0 (XOR/minus previous) */
    SEG_REST_FIRST, /* the first value is stored, every later one equals it */
    SEG_ALL_ZERO,   /* every value of the run is 0; nothing is stored */
};

struct seg_squeeze {
    uint8_t col;    /* enum seg_col */
    uint8_t width;  /* bytes per value: 1, 2 or 4 */
    uint8_t repeat; /* enum seg_repeat */
    uint8_t ranked; /* u16 values as they are, the squeezed block rank coded (segment_ranks.h) */
};

#define SEG_SQUEEZED 16 /* mask bit i is seg_squeezed[i]; a run's mask is a u16 */
extern const struct seg_squeeze seg_squeezed[SEG_SQUEEZED];

/* The squeeze entry of column c, or NULL when c is stored as it is. */
const struct seg_squeeze *seg_squeeze_of(int c);

/* Encoder: ORs column q's bit into masks[run] for every run it repeats in,
 * then writes the column's squeezed form (first values of the runs, then
 * the later values of runs without the bit) from the n = sum(runs) values
 * in col to out. */
void seg_squeeze_column(const struct seg_squeeze *q, unsigned bit, const uint8_t *col,
                        const uint32_t *runs, uint32_t nruns, uint16_t *masks, struct tt_buf *out);

/* The runs a squeezed column is expanded over: their lengths, their masks
 * (a little-endian u16 every stride bytes) and, for a column whose first
 * values live in the run kinds (segment_kinds.h), the first run's first
 * value (the next run's stride bytes on); NULL when they lead the block. */
struct seg_run_masks {
    const uint32_t *runs;
    uint32_t nruns;
    const uint8_t *masks;
    size_t stride;
    const uint8_t *firsts;
};

/* Decoder: expands a squeezed column of in_len bytes into n values at out
 * (n * width bytes). Returns 0, or -1 when in_len is not exactly what the
 * run lengths and masks imply. */
int seg_expand_column(const struct seg_squeeze *q, unsigned bit, const uint8_t *in, size_t in_len,
                      const struct seg_run_masks *m, uint32_t n, uint8_t *out);

#endif
