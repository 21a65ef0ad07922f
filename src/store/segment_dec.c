/* Segment decoder: validates the header and directory, then decompresses and
 * checks only the columns a caller needs. Every count read from the file is
 * checked against the record count before it sizes anything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bits.h"
#include "common/planes.h"
#include "store/blockfile.h"
#include "store/segment.h"
#include "store/segment_int.h"
#include "store/segment_kinds.h"
#include "store/segment_payref.h"
#include "store/segment_ranks.h"
#include "store/segment_runs.h"

struct seg_pfx {
    uint16_t sensor;
    uint8_t ipver, len;
    uint32_t v4;
    uint8_t v6[16];
};

struct tt_seg {
    char name[256];
    uint32_t n, n4, nruns4, nruns6;
    int64_t day;
    uint64_t ts_first, ts_last; /* the header's time range */
    struct tt_blockfile bf;
    size_t raw_len[C__COUNT];
    uint8_t *raw[C__COUNT];  /* decompressed columns, on demand */
    uint32_t *runs;          /* run lengths */
    uint32_t *run_src4;      /* per IPv4 run its source */
    const uint8_t *run_src6; /* per IPv6 run its source: raw[C_SRC6] */
    uint16_t *run_cc;        /* per run its country */
    uint8_t *kinds;          /* per run its kind row (segment_kinds.h) */
    int failed;              /* the error that refused the segment, 0 none */
    /* decoded arrays */
    uint32_t *src4, *dst4;
    uint8_t *src6, *dst6, *proto;
    uint64_t *ts;
    uint16_t *sensor, *sport, *dport, *cc, *ip_len;
    uint32_t *asn;
    struct seg_pfx *pfx;
    uint32_t n_pfx;
};

#define SEG_DAY_MAX 106751 /* the last day whose microseconds fit an int64 */

static int corrupt(struct tt_seg *s, struct tt_err *err, const char *what)
{
    return tt_err_set(err, TT_ECORRUPT, "%s: corrupt segment: %s", s->name, what);
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

int tt_seg_open(const uint8_t *data, size_t len, const char *name, struct tt_seg **out,
                struct tt_err *err)
{
    *out = NULL;
    struct tt_seg *s = calloc(1, sizeof *s);
    if (!s)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", name);
    tt_strlcpy(s->name, name, sizeof s->name);
    int rc = tt_blockfile_open(&s->bf, data, len, s->name, SEG_MAGIC, TT_SEG_VERSION, SEG_HDR_LEN,
                               C__COUNT, err);
    if (rc) {
        free(s);
        return rc;
    }
    const uint8_t *h = s->bf.hdr;
    s->n = (uint32_t)get_le(h, 4);
    s->n4 = (uint32_t)get_le(h + 4, 4);
    s->nruns4 = (uint32_t)get_le(h + 8, 4);
    s->nruns6 = (uint32_t)get_le(h + 12, 4);
    s->day = (int64_t)get_le(h + 16, 8);
    s->ts_first = get_le(h + 24, 8);
    s->ts_last = get_le(h + 32, 8);
    if (s->n == 0 || s->n > TT_SEG_MAX_RECORDS || s->n4 > s->n || s->nruns4 > s->n4 ||
        s->nruns6 > s->n - s->n4 || s->day < 0 || s->day > SEG_DAY_MAX) {
        rc = corrupt(s, err, "record counts");
        free(s);
        return rc;
    }
    *out = s;
    return TT_OK;
}

void tt_seg_close(struct tt_seg *s)
{
    if (!s)
        return;
    for (int c = 0; c < C__COUNT; c++)
        free(s->raw[c]);
    free(s->runs);
    free(s->run_src4);
    free(s->run_cc);
    free(s->kinds);
    free(s->src4);
    free(s->dst4);
    free(s->src6);
    free(s->dst6);
    free(s->proto);
    free(s->ts);
    free(s->sensor);
    free(s->sport);
    free(s->dport);
    free(s->cc);
    free(s->ip_len);
    free(s->asn);
    free(s->pfx);
    free(s);
}

uint32_t tt_seg_count(const struct tt_seg *s)
{
    return s->n;
}
int64_t tt_seg_day(const struct tt_seg *s)
{
    return s->day;
}

static int load_runs(struct tt_seg *s, struct tt_err *err);
static int column(struct tt_seg *s, int c, struct tt_rd *rd, struct tt_err *err);

/* The runs' kinds, decoded once (the block itself is then dropped). */
static int load_kinds(struct tt_seg *s, struct tt_err *err)
{
    if (s->kinds)
        return TT_OK;
    uint32_t nr = s->nruns4 + s->nruns6;
    struct tt_rd rd;
    int rc = column(s, C_RUNKIND, &rd, err);
    if (rc)
        return rc;
    uint8_t *rows = malloc(nr ? (size_t)nr * SEG_KIND_LEN : 1);
    if (!rows)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", s->name);
    if (seg_kinds_decode(rd.p, rd.len, nr, rows)) {
        free(rows);
        return corrupt(s, err, "run kinds");
    }
    s->kinds = rows;
    free(s->raw[C_RUNKIND]);
    s->raw[C_RUNKIND] = NULL;
    return TT_OK;
}

/* Replaces squeezed column c's stored form by its n values. */
static int expand(struct tt_seg *s, int c, struct tt_err *err)
{
    const struct seg_squeeze *q = seg_squeeze_of(c);
    int rc = load_runs(s, err);
    if (!rc)
        rc = load_kinds(s, err);
    if (rc)
        return rc;
    uint8_t *v = malloc((size_t)s->n * q->width);
    if (!v)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", s->name);
    int at = seg_kind_field(c);
    struct seg_run_masks m = {s->runs, s->nruns4 + s->nruns6, s->kinds + SEG_KIND_MASK,
                              SEG_KIND_LEN, at >= 0 ? s->kinds + at : NULL};
    if (seg_expand_column(q, (unsigned)(q - seg_squeezed), s->raw[c], s->raw_len[c], &m, s->n, v)) {
        free(v);
        return corrupt(s, err, "squeezed column length");
    }
    free(s->raw[c]);
    s->raw[c] = v;
    s->raw_len[c] = (size_t)s->n * q->width;
    return TT_OK;
}

/* Replaces ranked column c's stored form by the values it ranks. */
static int unrank(struct tt_seg *s, int c, struct tt_err *err)
{
    uint8_t *v = NULL;
    size_t n = 0;
    int rc = seg_rank_decode(s->raw[c], s->raw_len[c], &v, &n);
    if (rc == TT_ENOMEM)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", s->name);
    if (rc)
        return corrupt(s, err, "ranked column");
    free(s->raw[c]);
    s->raw[c] = v;
    s->raw_len[c] = 2 * n;
    return TT_OK;
}

/* Decompresses column c (checksum checked) once, expanding a squeezed one;
 * *rd reads it. No column holds more than 64 bytes per record. */
static int column(struct tt_seg *s, int c, struct tt_rd *rd, struct tt_err *err)
{
    if (!s->raw[c]) {
        int rc = tt_blockfile_read(&s->bf, (unsigned)c, (size_t)s->n * 64 + 4096, &s->raw[c],
                                   &s->raw_len[c], err);
        const struct seg_squeeze *q = seg_squeeze_of(c);
        if (!rc && q && q->ranked)
            rc = unrank(s, c, err);
        if (!rc && q)
            rc = expand(s, c, err);
        if (rc) {
            free(s->raw[c]);
            s->raw[c] = NULL;
            return rc;
        }
    }
    *rd = tt_rd_make(s->raw[c], s->raw_len[c]);
    return TT_OK;
}

/* A fixed-width column of n values must be exactly n * w bytes. */
static int fixed_column(struct tt_seg *s, int c, unsigned w, uint32_t n, struct tt_rd *rd,
                        struct tt_err *err)
{
    int rc = column(s, c, rd, err);
    if (rc == TT_OK && rd->len != (size_t)n * w)
        rc = corrupt(s, err, "column length");
    return rc;
}

static int load_runs(struct tt_seg *s, struct tt_err *err)
{
    if (s->runs)
        return TT_OK;
    struct tt_rd rd;
    int rc = column(s, C_RUNS, &rd, err);
    if (rc)
        return rc;
    uint32_t nr = s->nruns4 + s->nruns6;
    s->runs = malloc((nr ? nr : 1) * sizeof *s->runs);
    if (!s->runs)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", s->name);
    uint64_t sum4 = 0, sum = 0;
    for (uint32_t i = 0; i < nr; i++) {
        uint64_t v = tt_rd_varint(&rd);
        if (v == 0 || v > s->n)
            return corrupt(s, err, "run length");
        s->runs[i] = (uint32_t)v;
        sum += v;
        if (i < s->nruns4)
            sum4 += v;
    }
    if (rd.bad || rd.pos != rd.len || sum != s->n || sum4 != s->n4)
        return corrupt(s, err, "runs do not cover the records");
    return TT_OK;
}

static void *alloc_array(struct tt_seg *s, size_t n, size_t w, struct tt_err *err)
{
    void *p = calloc(n ? n : 1, w);
    if (!p)
        tt_err_set(err, TT_ENOMEM, "%s: out of memory", s->name);
    return p;
}

/* The runs' sources (SRC4, SRC6), checked distinct and ascending. */
static int load_run_sources(struct tt_seg *s, struct tt_err *err)
{
    if (s->run_src4)
        return TT_OK;
    struct tt_rd r4, r6;
    int rc = fixed_column(s, C_SRC4, 4, s->nruns4, &r4, err);
    if (!rc)
        rc = fixed_column(s, C_SRC6, 16, s->nruns6, &r6, err);
    if (rc)
        return rc;
    uint32_t *v4 = alloc_array(s, s->nruns4, 4, err);
    if (!v4)
        return TT_ENOMEM;
    uint64_t a = 0;
    for (uint32_t i = 0; i < s->nruns4; i++) {
        /* distinct and ascending: each delta after the first at least 1 */
        uint64_t delta = tt_plane32_get(r4.p, s->nruns4, i);
        if ((i && delta == 0) || tt_add_bounded(&a, delta, UINT32_MAX))
            r4.bad = 1;
        v4[i] = (uint32_t)a;
    }
    for (uint32_t i = 1; i < s->nruns6; i++)
        if (memcmp(r6.p + 16 * (size_t)(i - 1), r6.p + 16 * (size_t)i, 16) >= 0)
            r4.bad = 1; /* IPv6 sources distinct and ascending too */
    if (r4.bad) {
        free(v4);
        return corrupt(s, err, "source column");
    }
    s->run_src4 = v4;
    s->run_src6 = r6.p; /* the decompressed column itself */
    return TT_OK;
}

static int load_src(struct tt_seg *s, struct tt_err *err)
{
    if (s->src4)
        return TT_OK;
    int rc = load_runs(s, err);
    if (!rc)
        rc = load_run_sources(s, err);
    if (rc)
        return rc;
    uint32_t *src4 = alloc_array(s, s->n, 4, err);
    uint8_t *src6 = alloc_array(s, s->n - s->n4, 16, err);
    if (!src4 || !src6) {
        free(src4);
        free(src6);
        return TT_ENOMEM;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < s->nruns4; i++)
        for (uint32_t j = 0; j < s->runs[i]; j++)
            src4[k++] = s->run_src4[i];
    for (uint32_t i = 0; i < s->nruns6; i++)
        for (uint32_t j = 0; j < s->runs[s->nruns4 + i]; j++, k++)
            memcpy(src6 + (size_t)(k - s->n4) * 16, s->run_src6 + 16 * (size_t)i, 16);
    s->src4 = src4;
    s->src6 = src6;
    return TT_OK;
}

/* The TS column's values back in record order (put_ts in segment_enc.c). */
static void get_ts(const struct tt_seg *s, const uint8_t *p, uint64_t *v)
{
    uint32_t nruns = s->nruns4 + s->nruns6, taken[SEG_TS_CLASSES] = {0}, k = 0;
    struct seg_ts_layout l;
    seg_ts_layout(&l, s->runs, nruns);
    for (uint32_t i = 0; i < nruns; i++) {
        unsigned c = seg_ts_class(s->runs[i]);
        const uint8_t *base = p + 8 * (size_t)l.start[c];
        for (uint32_t j = 0; j < s->runs[i]; j++, k++) {
            size_t at = taken[c]++;
            uint64_t x = 0;
            for (unsigned b = 0; b < 8; b++)
                x |= (uint64_t)base[b * (size_t)l.count[c] + at] << (8 * b);
            v[k] = x;
        }
    }
}

static int load_ts(struct tt_seg *s, struct tt_err *err)
{
    if (s->ts)
        return TT_OK;
    struct tt_rd rd;
    int rc = load_runs(s, err);
    if (!rc)
        rc = fixed_column(s, C_TS, 8, s->n, &rd, err);
    if (rc)
        return rc;
    if (!(s->ts = alloc_array(s, s->n, 8, err)))
        return TT_ENOMEM;
    get_ts(s, rd.p, s->ts); /* the runs cover the records: load_runs checked */
    /* every record of the segment's day (s->day is checked at open) */
    const int64_t day_us = s->day * TT_US_PER_DAY;
    uint64_t k = 0;
    for (uint32_t i = 0; i < s->nruns4 + s->nruns6; i++) {
        int64_t in_day = 0;
        for (uint32_t j = 0; j < s->runs[i]; j++, k++) {
            int64_t delta = tt_unzigzag(s->ts[k]);
            if (delta < -in_day || delta >= TT_US_PER_DAY - in_day)
                return corrupt(s, err, "timestamp outside the day");
            in_day += delta;
            s->ts[k] = (uint64_t)(day_us + in_day);
            if (s->ts[k] < s->ts_first || s->ts[k] > s->ts_last)
                return corrupt(s, err, "timestamp outside the header's range");
        }
    }
    return TT_OK;
}

static int load_pfxtab(struct tt_seg *s, struct tt_err *err)
{
    struct tt_rd rd;
    int rc = column(s, C_PFXTAB, &rd, err);
    if (rc)
        return rc;
    uint32_t cap = (uint32_t)(rd.len / 8 + 1);
    if (!(s->pfx = alloc_array(s, cap, sizeof *s->pfx, err)))
        return TT_ENOMEM;
    while (rd.pos < rd.len && !rd.bad && s->n_pfx < cap) {
        struct seg_pfx *p = &s->pfx[s->n_pfx++];
        p->sensor = (uint16_t)tt_rd_le(&rd, 2);
        p->ipver = tt_rd_u8(&rd);
        p->len = tt_rd_u8(&rd);
        if ((p->ipver != 4 && p->ipver != 6) ||
            (p->len != SEG_ESCAPE_LEN && p->len > (p->ipver == 4 ? 32 : 128)))
            rd.bad = 1;
        if (p->ipver == 6) {
            const uint8_t *a = tt_rd_bytes(&rd, 16);
            if (a)
                memcpy(p->v6, a, 16);
        } else {
            p->v4 = (uint32_t)tt_rd_le(&rd, 4);
        }
    }
    return rd.bad || rd.pos != rd.len ? corrupt(s, err, "prefix table") : TT_OK;
}

/* Record k's prefix-table entry, read from the PFX column; NULL when the
 * index is out of range or the entry is of the other IP version. */
static inline __attribute__((always_inline)) const struct seg_pfx *
record_prefix(const struct tt_seg *s, struct tt_rd *rp, uint32_t k)
{
    uint64_t i = rp->pos < rp->len && rp->p[rp->pos] < 0x80 ? rp->p[rp->pos++] : tt_rd_varint(rp);
    if (i >= s->n_pfx || s->pfx[i].ipver != (k < s->n4 ? 4 : 6))
        return NULL;
    return &s->pfx[i];
}

/* Sensors alone: the prefix index column, without the destinations. */
static int load_sensor(struct tt_seg *s, struct tt_err *err)
{
    if (s->sensor)
        return TT_OK;
    struct tt_rd rp;
    int rc = s->pfx ? TT_OK : load_pfxtab(s, err);
    if (!rc)
        rc = column(s, C_PFX, &rp, err);
    if (rc)
        return rc;
    uint16_t *sensor = alloc_array(s, s->n, 2, err);
    if (!sensor)
        return TT_ENOMEM;
    for (uint32_t k = 0; k < s->n; k++) {
        const struct seg_pfx *p = record_prefix(s, &rp, k);
        if (!p) {
            free(sensor);
            return corrupt(s, err, "prefix index");
        }
        sensor[k] = p->sensor;
    }
    if (rp.bad || rp.pos != rp.len) {
        free(sensor);
        return corrupt(s, err, "destination columns");
    }
    s->sensor = sensor;
    return TT_OK;
}

static int load_dst(struct tt_seg *s, struct tt_err *err)
{
    if (s->dst4)
        return TT_OK;
    struct tt_rd rp, ro, r6;
    int rc = s->pfx ? TT_OK : load_pfxtab(s, err);
    if (!rc)
        rc = column(s, C_PFX, &rp, err);
    if (!rc)
        rc = column(s, C_DSTOFF, &ro, err);
    if (!rc)
        rc = fixed_column(s, C_DST6, 16, s->n - s->n4, &r6, err);
    if (rc)
        return rc;
    if (!s->sensor)
        s->sensor = alloc_array(s, s->n, 2, err);
    s->dst4 = alloc_array(s, s->n, 4, err);
    s->dst6 = alloc_array(s, s->n - s->n4, 16, err);
    if (!s->sensor || !s->dst4 || !s->dst6)
        return TT_ENOMEM;
    struct tt_bitr bits;
    tt_bitr_init(&bits, ro.p, ro.len);
    for (uint32_t k = 0; k < s->n; k++) {
        const struct seg_pfx *p = record_prefix(s, &rp, k);
        if (!p)
            return corrupt(s, err, "prefix index");
        s->sensor[k] = p->sensor;
        if (k < s->n4) {
            /* the offset's width keeps it inside its prefix */
            uint32_t off = tt_bitr_get(&bits, seg_offset_bits(p->len));
            s->dst4[k] = p->len == SEG_ESCAPE_LEN ? off : p->v4 + off;
        } else {
            const uint8_t *a = tt_rd_bytes(&r6, 16);
            if (a)
                memcpy(s->dst6 + (size_t)(k - s->n4) * 16, a, 16);
        }
    }
    if (rp.bad || rp.pos != rp.len || !tt_bitr_done(&bits))
        return corrupt(s, err, "destination columns");
    return TT_OK;
}

static int load_u8(struct tt_seg *s, int c, uint8_t **out, struct tt_err *err)
{
    struct tt_rd rd;
    int rc = fixed_column(s, c, 1, s->n, &rd, err);
    if (rc)
        return rc;
    if (!(*out = alloc_array(s, s->n, 1, err)))
        return TT_ENOMEM;
    memcpy(*out, rd.p, s->n);
    return TT_OK;
}

/* A u16 column: its values as they are for a ranked column, else each
 * XOR the previous value of the same source run. */
static int load16(struct tt_seg *s, int c, uint16_t **out, struct tt_err *err)
{
    struct tt_rd rd;
    int rc = load_runs(s, err);
    if (!rc)
        rc = fixed_column(s, c, 2, s->n, &rd, err);
    if (rc)
        return rc;
    uint16_t *v = alloc_array(s, s->n, 2, err);
    if (!v)
        return TT_ENOMEM;
    const uint8_t *p = rd.p;
    const struct seg_squeeze *q = seg_squeeze_of(c);
    uint16_t chain = q && q->ranked ? 0 : 0xffff; /* what of the previous value is XORed in */
    uint32_t k = 0;
    for (uint32_t i = 0; i < s->nruns4 + s->nruns6; i++) {
        uint16_t prev = 0;
        for (uint32_t j = 0; j < s->runs[i]; j++, k++, p += 2)
            v[k] = prev = (uint16_t)((prev & chain) ^ (p[0] | p[1] << 8));
    }
    *out = v;
    return TT_OK;
}

/* Country and AS are per run (a run is one source): expanded per record. */
/* Each run's country (C_CC). */
static int load_run_cc(struct tt_seg *s, struct tt_err *err)
{
    if (s->run_cc)
        return TT_OK;
    uint32_t nr = s->nruns4 + s->nruns6;
    struct tt_rd rd;
    int rc = fixed_column(s, C_CC, 2, nr, &rd, err);
    uint16_t *cc = rc ? NULL : alloc_array(s, nr, 2, err);
    if (rc)
        return rc;
    if (!cc)
        return TT_ENOMEM;
    for (uint32_t i = 0; i < nr; i++)
        cc[i] = (uint16_t)get_le(rd.p + 2 * (size_t)i, 2);
    s->run_cc = cc;
    return TT_OK;
}

static int load_geo(struct tt_seg *s, struct tt_err *err)
{
    if (s->cc)
        return TT_OK;
    uint32_t nr = s->nruns4 + s->nruns6;
    struct tt_rd ra;
    int rc = load_runs(s, err);
    if (!rc)
        rc = load_run_cc(s, err);
    if (!rc)
        rc = fixed_column(s, C_ASN, 4, nr, &ra, err);
    if (rc)
        return rc;
    uint16_t *cc = alloc_array(s, s->n, 2, err);
    uint32_t *asn = alloc_array(s, s->n, 4, err);
    if (!cc || !asn) {
        free(cc);
        free(asn);
        return TT_ENOMEM;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < nr; i++) {
        uint32_t a = tt_plane32_get(ra.p, nr, i);
        for (uint32_t j = 0; j < s->runs[i]; j++, k++) {
            cc[k] = s->run_cc[i];
            asn[k] = a;
        }
    }
    s->cc = cc;
    s->asn = asn;
    return TT_OK;
}

/* A segment refused once stays refused: its arrays may be half filled. */
static int refused(struct tt_seg *s, struct tt_err *err)
{
    return tt_err_set(err, s->failed, "%s: segment refused before", s->name);
}

static int columns(struct tt_seg *s, uint32_t fields, struct tt_seg_cols *out, struct tt_err *err)
{
    int rc = TT_OK;
    memset(out, 0, sizeof *out);
    out->n = s->n;
    out->n4 = s->n4;
    if (!rc && (fields & TT_SF_SRC))
        rc = load_src(s, err);
    if (!rc && (fields & TT_SF_TS))
        rc = load_ts(s, err);
    if (!rc && (fields & TT_SF_DST))
        rc = load_dst(s, err);
    if (!rc && (fields & TT_SF_SENSOR))
        rc = load_sensor(s, err);
    if (!rc && (fields & TT_SF_PROTO) && !s->proto)
        rc = load_u8(s, C_PROTO, &s->proto, err);
    if (!rc && (fields & TT_SF_PORTS) && !s->sport)
        rc = load16(s, C_SPORT, &s->sport, err);
    if (!rc && (fields & (TT_SF_PORTS | TT_SF_DPORT)) && !s->dport)
        rc = load16(s, C_DPORT, &s->dport, err);
    if (!rc && (fields & TT_SF_GEO))
        rc = load_geo(s, err);
    if (!rc && (fields & TT_SF_LEN) && !s->ip_len)
        rc = load16(s, C_IPLEN, &s->ip_len, err);
    if (!rc && (fields & TT_SF_RUNS))
        rc = load_runs(s, err);
    if (!rc && (fields & TT_SF_RUNS))
        rc = load_run_sources(s, err);
    if (rc)
        return rc;
    if (fields & TT_SF_RUNS) {
        out->nruns4 = s->nruns4;
        out->nruns6 = s->nruns6;
        out->runs = s->runs;
        out->run_src4 = s->run_src4;
        out->run_src6 = s->run_src6;
    }
    out->cc = (fields & TT_SF_GEO) ? s->cc : NULL;
    out->ip_len = (fields & TT_SF_LEN) ? s->ip_len : NULL;
    out->asn = (fields & TT_SF_GEO) ? s->asn : NULL;
    out->src4 = (fields & TT_SF_SRC) ? s->src4 : NULL;
    out->src6 = (fields & TT_SF_SRC) ? s->src6 : NULL;
    out->ts = (fields & TT_SF_TS) ? s->ts : NULL;
    out->sensor = (fields & (TT_SF_DST | TT_SF_SENSOR)) ? s->sensor : NULL;
    out->dst4 = (fields & TT_SF_DST) ? s->dst4 : NULL;
    out->dst6 = (fields & TT_SF_DST) ? s->dst6 : NULL;
    out->proto = (fields & TT_SF_PROTO) ? s->proto : NULL;
    out->sport = (fields & TT_SF_PORTS) ? s->sport : NULL;
    out->dport = (fields & (TT_SF_PORTS | TT_SF_DPORT)) ? s->dport : NULL;
    return TT_OK;
}

int tt_seg_columns(struct tt_seg *s, uint32_t fields, struct tt_seg_cols *out, struct tt_err *err)
{
    if (s->failed) {
        memset(out, 0, sizeof *out);
        return refused(s, err);
    }
    int rc = columns(s, fields, out, err);
    if (rc)
        s->failed = rc;
    return rc;
}

int tt_seg_sources(struct tt_seg *s, int with_cc, struct tt_seg_sources *out, struct tt_err *err)
{
    memset(out, 0, sizeof *out);
    if (s->failed)
        return refused(s, err);
    int rc = load_run_sources(s, err);
    if (rc == TT_OK && with_cc)
        rc = load_run_cc(s, err);
    if (rc) {
        s->failed = rc;
        return rc;
    }
    out->n4 = s->nruns4;
    out->n6 = s->nruns6;
    out->v4 = s->run_src4;
    out->v6 = s->run_src6;
    out->cc = with_cc ? s->run_cc : NULL;
    return TT_OK;
}

/* Fields only a full decode needs, read straight into the records. */
static int decode_fixed_fields(struct tt_seg *s, struct tt_record *recs, struct tt_err *err)
{
    struct tt_rd l4, seq, ack, hlen, fl, fl2, ttl;
    int rc = fixed_column(s, C_L4, 1, s->n, &l4, err);
    if (!rc)
        rc = fixed_column(s, C_SEQ, 4, s->n, &seq, err);
    if (!rc)
        rc = fixed_column(s, C_ACK, 4, s->n, &ack, err);
    if (!rc)
        rc = fixed_column(s, C_HLEN, 1, s->n, &hlen, err);
    if (!rc)
        rc = fixed_column(s, C_FLAGS, 1, s->n, &fl, err);
    if (!rc)
        rc = fixed_column(s, C_FLAGS2, 1, s->n, &fl2, err);
    if (!rc)
        rc = fixed_column(s, C_TTL, 1, s->n, &ttl, err);
    if (rc)
        return rc;
    uint32_t k = 0;
    for (uint32_t i = 0; i < s->nruns4 + s->nruns6; i++) {
        uint8_t prev_ttl = 0;
        for (uint32_t j = 0; j < s->runs[i]; j++, k++) {
            struct tt_record *r = &recs[k];
            if (l4.p[k] > TT_L4_NONE)
                return corrupt(s, err, "transport state");
            r->l4 = l4.p[k];
            r->seq = (uint32_t)get_le(seq.p + 4 * (size_t)k, 4) ^ seg_seq_base(r);
            r->ack = (uint32_t)get_le(ack.p + 4 * (size_t)k, 4);
            r->ip_hlen = hlen.p[k];
            r->tcp_flags = fl.p[k];
            r->tcp_flags2 = fl2.p[k];
            r->ttl = prev_ttl = (uint8_t)(prev_ttl ^ ttl.p[k]);
        }
    }
    return TT_OK;
}

static int decode_u16_fields(struct tt_seg *s, struct tt_record *recs, struct tt_err *err)
{
    static const int cols[] = {C_WIN, C_IPLEN, C_FRAG};
    for (int c = 0; c < 3; c++) {
        uint16_t *v = NULL;
        int rc = load16(s, cols[c], &v, err);
        if (rc)
            return rc;
        for (uint32_t k = 0; k < s->n; k++) {
            if (cols[c] == C_WIN)
                recs[k].win = v[k];
            else if (cols[c] == C_IPLEN)
                recs[k].ip_len = v[k];
            else
                recs[k].frag = v[k];
        }
        free(v);
    }
    return TT_OK;
}

static int decode_ipid(struct tt_seg *s, struct tt_record *recs, struct tt_err *err)
{
    struct tt_rd res, narrow;
    int rc = fixed_column(s, C_IPID, 2, s->n, &res, err); /* loads the kinds */
    if (!rc)
        rc = column(s, C_IPID8, &narrow, err);
    if (rc)
        return rc;
    const unsigned ipid_bit = (unsigned)(seg_squeeze_of(C_IPID) - seg_squeezed);
    uint32_t k = 0;
    for (uint32_t i = 0; i < s->nruns4 + s->nruns6; i++) {
        const uint8_t *kind = s->kinds + (size_t)i * SEG_KIND_LEN;
        uint8_t pred = kind[SEG_KIND_IPIDP];
        unsigned mask = (unsigned)get_le(kind + SEG_KIND_MASK, 2);
        /* a narrow run's later residuals are in IPID8 only */
        if (pred == SEG_IPID_NARROW && !(mask >> ipid_bit & 1))
            return corrupt(s, err, "IP ID predictor");
        uint16_t prev = 0;
        for (uint32_t j = 0; j < s->runs[i]; j++, k++) {
            struct tt_record *r = &recs[k];
            uint16_t v = (uint16_t)get_le(res.p + 2 * (size_t)k, 2);
            if (pred == SEG_IPID_MASSCAN) {
                r->ip_id = (uint16_t)(v ^ r->dst4 ^ r->dport ^ r->seq);
            } else {
                if (pred == SEG_IPID_NARROW && j) {
                    if (narrow.pos >= narrow.len)
                        return corrupt(s, err, "IP ID column");
                    v = (uint16_t)(int8_t)narrow.p[narrow.pos++];
                }
                r->ip_id = (uint16_t)(prev + v);
            }
            prev = r->ip_id;
        }
    }
    return narrow.pos == narrow.len ? TT_OK : corrupt(s, err, "IP ID column");
}

static int decode_options(struct tt_seg *s, struct tt_record *recs, struct tt_err *err)
{
    struct tt_rd tab, idx;
    int rc = column(s, C_SIGTAB, &tab, err);
    if (!rc)
        rc = fixed_column(s, C_OPTSIG, 4, s->n, &idx, err);
    if (rc)
        return rc;
    /* signature offsets: a table of at most one entry per record */
    uint32_t *off = alloc_array(s, s->n, 4, err), nsig = 0;
    if (!off)
        return TT_ENOMEM;
    while (tab.pos < tab.len && nsig < s->n) {
        off[nsig++] = (uint32_t)tab.pos;
        tt_rd_u8(&tab);
        uint8_t n = tt_rd_u8(&tab);
        if (n > TT_MAX_OPTKINDS || !tt_rd_bytes(&tab, n))
            tab.bad = 1;
        if (tab.bad)
            break;
    }
    rc = tab.bad || tab.pos != tab.len ? corrupt(s, err, "option signature table") : TT_OK;
    for (uint32_t k = 0; !rc && k < s->n; k++) {
        uint64_t i = tt_rd_le(&idx, 4);
        if (i >= nsig) {
            rc = corrupt(s, err, "option signature index");
            break;
        }
        const uint8_t *sig = tab.p + off[i];
        recs[k].tcp_optlen = sig[0];
        recs[k].n_optkinds = sig[1];
        memcpy(recs[k].optkinds, sig + 2, sig[1]);
    }
    free(off);
    return rc;
}

/* Payload lengths and heads; a head is either a recent one of its service
 * (segment_payref.h) or its bytes follow in PAYLOAD. */
static int decode_payload(struct tt_seg *s, struct tt_record *recs, struct tt_err *err)
{
    struct tt_rd plen, ph, pay, ref;
    int rc = column(s, C_PAYLEN, &plen, err);
    if (!rc)
        rc = fixed_column(s, C_PHLEN, 1, s->n, &ph, err);
    if (!rc)
        rc = column(s, C_PAYLOAD, &pay, err);
    if (!rc)
        rc = column(s, C_PAYREF, &ref, err);
    struct seg_payref *t = rc ? NULL : malloc(sizeof *t);
    if (rc || !t)
        return rc ? rc : tt_err_set(err, TT_ENOMEM, "%s: out of memory", s->name);
    seg_payref_reset(t);
    for (uint32_t k = 0; k < s->n && !rc; k++) {
        struct tt_record *r = &recs[k];
        int64_t derived = (int64_t)r->ip_len - r->ip_hlen - seg_l4_header_len(r);
        int64_t res = tt_unzigzag(tt_rd_varint(&plen)); /* derived is small: no overflow */
        if (res < -derived || res > UINT16_MAX - derived) {
            rc = corrupt(s, err, "payload length");
            break;
        }
        r->payload_len = (uint16_t)(derived + res);
        uint8_t n = ph.p[k] ^ seg_payload_head_len(r->payload_len);
        if (n > TT_PAYLOAD_HEAD)
            rc = corrupt(s, err, "payload column");
        if (n == 0 || rc)
            continue;
        uint8_t at = tt_rd_u8(&ref);
        const uint8_t *lit = at == SEG_PAYREF_NEW ? tt_rd_bytes(&pay, n) : NULL;
        if (ref.bad || (at == SEG_PAYREF_NEW && !lit) ||
            seg_payref_take(t, r, at, lit, n, r->payload))
            rc = corrupt(s, err, "payload column");
        r->payload_head_len = n;
    }
    free(t);
    if (!rc && (plen.bad || plen.pos != plen.len || pay.pos != pay.len || ref.pos != ref.len))
        rc = corrupt(s, err, "payload column");
    return rc;
}

static int decode_inner(struct tt_seg *s, struct tt_record *recs, struct tt_err *err)
{
    struct tt_rd rd;
    int rc = column(s, C_INNER, &rd, err);
    if (rc)
        return rc;
    uint64_t k = 0;
    for (int first = 1; rd.pos < rd.len && !rd.bad; first = 0) {
        /* records ascending: a gap of at least 1 after the first entry */
        uint64_t gap = tt_rd_varint(&rd);
        if ((!first && gap == 0) || tt_add_bounded(&k, gap, s->n - 1))
            return corrupt(s, err, "inner header index");
        struct tt_record *r = &recs[k];
        r->inner_proto = tt_rd_u8(&rd);
        uint8_t has = tt_rd_u8(&rd);
        r->inner_sport = (uint16_t)tt_rd_le(&rd, 2);
        r->inner_dport = (uint16_t)tt_rd_le(&rd, 2);
        if (has & 1) {
            r->inner_src4 = (uint32_t)tt_rd_le(&rd, 4) ^ r->dst4;
            r->inner_dst4 = (uint32_t)tt_rd_le(&rd, 4) ^ r->src4;
        }
        const uint8_t *a;
        if ((has & 2) && (a = tt_rd_bytes(&rd, 32)) != NULL) {
            seg_xor16(r->inner_src6, a, r->dst6);
            seg_xor16(r->inner_dst6, a + 16, r->src6);
        }
    }
    return rd.bad ? corrupt(s, err, "inner header column") : TT_OK;
}

int tt_seg_decode(struct tt_seg *s, struct tt_record *recs, struct tt_err *err)
{
    struct tt_seg_cols c;
    int rc = tt_seg_columns(s, TT_SF_ALL, &c, err);
    if (rc == TT_OK && !s->proto && (rc = load_u8(s, C_PROTO, &s->proto, err)))
        s->failed = rc;
    if (rc)
        return rc;
    memset(recs, 0, (size_t)s->n * sizeof *recs);
    for (uint32_t k = 0; k < s->n; k++) {
        struct tt_record *r = &recs[k];
        r->ts_us = c.ts[k];
        r->sensor = c.sensor[k];
        r->proto = c.proto[k];
        r->sport = c.sport[k];
        r->dport = c.dport[k];
        r->cc = c.cc[k];
        r->asn = c.asn[k];
        if (k < s->n4) {
            r->ipver = 4;
            r->src4 = c.src4[k];
            r->dst4 = c.dst4[k];
        } else {
            r->ipver = 6;
            memcpy(r->src6, c.src6 + (size_t)(k - s->n4) * 16, 16);
            memcpy(r->dst6, c.dst6 + (size_t)(k - s->n4) * 16, 16);
        }
    }
    rc = decode_fixed_fields(s, recs, err);
    if (!rc)
        rc = decode_u16_fields(s, recs, err);
    if (!rc)
        rc = decode_ipid(s, recs, err);
    if (!rc)
        rc = decode_options(s, recs, err);
    if (!rc)
        rc = decode_payload(s, recs, err);
    if (!rc)
        rc = decode_inner(s, recs, err);
    if (rc && !s->failed)
        s->failed = rc;
    return rc;
}
