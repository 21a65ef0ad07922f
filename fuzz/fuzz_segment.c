/* Fuzz target for the segment decoder (store/segment.h). Random files never
 * get past the block checksums, so the input is made into a valid block file
 * (tt_blockfile_write) and only the kind header and the columns' contents are
 * the fuzzer's. Input:
 *   selector u8: the column subsets asked for before all of them (SUBSETS)
 *   the kind header, SEG_HDR_LEN bytes (docs/format.md "Segments"; missing
 *     bytes 0): records u32 (taken mod FUZZ_MAX_RECORDS + 1, so runs stay
 *     fast), IPv4 records, IPv4 runs, IPv6 runs, day, first and last
 *     timestamp, all as given, consistent or not
 *   C__COUNT pieces, one per column block in id order: a u16 length and its
 *     raw (uncompressed) bytes; missing ones empty.
 * The file and every column are exact-sized buffers, so an over-read faults
 * under ASan. What the decoder accepts must keep segment.h's contract (counts,
 * which arrays are set, IPv4 before IPv6, sensors from the prefix table) and
 * must not depend on which columns were asked for first; a breach aborts.
 * It also holds the decoder to what docs/format.md promises (sources
 * ascending, L4 state values, timestamps in the day and the header's range,
 * prefixes of the record's IP version), and keeps asking a handle for
 * columns after it refused some: a refused segment must stay refused. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "store/blockfile.h"
#include "store/segment.h"
#include "store/segment_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_RECORDS 4096u
_Static_assert(SEG_HDR_LEN >= 40, "the header fields read below");
#define US_PER_DAY 86400000000ull

/* Field sets the query scans ask for (query_scan.c), and single fields. */
static const uint32_t SUBSETS[8] = {
    TT_SF_SENSOR,
    TT_SF_SENSOR | TT_SF_DPORT,
    TT_SF_SENSOR | TT_SF_PROTO | TT_SF_DPORT | TT_SF_TS,
    TT_SF_SENSOR | TT_SF_DPORT | TT_SF_RUNS,
    TT_SF_SENSOR | TT_SF_SRC | TT_SF_GEO | TT_SF_LEN | TT_SF_TS,
    TT_SF_DST | TT_SF_PORTS,
    TT_SF_TS | TT_SF_LEN,
    TT_SF_GEO,
};
static const uint32_t SINGLE[] = {TT_SF_SENSOR, TT_SF_DPORT, TT_SF_SRC, TT_SF_TS,  TT_SF_DST,
                                  TT_SF_PROTO,  TT_SF_PORTS, TT_SF_GEO, TT_SF_LEN, TT_SF_RUNS};

struct fuzz_seg {
    const uint8_t *file;
    size_t len;
    uint32_t n, n4; /* from the header as written */
    int64_t day;
    uint64_t first_ts, last_ts;
    int tab_ok;                  /* the prefix table parses as docs/format.md says */
    uint8_t tab_sensor[1 << 13]; /* bit per sensor id named in the prefix table */
    size_t ntab;
    uint16_t tab_id[0xffff / 8 + 1]; /* each entry's sensor and IP version */
    uint8_t tab_ver[0xffff / 8 + 1];
    const struct tt_buf *pfx; /* the PFX piece */
};

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* PFXTAB as documented: sensor u16, IP version u8, prefix length u8, base of
 * 16 bytes for IPv6, else 4. Records may only name these sensors. */
static void parse_pfxtab(struct fuzz_seg *f, const struct tt_buf *b)
{
    size_t at = 0;
    memset(f->tab_sensor, 0, sizeof f->tab_sensor);
    f->tab_ok = 1;
    f->ntab = 0;
    while (at < b->len) {
        if (b->len - at < 4) {
            f->tab_ok = 0;
            return;
        }
        uint16_t sensor = (uint16_t)get_le(b->p + at, 2);
        uint8_t ver = b->p[at + 2];
        size_t base = ver == 6 ? 16 : 4;
        if (ver != 4 && ver != 6)
            f->tab_ok = 0;
        if (b->len - at - 4 < base) {
            f->tab_ok = 0;
            return;
        }
        f->tab_sensor[sensor >> 3] |= (uint8_t)(1u << (sensor & 7));
        f->tab_id[f->ntab] = sensor;
        f->tab_ver[f->ntab++] = ver;
        at += 4 + base;
    }
}

/* Each record's sensor is its prefix entry's, of its own IP version. */
static void check_prefixes(const struct fuzz_seg *f, const struct tt_seg_cols *c)
{
    struct tt_rd rd = tt_rd_make(f->pfx->p, f->pfx->len);
    for (uint32_t k = 0; k < c->n; k++) {
        uint64_t i = tt_rd_varint(&rd);
        if (rd.bad || i >= f->ntab || f->tab_id[i] != c->sensor[k] ||
            f->tab_ver[i] != (k < c->n4 ? 4 : 6))
            abort();
    }
}

static int has_sensor(const struct fuzz_seg *f, uint16_t s)
{
    return f->tab_sensor[s >> 3] >> (s & 7) & 1;
}

/* An array is set exactly when a field that gives it was asked for. */
static void check_set(const void *p, uint32_t fields, uint32_t gives)
{
    if ((p != NULL) != ((fields & gives) != 0))
        abort();
}

/* The runs cover the records, IPv4 ones first, their sources distinct and
 * ascending. */
static void check_runs(const struct tt_seg_cols *c)
{
    if (!c->runs)
        return;
    uint64_t sum = 0;
    for (uint32_t i = 0; i < c->nruns4 + c->nruns6; i++) {
        if (c->runs[i] == 0)
            abort();
        sum += c->runs[i];
        if (i + 1 == c->nruns4 && sum != c->n4)
            abort();
        if (i && i < c->nruns4 && c->run_src4[i - 1] >= c->run_src4[i])
            abort();
        if (i > c->nruns4 && memcmp(c->run_src6 + (size_t)(i - 1 - c->nruns4) * 16,
                                    c->run_src6 + (size_t)(i - c->nruns4) * 16, 16) >= 0)
            abort();
    }
    if (sum != c->n || (c->nruns4 == 0 && c->n4 != 0))
        abort();
}

static void check_cols(const struct fuzz_seg *f, const struct tt_seg_cols *c, uint32_t fields)
{
    if (c->n != f->n || c->n4 != f->n4 || c->n4 > c->n)
        abort();
    check_set(c->src4, fields, TT_SF_SRC);
    check_set(c->src6, fields, TT_SF_SRC);
    check_set(c->ts, fields, TT_SF_TS);
    check_set(c->sensor, fields, TT_SF_DST | TT_SF_SENSOR);
    check_set(c->dst4, fields, TT_SF_DST);
    check_set(c->dst6, fields, TT_SF_DST);
    check_set(c->proto, fields, TT_SF_PROTO);
    check_set(c->sport, fields, TT_SF_PORTS);
    check_set(c->dport, fields, TT_SF_PORTS | TT_SF_DPORT);
    check_set(c->cc, fields, TT_SF_GEO);
    check_set(c->asn, fields, TT_SF_GEO);
    check_set(c->ip_len, fields, TT_SF_LEN);
    check_set(c->runs, fields, TT_SF_RUNS);
    check_set(c->run_src4, fields, TT_SF_RUNS);
    check_runs(c);
    if (c->sensor && !f->tab_ok)
        abort(); /* destinations accepted over a table the docs would refuse */
    if (c->sensor)
        check_prefixes(f, c);
    for (uint32_t k = 0; k < c->n; k++) {
        if (c->src4 && k >= c->n4 && c->src4[k] != 0)
            abort(); /* "0 for IPv6" */
        if (c->sensor && !has_sensor(f, c->sensor[k]))
            abort(); /* the prefix index gives the sensor */
        /* records sorted by (IP version, source, arrival) */
        if (c->src4 && k && k < c->n4 && c->src4[k - 1] > c->src4[k])
            abort();
        if (c->src6 && k > c->n4 &&
            memcmp(c->src6 + (size_t)(k - 1 - c->n4) * 16, c->src6 + (size_t)(k - c->n4) * 16, 16) >
                0)
            abort();
        if (c->ts && (c->ts[k] < f->first_ts || c->ts[k] > f->last_ts ||
                      c->ts[k] / US_PER_DAY != (uint64_t)f->day))
            abort();
    }
}

static void same(const void *a, const void *b, size_t len)
{
    if (a && b && memcmp(a, b, len) != 0)
        abort();
}

/* Arrays of a subset asked for first equal those of all fields at once. */
static void check_same_cols(const struct tt_seg_cols *c, const struct tt_seg_cols *all)
{
    size_t n = c->n, n6 = (size_t)(c->n - c->n4);
    same(c->src4, all->src4, n * 4);
    same(c->src6, all->src6, n6 * 16);
    same(c->ts, all->ts, n * 8);
    same(c->sensor, all->sensor, n * 2);
    same(c->dst4, all->dst4, n * 4);
    same(c->dst6, all->dst6, n6 * 16);
    same(c->proto, all->proto, n);
    same(c->sport, all->sport, n * 2);
    same(c->dport, all->dport, n * 2);
    same(c->cc, all->cc, n * 2);
    same(c->asn, all->asn, n * 4);
    same(c->ip_len, all->ip_len, n * 2);
    if (c->runs && (c->nruns4 != all->nruns4 || c->nruns6 != all->nruns6))
        abort();
    same(c->runs, all->runs, ((size_t)c->nruns4 + c->nruns6) * 4);
    same(c->run_src4, all->run_src4, (size_t)c->nruns4 * 4);
    same(c->run_src6, all->run_src6, (size_t)c->nruns6 * 16);
    /* each record's source is its run's */
    for (uint32_t i = 0, k = 0; c->runs && all->src4 && i < c->nruns4; i++)
        for (uint32_t j = 0; j < c->runs[i]; j++, k++)
            if (all->src4[k] != c->run_src4[i])
                abort();
}

/* Decoded records agree with the columns and keep record.h's bounds. */
static void check_records(const struct tt_record *recs, const struct tt_seg_cols *c)
{
    for (uint32_t k = 0; k < c->n; k++) {
        const struct tt_record *r = &recs[k];
        if (r->ts_us != c->ts[k] || r->sensor != c->sensor[k] || r->proto != c->proto[k] ||
            r->sport != c->sport[k] || r->dport != c->dport[k] || r->cc != c->cc[k] ||
            r->asn != c->asn[k] || r->ip_len != c->ip_len[k])
            abort();
        if (r->n_optkinds > TT_MAX_OPTKINDS || r->payload_head_len > TT_PAYLOAD_HEAD)
            abort();
        if (r->l4 > TT_L4_NONE)
            abort();
        if (k < c->n4) {
            if (r->ipver != 4 || r->src4 != c->src4[k] || r->dst4 != c->dst4[k])
                abort();
        } else {
            size_t i = (size_t)(k - c->n4) * 16;
            if (r->ipver != 6 || r->src4 || r->dst4 || memcmp(r->src6, c->src6 + i, 16) ||
                memcmp(r->dst6, c->dst6 + i, 16))
                abort();
        }
    }
}

static struct tt_seg *open_seg(const struct fuzz_seg *f)
{
    struct tt_seg *s = NULL;
    struct tt_err err;
    if (tt_seg_open(f->file, f->len, "fuzz", &s, &err) != TT_OK)
        return NULL;
    if (!s || tt_seg_count(s) != f->n || tt_seg_day(s) != f->day || f->n == 0 ||
        f->n > FUZZ_MAX_RECORDS || f->n4 > f->n)
        abort();
    return s;
}

/* Subsets on a handle of their own, then all fields on it; refusals must
 * not depend on the order columns are asked for. A handle is dropped at its
 * first error by the callers, but the fuzzer keeps using it. */
static void run_subsets(const struct fuzz_seg *f, unsigned sel, int all_rc,
                        const struct tt_seg_cols *all)
{
    uint32_t list[sizeof SINGLE / sizeof SINGLE[0]];
    size_t nlist = 0;
    switch (sel >> 6) {
    case 0:
        list[nlist++] = SUBSETS[sel & 7];
        break;
    case 1:
        list[nlist++] = SUBSETS[sel & 7];
        list[nlist++] = SUBSETS[sel >> 3 & 7];
        break;
    case 2:
        list[nlist++] = SUBSETS[sel >> 3 & 7];
        list[nlist++] = SUBSETS[sel & 7];
        break;
    default:
        for (; nlist < sizeof SINGLE / sizeof SINGLE[0]; nlist++)
            list[nlist] = SINGLE[(nlist + sel) % (sizeof SINGLE / sizeof SINGLE[0])];
    }
    struct tt_seg *s = open_seg(f);
    struct tt_seg_cols c;
    struct tt_err err;
    for (size_t i = 0; s && i < nlist; i++) {
        int rc = tt_seg_columns(s, list[i], &c, &err);
        if (rc != TT_OK && all_rc == TT_OK)
            abort(); /* part of what was accepted whole */
        if (rc != TT_OK)
            continue; /* and the handle must keep refusing */
        check_cols(f, &c, list[i]);
        if (all_rc == TT_OK)
            check_same_cols(&c, all);
    }
    if (s && (tt_seg_columns(s, TT_SF_ALL, &c, &err) == TT_OK) != (all_rc == TT_OK))
        abort();
    if (s && all_rc == TT_OK)
        check_same_cols(&c, all);
    tt_seg_close(s);
}

/* The runs' sources (what a day's roll-up reads of its segments): distinct
 * and ascending, and, where every column was accepted, the records' own
 * sources and countries run by run. Refused only where the columns were. */
static void run_sources(const struct fuzz_seg *f, int all_rc, const struct tt_seg_cols *all)
{
    struct tt_seg *s = open_seg(f);
    struct tt_seg_sources src;
    struct tt_err err;
    if (!s)
        return;
    int rc = tt_seg_sources(s, 1, &src, &err);
    if (rc != TT_OK && all_rc == TT_OK)
        abort();
    for (uint32_t i = 1; rc == TT_OK && i < src.n4; i++)
        if (src.v4[i - 1] >= src.v4[i])
            abort();
    for (uint32_t i = 1; rc == TT_OK && i < src.n6; i++)
        if (memcmp(src.v6 + 16 * (i - 1), src.v6 + 16 * i, 16) >= 0)
            abort();
    if (rc == TT_OK && all_rc == TT_OK) {
        uint32_t r4 = 0, r6 = 0;
        for (uint32_t k = 0; k < all->n; k++) {
            int v4 = k < all->n4;
            int starts = k == 0 || k == all->n4 ||
                         (v4 ? all->src4[k] != all->src4[k - 1]
                             : memcmp(all->src6 + 16 * (k - all->n4),
                                      all->src6 + 16 * (k - all->n4 - 1), 16) != 0);
            if (starts && v4)
                r4++;
            if (starts && !v4)
                r6++;
            uint32_t run = v4 ? r4 - 1 : src.n4 + r6 - 1;
            if (v4 ? r4 > src.n4 || src.v4[r4 - 1] != all->src4[k]
                   : r6 > src.n6 ||
                         memcmp(src.v6 + 16 * (r6 - 1), all->src6 + 16 * (k - all->n4), 16))
                abort();
            if (src.cc[run] != all->cc[k])
                abort();
        }
        if (r4 != src.n4 || r6 != src.n6)
            abort();
    }
    tt_seg_close(s);
}

static void run_decoder(struct fuzz_seg *f, unsigned sel)
{
    struct tt_err err;
    struct tt_seg_cols all;
    struct tt_seg *s = open_seg(f), *d = NULL;
    if (!s)
        return;
    int all_rc = tt_seg_columns(s, TT_SF_ALL, &all, &err);
    if (all_rc == TT_OK)
        check_cols(f, &all, TT_SF_ALL);
    run_subsets(f, sel, all_rc, &all);
    run_sources(f, all_rc, &all);
    struct tt_record *a = calloc(f->n, sizeof *a), *b = calloc(f->n, sizeof *b);
    if (!a || !b)
        goto out;
    /* decode reads every column: accepted only if all columns were, and the
     * same whether the columns were decoded before (s) or not (d) */
    int ok = tt_seg_decode(s, a, &err) == TT_OK;
    if (ok && all_rc != TT_OK)
        abort();
    if (ok)
        check_records(a, &all);
    if ((d = open_seg(f)) == NULL || (tt_seg_decode(d, b, &err) == TT_OK) != ok)
        abort();
    if (ok && memcmp(a, b, (size_t)f->n * sizeof *a) != 0)
        abort();
out:
    free(a);
    free(b);
    tt_seg_close(d);
    tt_seg_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ZSTD_CCtx *cctx;
    static struct fuzz_seg f;
    struct tt_buf hdr = {0}, col[C__COUNT], out = {0};
    uint8_t h[SEG_HDR_LEN] = {0}, *file = NULL;
    memset(col, 0, sizeof col);
    if (size < 1 || (!cctx && !(cctx = ZSTD_createCCtx())))
        return 0;
    unsigned sel = data[0];
    size_t at = 1, take = size - at < SEG_HDR_LEN ? size - at : SEG_HDR_LEN;
    memcpy(h, data + at, take);
    at += take;
    f.n = (uint32_t)(get_le(h, 4) % (FUZZ_MAX_RECORDS + 1));
    for (unsigned i = 0; i < 4; i++)
        h[i] = (uint8_t)(f.n >> (8 * i));
    f.n4 = (uint32_t)get_le(h + 4, 4);
    f.day = (int64_t)get_le(h + 16, 8);
    f.first_ts = get_le(h + 24, 8);
    f.last_ts = get_le(h + 32, 8);
    tt_buf_put(&hdr, h, sizeof h);
    for (int c = 0; c < C__COUNT; c++) {
        size_t len = 0;
        if (size - at >= 2) {
            len = (size_t)(data[at] | data[at + 1] << 8);
            at += 2;
            len = len < size - at ? len : size - at;
        }
        if (len) /* tt_buf_put of nothing on an empty buffer offsets NULL */
            tt_buf_put(&col[c], data + at, len);
        at += len;
    }
    parse_pfxtab(&f, &col[C_PFXTAB]);
    f.pfx = &col[C_PFX];
    if (tt_buf_ok(&hdr) ||
        tt_blockfile_write(&out, SEG_MAGIC, TT_SEG_VERSION, &hdr, col, C__COUNT, cctx, 1) ||
        !(file = malloc(out.len)))
        goto out;
    memcpy(file, out.p, out.len);
    f.file = file;
    f.len = out.len;
    run_decoder(&f, sel);
out:
    free(file);
    tt_buf_free(&out);
    tt_buf_free(&hdr);
    for (int c = 0; c < C__COUNT; c++)
        tt_buf_free(&col[c]);
    return 0;
}
