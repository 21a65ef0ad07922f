#define XXH_INLINE_ALL
#include "store/blockfile.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include <zstd.h>

#define DIR_ENTRY 32u
#define PREAMBLE 16u /* magic, version, header length */

static void put_le_at(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Compresses b into out as zstd frames cut where f says (NULL: one). */
static int compress_frames(struct tt_buf *out, const struct tt_buf *b,
                           const struct tt_block_frames *f, ZSTD_CCtx *cctx, int level,
                           size_t *clen)
{
    size_t from = 0;
    *clen = 0;
    for (unsigned k = 0; k <= (f ? f->n : 0); k++) {
        size_t to = f && k < f->n ? f->at[k] : b->len;
        if (k < (f ? f->n : 0) && (to <= from || to >= b->len))
            continue; /* not a cut inside what is left */
        const uint8_t *src = b->p ? b->p + from : (const uint8_t *)"";
        size_t bound = ZSTD_compressBound(to - from);
        if (!tt_buf_reserve(out, bound))
            return TT_ENOMEM;
        size_t n = ZSTD_compressCCtx(cctx, out->p + out->len, bound, src, to - from, level);
        if (ZSTD_isError(n))
            return TT_EIO;
        out->len += n;
        *clen += n;
        from = to;
    }
    return TT_OK;
}

static int compress_blocks(struct tt_buf *out, size_t base, size_t dir, const struct tt_buf *blocks,
                           unsigned nblocks, ZSTD_CCtx *cctx, int level, const int *levels,
                           const struct tt_block_frames *frames)
{
    for (unsigned c = 0; c < nblocks; c++) {
        const struct tt_buf *b = &blocks[c];
        size_t at = out->len, clen = 0;
        int rc = compress_frames(out, b, frames ? &frames[c] : NULL, cctx,
                                 levels ? levels[c] : level, &clen);
        if (rc)
            return rc;
        uint8_t *d = out->p + dir + (size_t)c * DIR_ENTRY;
        put_le_at(d, b->len, 8);
        put_le_at(d + 8, at - base, 8);
        put_le_at(d + 16, clen, 8);
        put_le_at(d + 24, XXH3_64bits(out->p + at, clen), 8);
    }
    return TT_OK;
}

static int write_file(struct tt_buf *out, const char magic[8], uint32_t version,
                      const struct tt_buf *hdr, const struct tt_buf *blocks, unsigned nblocks,
                      void *zstd_cctx, int level, const int *levels,
                      const struct tt_block_frames *frames)
{
    if (nblocks > TT_BLOCKS_MAX)
        return TT_ELIMIT;
    ZSTD_CCtx *cctx = zstd_cctx ? zstd_cctx : ZSTD_createCCtx();
    if (!cctx)
        return TT_ENOMEM;
    size_t base = out->len;
    tt_buf_put(out, magic, 8);
    tt_buf_le(out, version, 4);
    tt_buf_le(out, hdr->len, 2);
    tt_buf_le(out, nblocks, 2);
    tt_buf_put(out, hdr->p, hdr->len);
    size_t dir = out->len, dir_len = (size_t)nblocks * DIR_ENTRY;
    int rc = TT_ENOMEM;
    if (tt_buf_reserve(out, dir_len + 8)) {
        memset(out->p + dir, 0, dir_len + 8);
        out->len += dir_len + 8;
        rc = compress_blocks(out, base, dir, blocks, nblocks, cctx, level, levels, frames);
    }
    if (rc == TT_OK)
        put_le_at(out->p + dir + dir_len, XXH3_64bits(out->p + base, dir + dir_len - base), 8);
    if (!zstd_cctx)
        ZSTD_freeCCtx(cctx);
    return rc ? rc : tt_buf_ok(out);
}

int tt_blockfile_write(struct tt_buf *out, const char magic[8], uint32_t version,
                       const struct tt_buf *hdr, const struct tt_buf *blocks, unsigned nblocks,
                       void *zstd_cctx, int level)
{
    return write_file(out, magic, version, hdr, blocks, nblocks, zstd_cctx, level, NULL, NULL);
}

int tt_blockfile_write_frames(struct tt_buf *out, const char magic[8], uint32_t version,
                              const struct tt_buf *hdr, const struct tt_buf *blocks,
                              unsigned nblocks, void *zstd_cctx, int level,
                              const struct tt_block_frames *frames)
{
    return write_file(out, magic, version, hdr, blocks, nblocks, zstd_cctx, level, NULL, frames);
}

int tt_blockfile_write_levels(struct tt_buf *out, const char magic[8], uint32_t version,
                              const struct tt_buf *hdr, const struct tt_buf *blocks,
                              unsigned nblocks, void *zstd_cctx, const int *levels,
                              const struct tt_block_frames *frames)
{
    return write_file(out, magic, version, hdr, blocks, nblocks, zstd_cctx, 0, levels, frames);
}

int tt_blockfile_open(struct tt_blockfile *bf, const uint8_t *data, size_t size, const char *name,
                      const char magic[8], uint32_t version, size_t hdr_len, unsigned nblocks,
                      struct tt_err *err)
{
    memset(bf, 0, sizeof *bf);
    bf->data = data;
    bf->size = size;
    bf->name = name;
    if (size < PREAMBLE || memcmp(data, magic, 8) != 0)
        return tt_err_set(err, TT_EFORMAT, "%s: not a teiten %s file", name,
                          memcmp(magic, "TTSEG", 5) == 0 ? "segment" : "roll-up");
    if (get_le(data + 8, 4) != version)
        return tt_err_set(err, TT_EVERSION, "%s: format version %u, this build reads %u", name,
                          (unsigned)get_le(data + 8, 4), version);
    size_t end = PREAMBLE + hdr_len + (size_t)nblocks * DIR_ENTRY;
    if (get_le(data + 12, 2) != hdr_len || get_le(data + 14, 2) != nblocks || size < end + 8 ||
        nblocks > TT_BLOCKS_MAX || get_le(data + end, 8) != XXH3_64bits(data, end))
        return tt_err_set(err, TT_ECORRUPT, "%s: corrupt header (checksum or layout)", name);
    bf->hdr = data + PREAMBLE;
    bf->nblocks = nblocks;
    for (unsigned c = 0; c < nblocks; c++) {
        const uint8_t *d = data + PREAMBLE + hdr_len + (size_t)c * DIR_ENTRY;
        struct tt_block_ref *r = &bf->dir[c];
        r->raw_len = get_le(d, 8);
        r->off = get_le(d + 8, 8);
        r->len = get_le(d + 16, 8);
        r->sum = get_le(d + 24, 8);
        if (r->off < end + 8 || r->off > size || r->len > size - r->off)
            return tt_err_set(err, TT_ECORRUPT, "%s: block %u outside the file", name, c);
    }
    return TT_OK;
}

/* One decompression context per thread: ZSTD_decompress would allocate and
 * free ~100 KB of context per block, and scans read thousands of blocks. */
static pthread_key_t dctx_key;
static pthread_once_t dctx_once = PTHREAD_ONCE_INIT;

static void dctx_free(void *p)
{
    ZSTD_freeDCtx(p);
}

static void dctx_key_init(void)
{
    (void)pthread_key_create(&dctx_key, dctx_free);
}

static ZSTD_DCtx *thread_dctx(void)
{
    pthread_once(&dctx_once, dctx_key_init);
    ZSTD_DCtx *d = pthread_getspecific(dctx_key);
    if (!d && (d = ZSTD_createDCtx()) && pthread_setspecific(dctx_key, d)) {
        ZSTD_freeDCtx(d);
        d = NULL;
    }
    return d;
}

int tt_blockfile_read(const struct tt_blockfile *bf, unsigned i, size_t max_raw, uint8_t **raw,
                      size_t *raw_len, struct tt_err *err)
{
    *raw = NULL;
    *raw_len = 0;
    const struct tt_block_ref *r = &bf->dir[i];
    if (i >= bf->nblocks || r->raw_len > max_raw)
        return tt_err_set(err, TT_ECORRUPT, "%s: block %u length beyond its bound", bf->name, i);
    const uint8_t *src = bf->data + r->off;
    if (XXH3_64bits(src, r->len) != r->sum)
        return tt_err_set(err, TT_ECORRUPT, "%s: block %u fails its checksum", bf->name, i);
    ZSTD_DCtx *dctx = thread_dctx();
    uint8_t *dst = dctx ? malloc(r->raw_len ? r->raw_len : 1) : NULL;
    if (!dst)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", bf->name);
    size_t got = ZSTD_decompressDCtx(dctx, dst, r->raw_len, src, r->len);
    if (ZSTD_isError(got) || got != r->raw_len) {
        free(dst);
        return tt_err_set(err, TT_ECORRUPT, "%s: block %u does not decompress to its length",
                          bf->name, i);
    }
    *raw = dst;
    *raw_len = r->raw_len;
    return TT_OK;
}
