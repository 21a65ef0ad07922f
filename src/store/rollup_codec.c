/* Roll-up files (docs/format.md): whole-day totals, then the hourly split of
 * each total, then the source sets, then refused-frame counts, each block
 * zstd-compressed and checksummed (blockfile.h). Readers decode only the
 * blocks they ask for: a top-ports query never touches hours or sets. */
#include <stdlib.h>
#include <string.h>

#include "store/blockfile.h"
#include "store/rollup_int.h"
#include "store/rollup_rows.h"

enum {
    B_DAY,
    B_HOURS,
    B_SRC,
    B_REFUSED,
    B_GEO,
    B_GEO_HOURS,
    B_SRC_CC,
    B_SRC_PAT,
    B_PATTERNS,
    B_DAY_PATTERNS,
    B_SEGS,
    B__COUNT
};

#define MAX_ENTRIES (1u << 26)
#define SEGS_MAX_BYTES ((size_t)1 << 24) /* block SEGS: some 700,000 segment names */

static struct tt_roll_entry entry_of(uint64_t key, uint8_t hour, uint64_t packets, uint64_t bytes)
{
    struct tt_roll_entry e = {(uint16_t)(key >> 31),
                              (uint8_t)(key >> 23),
                              (uint8_t)((key >> 21) & 3),
                              (uint16_t)(key >> 5),
                              hour,
                              packets,
                              bytes};
    return e;
}

int roll_build_entries(struct tt_rollup *r)
{
    size_t used = r->counts.n ? r->counts.n : 1;
    struct agg_slot *s = malloc(used * sizeof *s);
    free(r->days);
    free(r->hours);
    r->days = malloc(used * sizeof *r->days);
    r->hours = malloc(used * sizeof *r->hours);
    if (!s || !r->days || !r->hours) {
        free(s);
        return TT_ENOMEM;
    }
    size_t n = 0;
    for (size_t i = 0; i < r->counts.cap; i++)
        if (r->counts.slots[i].key1)
            s[n++] = r->counts.slots[i];
    if (agg_sort_slots(s, n)) {
        free(s);
        return TT_ENOMEM;
    }
    r->ndays = r->nhours = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t key = s[i].key1 - 1;
        r->hours[r->nhours++] = entry_of(key, (uint8_t)(key & 31), s[i].packets, s[i].bytes);
        struct tt_roll_entry *d = r->ndays ? &r->days[r->ndays - 1] : NULL;
        if (d && roll_key(d->sensor, d->proto, d->kind, d->port, 0) == (key & ~(uint64_t)31)) {
            d->packets += s[i].packets;
            d->bytes += s[i].bytes;
        } else {
            r->days[r->ndays++] = entry_of(key, TT_HOUR_DAY, s[i].packets, s[i].bytes);
        }
    }
    free(s);
    return TT_OK;
}

static struct roll_row counter_row(const void *rows, size_t i)
{
    const struct tt_roll_entry *e = (const struct tt_roll_entry *)rows + i;
    return (struct roll_row){roll_key(e->sensor, e->proto, e->kind, e->port, 0) >> 5, e->hour,
                             e->packets, e->bytes};
}

/* Block SEGS: LEB128 count, then each name as LEB128 length and bytes. */
static void put_segs(const struct tt_rollup *r, struct tt_buf *b)
{
    tt_buf_varint(b, r->nsegs);
    for (size_t i = 0; i < r->nsegs; i++) {
        size_t len = strlen(r->segs[i]);
        tt_buf_varint(b, len);
        tt_buf_put(b, r->segs[i], len);
    }
}

int roll_get_segs(struct tt_rollup *r, struct tt_rd *rd)
{
    uint64_t n = tt_rd_varint(rd);
    if (rd->bad || n > rd->len / 2)
        return TT_ECORRUPT;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t len = tt_rd_varint(rd);
        const uint8_t *p = len < TT_ROLL_SEG_NAME_MAX ? tt_rd_bytes(rd, (size_t)len) : NULL;
        int rc = p ? roll_add_segment(r, (const char *)p, (size_t)len) : TT_ECORRUPT;
        if (rc)
            return rc == TT_ENOMEM ? rc : TT_ECORRUPT;
    }
    return rd->bad || rd->pos != rd->len ? TT_ECORRUPT : TT_OK;
}

int tt_rollup_encode(struct tt_rollup *r, struct tt_buf *out, int zstd_level, struct tt_err *err)
{
    struct tt_buf b[B__COUNT], hdr = {0};
    struct tt_block_frames frames[B__COUNT];
    memset(b, 0, sizeof b);
    memset(frames, 0, sizeof frames);
    int rc = roll_build_entries(r);
    if (rc == TT_OK)
        rc = roll_build_enriched(r);
    if (rc == TT_OK) {
        roll_rows_write(r->days, r->ndays, r->hours, r->nhours, counter_row, &b[B_DAY],
                        &frames[B_DAY], &b[B_HOURS], &frames[B_HOURS]);
        roll_put_geo(r, &b[B_GEO], &frames[B_GEO], &b[B_GEO_HOURS], &frames[B_GEO_HOURS]);
        if (!r->src_given)
            rc = roll_build_sources(r);
    }
    if (rc == TT_OK) {
        roll_put_sources(r, &b[B_SRC], &frames[B_SRC], &b[B_SRC_CC], &b[B_SRC_PAT], &b[B_PATTERNS]);
        roll_put_day_patterns(r, &b[B_DAY_PATTERNS]);
        put_segs(r, &b[B_SEGS]);
    }
    for (unsigned i = 0; i < TT_DEC__COUNT; i++)
        tt_buf_varint(&b[B_REFUSED], r->refused[i]);
    tt_buf_le(&hdr, (uint64_t)r->day, 8);
    tt_buf_le(&hdr, r->ndays, 4);
    tt_buf_le(&hdr, r->nhours, 4);
    tt_buf_le(&hdr, r->src.n4 + r->src.n6, 4);
    tt_buf_le(&hdr, TT_DEC__COUNT, 4);
    tt_buf_le(&hdr, r->ngeo_days, 4);
    tt_buf_le(&hdr, r->ngeo_hours, 4);
    for (int i = 0; rc == TT_OK && i < B__COUNT; i++)
        rc = tt_buf_ok(&b[i]);
    if (rc == TT_OK)
        rc = tt_blockfile_write_frames(out, ROLL_MAGIC, TT_ROLLUP_VERSION, &hdr, b, B__COUNT, NULL,
                                       zstd_level, frames);
    for (int i = 0; i < B__COUNT; i++)
        tt_buf_free(&b[i]);
    tt_buf_free(&hdr);
    return rc ? tt_err_set(err, rc, "roll-up encoding failed: %s", tt_strerror(rc)) : TT_OK;
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static int bad(const char *name, const char *what, struct tt_err *err)
{
    return tt_err_set(err, TT_ECORRUPT, "%s: corrupt roll-up: %s", name, what);
}

/* Appends a decoded DAY or HOURS row (roll_rows_read), checking its port
 * kind. */
static int emit_counter(void *ctx, uint64_t key, uint8_t hour, uint64_t packets, uint64_t bytes)
{
    struct tt_rollup *r = ctx;
    if ((key >> 16 & 3) > TT_PK_NONE)
        return -1;
    if (hour == TT_HOUR_DAY)
        r->days[r->ndays++] = entry_of(key << 5, hour, packets, bytes);
    else
        r->hours[r->nhours++] = entry_of(key << 5, hour, packets, bytes);
    return 0;
}

int roll_get_counters(struct tt_rollup *r, struct tt_rd *d, struct tt_rd *h, size_t ndays,
                      size_t nhours)
{
    r->days = calloc(ndays + 1, sizeof *r->days);
    r->hours = h ? calloc(nhours + 1, sizeof *r->hours) : NULL;
    if (!r->days || (h && !r->hours))
        return TT_ENOMEM;
    /* keys in range: roll_key >> 5 has 42 bits */
    return roll_rows_read(d->p, d->len, h ? h->p : NULL, h ? h->len : 0, ndays, nhours,
                          (1ull << 42) - 1, emit_counter, r);
}

static int get_counters(struct tt_rollup *r, const struct tt_blockfile *bf, unsigned want,
                        size_t ndays, size_t nhours, struct tt_err *err)
{
    uint8_t *dp = NULL, *hp = NULL;
    size_t dl = 0, hl = 0;
    int rc = tt_blockfile_read(bf, B_DAY, ndays * 30, &dp, &dl, err);
    if (!rc && (want & TT_RW_HOURS))
        rc = tt_blockfile_read(bf, B_HOURS, nhours * 20 + ndays * 5, &hp, &hl, err);
    struct tt_rd d = tt_rd_make(dp, rc ? 0 : dl), h = tt_rd_make(hp, hp ? hl : 0);
    if (!rc)
        rc = roll_get_counters(r, &d, hp ? &h : NULL, ndays, nhours);
    if (rc == TT_ENOMEM)
        rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory", bf->name);
    else if (rc == TT_ECORRUPT)
        rc = bad(bf->name, "counters", err);
    free(dp);
    free(hp);
    return rc;
}

static int get_refused(struct tt_rollup *r, const struct tt_blockfile *bf, unsigned nreasons,
                       struct tt_err *err)
{
    uint8_t *p = NULL;
    size_t len;
    int rc = tt_blockfile_read(bf, B_REFUSED, (size_t)nreasons * 10, &p, &len, err);
    struct tt_rd rd = tt_rd_make(p, rc ? 0 : len);
    for (unsigned i = 0; !rc && i < nreasons; i++) {
        uint64_t v = tt_rd_varint(&rd);
        if (i < TT_DEC__COUNT)
            r->refused[i] = v;
    }
    if (!rc && (rd.bad || rd.pos != rd.len))
        rc = bad(bf->name, "refused counts", err);
    free(p);
    return rc;
}

static int get_geo(struct tt_rollup *r, const struct tt_blockfile *bf, unsigned want, size_t n,
                   size_t nhours, struct tt_err *err)
{
    uint8_t *dp = NULL, *hp = NULL;
    size_t dl = 0, hl = 0;
    if (n > MAX_ENTRIES || nhours > 24 * n)
        return bad(bf->name, "header counts", err);
    int rc = tt_blockfile_read(bf, B_GEO, n * 30, &dp, &dl, err);
    if (!rc && (want & TT_RW_GEO_HOURS))
        rc = tt_blockfile_read(bf, B_GEO_HOURS, nhours * 20 + n * 5, &hp, &hl, err);
    struct tt_rd d = tt_rd_make(dp, rc ? 0 : dl), h = tt_rd_make(hp, hp ? hl : 0);
    if (!rc)
        rc = roll_get_geo(r, &d, hp ? &h : NULL, n, nhours);
    if (rc == TT_ENOMEM)
        rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory", bf->name);
    else if (rc == TT_ECORRUPT)
        rc = bad(bf->name, "country counters", err);
    free(dp);
    free(hp);
    return rc;
}

static int get_sources(struct tt_rollup *r, const struct tt_blockfile *bf, size_t n, int with_cc,
                       struct tt_err *err)
{
    static const unsigned ids[5] = {B_SRC, B_SRC_CC, B_SRC_PAT, B_PATTERNS, B_SEGS};
    uint8_t *p[5] = {NULL, NULL, NULL, NULL, NULL};
    size_t len[5] = {0, 0, 0, 0, 0};
    struct tt_rd rd[5];
    int rc = TT_OK;
    for (int i = 0; i < 5; i++) {
        /* PATTERNS and SEGS are not bounded by the source count: one
         * flooding source may fill many segments */
        size_t max = ids[i] == B_PATTERNS ? (size_t)1 << 30
                     : ids[i] == B_SEGS   ? SEGS_MAX_BYTES
                                          : n * 20 + 32;
        if (rc == TT_OK && (with_cc || ids[i] != B_SRC_CC))
            rc = tt_blockfile_read(bf, ids[i], max, &p[i], &len[i], err);
        rd[i] = tt_rd_make(p[i], rc || !p[i] ? 0 : len[i]);
    }
    if (rc == TT_OK) {
        rc = roll_get_segs(r, &rd[4]);
        if (rc == TT_OK)
            rc = roll_get_sources(r, &rd[0], with_cc ? &rd[1] : NULL, &rd[2], &rd[3], n);
        if (rc == TT_ENOMEM)
            rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory", bf->name);
        else if (rc)
            rc = bad(bf->name, "source table", err);
    }
    for (int i = 0; i < 5; i++)
        free(p[i]);
    return rc;
}

static int get_day_patterns(struct tt_rollup *r, const struct tt_blockfile *bf, size_t nsources,
                            struct tt_err *err)
{
    uint8_t *p = NULL;
    size_t len = 0;
    /* a month's days, each with at most its sources' worth of patterns */
    int rc = tt_blockfile_read(bf, B_DAY_PATTERNS, 32 * 20 + 31 * nsources * 20, &p, &len, err);
    struct tt_rd rd = tt_rd_make(p, rc ? 0 : len);
    if (rc == TT_OK) {
        rc = roll_get_day_patterns(r, &rd);
        if (rc == TT_ENOMEM)
            rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory", bf->name);
        else if (rc)
            rc = bad(bf->name, "day patterns", err);
    }
    free(p);
    return rc;
}

int tt_rollup_decode(const uint8_t *data, size_t len, const char *name, unsigned want,
                     struct tt_rollup **out, struct tt_err *err)
{
    struct tt_blockfile bf;
    *out = NULL;
    int rc = tt_blockfile_open(&bf, data, len, name, ROLL_MAGIC, TT_ROLLUP_VERSION, ROLL_HDR_LEN,
                               B__COUNT, err);
    if (rc)
        return rc;
    const uint8_t *h = bf.hdr;
    size_t ndays = get_le(h + 8, 4), nhours = get_le(h + 12, 4), nsets = get_le(h + 16, 4);
    unsigned nreasons = (unsigned)get_le(h + 20, 4);
    if (ndays > MAX_ENTRIES || nhours > 24 * ndays || nsets > (1u << 30) || nreasons > 256)
        return bad(name, "header counts", err);
    struct tt_rollup *r = tt_rollup_new((int64_t)get_le(h, 8));
    if (!r)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", name);
    /* counters only when asked for: a source or country query skips them */
    if (ndays && (want & (TT_RW_DAY | TT_RW_HOURS)))
        rc = get_counters(r, &bf, want, ndays, nhours, err);
    if (!rc && (want & TT_RW_SETS))
        rc = get_sources(r, &bf, nsets, !(want & TT_RW_NO_CC), err);
    if (!rc && (want & TT_RW_SETS))
        rc = get_day_patterns(r, &bf, nsets, err);
    if (!rc && (want & TT_RW_REFUSED))
        rc = get_refused(r, &bf, nreasons, err);
    if (!rc && (want & (TT_RW_GEO | TT_RW_GEO_HOURS)))
        rc = get_geo(r, &bf, want, (size_t)get_le(h + 24, 4), (size_t)get_le(h + 28, 4), err);
    if (rc) {
        tt_rollup_free(r);
        return rc;
    }
    *out = r;
    return TT_OK;
}
