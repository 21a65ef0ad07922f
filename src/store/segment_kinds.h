/* Run kinds (docs/format.md, RUNKIND): what a run's tool fixes — which
 * columns repeat in it, its IP ID predictor, its protocol, flags, header and
 * payload-head lengths and TCP option signature — written once per segment
 * as a table of the distinct combinations, and per run as an index into
 * it. A source's tool decides all of these together, and zstd
 * compressing each column alone cannot see that. */
#ifndef TT_SEGMENT_KINDS_H
#define TT_SEGMENT_KINDS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* A kind row: mask u16 (little-endian), IP ID predictor u8, then the runs'
 * first values of the kinded columns (seg_kind_field). */
#define SEG_KIND_LEN 13
#define SEG_KIND_MASK 0
#define SEG_KIND_IPIDP 2

/* IP ID predictors (docs/format.md, IPID). */
enum seg_ipid_pred {
    SEG_IPID_PREV,    /* minus the previous IP ID of the run */
    SEG_IPID_MASSCAN, /* XOR masscan's dst ^ dport ^ seq */
    SEG_IPID_NARROW,  /* minus the previous, every later residual an int8 in IPID8 */
    SEG_IPID__COUNT
};

/* Where column c's run-first value sits in a kind row, or -1 when c keeps
 * its first values in its own block. */
int seg_kind_field(int c);

/* Encoder scratch, reused from segment to segment. */
struct seg_kinds {
    uint32_t *slot, *id, *count, *rank, *first;
    size_t slots, cap;
};

void seg_kinds_free(struct seg_kinds *k);

/* Appends the RUNKIND block of the nruns rows at rows (SEG_KIND_LEN bytes
 * each): LEB128 table size K, the K distinct rows (most runs first, ties
 * by the row's bytes) as SEG_KIND_LEN byte planes, then a LEB128 index per
 * run. Returns the table's
 * length in bytes (where the indexes start), or 0 when out of memory. */
size_t seg_kinds_encode(struct seg_kinds *k, const uint8_t *rows, uint32_t nruns,
                        struct tt_buf *out);

/* Decodes a RUNKIND block of len bytes into nruns rows at rows. -1 when it
 * is not exactly that form: a table larger than nruns (or empty for runs),
 * an unknown IP ID predictor, an index past
 * the table, bytes left over. */
int seg_kinds_decode(const uint8_t *in, size_t len, uint32_t nruns, uint8_t *rows);

#endif
