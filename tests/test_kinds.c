/* Run kinds (store/segment_kinds.h): a block worked out by hand, the
 * table's order, random round trips with indexes past one LEB128 byte, the
 * kind row's layout, and the decoder's refusals. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store/segment_int.h"
#include "store/segment_kinds.h"
#include "store/segment_runs.h"

static uint64_t rng = 0x6a09e667f3bcc909ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void row(uint8_t *r, uint16_t mask, uint8_t pred, uint8_t proto, uint32_t optsig)
{
    memset(r, 0, SEG_KIND_LEN);
    r[0] = (uint8_t)mask;
    r[1] = (uint8_t)(mask >> 8);
    r[SEG_KIND_IPIDP] = pred;
    r[seg_kind_field(C_PROTO)] = proto;
    for (int i = 0; i < 4; i++)
        r[seg_kind_field(C_OPTSIG) + i] = (uint8_t)(optsig >> (8 * i));
}

/* Three runs of Mirai (mask 0x0001, TCP, option signature 0) and two of a
 * UDP probe (mask 0x0180, narrow IP IDs, signature 1), interleaved: the
 * table lists Mirai first, as byte planes (both rows' byte 0, both rows'
 * byte 1, ...). */
static void test_by_hand(void)
{
    uint8_t rows[5 * SEG_KIND_LEN];
    static const int mirai[5] = {1, 0, 1, 1, 0};
    for (int i = 0; i < 5; i++) {
        if (mirai[i])
            row(rows + i * SEG_KIND_LEN, 0x0001, SEG_IPID_PREV, 6, 0);
        else
            row(rows + i * SEG_KIND_LEN, 0x0180, SEG_IPID_NARROW, 17, 1);
    }
    struct seg_kinds k = {0};
    struct tt_buf b = {0};
    size_t table = seg_kinds_encode(&k, rows, 5, &b);
    CHECK_EQ_U64(table, 1 + 2 * SEG_KIND_LEN);
    CHECK_EQ_U64(b.len, table + 5);
    uint8_t want[1 + 2 * SEG_KIND_LEN + 5];
    want[0] = 2;
    for (int byte = 0; byte < SEG_KIND_LEN; byte++) {
        want[1 + 2 * byte] = rows[byte];                    /* Mirai: 3 runs */
        want[1 + 2 * byte + 1] = rows[SEG_KIND_LEN + byte]; /* UDP: 2 */
    }
    memcpy(want + 1 + 2 * SEG_KIND_LEN, (uint8_t[]){0, 1, 0, 0, 1}, 5);
    CHECK(b.len == sizeof want && memcmp(b.p, want, sizeof want) == 0);
    CHECK_EQ_U64(want[1 + 2 * seg_kind_field(C_PROTO)], 6);
    uint8_t back[5 * SEG_KIND_LEN];
    CHECK_EQ_U64(seg_kinds_decode(b.p, b.len, 5, back), 0);
    CHECK(memcmp(back, rows, sizeof rows) == 0);
    /* equal counts: the row whose bytes compare lower first, whatever the
     * runs' order (signature 1 is stored 01 00 00 00, 256 as 00 01 00 00) */
    row(rows, 0x0001, SEG_IPID_PREV, 6, 1);
    row(rows + SEG_KIND_LEN, 0x0001, SEG_IPID_PREV, 6, 256);
    b.len = 0;
    CHECK_EQ_U64(seg_kinds_encode(&k, rows, 2, &b), 1 + 2 * SEG_KIND_LEN);
    CHECK(b.len == 1 + 2 * SEG_KIND_LEN + 2);
    unsigned sig0 = 1 + 2 * (unsigned)seg_kind_field(C_OPTSIG); /* the signatures' byte 0 plane */
    CHECK(b.p[sig0] == 0 && b.p[sig0 + 1] == 1);
    CHECK(b.p[b.len - 2] == 1 && b.p[b.len - 1] == 0);
    tt_buf_free(&b);
    seg_kinds_free(&k);
}

/* Random runs over up to 400 kinds (two-byte indexes) round-trip, and
 * every row of the table is distinct and used, most runs first. */
static void test_round_trips(void)
{
    struct seg_kinds k = {0};
    struct tt_buf b = {0};
    for (int t = 0; t < 100; t++) {
        uint32_t nruns = 1 + (uint32_t)(rnd() % 5000), nk = 1 + (uint32_t)(rnd() % 400);
        uint8_t *rows = malloc((size_t)nruns * SEG_KIND_LEN);
        uint8_t *back = malloc((size_t)nruns * SEG_KIND_LEN);
        for (uint32_t i = 0; i < nruns; i++) {
            uint32_t kind = (uint32_t)(rnd() % nk);
            kind = kind * kind / nk; /* skewed, as tools are */
            row(rows + (size_t)i * SEG_KIND_LEN, (uint16_t)(kind & 0x7fff),
                (uint8_t)(kind % SEG_IPID__COUNT), (uint8_t)kind, kind * 7);
        }
        b.len = 0;
        size_t table = seg_kinds_encode(&k, rows, nruns, &b);
        CHECK(table > 0 && table < b.len);
        CHECK_EQ_U64(seg_kinds_decode(b.p, b.len, nruns, back), 0);
        CHECK(memcmp(back, rows, (size_t)nruns * SEG_KIND_LEN) == 0);
        free(rows);
        free(back);
    }
    tt_buf_free(&b);
    seg_kinds_free(&k);
}

/* The kinded columns are the squeezed ones with a first value per run, and
 * their fields fill the row after the mask and predictor without overlap. */
static void test_layout(void)
{
    uint8_t used[SEG_KIND_LEN] = {1, 1, 1};
    unsigned kinded = 0, overlap = 0;
    for (int c = 0; c < C__COUNT; c++) {
        int at = seg_kind_field(c);
        if (at < 0)
            continue;
        const struct seg_squeeze *q = seg_squeeze_of(c);
        CHECK(q != NULL && q->repeat == SEG_REST_FIRST);
        CHECK(q && at + q->width <= SEG_KIND_LEN);
        for (unsigned i = 0; q && i < q->width; i++)
            overlap += used[at + i]++;
        kinded++;
    }
    CHECK_EQ_U64(kinded, 7);
    CHECK_EQ_U64(overlap, 0);
    CHECK(memchr(used, 0, sizeof used) == NULL);
}

/* What the decoder refuses, each from a good two-kind block. */
static void test_refusals(void)
{
    uint8_t rows[4 * SEG_KIND_LEN], back[4 * SEG_KIND_LEN];
    for (int i = 0; i < 4; i++)
        row(rows + i * SEG_KIND_LEN, (uint16_t)(i & 1), SEG_IPID_PREV, 6, 0);
    struct seg_kinds k = {0};
    struct tt_buf b = {0};
    size_t table = seg_kinds_encode(&k, rows, 4, &b);
    uint8_t good[64];
    size_t len = b.len;
    memcpy(good, b.p, len);
    CHECK_EQ_U64(seg_kinds_decode(good, len, 4, back), 0);
    CHECK(seg_kinds_decode(good, len, 3, back) != 0);     /* an index left over */
    CHECK(seg_kinds_decode(good, len, 5, back) != 0);     /* an index missing */
    CHECK(seg_kinds_decode(good, len - 1, 4, back) != 0); /* cut short */
    CHECK(seg_kinds_decode(good, 0, 4, back) != 0);       /* empty */
    uint8_t bad[64];
    memcpy(bad, good, len);
    bad[len - 1] = 2; /* index past the two kinds */
    CHECK(seg_kinds_decode(bad, len, 4, back) != 0);
    memcpy(bad, good, len);
    bad[1 + 2 * SEG_KIND_IPIDP] = SEG_IPID__COUNT; /* the first kind's predictor: unknown */
    CHECK(seg_kinds_decode(bad, len, 4, back) != 0);
    memcpy(bad, good, len);
    bad[0] = 5; /* more kinds than runs */
    CHECK(seg_kinds_decode(bad, len, 4, back) != 0);
    bad[0] = 0; /* no kinds for four runs */
    CHECK(seg_kinds_decode(bad, 1, 4, back) != 0);
    CHECK_EQ_U64(seg_kinds_decode(bad, 1, 0, back), 0); /* no runs, no kinds */
    CHECK_EQ_U64(table, 1 + 2 * SEG_KIND_LEN);
    tt_buf_free(&b);
    seg_kinds_free(&k);
}

TT_TESTS(test_by_hand, test_round_trips, test_layout, test_refusals)
