/* The block container (store/blockfile.h): blocks cut into several zstd
 * frames read back as written, with as many frames as the cuts inside
 * them ask for. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "common/err.h"
#include "harness.h"
#include "store/blockfile.h"

static uint64_t rng = 0x9b05688c2b3e6c1full;

/* zstd frames in block i of a written file. */
static unsigned frames_in(const struct tt_blockfile *bf, unsigned i)
{
    const uint8_t *p = bf->data + bf->dir[i].off;
    size_t left = bf->dir[i].len;
    unsigned n = 0;
    while (left) {
        size_t f = ZSTD_findFrameCompressedSize(p, left);
        if (ZSTD_isError(f) || f > left)
            return 0;
        p += f;
        left -= f;
        n++;
    }
    return n;
}

static void test_frames(void)
{
    enum { N = 4 };
    struct tt_buf blocks[N], hdr = {0}, out = {0};
    memset(blocks, 0, sizeof blocks);
    for (unsigned b = 0; b < N; b++)
        for (unsigned i = 0; i < 3000; i++) /* planes: random, then small values */
            tt_buf_u8(&blocks[b], (uint8_t)(i < 1500 ? tt_test_rand(&rng) : i % 7));
    tt_buf_le(&hdr, 42, 8);
    struct tt_block_frames frames[N] = {
        {0, {0}},                /* one frame */
        {2, {1000, 1500}},       /* three */
        {3, {0, 3000, 5000}},    /* no cut inside: one */
        {3, {2000, 1000, 2500}}, /* not ascending: the first and last */
    };
    int levels[N] = {1, 1, 3, 1};
    CHECK_EQ_U64(
        tt_blockfile_write_levels(&out, "TTTESTF1", 7, &hdr, blocks, N, NULL, levels, frames),
        TT_OK);
    struct tt_blockfile bf;
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_blockfile_open(&bf, out.p, out.len, "mem", "TTTESTF1", 7, 8, N, &err), TT_OK);
    static const unsigned want[N] = {1, 3, 1, 3};
    for (unsigned b = 0; b < N; b++) {
        uint8_t *raw = NULL;
        size_t len = 0;
        CHECK_EQ_U64(tt_blockfile_read(&bf, b, 1 << 20, &raw, &len, &err), TT_OK);
        CHECK(len == blocks[b].len && raw && memcmp(raw, blocks[b].p, len) == 0);
        CHECK_EQ_U64(frames_in(&bf, b), want[b]);
        free(raw);
    }
    for (unsigned b = 0; b < N; b++)
        tt_buf_free(&blocks[b]);
    tt_buf_free(&hdr);
    tt_buf_free(&out);
}

TT_TESTS(test_frames)
