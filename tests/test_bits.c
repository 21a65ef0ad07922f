/* Bit packing against known bit strings and random widths 0..32: the
 * writer's bytes, the reader's values, and the reader's refusals (a read
 * past the end, bytes left over, nonzero padding); byte planes of sorted
 * values' gaps (common/planes.h) against bytes worked out by hand. */
#include <stdint.h>
#include <string.h>

#include "common/bits.h"
#include "common/planes.h"
#include "harness.h"

static uint64_t rng = 0xbb67ae8584caa73bull;

/* 3 bits 101, 0 bits, 10 bits 1100110011, 32 bits 0xdeadbeef: 45 bits,
 * least significant first, in 6 bytes (worked out by hand). */
static void test_known(void)
{
    uint8_t out[8];
    memset(out, 0xaa, sizeof out);
    struct tt_bitw w = {out, 0, 0};
    tt_bitw_put(&w, 5, 3);
    tt_bitw_put(&w, 0, 0);
    tt_bitw_put(&w, 0x333, 10);
    tt_bitw_put(&w, 0xdeadbeefu, 32);
    CHECK_EQ_U64((uint64_t)(tt_bitw_end(&w) - out), 6);
    CHECK_EQ_U64(tt_bits_bytes(45), 6);
    static const uint8_t want[6] = {0x9d, 0xf9, 0xdd, 0xb7, 0xd5, 0x1b};
    CHECK(memcmp(out, want, 6) == 0);
    CHECK_EQ_U64(out[6], 0xaa); /* nothing written past the end */
    struct tt_bitr r;
    tt_bitr_init(&r, out, 6);
    CHECK_EQ_U64(tt_bitr_get(&r, 3), 5);
    CHECK_EQ_U64(tt_bitr_get(&r, 0), 0);
    CHECK_EQ_U64(tt_bitr_get(&r, 10), 0x333);
    CHECK_EQ_U64(tt_bitr_get(&r, 32), 0xdeadbeefu);
    CHECK(tt_bitr_done(&r));
}

static void test_random(void)
{
    enum { N = 50000 };
    static uint32_t val[N];
    static uint8_t width[N];
    static uint8_t buf[N * 4 + 8];
    uint64_t bits = 0;
    for (size_t i = 0; i < N; i++) {
        width[i] = (uint8_t)(tt_test_rand(&rng) % 33);
        uint32_t v = tt_test_rand(&rng);
        val[i] = width[i] == 32 ? v : v & ((1u << width[i]) - 1);
        bits += width[i];
    }
    struct tt_bitw w = {buf, 0, 0};
    for (size_t i = 0; i < N; i++)
        tt_bitw_put(&w, val[i], width[i]);
    size_t len = (size_t)(tt_bitw_end(&w) - buf);
    CHECK_EQ_U64(len, tt_bits_bytes(bits));
    struct tt_bitr r;
    tt_bitr_init(&r, buf, len);
    size_t bad = 0;
    for (size_t i = 0; i < N; i++)
        bad += tt_bitr_get(&r, width[i]) != val[i];
    CHECK_EQ_U64(bad, 0);
    CHECK(tt_bitr_done(&r));
}

static void test_refused(void)
{
    const uint8_t two[2] = {0xff, 0x01};
    struct tt_bitr r;
    tt_bitr_init(&r, two, 2);
    CHECK_EQ_U64(tt_bitr_get(&r, 9), 0x1ff);
    CHECK(tt_bitr_done(&r)); /* 7 padding bits, all 0 */
    CHECK_EQ_U64(tt_bitr_get(&r, 8), 0);
    CHECK(r.bad && !tt_bitr_done(&r)); /* past the end */

    tt_bitr_init(&r, two, 2);
    CHECK_EQ_U64(tt_bitr_get(&r, 8), 0xff);
    CHECK(!tt_bitr_done(&r)); /* a byte not read */

    const uint8_t pad[1] = {0x81};
    tt_bitr_init(&r, pad, 1);
    CHECK_EQ_U64(tt_bitr_get(&r, 4), 1);
    CHECK(!tt_bitr_done(&r)); /* padding bit 7 set */

    tt_bitr_init(&r, NULL, 0);
    CHECK_EQ_U64(tt_bitr_get(&r, 0), 0);
    CHECK(tt_bitr_done(&r)); /* zero-width reads need no bytes */
}

/* 1.2.3.4, 1.2.3.5, 255.255.255.255: gaps 0x01020304, 1, 0xfefdfcfa, as
 * every gap's byte 0, then every byte 1, ... */
static void test_gap_planes(void)
{
    const uint32_t v[3] = {0x01020304u, 0x01020305u, 0xffffffffu};
    const uint8_t want[12] = {0x04, 0x01, 0xfa, 0x03, 0x00, 0xfc,
                              0x02, 0x00, 0xfd, 0x01, 0x00, 0xfe};
    struct tt_buf b = {0};
    tt_buf_u8(&b, 0x77); /* appended after what the buffer holds */
    tt_buf_gap_planes32(&b, v, 3);
    CHECK(b.len == 13 && b.p[0] == 0x77 && memcmp(b.p + 1, want, 12) == 0);
    CHECK_EQ_U64(tt_plane32_get(b.p + 1, 3, 0), 0x01020304u);
    CHECK_EQ_U64(tt_plane32_get(b.p + 1, 3, 1), 1);
    CHECK_EQ_U64(tt_plane32_get(b.p + 1, 3, 2), 0xfefdfcfau);
    b.len = 0;
    tt_buf_gap_planes32(&b, v, 0);
    CHECK_EQ_U64(b.len, 0);
    tt_buf_free(&b);
}

TT_TESTS(test_known, test_random, test_refused, test_gap_planes)
