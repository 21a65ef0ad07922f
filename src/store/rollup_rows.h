/* The counter blocks of a roll-up as streams (docs/format.md, "Counter
 * rows"): a row block (DAY, GEO) holds every row's key delta, then every
 * row's packets, then every row's bytes; its hourly block (HOURS,
 * GEO_HOURS) holds the hour of each one-packet row, the hour masks of the
 * other rows, then for rows of several hours each hour's packets, then
 * each hour's bytes. Each stream is a zstd frame of its own: zstd then
 * models keys, counts and hours apart, where interleaved they shared one
 * set of statistics. */
#ifndef TT_ROLLUP_ROWS_H
#define TT_ROLLUP_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "store/blockfile.h"

/* The streams while rows are written. */
struct roll_rows_wr {
    struct tt_buf key, pk, by;         /* per row */
    struct tt_buf one, mask, hpk, hby; /* hourly */
};

/* Appends a row: its key's difference from the previous row's, its day
 * totals, and its hours (mask, and for each hour in it, ascending, its
 * packets hpk[j] and bytes hby[j]). */
void roll_rows_put(struct roll_rows_wr *w, uint64_t key_delta, uint64_t packets, uint64_t bytes,
                   uint32_t mask, const uint64_t *hpk, const uint64_t *hby);

/* Concatenates the streams into the row block and the hourly block, with
 * their frames, and frees them. */
void roll_rows_finish(struct roll_rows_wr *w, struct tt_buf *rows, struct tt_block_frames *rf,
                      struct tt_buf *hours, struct tt_block_frames *hf);

/* A counter row as the writer sees it: key (without the hour bits), hour,
 * packets, bytes. */
struct roll_row {
    uint64_t key;
    uint8_t hour;
    uint64_t packets, bytes;
};

/* Writes the ndays whole-day rows of days and their nhours hourly rows of
 * hours (both ascending by key, hours ascending within a key), read
 * through at, into a row block and its hourly block. */
void roll_rows_write(const void *days, size_t ndays, const void *hours, size_t nhours,
                     struct roll_row (*at)(const void *rows, size_t i), struct tt_buf *rows_out,
                     struct tt_block_frames *rf, struct tt_buf *hours_out,
                     struct tt_block_frames *hf);

/* Reads a row block of n rows and, when hours is not NULL, its hourly
 * block of at most max_hours hours: calls emit once per row (hour
 * TT_HOUR_DAY, rollup.h) followed by once per hour of it, with the row's
 * key (the running sum of the deltas: ascending, at most max_key). 0;
 * TT_ECORRUPT on bad bytes, more hours, or when emit refuses (returns
 * nonzero). */
int roll_rows_read(const uint8_t *rows, size_t rows_len, const uint8_t *hours, size_t hours_len,
                   size_t n, size_t max_hours, uint64_t max_key,
                   int (*emit)(void *ctx, uint64_t key, uint8_t hour, uint64_t packets,
                               uint64_t bytes),
                   void *ctx);

/* A row block of n rows, its streams found. */
struct roll_rows_rd {
    struct tt_rd key, pk, by;
};

/* TT_ECORRUPT when the block is not three streams of n varints. */
int roll_rows_open(struct roll_rows_rd *s, const uint8_t *p, size_t len, size_t n);
/* Whether every stream was read to its end without a bad read. */
int roll_rows_done(const struct roll_rows_rd *s);

/* An hourly block, its streams found. */
struct roll_hours_rd {
    struct tt_rd one, mask, pk, by;
};

/* For rows of which `single` have one packet and `other` do not. */
int roll_hours_open(struct roll_hours_rd *s, const uint8_t *p, size_t len, size_t single,
                    size_t other);
int roll_hours_done(const struct roll_hours_rd *s);

/* The next row's hourly split, the row having packets and bytes in all:
 * fills hour, pk, by in hour order and returns how many hours; 0 with a
 * stream's bad flag set on bad bytes (an hour past 23, an empty mask or
 * one past 24 bits, hours that do not add up to the row's totals). */
unsigned roll_hours_next(struct roll_hours_rd *s, uint64_t packets, uint64_t bytes,
                         uint8_t hour[24], uint64_t pk[24], uint64_t by[24]);

#endif
