/* Counter rows and their hours as streams (store/rollup_rows.h): hand-made
 * rows come back exactly, the blocks are laid out as docs/format.md says,
 * and hours or streams that do not fit their rows are refused. */
#include <stdint.h>

#include "harness.h"
#include "store/rollup_rows.h"

/* Rows: key delta, packets, bytes, mask, and per hour packets and bytes. */
struct row {
    uint64_t delta, packets, bytes;
    uint32_t mask;
    uint64_t hpk[24], hby[24];
};

static const struct row ROWS[] = {
    {5, 1, 40, 1u << 23, {1}, {40}},  /* one packet: its hour in the first stream */
    {1, 3, 120, 1u << 0, {3}, {120}}, /* one hour, several packets: a mask */
    {300, 7, 301, 1u << 2 | 1u << 9 | 1u << 17, {2, 4, 1}, {80, 177, 44}}, /* three hours */
    {2, 1, 1500, 1u << 0, {1}, {1500}},
    {1, 2, 80, 1u << 22 | 1u << 23, {1, 1}, {40, 40}}, /* equal lengths: differences 0 */
};
#define NROWS (sizeof ROWS / sizeof ROWS[0])

static void encode(struct tt_buf *rows, struct tt_block_frames *rf, struct tt_buf *hours,
                   struct tt_block_frames *hf)
{
    struct roll_rows_wr w;
    memset(&w, 0, sizeof w);
    for (size_t i = 0; i < NROWS; i++)
        roll_rows_put(&w, ROWS[i].delta, ROWS[i].packets, ROWS[i].bytes, ROWS[i].mask, ROWS[i].hpk,
                      ROWS[i].hby);
    roll_rows_finish(&w, rows, rf, hours, hf);
}

/* Decodes the blocks; the number of rows whose every value came back. */
static size_t decode(const struct tt_buf *rows, const struct tt_buf *hours)
{
    struct roll_rows_rd r;
    struct roll_hours_rd h;
    if (roll_rows_open(&r, rows->p, rows->len, NROWS) ||
        roll_hours_open(&h, hours->p, hours->len, 2, NROWS - 2))
        return 0;
    size_t good = 0;
    for (size_t i = 0; i < NROWS; i++) {
        const struct row *w = &ROWS[i];
        uint64_t d = tt_rd_varint(&r.key), pk = tt_rd_varint(&r.pk), by = tt_rd_varint(&r.by);
        uint8_t hour[24];
        uint64_t hp[24], hb[24];
        unsigned n = roll_hours_next(&h, pk, by, hour, hp, hb);
        int ok = d == w->delta && pk == w->packets && by == w->bytes &&
                 n == (unsigned)__builtin_popcount(w->mask);
        for (unsigned j = 0, k = 0; ok && j < 24; j++)
            if (w->mask >> j & 1) {
                ok = hour[k] == j && hp[k] == w->hpk[k] && hb[k] == w->hby[k];
                k++;
            }
        good += ok;
    }
    return roll_rows_done(&r) && roll_hours_done(&h) ? good : 0;
}

static void test_roundtrip_and_layout(void)
{
    struct tt_buf rows = {0}, hours = {0};
    struct tt_block_frames rf, hf;
    encode(&rows, &rf, &hours, &hf);
    CHECK_EQ_U64(decode(&rows, &hours), NROWS);
    /* rows: the five key deltas (300 takes two bytes), then the packets */
    static const uint8_t keys_then_packets[] = {5, 1, 0xac, 0x02, 2, 1, 1, 3, 7, 1, 2};
    CHECK(rows.len > sizeof keys_then_packets &&
          memcmp(rows.p, keys_then_packets, sizeof keys_then_packets) == 0);
    CHECK_EQ_U64(rf.n, 2);
    CHECK_EQ_U64(rf.at[0], 6);
    CHECK_EQ_U64(rf.at[1], 11);
    /* hours: the one-packet rows' hours (23, 0), the other rows' masks,
     * then the several-hour rows' packets, then their bytes' differences
     * from packets x the row's mean (301 / 7 = 43: 80 - 86 = -6, 177 -
     * 172 = 5, 44 - 43 = 1; 40 - 40 = 0 twice), zigzag */
    static const uint8_t want[] = {23, 0, /* one-packet rows */
                                   1,  0x84, 0x84, 0x08, 0x80, 0x80, 0x80, 0x06, /* masks */
                                   2,  4,    1,    1,    1,                      /* packets */
                                   11, 10,   2,    0,    0};                     /* bytes */
    CHECK_EQ_U64(hours.len, sizeof want);
    CHECK(hours.len == sizeof want && memcmp(hours.p, want, sizeof want) == 0);
    CHECK_EQ_U64(hf.n, 3);
    tt_buf_free(&rows);
    tt_buf_free(&hours);
}

static int count_emits(void *ctx, uint64_t key, uint8_t hour, uint64_t packets, uint64_t bytes)
{
    (void)key, (void)hour, (void)packets, (void)bytes;
    ++*(size_t *)ctx;
    return 0;
}

/* roll_rows_read: each row, then each of its hours (5 rows, 8 hours), and
 * not more hours than the caller has room for. */
static void test_read(void)
{
    struct tt_buf rows = {0}, hours = {0};
    struct tt_block_frames rf, hf;
    encode(&rows, &rf, &hours, &hf);
    size_t emits = 0;
    CHECK_EQ_U64(roll_rows_read(rows.p, rows.len, hours.p, hours.len, NROWS, 8, UINT64_MAX,
                                count_emits, &emits),
                 0);
    CHECK_EQ_U64(emits, NROWS + 8);
    emits = 0;
    CHECK_EQ_U64(
        roll_rows_read(rows.p, rows.len, NULL, 0, NROWS, 0, UINT64_MAX, count_emits, &emits), 0);
    CHECK_EQ_U64(emits, NROWS);
    CHECK(roll_rows_read(rows.p, rows.len, hours.p, hours.len, NROWS, 7, UINT64_MAX, count_emits,
                         &emits) != 0);
    CHECK(roll_rows_read(rows.p, rows.len, hours.p, hours.len, NROWS, 8, 300, count_emits,
                         &emits) != 0); /* keys reach 309 */
    tt_buf_free(&rows);
    tt_buf_free(&hours);
}

/* Bytes that do not fit the rows are refused. */
static void test_refused(void)
{
    struct tt_buf rows = {0}, hours = {0};
    struct tt_block_frames rf, hf;
    encode(&rows, &rf, &hours, &hf);
    struct roll_rows_rd r;
    CHECK(roll_rows_open(&r, rows.p, rows.len, NROWS + 20) != 0); /* too few values */
    tt_buf_u8(&rows, 0);                                          /* a byte past the bytes stream */
    CHECK_EQ_U64(decode(&rows, &hours), 0);
    rows.len--;
    CHECK_EQ_U64(decode(&rows, &hours), NROWS);
    hours.p[0] = 24; /* an hour past 23 */
    CHECK_EQ_U64(decode(&rows, &hours), 0);
    hours.p[0] = 23;
    hours.p[2] = 2; /* the second row's one hour moved: still whole */
    CHECK_EQ_U64(decode(&rows, &hours), NROWS - 1);
    hours.p[2] = 0; /* an empty mask */
    CHECK_EQ_U64(decode(&rows, &hours), 0);
    hours.p[2] = 1;
    hours.p[10] = 3; /* the three hours' packets add up to 8, not 7 */
    CHECK_EQ_U64(decode(&rows, &hours), 0);
    hours.p[10] = 2;
    hours.len--; /* a bytes difference missing */
    CHECK_EQ_U64(decode(&rows, &hours), 0);
    tt_buf_free(&rows);
    tt_buf_free(&hours);
}

TT_TESTS(test_roundtrip_and_layout, test_read, test_refused)
