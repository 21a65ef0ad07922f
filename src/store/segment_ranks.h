/* Rank coding of a column of 16-bit values (the destination port,
 * docs/format.md): a table of the segment's most frequent values and one
 * byte per value naming its rank there, where zstd gets skewed byte symbols
 * instead of two-byte numbers it cannot model as such. Values outside the
 * table follow as escapes. */
#ifndef TT_SEGMENT_RANKS_H
#define TT_SEGMENT_RANKS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define SEG_RANK_MAX 255 /* table entries; rank byte 255 is the escape */
#define SEG_RANK_ESCAPE 255

/* Encoder state: counts and ranks per value, all 0 and all escape between
 * calls (each call puts back what it set). */
struct seg_ranker {
    uint32_t count[65536];
    uint8_t rank[65536];
    uint16_t distinct[65536]; /* the values counted, in first-seen order */
    uint64_t cand[65536];     /* table candidates while choosing */
};

void seg_ranker_init(struct seg_ranker *k);

/* Appends to out the ranked form of the n little-endian u16 values at in:
 * LEB128 table size T, LEB128 n, T u16 table values (most frequent first,
 * ties by value; only values seen twice or more), n rank bytes, then one u16
 * per escape byte, in order. Returns where the escapes start, counted from
 * the first byte appended. */
size_t seg_rank_encode(struct seg_ranker *k, const uint8_t *in, size_t n, struct tt_buf *out);

/* Decodes a ranked block of len bytes into its values: *out (malloc'd,
 * little-endian u16) and *n. 0, TT_ENOMEM, or TT_ECORRUPT when the block
 * is not exactly the form above (a table over 255, a rank byte past the
 * table, a length the ranks do not imply). */
int seg_rank_decode(const uint8_t *in, size_t len, uint8_t **out, size_t *n);

#endif
