/* Rank coding of 16-bit columns (store/segment_ranks.h): a block worked
 * out by hand, the table's order and cap, random round trips, and the
 * decoder's refusals. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "harness.h"
#include "store/segment_ranks.h"

static uint64_t rng = 0x3c6ef372fe94f82bull;
static struct seg_ranker ranker;

static void put16(uint8_t *p, const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[2 * i] = (uint8_t)v[i];
        p[2 * i + 1] = (uint8_t)(v[i] >> 8);
    }
}

static void encode(const uint16_t *v, size_t n, struct tt_buf *out)
{
    uint8_t *raw = malloc(2 * n + 1);
    put16(raw, v, n);
    out->len = 0;
    seg_rank_encode(&ranker, raw, n, out);
    free(raw);
}

/* Whether decoding b gives exactly v[0, n). */
static int round_trips(const struct tt_buf *b, const uint16_t *v, size_t n)
{
    uint8_t *got = NULL;
    size_t m = 0;
    if (seg_rank_decode(b->p, b->len, &got, &m) != TT_OK)
        return 0;
    uint8_t *want = malloc(2 * n + 1);
    put16(want, v, n);
    int same = m == n && memcmp(got, want, 2 * n) == 0;
    free(got);
    free(want);
    return same;
}

/* 23 three times and 80 twice make the table (23 first); 5000 and 7,
 * seen once, are escapes. */
static void test_known(void)
{
    static const uint16_t v[] = {23, 23, 80, 23, 5000, 80, 7};
    static const uint8_t want[] = {2, 7, 23, 0, 80, 0, 0, 0, 1, 0, 0xff, 1, 0xff, 0x88, 0x13, 7, 0};
    struct tt_buf b = {0};
    encode(v, 7, &b);
    CHECK_EQ_U64(b.len, sizeof want);
    CHECK(b.len == sizeof want && memcmp(b.p, want, sizeof want) == 0);
    CHECK(round_trips(&b, v, 7));
    encode(v, 7, &b); /* the ranker is back to its empty state */
    CHECK(b.len == sizeof want && memcmp(b.p, want, sizeof want) == 0);
    /* equal counts: the smaller value first */
    static const uint16_t tie[] = {9, 3, 9, 3};
    static const uint8_t want_tie[] = {2, 4, 3, 0, 9, 0, 1, 0, 1, 0};
    encode(tie, 4, &b);
    CHECK(b.len == sizeof want_tie && memcmp(b.p, want_tie, sizeof want_tie) == 0);
    encode(tie, 0, &b);
    CHECK_EQ_U64(b.len, 2); /* T 0, n 0 */
    CHECK(round_trips(&b, tie, 0));
    tt_buf_free(&b);
}

/* 300 values each seen often: the 255 most frequent get ranks, the rest
 * (the least frequent) are escapes. */
static void test_cap(void)
{
    enum { N = 300 * 301 / 2 };
    uint16_t *v = malloc(N * sizeof *v);
    size_t n = 0;
    for (uint16_t x = 1; x <= 300; x++)
        for (uint16_t c = 0; c < x; c++)
            v[n++] = (uint16_t)(1000 + x); /* 1000 + x seen x times */
    struct tt_buf b = {0};
    encode(v, n, &b);
    CHECK_EQ_U64((b.p[0] & 0x7fu) | (uint64_t)(b.p[1] & 0x7fu) << 7, 255); /* LEB128 255: ff 01 */
    CHECK_EQ_U64(b.p[1], 1);
    /* rank 0 is the most frequent, 1300 */
    size_t at = 2 + 3; /* T (2 bytes), n = 45150 (3 bytes) */
    CHECK_EQ_U64(b.p[at] | b.p[at + 1] << 8, 1300);
    CHECK_EQ_U64(b.p[at + 2 * 254] | b.p[at + 2 * 254 + 1] << 8, 1046);
    size_t escapes = 0;
    for (size_t i = 0; i < n; i++)
        escapes += b.p[at + 2 * 255 + i] == SEG_RANK_ESCAPE;
    CHECK_EQ_U64(escapes, 45 * 46 / 2); /* 1001..1045 */
    CHECK_EQ_U64(b.len, at + 2 * 255 + n + 2 * escapes);
    CHECK(round_trips(&b, v, n));
    tt_buf_free(&b);
    free(v);
}

static void test_random(void)
{
    struct tt_buf b = {0};
    uint16_t *v = malloc(20000 * sizeof *v);
    size_t bad = 0;
    for (int round = 0; round < 200; round++) {
        size_t n = tt_test_rand(&rng) % 20000;
        unsigned spread = 1u + tt_test_rand(&rng) % 2000;
        for (size_t i = 0; i < n; i++)
            v[i] = tt_test_rand(&rng) % 4 ? (uint16_t)(tt_test_rand(&rng) % spread)
                                          : (uint16_t)tt_test_rand(&rng);
        encode(v, n, &b);
        bad += !round_trips(&b, v, n);
    }
    CHECK_EQ_U64(bad, 0);
    tt_buf_free(&b);
    free(v);
}

static int decodes(const uint8_t *p, size_t len)
{
    uint8_t *got = NULL;
    size_t m = 0;
    int rc = seg_rank_decode(p, len, &got, &m);
    free(got);
    return rc;
}

static void test_refusals(void)
{
    static const uint8_t good[] = {1, 3, 23, 0, 0, 0xff, 0, 80, 0};
    CHECK_EQ_U64(decodes(good, sizeof good), TT_OK);
    CHECK(decodes(good, sizeof good - 1) == TT_ECORRUPT); /* an escape cut short */
    static const uint8_t extra[] = {1, 3, 23, 0, 0, 0xff, 0, 80, 0, 0};
    CHECK(decodes(extra, sizeof extra) == TT_ECORRUPT); /* a byte left over */
    static const uint8_t past[] = {1, 3, 23, 0, 0, 1, 0};
    CHECK(decodes(past, sizeof past) == TT_ECORRUPT); /* rank 1 of a 1-entry table */
    static const uint8_t big[] = {0x80, 0x02, 0};     /* T 256 */
    CHECK(decodes(big, sizeof big) == TT_ECORRUPT);
    static const uint8_t many[] = {0, 0xff, 0xff, 0xff, 0xff, 0x0f, 1}; /* n past the block */
    CHECK(decodes(many, sizeof many) == TT_ECORRUPT);
    CHECK(decodes(good, 0) == TT_ECORRUPT);
    static const uint8_t table_short[] = {2, 0, 23, 0, 80};
    CHECK(decodes(table_short, sizeof table_short) == TT_ECORRUPT);
}

static void setup(void)
{
    seg_ranker_init(&ranker);
}

TT_TESTS(setup, test_known, test_cap, test_random, test_refusals)
