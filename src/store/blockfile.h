/* The container both stored file kinds use: an 8-byte magic, a format
 * version, a fixed kind-specific header, a directory of zstd-compressed
 * blocks (raw length, offset, length, XXH3-64 checksum), a checksum over all
 * of that, then the blocks (each one or more concatenated zstd frames). A reader checks the header
 * at open and each block's checksum when it decompresses it. See docs/format.md. */
#ifndef TT_BLOCKFILE_H
#define TT_BLOCKFILE_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"

#define TT_BLOCKS_MAX 64

struct tt_block_ref {
    uint64_t raw_len, off, len, sum;
};

struct tt_blockfile {
    const uint8_t *data; /* caller-owned file bytes */
    size_t size;
    const uint8_t *hdr; /* the kind-specific fixed header */
    unsigned nblocks;
    struct tt_block_ref dir[TT_BLOCKS_MAX];
    const char *name; /* for messages */
};

/* Appends a file to out. cctx may be NULL (one is made per call). */
int tt_blockfile_write(struct tt_buf *out, const char magic[8], uint32_t version,
                       const struct tt_buf *hdr, const struct tt_buf *blocks, unsigned nblocks,
                       void *zstd_cctx, int level);
#define TT_BLOCK_FRAMES_MAX 32

/* Where a block's zstd frames after the first start: n ascending offsets
 * into the block. A block of parts with their own statistics (byte planes,
 * a column's first values per run and the rest) compresses better as a
 * frame per part than as one frame whose zstd blocks straddle them; a
 * reader needs nothing more, the concatenated frames decompress in one
 * call. */
struct tt_block_frames {
    unsigned n;
    size_t at[TT_BLOCK_FRAMES_MAX - 1];
};

/* The same with a zstd level per block (levels[i] for block i) and, when
 * frames is not NULL, block i cut into frames as frames[i] says (offsets
 * not strictly inside the block, or not ascending, are ignored). */
int tt_blockfile_write_levels(struct tt_buf *out, const char magic[8], uint32_t version,
                              const struct tt_buf *hdr, const struct tt_buf *blocks,
                              unsigned nblocks, void *zstd_cctx, const int *levels,
                              const struct tt_block_frames *frames);

/* The same with one zstd level and the blocks cut as frames says. */
int tt_blockfile_write_frames(struct tt_buf *out, const char magic[8], uint32_t version,
                              const struct tt_buf *hdr, const struct tt_buf *blocks,
                              unsigned nblocks, void *zstd_cctx, int level,
                              const struct tt_block_frames *frames);

/* Parses and checks the header. hdr_len and nblocks must match exactly. */
int tt_blockfile_open(struct tt_blockfile *bf, const uint8_t *data, size_t size, const char *name,
                      const char magic[8], uint32_t version, size_t hdr_len, unsigned nblocks,
                      struct tt_err *err);

/* Decompresses block i into a malloc'd buffer after checking its checksum;
 * refuses blocks whose raw length exceeds max_raw. */
int tt_blockfile_read(const struct tt_blockfile *bf, unsigned i, size_t max_raw, uint8_t **raw,
                      size_t *raw_len, struct tt_err *err);

#endif
