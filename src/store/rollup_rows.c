/* Counter rows of a roll-up as streams (rollup_rows.h). */
#include "store/rollup_rows.h"

#include <string.h>

#include "common/err.h"
#include "store/rollup.h"

/* What an hour of pk packets of a row (packets, bytes for the whole day)
 * is expected to hold: the row's mean packet length, rounded down, pk
 * times. Hourly bytes are stored as their difference from it (zigzag), 0
 * where a row's packets share one length (a tool's probes). */
static uint64_t hour_bytes_base(uint64_t pk, uint64_t packets, uint64_t bytes)
{
    return packets ? pk * (bytes / packets) : 0; /* pk <= packets: at most bytes */
}

void roll_rows_put(struct roll_rows_wr *w, uint64_t key_delta, uint64_t packets, uint64_t bytes,
                   uint32_t mask, const uint64_t *hpk, const uint64_t *hby)
{
    tt_buf_varint(&w->key, key_delta);
    tt_buf_varint(&w->pk, packets);
    tt_buf_varint(&w->by, bytes);
    if (packets == 1) { /* one hour, which holds the row */
        tt_buf_u8(&w->one, (uint8_t)__builtin_ctz(mask));
        return;
    }
    tt_buf_varint(&w->mask, mask);
    if (__builtin_popcount(mask) < 2)
        return;
    for (int j = 0; j < __builtin_popcount(mask); j++) {
        tt_buf_varint(&w->hpk, hpk[j]);
        int64_t d = (int64_t)hby[j] - (int64_t)hour_bytes_base(hpk[j], packets, bytes);
        tt_buf_varint(&w->hby, tt_zigzag(d));
    }
}

/* Appends the n streams to out, a frame for each after the first. */
static void concat(struct tt_buf *out, struct tt_block_frames *f, struct tt_buf *const *s,
                   unsigned n)
{
    f->n = 0;
    for (unsigned i = 0; i < n; i++) {
        if (i && out->len)
            f->at[f->n++] = out->len;
        tt_buf_put(out, s[i]->p, s[i]->len);
        if (s[i]->oom)
            out->oom = 1;
        tt_buf_free(s[i]);
    }
}

void roll_rows_finish(struct roll_rows_wr *w, struct tt_buf *rows, struct tt_block_frames *rf,
                      struct tt_buf *hours, struct tt_block_frames *hf)
{
    struct tt_buf *const r[] = {&w->key, &w->pk, &w->by};
    struct tt_buf *const h[] = {&w->one, &w->mask, &w->hpk, &w->hby};
    concat(rows, rf, r, 3);
    concat(hours, hf, h, 4);
}

void roll_rows_write(const void *days, size_t ndays, const void *hours, size_t nhours,
                     struct roll_row (*at)(const void *rows, size_t i), struct tt_buf *rows_out,
                     struct tt_block_frames *rf, struct tt_buf *hours_out,
                     struct tt_block_frames *hf)
{
    struct roll_rows_wr w;
    memset(&w, 0, sizeof w);
    uint64_t prev = 0;
    size_t h = 0;
    for (size_t i = 0; i < ndays; i++) {
        struct roll_row d = at(days, i), x;
        uint64_t hpk[24], hby[24];
        uint32_t mask = 0;
        unsigned n = 0;
        for (; h < nhours && n < 24 && (x = at(hours, h)).key == d.key; h++) {
            mask |= 1u << x.hour;
            hpk[n] = x.packets;
            hby[n++] = x.bytes;
        }
        roll_rows_put(&w, d.key - prev, d.packets, d.bytes, mask, hpk, hby);
        prev = d.key;
    }
    roll_rows_finish(&w, rows_out, rf, hours_out, hf);
}

/* Moves rd past n varints; 0, or -1 when they are not there. */
static int skip_varints(struct tt_rd *rd, size_t n)
{
    for (size_t i = 0; i < n && !rd->bad; i++)
        tt_rd_varint(rd);
    return rd->bad ? -1 : 0;
}

/* The stream of rd from start to where rd stands. */
static struct tt_rd stream(const struct tt_rd *rd, size_t start)
{
    return tt_rd_make(rd->p + start, rd->pos - start);
}

int roll_rows_open(struct roll_rows_rd *s, const uint8_t *p, size_t len, size_t n)
{
    struct tt_rd rd = tt_rd_make(p, len);
    if (n > len || skip_varints(&rd, n))
        return TT_ECORRUPT;
    s->key = stream(&rd, 0);
    size_t at = rd.pos;
    if (skip_varints(&rd, n))
        return TT_ECORRUPT;
    s->pk = stream(&rd, at);
    s->by = tt_rd_make(p + rd.pos, len - rd.pos);
    return TT_OK;
}

int roll_rows_done(const struct roll_rows_rd *s)
{
    return !s->key.bad && !s->pk.bad && !s->by.bad && s->key.pos == s->key.len &&
           s->pk.pos == s->pk.len && s->by.pos == s->by.len;
}

int roll_hours_open(struct roll_hours_rd *s, const uint8_t *p, size_t len, size_t single,
                    size_t other)
{
    if (single > len || other > len - single)
        return TT_ECORRUPT;
    s->one = tt_rd_make(p, single);
    struct tt_rd rd = tt_rd_make(p + single, len - single);
    size_t hours = 0; /* hours of the rows of several hours */
    for (size_t i = 0; i < other && !rd.bad; i++) {
        unsigned c = (unsigned)__builtin_popcountll(tt_rd_varint(&rd));
        hours += c > 1 ? c : 0;
    }
    if (rd.bad)
        return TT_ECORRUPT;
    s->mask = stream(&rd, 0);
    size_t at = rd.pos;
    if (skip_varints(&rd, hours))
        return TT_ECORRUPT;
    s->pk = stream(&rd, at);
    s->by = tt_rd_make(rd.p + rd.pos, rd.len - rd.pos);
    return TT_OK;
}

int roll_hours_done(const struct roll_hours_rd *s)
{
    const struct tt_rd *r[] = {&s->one, &s->mask, &s->pk, &s->by};
    for (unsigned i = 0; i < 4; i++)
        if (r[i]->bad || r[i]->pos != r[i]->len)
            return 0;
    return 1;
}

unsigned roll_hours_next(struct roll_hours_rd *s, uint64_t packets, uint64_t bytes,
                         uint8_t hour[24], uint64_t pk[24], uint64_t by[24])
{
    if (packets == 1) {
        uint8_t h = tt_rd_u8(&s->one);
        if (h > 23)
            s->one.bad = 1;
        hour[0] = h;
        pk[0] = 1;
        by[0] = bytes;
        return s->one.bad ? 0 : 1;
    }
    uint64_t mask = tt_rd_varint(&s->mask), sp = 0, sb = 0;
    int many = __builtin_popcountll(mask) > 1;
    unsigned n = 0;
    if (mask == 0 || mask >> 24)
        s->mask.bad = 1;
    for (uint8_t hr = 0; hr < 24 && !s->mask.bad && !s->pk.bad && !s->by.bad; hr++) {
        if (!(mask >> hr & 1))
            continue;
        hour[n] = hr;
        pk[n] = many ? tt_rd_varint(&s->pk) : packets;
        by[n] = bytes;
        /* a split of the totals: the hours may not add up past them */
        if (tt_add_bounded(&sp, pk[n], packets))
            s->pk.bad = 1;
        if (many && !s->pk.bad) { /* bytes: the difference from the hour's base */
            uint64_t z = tt_rd_varint(&s->by), base = hour_bytes_base(pk[n], packets, bytes);
            uint64_t below = (z >> 1) + 1, above = z >> 1;
            if (z & 1 ? below > base : base + above < base)
                s->by.bad = 1;
            by[n] = z & 1 ? base - below : base + above;
        }
        if (tt_add_bounded(&sb, by[n], bytes))
            s->by.bad = 1;
        n++;
    }
    if (sp != packets || sb != bytes)
        s->mask.bad = 1;
    return s->mask.bad || s->pk.bad || s->by.bad ? 0 : n;
}

/* Rows of one packet, from the packets stream. */
static size_t one_packet_rows(struct tt_rd pk, size_t n)
{
    size_t single = 0;
    for (size_t i = 0; i < n; i++)
        single += tt_rd_varint(&pk) == 1;
    return single;
}

int roll_rows_read(const uint8_t *rows, size_t rows_len, const uint8_t *hours, size_t hours_len,
                   size_t n, size_t max_hours, uint64_t max_key,
                   int (*emit)(void *ctx, uint64_t key, uint8_t hour, uint64_t packets,
                               uint64_t bytes),
                   void *ctx)
{
    struct roll_rows_rd r;
    struct roll_hours_rd h;
    if (roll_rows_open(&r, rows, rows_len, n))
        return TT_ECORRUPT;
    size_t single = one_packet_rows(r.pk, n);
    if (hours && roll_hours_open(&h, hours, hours_len, single, n - single))
        return TT_ECORRUPT;
    uint64_t key = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t delta = tt_rd_varint(&r.key), pk = tt_rd_varint(&r.pk), by = tt_rd_varint(&r.by);
        if ((i && delta == 0) || tt_add_bounded(&key, delta, max_key) ||
            emit(ctx, key, TT_HOUR_DAY, pk, by))
            return TT_ECORRUPT;
        uint8_t hour[24];
        uint64_t hp[24], hb[24];
        unsigned nh = hours ? roll_hours_next(&h, pk, by, hour, hp, hb) : 0;
        if (hours && (nh == 0 || nh > max_hours))
            return TT_ECORRUPT;
        max_hours -= nh;
        for (unsigned j = 0; j < nh; j++)
            if (emit(ctx, key, hour[j], hp[j], hb[j]))
                return TT_ECORRUPT;
    }
    return roll_rows_done(&r) && (!hours || roll_hours_done(&h)) ? TT_OK : TT_ECORRUPT;
}
