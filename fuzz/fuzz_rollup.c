/* Fuzz target for the roll-up block parsers (store/rollup_int.h). Whole
 * files never get past the block checksums, so the payloads are fed to the
 * parsers directly. Input: flags u8 (1: decode SRC_CC, 2: decode GEO_HOURS,
 * 4: decode HOURS), max sources u16 (mod 4097), GEO rows u8, GEO_HOURS rows
 * u8, then seven pieces, each a u16 length and its bytes (missing ones
 * empty): SRC, SRC_CC, SRC_PAT, PATTERNS, DAY_PATTERNS, GEO, GEO_HOURS; then
 * DAY rows u16 and HOURS rows u16 (each mod 4097; missing: 0) and two more
 * pieces, DAY and HOURS (so inputs that end after GEO_HOURS mean what they
 * meant before the counters were added), then SEGS (the segments holding
 * the sources' addresses; parsed before SRC, which then holds the counts). Each piece is copied
 * into its own exact-sized buffer so an over-read faults under ASan instead of reading the next
 * piece. What a parser accepts must keep the orders and bounds that queries index by without
 * checks, and hourly rows must add up to their whole-day row; a breach aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/rollup_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPIECES 10     /* the seven source and country blocks, DAY, HOURS, then SEGS */
#define MAX_ROWS 4096  /* counter rows asked for, so runs stay fast */
#define FUZZ_DAY 19000 /* the table's day: DAY_PATTERNS days are offsets from it */

static void check_sources(const struct tt_roll_sources *s, size_t max)
{
    if (s->n4 + s->n6 > max)
        abort();
    for (size_t k = 1; k < s->n4; k++)
        if (s->v4[k - 1] >= s->v4[k])
            abort();
    for (size_t k = 1; k < s->n6; k++)
        if (memcmp(s->v6 + 16 * (k - 1), s->v6 + 16 * k, 16) >= 0)
            abort();
    for (size_t k = 0; k < s->n4 + s->n6; k++)
        if (s->pattern[k] >= s->npatterns)
            abort();
    if (s->pat_start[0] != 0)
        abort();
    for (size_t p = 0; p < s->npatterns; p++) {
        if (s->pat_start[p + 1] < s->pat_start[p])
            abort();
        for (uint32_t m = s->pat_start[p]; m < s->pat_start[p + 1]; m++)
            if ((s->members[m] & 0xff) >= TT_CLASS__COUNT ||
                (m > s->pat_start[p] && s->members[m - 1] >= s->members[m]))
                abort();
    }
}

/* Names that stay inside their day's directory: letters, digits, '-'
 * and '_', 1..63 of them. */
static void check_segments(const struct tt_rollup *r)
{
    const char(*names)[TT_ROLL_SEG_NAME_MAX];
    size_t n = tt_rollup_segments(r, &names);
    for (size_t i = 0; i < n; i++) {
        size_t len = strnlen(names[i], TT_ROLL_SEG_NAME_MAX);
        if (len == 0 || len == TT_ROLL_SEG_NAME_MAX)
            abort();
        for (size_t k = 0; k < len; k++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
                        names[i][k]))
                abort();
    }
}

/* A roll-up that names segments leaves its addresses there: no table to
 * read, only the counts, which the patterns cover. */
static void check_pending(const struct tt_rollup *r, size_t max)
{
    const char(*names)[TT_ROLL_SEG_NAME_MAX];
    const struct tt_roll_sources *s = &r->src;
    if (tt_rollup_segments(r, &names) == 0 || s->v4 || s->v6 || s->cc || s->n4 + s->n6 > max)
        abort();
    for (size_t k = 0; k < s->n4 + s->n6; k++)
        if (s->pattern[k] >= s->npatterns)
            abort();
}

static void check_day_patterns(const struct tt_rollup *r)
{
    const struct tt_roll_sources *s = tt_rollup_sources(r) ? tt_rollup_sources(r) : &r->src;
    const struct tt_roll_day_patterns *d;
    size_t nd = tt_rollup_day_patterns(r, &d);
    for (size_t i = 0; i < nd; i++) {
        uint64_t total = 0;
        if (i && d[i - 1].day >= d[i].day)
            abort();
        for (size_t k = 0; k < d[i].n; k++) {
            if (d[i].pattern[k] >= s->npatterns || (k && d[i].pattern[k - 1] >= d[i].pattern[k]) ||
                d[i].sources[k] < 1)
                abort();
            total += d[i].sources[k];
        }
        if (total > s->n4 + s->n6)
            abort();
    }
}

/* Rows ascend by (sensor, cc, cls) and, per hour, by hour within a row. */
static uint64_t geo_order(const struct tt_roll_geo *g)
{
    return roll_geo_key(g->sensor, g->cc, g->cls, g->hour == TT_HOUR_DAY ? 0 : g->hour);
}

/* Adds an hour's value to a row's running sum; a wrap is a breach too. */
static void add_hour(uint64_t *sum, uint64_t v)
{
    if (__builtin_add_overflow(*sum, v, sum))
        abort();
}

static void check_geo(const struct tt_rollup *r, size_t ndays, size_t nhours, int with_hours)
{
    const struct tt_roll_geo *g, *h;
    size_t ng = tt_rollup_geo_entries(r, &g), nh = tt_rollup_geo_hour_entries(r, &h), j = 0;
    if (ng != ndays || nh > nhours)
        abort();
    for (size_t i = 0; i < ng; i++)
        if (g[i].hour != TT_HOUR_DAY || g[i].cls >= TT_CLASS__COUNT ||
            (i && geo_order(&g[i - 1]) >= geo_order(&g[i])))
            abort();
    for (size_t i = 0; i < nh; i++)
        if (h[i].hour >= 24 || h[i].cls >= TT_CLASS__COUNT ||
            (i && geo_order(&h[i - 1]) >= geo_order(&h[i])))
            abort();
    /* each row's hours, in order, add up to it */
    for (size_t i = 0; with_hours && i < ng; i++) {
        uint64_t pk = 0, by = 0, key = geo_order(&g[i]) >> 5;
        size_t start = j;
        for (; j < nh && geo_order(&h[j]) >> 5 == key; j++) {
            add_hour(&pk, h[j].packets);
            add_hour(&by, h[j].bytes);
        }
        if (j == start || pk != g[i].packets || by != g[i].bytes)
            abort();
    }
    if (with_hours && j != nh)
        abort();
}

static uint64_t entry_key(const struct tt_roll_entry *e)
{
    return roll_key(e->sensor, e->proto, e->kind, e->port, 0);
}

/* Port counters: all ndays rows, ascending by key, of a port kind that
 * exists; each row's hours ascending within the day and adding up to it. */
static void check_counters(const struct tt_rollup *r, size_t ndays, size_t nhours, int with_hours)
{
    const struct tt_roll_entry *d, *h;
    size_t nd = tt_rollup_day_entries(r, &d), nh = tt_rollup_hour_entries(r, &h), j = 0;
    if (nd != ndays || nh > nhours || (!with_hours && nh))
        abort();
    for (size_t i = 0; i < nd; i++) {
        uint64_t key = entry_key(&d[i]), pk = 0, by = 0;
        if (d[i].hour != TT_HOUR_DAY || d[i].kind > TT_PK_NONE ||
            (i && entry_key(&d[i - 1]) >= key))
            abort();
        size_t start = j;
        for (; with_hours && j < nh && entry_key(&h[j]) == key; j++) {
            if (h[j].hour >= 24 || (j > start && h[j - 1].hour >= h[j].hour))
                abort();
            add_hour(&pk, h[j].packets);
            add_hour(&by, h[j].bytes);
        }
        if (with_hours && (j == start || pk != d[i].packets || by != d[i].bytes))
            abort();
    }
    if (j != nh)
        abort();
}

/* A u16 at *at (0 when the input has ended). */
static size_t get_u16(const uint8_t *data, size_t size, size_t *at)
{
    if (size - *at < 2)
        return 0;
    *at += 2;
    return (size_t)(data[*at - 2] | data[*at - 1] << 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    unsigned flags = data[0];
    size_t max = (size_t)(data[1] | data[2] << 8) % 4097, ndays = data[3], nhours = data[4];
    uint8_t *piece[NPIECES] = {NULL};
    struct tt_rd rd[NPIECES];
    struct tt_rollup *r = NULL;
    size_t at = 5, nrows = 0, nhour_rows = 0;
    for (int i = 0; i < NPIECES; i++) {
        if (i == 7) { /* the counters' row counts come after the first seven */
            nrows = get_u16(data, size, &at) % (MAX_ROWS + 1);
            nhour_rows = get_u16(data, size, &at) % (MAX_ROWS + 1);
        }
        size_t len = get_u16(data, size, &at);
        len = len < size - at ? len : size - at;
        piece[i] = malloc(len ? len : 1);
        if (!piece[i])
            goto out;
        if (len)
            memcpy(piece[i], data + at, len);
        at += len;
        rd[i] = tt_rd_make(piece[i], len);
    }
    r = tt_rollup_new(FUZZ_DAY);
    if (r && roll_get_segs(r, &rd[9]) == 0 &&
        roll_get_sources(r, &rd[0], flags & 1 ? &rd[1] : NULL, &rd[2], &rd[3], max) == 0) {
        check_segments(r);
        if (tt_rollup_sources(r))
            check_sources(tt_rollup_sources(r), max);
        else
            check_pending(r, max);
        if (roll_get_day_patterns(r, &rd[4]) == 0)
            check_day_patterns(r);
    }
    tt_rollup_free(r);
    r = tt_rollup_new(FUZZ_DAY);
    if (r && roll_get_geo(r, &rd[5], flags & 2 ? &rd[6] : NULL, ndays, nhours) == 0)
        check_geo(r, ndays, nhours, flags & 2);
    tt_rollup_free(r);
    r = tt_rollup_new(FUZZ_DAY);
    if (r && roll_get_counters(r, &rd[7], flags & 4 ? &rd[8] : NULL, nrows, nhour_rows) == 0)
        check_counters(r, nrows, nhour_rows, flags & 4);
    tt_rollup_free(r);
out:
    for (int i = 0; i < NPIECES; i++)
        free(piece[i]);
    return 0;
}
