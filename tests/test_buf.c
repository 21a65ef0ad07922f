/* LEB128 reading against the writer: values of every length (1 to 10
 * bytes), read away from the end of the buffer (the path without a bounds
 * check per byte) and near it, and malformed input (too long, cut short). */
#include <stdint.h>

#include "common/buf.h"
#include "harness.h"

static uint64_t rng = 0x6a09e667f3bcc909ull;

static uint64_t value_of_bits(unsigned bits)
{
    uint64_t v = (uint64_t)tt_test_rand(&rng) << 32 | tt_test_rand(&rng);
    return bits >= 64 ? v : v & ((1ull << bits) - 1);
}

static void test_roundtrip(void)
{
    enum { N = 20000 };
    static uint64_t want[N];
    struct tt_buf b = {0};
    for (size_t i = 0; i < N; i++) {
        want[i] = value_of_bits(1 + (unsigned)(tt_test_rand(&rng) % 64));
        tt_buf_varint(&b, want[i]);
    }
    CHECK_EQ_U64(tt_buf_ok(&b), TT_OK);
    struct tt_rd rd = tt_rd_make(b.p, b.len);
    size_t bad = 0;
    for (size_t i = 0; i < N; i++)
        bad += tt_rd_varint(&rd) != want[i];
    CHECK_EQ_U64(bad, 0);
    CHECK_EQ_U64(rd.pos, b.len);
    CHECK_EQ_U64(rd.bad, 0);
    tt_buf_free(&b);
}

/* Each length boundary, with the value as the last in the buffer and with
 * bytes after it. */
static void test_edges(void)
{
    for (unsigned bits = 0; bits <= 64; bits++) {
        uint64_t v = bits == 64 ? UINT64_MAX : bits ? (1ull << bits) - 1 : 0;
        for (int tail = 0; tail < 2; tail++) {
            struct tt_buf b = {0};
            tt_buf_varint(&b, v);
            size_t len = b.len;
            for (int k = 0; tail && k < 12; k++)
                tt_buf_u8(&b, 0xff); /* continuation bytes: must not be read */
            struct tt_rd rd = tt_rd_make(b.p, b.len);
            CHECK_EQ_U64(tt_rd_varint(&rd), v);
            CHECK_EQ_U64(rd.pos, len);
            CHECK_EQ_U64(rd.bad, 0);
            tt_buf_free(&b);
        }
    }
}

static void test_malformed(void)
{
    static const uint8_t eleven[11] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff, 0xff, 0xff, 0x01};
    struct tt_rd rd = tt_rd_make(eleven, sizeof eleven);
    tt_rd_varint(&rd);
    CHECK_EQ_U64(rd.bad, 1); /* more than 10 bytes */
    static const uint8_t cut[3] = {0x80, 0x80, 0x80};
    rd = tt_rd_make(cut, sizeof cut);
    tt_rd_varint(&rd);
    CHECK_EQ_U64(rd.bad, 1); /* ends inside the value */
    static const uint8_t long_ok[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    rd = tt_rd_make(long_ok, sizeof long_ok);
    CHECK_EQ_U64(tt_rd_varint(&rd), (1ull << 63) - 1); /* 9 bytes */
    CHECK_EQ_U64(rd.pos, 9);
}

/* tt_grow: doubles from the first capacity, keeps what was stored, and
 * leaves the array as it was when the size would overflow. */
static void test_grow(void)
{
    uint32_t *v = NULL;
    size_t cap = 0, grown = 0;
    for (size_t n = 0; n < 1000; n++) {
        size_t before = cap;
        CHECK_EQ_U64(tt_grow(&v, &cap, n, sizeof *v, 4), TT_OK);
        grown += cap != before;
        v[n] = (uint32_t)(n * 7);
    }
    CHECK_EQ_U64(cap, 1024); /* 4, 8, ..., 1024 */
    CHECK_EQ_U64(grown, 9);
    uint32_t bad = 0;
    for (size_t n = 0; n < 1000; n++)
        bad += v[n] != n * 7;
    CHECK_EQ_U64(bad, 0);
    uint32_t *keep = v;
    size_t huge = cap;
    CHECK_EQ_U64(tt_grow(&v, &huge, huge, SIZE_MAX / 1024, 4), TT_ENOMEM);
    CHECK(v == keep && huge == cap);
    CHECK_EQ_U64(tt_grow(&v, &cap, 10, sizeof *v, 4), TT_OK); /* room already */
    CHECK_EQ_U64(cap, 1024);
    free(v);
}

TT_TESTS(test_roundtrip, test_edges, test_malformed, test_grow)
