/* Segment encoder: sort by (source, arrival), split into columns with the
 * traffic-aware transforms of segment_int.h, compress each with zstd. */
#define XXH_INLINE_ALL
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include <zstd.h>

#include "common/bits.h"
#include "common/buf.h"
#include "common/planes.h"
#include "store/blockfile.h"
#include "store/segment.h"
#include "store/segment_int.h"
#include "store/segment_kinds.h"
#include "store/segment_payref.h"
#include "store/segment_ranks.h"
#include "store/segment_runs.h"

#define SIG_SLOTS_MIN 1024u
#define PFX_CACHE 256u /* last prefix-table entry per sensor id, direct-mapped */

struct pfx_entry {
    uint16_t sensor;
    uint8_t ipver, len; /* len SEG_ESCAPE_LEN: full addresses */
    uint32_t v4;
    uint8_t v6[16];
};

struct tt_seg_encoder {
    int levels[C__COUNT]; /* zstd level per column */
    ZSTD_CCtx *cctx;
    uint64_t *keys, *tmp;
    uint32_t *order, *runlen;
    uint16_t *masks;
    uint8_t *pred, *kind_rows; /* per run: IP ID predictor, run kind (segment_kinds.h) */
    uint32_t *src4;            /* per IPv4 run: its source */
    uint32_t *asn;             /* per run: its source's AS */
    struct seg_kinds kinds;
    size_t cap;
    struct tt_buf col[C__COUNT], squeezed;
    uint8_t *w[C__COUNT]; /* write positions in the reserved per-record columns */
    /* destination prefix table of the segment being written */
    struct pfx_entry *pfx;
    uint32_t n_pfx;
    size_t cap_pfx;
    uint32_t pfx_cache[PFX_CACHE]; /* entry + 1, 0 none; only prefix entries */
    /* TCP option signature table: open-addressed index into C_SIGTAB */
    uint32_t *sig_slot, *sig_off;
    uint32_t sig_slots, n_sig, last_sig;
    const struct tt_sensors *sensors_cached;
    const struct tt_sensor **by_id; /* sensor id -> declaration */
    struct seg_ranker *ranker;      /* the ranked columns' coding */
    struct seg_payref *payref;      /* recent payload heads per service */
    /* Where each column's zstd frames start (tt_block_frames): parts with
     * statistics of their own get a frame each. Measured on the benchmark
     * store (2 workers, segments of ~110 K records), against one frame per
     * column: TS's 8 byte planes 4.44 -> 4.30 B/record; the 2-byte squeezed
     * columns cut after the runs' first values (rank table and bytes, then
     * escapes, for the ranked ones) SPORT 0.911 -> 0.892, DPORT 0.525 ->
     * 0.502, WIN 0.252 -> 0.238, IPID 1.670 -> 1.666. */
    struct tt_block_frames frames[C__COUNT];
};

/* zstd level per column when the caller leaves it to the encoder (level
 * 0). Measured on two days of the benchmark store with libzstd 1.5.4: level
 * 1 compresses the columns in 49 ns per record where level 3 takes 83, and
 * as small (13.19 against 13.15 B/record in all; smaller for TS and PFX,
 * whose near-random bytes level 3 spends short matches on), except the
 * destination port, where level 3 saves 0.04 B/record for 2 ns. */
static int column_level(int c)
{
    return c == C_DPORT ? 3 : 1;
}

struct tt_seg_encoder *tt_seg_encoder_new(int zstd_level)
{
    struct tt_seg_encoder *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    for (int c = 0; c < C__COUNT; c++)
        e->levels[c] = zstd_level ? zstd_level : column_level(c);
    e->cctx = ZSTD_createCCtx();
    e->by_id = calloc(TT_SENSOR_MAX + 1, sizeof *e->by_id);
    if ((e->ranker = malloc(sizeof *e->ranker)))
        seg_ranker_init(e->ranker);
    e->payref = malloc(sizeof *e->payref);
    if (!e->cctx || !e->by_id || !e->ranker || !e->payref) {
        tt_seg_encoder_free(e);
        return NULL;
    }
    return e;
}

/* The arrays of one entry per record (ensure_cap sizes them). */
static void free_per_record(struct tt_seg_encoder *e)
{
    free(e->keys);
    free(e->tmp);
    free(e->order);
    free(e->runlen);
    free(e->masks);
    free(e->pred);
    free(e->kind_rows);
    free(e->src4);
    free(e->asn);
}

void tt_seg_encoder_free(struct tt_seg_encoder *e)
{
    if (!e)
        return;
    ZSTD_freeCCtx(e->cctx);
    free_per_record(e);
    seg_kinds_free(&e->kinds);
    for (int i = 0; i < C__COUNT; i++)
        tt_buf_free(&e->col[i]);
    tt_buf_free(&e->squeezed);
    free(e->pfx);
    free(e->sig_slot);
    free(e->sig_off);
    free(e->by_id);
    free(e->ranker);
    free(e->payref);
    free(e);
}

static int ensure_cap(struct tt_seg_encoder *e, uint32_t n)
{
    if (n <= e->cap)
        return TT_OK;
    free_per_record(e);
    e->keys = malloc(n * sizeof *e->keys);
    e->tmp = malloc(n * sizeof *e->tmp);
    e->order = malloc(n * sizeof *e->order);
    e->runlen = malloc(n * sizeof *e->runlen);
    e->masks = malloc(n * sizeof *e->masks);
    e->pred = malloc(n);
    e->kind_rows = malloc((size_t)n * SEG_KIND_LEN);
    e->src4 = malloc(n * sizeof *e->src4);
    e->asn = malloc(n * sizeof *e->asn);
    if (!e->keys || !e->tmp || !e->order || !e->runlen || !e->masks || !e->pred || !e->kind_rows ||
        !e->src4 || !e->asn) {
        e->cap = 0;
        return TT_ENOMEM;
    }
    e->cap = n;
    return TT_OK;
}

/* Stable LSD radix sort of keys on their upper 32 bits (the source address);
 * the low 32 bits carry the arrival index, so runs stay in arrival order. */
static void radix_sort_hi32(uint64_t *keys, uint64_t *tmp, uint32_t n)
{
    /* every digit's histogram in one read of the keys; the passes then
     * alternate between the two arrays instead of copying back */
    uint32_t count[4][257];
    memset(count, 0, sizeof count);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t hi = (uint32_t)(keys[i] >> 32);
        count[0][(hi & 0xff) + 1]++;
        count[1][(hi >> 8 & 0xff) + 1]++;
        count[2][(hi >> 16 & 0xff) + 1]++;
        count[3][(hi >> 24) + 1]++;
    }
    uint64_t *from = keys, *to = tmp;
    for (unsigned d = 0; d < 4; d++) {
        unsigned shift = 32 + 8 * d;
        uint32_t *c = count[d];
        if (c[((from[0] >> shift) & 0xff) + 1] == n)
            continue; /* all equal in this byte */
        for (int b = 0; b < 256; b++)
            c[b + 1] += c[b];
        for (uint32_t i = 0; i < n; i++)
            to[c[(from[i] >> shift) & 0xff]++] = from[i];
        uint64_t *t = from;
        from = to;
        to = t;
    }
    if (from != keys)
        memcpy(keys, from, n * sizeof *keys);
}

static int cmp_v6(const void *a, const void *b, void *ctx)
{
    const struct tt_record *recs = ctx;
    uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
    int c = memcmp(recs[ia].src6, recs[ib].src6, 16);
    return c ? c : (ia > ib) - (ia < ib);
}

/* Order: IPv4 records by (src4, arrival), then IPv6 by (src6, arrival).
 * One read of the records finds both: the IPv6 indices fill the order's
 * tail (n4 + n6 = n) from its end, and qsort puts them in order there. */
static uint32_t build_order(struct tt_seg_encoder *e, const struct tt_record *recs, uint32_t n)
{
    uint32_t n4 = 0, n6 = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (recs[i].ipver != 6)
            e->keys[n4++] = (uint64_t)recs[i].src4 << 32 | i;
        else
            e->order[n - 1 - n6++] = i;
    }
    if (n4)
        radix_sort_hi32(e->keys, e->tmp, n4);
    for (uint32_t i = 0; i < n4; i++)
        e->order[i] = (uint32_t)e->keys[i];
    qsort_r(e->order + n4, n6, sizeof *e->order, cmp_v6, (void *)recs);
    return n4;
}

static void index_sensors(struct tt_seg_encoder *e, const struct tt_sensors *s)
{
    if (e->sensors_cached == s)
        return;
    memset(e->by_id, 0, (TT_SENSOR_MAX + 1) * sizeof *e->by_id);
    for (uint32_t i = 0; s && i < s->n; i++)
        e->by_id[s->s[i].id] = &s->s[i];
    e->sensors_cached = s;
}

/* Whether the prefix (ipver, len, v4 or v6) holds r's destination. */
static int prefix_has(uint8_t ipver, uint8_t len, uint32_t v4, const uint8_t *v6,
                      const struct tt_record *r)
{
    if (ipver != r->ipver)
        return 0;
    if (ipver == 4)
        return len == 0 || ((r->dst4 ^ v4) >> (32 - len)) == 0;
    unsigned full = len / 8, rest = len % 8;
    if (memcmp(v6, r->dst6, full) != 0)
        return 0;
    return rest == 0 || ((v6[full] ^ r->dst6[full]) >> (8 - rest)) == 0;
}

/* Whether table entry q (not an escape entry) holds r's destination. */
static int entry_has(const struct pfx_entry *q, const struct tt_record *r)
{
    return q->sensor == r->sensor && prefix_has(q->ipver, q->len, q->v4, q->v6, r);
}

/* Index of the prefix-table entry for r's destination, adding it if new.
 * A sensor's packets mostly hit the prefix its previous packet hit, so
 * that entry is tried first. */
static int pfx_index(struct tt_seg_encoder *e, const struct tt_record *r, uint32_t *idx)
{
    uint32_t *cached = &e->pfx_cache[r->sensor % PFX_CACHE];
    if (*cached && entry_has(&e->pfx[*cached - 1], r)) {
        *idx = *cached - 1;
        return TT_OK;
    }
    const struct tt_sensor *s = e->by_id[r->sensor];
    struct pfx_entry want = {r->sensor, r->ipver, SEG_ESCAPE_LEN, 0, {0}};
    for (uint32_t i = 0; s && i < s->n_prefixes; i++) {
        const struct tt_prefix *p = &s->prefixes[i];
        if (prefix_has(p->ipver, p->len, p->v4, p->v6, r)) {
            want.len = p->len;
            want.v4 = p->v4;
            memcpy(want.v6, p->v6, 16);
            break;
        }
    }
    for (uint32_t i = 0; i < e->n_pfx; i++) {
        const struct pfx_entry *q = &e->pfx[i];
        if (q->sensor == want.sensor && q->ipver == want.ipver && q->len == want.len &&
            q->v4 == want.v4 && memcmp(q->v6, want.v6, 16) == 0) {
            *idx = i;
            if (want.len != SEG_ESCAPE_LEN)
                *cached = i + 1;
            return TT_OK;
        }
    }
    if (tt_grow(&e->pfx, &e->cap_pfx, e->n_pfx, sizeof *e->pfx, 64))
        return TT_ENOMEM;
    e->pfx[e->n_pfx] = want;
    *idx = e->n_pfx++;
    if (want.len != SEG_ESCAPE_LEN)
        *cached = e->n_pfx;
    return TT_OK;
}

static int sig_reset(struct tt_seg_encoder *e, uint32_t n)
{
    uint32_t slots = SIG_SLOTS_MIN;
    while (slots < 2 * n && slots < (1u << 25))
        slots *= 2;
    if (slots > e->sig_slots) {
        free(e->sig_slot);
        free(e->sig_off);
        e->sig_slot = malloc(slots * sizeof *e->sig_slot);
        e->sig_off = malloc(slots * sizeof *e->sig_off);
        if (!e->sig_slot || !e->sig_off) {
            e->sig_slots = 0;
            return TT_ENOMEM;
        }
        e->sig_slots = slots;
    }
    memset(e->sig_slot, 0xff, e->sig_slots * sizeof *e->sig_slot);
    e->n_sig = 0;
    return TT_OK;
}

/* Index of r's TCP option signature (optlen, kinds in order); a run's
 * records mostly share the previous record's. */
static uint32_t sig_index(struct tt_seg_encoder *e, const struct tt_record *r,
                          const struct tt_record *prev)
{
    if (prev && prev->tcp_optlen == r->tcp_optlen && prev->n_optkinds == r->n_optkinds &&
        memcmp(prev->optkinds, r->optkinds, TT_MAX_OPTKINDS) == 0)
        return e->last_sig;
    uint8_t sig[2 + TT_MAX_OPTKINDS];
    uint32_t n = r->n_optkinds > TT_MAX_OPTKINDS ? TT_MAX_OPTKINDS : r->n_optkinds;
    sig[0] = r->tcp_optlen;
    sig[1] = (uint8_t)n;
    memcpy(sig + 2, r->optkinds, n);
    uint32_t len = 2 + n, mask = e->sig_slots - 1;
    uint32_t h = (uint32_t)XXH3_64bits(sig, len) & mask;
    struct tt_buf *tab = &e->col[C_SIGTAB];
    for (;; h = (h + 1) & mask) {
        uint32_t id = e->sig_slot[h];
        if (id == UINT32_MAX)
            break;
        const uint8_t *have = tab->p + e->sig_off[id];
        if (have[1] == n && memcmp(have, sig, len) == 0)
            return e->last_sig = id;
    }
    e->sig_slot[h] = e->n_sig;
    e->sig_off[e->n_sig] = (uint32_t)tab->len;
    tt_buf_put(tab, sig, len);
    return e->last_sig = e->n_sig++;
}

static uint16_t masscan_ipid(const struct tt_record *r)
{
    return (uint16_t)(r->dst4 ^ r->dport ^ r->seq);
}

/* Predictor for a run's IP IDs: the one leaving more zero residuals, and
 * for a counter (a stack's IP IDs, close together but not constant) the
 * narrow one, whose residuals take a byte each in IPID8 instead of two
 * among Mirai's random ones. Measured on the benchmark store: IPID 1.662 ->
 * 1.525 B/record, plus 0.053 for IPID8. */
static uint8_t choose_ipid_pred(const struct tt_record *recs, const uint32_t *ord, uint32_t len)
{
    uint32_t prev_hits = 0, masscan_hits = 0, narrow = 1;
    for (uint32_t j = 0; j < len; j++) {
        const struct tt_record *r = &recs[ord[j]];
        if (j) {
            int16_t d = (int16_t)(uint16_t)(r->ip_id - recs[ord[j - 1]].ip_id);
            prev_hits += d == 0;
            narrow &= d >= INT8_MIN && d <= INT8_MAX;
        }
        if (r->ipver == 4 && r->ip_id == masscan_ipid(r))
            masscan_hits++;
    }
    if (masscan_hits > prev_hits)
        return SEG_IPID_MASSCAN;
    return narrow && prev_hits + 1 < len ? SEG_IPID_NARROW : SEG_IPID_PREV;
}

static int inner_present(const struct tt_record *r)
{
    static const uint8_t zero[16];
    return r->inner_proto || r->inner_sport || r->inner_dport || r->inner_src4 || r->inner_dst4 ||
           memcmp(r->inner_src6, zero, 16) || memcmp(r->inner_dst6, zero, 16);
}

static void put_inner(struct tt_buf *b, const struct tt_record *r, uint32_t gap)
{
    static const uint8_t zero[16];
    uint8_t has = (r->inner_src4 || r->inner_dst4 ? 1 : 0) |
                  (memcmp(r->inner_src6, zero, 16) || memcmp(r->inner_dst6, zero, 16) ? 2 : 0);
    tt_buf_varint(b, gap);
    tt_buf_u8(b, r->inner_proto);
    tt_buf_u8(b, has);
    tt_buf_le(b, r->inner_sport, 2);
    tt_buf_le(b, r->inner_dport, 2);
    /* the quoted packet went from the darknet address to the source (or
     * past it): stored XOR the outer destination and source */
    if (has & 1) {
        tt_buf_le(b, r->inner_src4 ^ r->dst4, 4);
        tt_buf_le(b, r->inner_dst4 ^ r->src4, 4);
    }
    if (has & 2) {
        uint8_t a[32];
        seg_xor16(a, r->inner_src6, r->dst6);
        seg_xor16(a + 16, r->inner_dst6, r->src6);
        tt_buf_put(b, a, 32);
    }
}

struct run_prev {
    uint16_t sport, frag, ip_id;
    uint8_t ttl;
    uint64_t ts;
};

/* The TS column: each record's value in its run's size class
 * (seg_ts_class), each class as 8 byte planes (every value's first byte,
 * then every second byte, ...; a zstd frame each), record order within a
 * class. Byte planes let zstd code each byte position with its own
 * statistics, where LEB128 mixed them (timestamps 4.79 -> 4.33 B/record on
 * the benchmark store); the classes, measured on the benchmark store against one set of
 * planes for all: TS 4.303 -> 4.251 B/record; on the reference captures
 * 2.573 -> 2.521. */
static void put_ts(struct tt_seg_encoder *e, uint32_t n, uint32_t nruns)
{
    struct seg_ts_layout l;
    seg_ts_layout(&l, e->runlen, nruns);
    struct tt_block_frames *f = &e->frames[C_TS];
    f->n = 0;
    for (unsigned c = 0; c < SEG_TS_CLASSES; c++)
        for (unsigned b = 0; b < 8 && l.count[c]; b++)
            if (8 * (size_t)l.start[c] + b * (size_t)l.count[c] > 0)
                f->at[f->n++] = 8 * (size_t)l.start[c] + b * (size_t)l.count[c];
    uint8_t *p = tt_buf_reserve(&e->col[C_TS], (size_t)n * 8);
    if (!p)
        return;
    uint32_t taken[SEG_TS_CLASSES] = {0}, k = 0;
    for (uint32_t i = 0; i < nruns; i++) {
        unsigned c = seg_ts_class(e->runlen[i]);
        uint8_t *base = p + 8 * (size_t)l.start[c];
        for (uint32_t j = 0; j < e->runlen[i]; j++, k++) {
            size_t at = taken[c]++;
            for (unsigned b = 0; b < 8; b++)
                base[b * (size_t)l.count[c] + at] = (uint8_t)(e->tmp[k] >> (8 * b));
        }
    }
    e->col[C_TS].len += (size_t)n * 8;
}

/* Bytes a record adds at most to each per-record column: fill_columns
 * reserves that much once, and put_record writes through e->w unchecked. */
static const uint8_t record_max[C__COUNT] = {
    [C_PFX] = TT_VARINT_MAX,
    [C_DST6] = 16,
    [C_PROTO] = 1,
    [C_L4] = 1,
    [C_SPORT] = 2,
    [C_DPORT] = 2,
    [C_SEQ] = 4,
    [C_ACK] = 4,
    [C_IPID] = 2,
    [C_IPID8] = 1,
    [C_TTL] = 1,
    [C_WIN] = 2,
    [C_IPLEN] = 2,
    [C_HLEN] = 1,
    [C_FRAG] = 2,
    [C_FLAGS] = 1,
    [C_PAYLEN] = TT_VARINT_MAX,
    [C_FLAGS2] = 1,
    [C_PHLEN] = 1,
    [C_OPTSIG] = 4,
    [C_PAYLOAD] = TT_PAYLOAD_HEAD,
    [C_PAYREF] = 1,
};

/* Record k of the sorted order. Timestamps and IPv4 destination offsets go
 * to e->tmp and e->keys (free once the order is built), written as planes
 * at the end. */
static void put_record(struct tt_seg_encoder *e, const struct tt_record *r,
                       const struct tt_record *prev, uint32_t k, struct run_prev *pv, int first,
                       uint8_t pred, uint32_t pfx, uint64_t day_us)
{
    uint8_t **w = e->w;
    e->tmp[k] = tt_zigzag(first ? (int64_t)(r->ts_us - day_us) : (int64_t)(r->ts_us - pv->ts));
    w[C_PFX] += tt_varint_put(w[C_PFX], pfx);
    if (r->ipver == 6) {
        memcpy(w[C_DST6], r->dst6, 16);
        w[C_DST6] += 16;
    } else {
        const struct pfx_entry *p = &e->pfx[pfx];
        uint32_t off = p->len == SEG_ESCAPE_LEN ? r->dst4 : r->dst4 - p->v4;
        e->keys[k] = (uint64_t)seg_offset_bits(p->len) << 32 | off;
    }
    *w[C_PROTO]++ = r->proto;
    *w[C_L4]++ = r->l4;
    w[C_SPORT] += tt_le_put(w[C_SPORT], r->sport ^ pv->sport, 2);
    w[C_DPORT] += tt_le_put(w[C_DPORT], r->dport, 2);
    w[C_SEQ] += tt_le_put(w[C_SEQ], r->seq ^ seg_seq_base(r), 4);
    w[C_ACK] += tt_le_put(w[C_ACK], r->ack, 4);
    uint16_t ipid_res = pred == SEG_IPID_MASSCAN ? (uint16_t)(r->ip_id ^ masscan_ipid(r))
                                                 : (uint16_t)(r->ip_id - pv->ip_id);
    if (pred == SEG_IPID_NARROW && !first) {
        *w[C_IPID8]++ = (uint8_t)ipid_res; /* and 0 in IPID: the run squeezes there */
        ipid_res = 0;
    }
    w[C_IPID] += tt_le_put(w[C_IPID], ipid_res, 2);
    *w[C_TTL]++ = (uint8_t)(r->ttl ^ pv->ttl);
    w[C_WIN] += tt_le_put(w[C_WIN], r->win, 2);
    w[C_IPLEN] += tt_le_put(w[C_IPLEN], r->ip_len, 2);
    int64_t derived = (int64_t)r->ip_len - r->ip_hlen - seg_l4_header_len(r);
    w[C_PAYLEN] += tt_varint_put(w[C_PAYLEN], tt_zigzag((int64_t)r->payload_len - derived));
    *w[C_HLEN]++ = r->ip_hlen;
    w[C_FRAG] += tt_le_put(w[C_FRAG], r->frag ^ pv->frag, 2);
    *w[C_FLAGS]++ = r->tcp_flags;
    *w[C_FLAGS2]++ = r->tcp_flags2;
    w[C_OPTSIG] += tt_le_put(w[C_OPTSIG], sig_index(e, r, prev), 4);
    uint8_t ph = r->payload_head_len > TT_PAYLOAD_HEAD ? TT_PAYLOAD_HEAD : r->payload_head_len;
    *w[C_PHLEN]++ = ph ^ seg_payload_head_len(r->payload_len);
    if (ph) {
        uint8_t ref = seg_payref_code(e->payref, r, r->payload, ph);
        *w[C_PAYREF]++ = ref;
        if (ref == SEG_PAYREF_NEW) {
            memcpy(w[C_PAYLOAD], r->payload, ph);
            w[C_PAYLOAD] += ph;
        }
    }
    pv->sport = r->sport;
    pv->ip_id = r->ip_id;
    pv->ttl = r->ttl;
    pv->frag = r->frag;
    pv->ts = r->ts_us;
}

static void put_pfxtab(struct tt_seg_encoder *e)
{
    struct tt_buf *b = &e->col[C_PFXTAB];
    for (uint32_t i = 0; i < e->n_pfx; i++) {
        const struct pfx_entry *p = &e->pfx[i];
        tt_buf_le(b, p->sensor, 2);
        tt_buf_u8(b, p->ipver);
        tt_buf_u8(b, p->len);
        if (p->ipver == 6)
            tt_buf_put(b, p->v6, 16);
        else
            tt_buf_le(b, p->v4, 4);
    }
}

/* IPv4 destination offsets, each in as many bits as its prefix leaves
 * (keys[k]: width << 32 | offset). A darknet's destinations are close to
 * uniform inside its prefixes, so the host bits are what they cost: on the
 * benchmark store this took DSTOFF from 1.38 B/record as zstd-compressed
 * byte planes to 1.25. */
static int put_offsets(struct tt_buf *b, const uint64_t *keys, uint32_t n4)
{
    uint64_t bits = 0;
    for (uint32_t k = 0; k < n4; k++)
        bits += keys[k] >> 32;
    struct tt_bitw w = {tt_buf_reserve(b, tt_bits_bytes(bits)), 0, 0};
    if (!w.p)
        return TT_ENOMEM;
    for (uint32_t k = 0; k < n4; k++)
        tt_bitw_put(&w, (uint32_t)keys[k], (unsigned)(keys[k] >> 32));
    b->len = (size_t)(tt_bitw_end(&w) - b->p);
    return TT_OK;
}

/* What filling the columns found out about the segment. */
struct fill_result {
    uint32_t n4, nruns4, nruns6;
    uint64_t ts_min, ts_max;
};

/* Whether a run of r may follow the run of prev in segment order: IPv4
 * sources ascending, then IPv6 sources ascending (runs are maximal, so a
 * source never follows itself). */
static int run_follows(const struct tt_record *prev, const struct tt_record *r)
{
    if (r->ipver != 6)
        return prev->ipver != 6 && r->src4 > prev->src4;
    return prev->ipver != 6 || memcmp(r->src6, prev->src6, 16) > 0;
}

static int same_source(const struct tt_record *a, const struct tt_record *b)
{
    if (a->ipver == 6)
        return b->ipver == 6 && memcmp(a->src6, b->src6, 16) == 0;
    return b->ipver != 6 && a->src4 == b->src4;
}

/* A zstd frame for each of a block's byte planes of n values. */
static void frame_per_plane(struct tt_block_frames *f, size_t n, unsigned planes)
{
    f->n = planes - 1;
    for (unsigned p = 1; p < planes; p++)
        f->at[p - 1] = p * n;
}

/* Walks e->order run by run, filling every column. SEG_UNORDERED when the
 * order is not segment order (run_follows): the caller sorts and fills
 * again. */
#define SEG_UNORDERED 1
static int fill_columns(struct tt_seg_encoder *e, const struct tt_record *recs, uint32_t n,
                        uint64_t day_us, struct fill_result *f)
{
    uint32_t last_inner = 0;
    const struct tt_record *prev_run = NULL;
    memset(f, 0, sizeof *f);
    f->n4 = n;
    f->ts_min = UINT64_MAX;
    for (int c = 0; c < C__COUNT; c++)
        if (record_max[c] && !(e->w[c] = tt_buf_reserve(&e->col[c], (size_t)n * record_max[c])))
            return TT_ENOMEM;
    for (uint32_t k = 0; k < n;) {
        const struct tt_record *r0 = &recs[e->order[k]];
        if (prev_run && !run_follows(prev_run, r0))
            return SEG_UNORDERED;
        prev_run = r0;
        uint32_t end = k + 1;
        while (end < n && same_source(r0, &recs[e->order[end]]))
            end++;
        if (r0->ipver != 6) {
            e->src4[f->nruns4++] = r0->src4;
        } else {
            if (f->nruns6 == 0)
                f->n4 = k;
            tt_buf_put(&e->col[C_SRC6], r0->src6, 16);
            f->nruns6++;
        }
        tt_buf_varint(&e->col[C_RUNS], end - k);
        e->runlen[f->nruns4 + f->nruns6 - 1] = end - k;
        tt_buf_le(&e->col[C_CC], r0->cc, 2);
        e->asn[f->nruns4 + f->nruns6 - 1] = r0->asn;
        uint8_t pred = choose_ipid_pred(recs, e->order + k, end - k);
        e->pred[f->nruns4 + f->nruns6 - 1] = pred;
        struct run_prev pv;
        memset(&pv, 0, sizeof pv);
        for (uint32_t j = k; j < end; j++) {
            const struct tt_record *r = &recs[e->order[j]];
            uint32_t pfx;
            if (pfx_index(e, r, &pfx))
                return TT_ENOMEM;
            f->ts_min = r->ts_us < f->ts_min ? r->ts_us : f->ts_min;
            f->ts_max = r->ts_us > f->ts_max ? r->ts_us : f->ts_max;
            put_record(e, r, j ? &recs[e->order[j - 1]] : NULL, j, &pv, j == k, pred, pfx, day_us);
            if (inner_present(r)) {
                put_inner(&e->col[C_INNER], r, j - last_inner);
                last_inner = j;
            }
        }
        k = end;
    }
    for (int c = 0; c < C__COUNT; c++)
        if (record_max[c])
            e->col[c].len = (size_t)(e->w[c] - e->col[c].p);
    tt_buf_gap_planes32(&e->col[C_SRC4], e->src4, f->nruns4);
    frame_per_plane(&e->frames[C_SRC4], f->nruns4, 4);
    tt_buf_planes32(&e->col[C_ASN], e->asn, f->nruns4 + f->nruns6);
    frame_per_plane(&e->frames[C_ASN], f->nruns4 + f->nruns6, 4);
    put_ts(e, n, f->nruns4 + f->nruns6);
    put_pfxtab(e);
    return put_offsets(&e->col[C_DSTOFF], e->keys, f->n4);
}

/* Moves a kinded column's first values (leading its squeezed block) into
 * the runs' kind rows. */
static void take_firsts(struct tt_seg_encoder *e, int c, unsigned w, uint32_t nruns)
{
    struct tt_buf *b = &e->col[c];
    unsigned at = (unsigned)seg_kind_field(c);
    for (uint32_t i = 0; i < nruns; i++)
        memcpy(e->kind_rows + (size_t)i * SEG_KIND_LEN + at, b->p + (size_t)i * w, w);
    size_t firsts = (size_t)nruns * w;
    memmove(b->p, b->p + firsts, b->len - firsts);
    b->len -= firsts;
}

/* Replaces each squeezable column by its squeezed form and writes the
 * runs' kinds (segment_runs.h, segment_kinds.h). */
static void squeeze_columns(struct tt_seg_encoder *e, uint32_t nruns)
{
    memset(e->masks, 0, nruns * sizeof *e->masks);
    for (unsigned b = 0; b < SEG_SQUEEZED; b++) {
        struct tt_buf *c = &e->col[seg_squeezed[b].col], t;
        if (c->oom)
            continue; /* reported with the other columns */
        e->squeezed.len = 0;
        e->squeezed.oom = 0;
        seg_squeeze_column(&seg_squeezed[b], b, c->p, e->runlen, nruns, e->masks, &e->squeezed);
        int kinded = seg_kind_field(seg_squeezed[b].col) >= 0;
        if (seg_squeezed[b].width == 2 && seg_squeezed[b].repeat != SEG_ALL_ZERO && !kinded)
            e->frames[seg_squeezed[b].col] = (struct tt_block_frames){1, {(size_t)nruns * 2}};
        t = *c;
        *c = e->squeezed;
        e->squeezed = t;
        if (kinded && tt_buf_ok(c) == TT_OK)
            take_firsts(e, seg_squeezed[b].col, seg_squeezed[b].width, nruns);
    }
    for (uint32_t i = 0; i < nruns; i++) {
        uint8_t *row = e->kind_rows + (size_t)i * SEG_KIND_LEN;
        tt_le_put(row + SEG_KIND_MASK, e->masks[i], 2);
        row[SEG_KIND_IPIDP] = e->pred[i];
    }
    size_t table = seg_kinds_encode(&e->kinds, e->kind_rows, nruns, &e->col[C_RUNKIND]);
    if (!table)
        e->col[C_RUNKIND].oom = 1;
    e->frames[C_RUNKIND] = (struct tt_block_frames){1, {table}};
}

/* Replaces each ranked column's squeezed values by their rank coding
 * (segment_ranks.h). Measured on the benchmark store, zstd level 3 for
 * DPORT and 1 for the others: DPORT 0.68 -> 0.51 B/record (0.64 for the
 * ports themselves), WIN 0.28 -> 0.26, IPLEN 0.14 -> 0.10, against each
 * value XOR the run's previous one. */
static void rank_columns(struct tt_seg_encoder *e)
{
    for (unsigned b = 0; b < SEG_SQUEEZED; b++) {
        struct tt_buf *c = &e->col[seg_squeezed[b].col], t;
        if (!seg_squeezed[b].ranked || c->oom)
            continue;
        e->squeezed.len = 0;
        e->squeezed.oom = 0;
        size_t escapes = seg_rank_encode(e->ranker, c->p, c->len / 2, &e->squeezed);
        e->frames[seg_squeezed[b].col] = (struct tt_block_frames){1, {escapes}};
        t = *c;
        *c = e->squeezed;
        e->squeezed = t;
    }
}

const uint32_t *tt_seg_order(struct tt_seg_encoder *e, const struct tt_record *recs, uint32_t n)
{
    if (n == 0 || n > TT_SEG_MAX_RECORDS || ensure_cap(e, n))
        return NULL;
    build_order(e, recs, n);
    return e->order;
}

/* Empties the columns and the segment's tables for a fill. */
static int fill_reset(struct tt_seg_encoder *e, uint32_t n)
{
    for (int c = 0; c < C__COUNT; c++) {
        e->col[c].len = 0;
        e->col[c].oom = 0;
    }
    e->n_pfx = 0;
    memset(e->pfx_cache, 0, sizeof e->pfx_cache);
    memset(e->frames, 0, sizeof e->frames);
    seg_payref_reset(e->payref);
    return sig_reset(e, n);
}

int tt_seg_encode(struct tt_seg_encoder *e, const struct tt_record *recs, uint32_t n, int64_t day,
                  const struct tt_sensors *sensors, struct tt_buf *out, struct tt_err *err)
{
    if (n == 0 || n > TT_SEG_MAX_RECORDS)
        return tt_err_set(err, TT_EINVAL, "segment: %u records (1..%u allowed)", n,
                          TT_SEG_MAX_RECORDS);
    if (ensure_cap(e, n) || fill_reset(e, n))
        return tt_err_set(err, TT_ENOMEM, "segment: out of memory for %u records", n);
    index_sensors(e, sensors);
    uint64_t day_us = (uint64_t)(day * TT_US_PER_DAY);
    /* the records' own order first: the ingest passes them in segment order
     * (tt_seg_order), and the fill checks that as it goes */
    for (uint32_t i = 0; i < n; i++)
        e->order[i] = i;
    struct fill_result f;
    int rc = fill_columns(e, recs, n, day_us, &f);
    if (rc == SEG_UNORDERED) {
        rc = fill_reset(e, n);
        if (rc == TT_OK) {
            build_order(e, recs, n);
            rc = fill_columns(e, recs, n, day_us, &f);
        }
    }
    if (rc)
        return tt_err_set(err, TT_ENOMEM, "segment: out of memory");
    squeeze_columns(e, f.nruns4 + f.nruns6);
    rank_columns(e);
    for (int c = 0; c < C__COUNT; c++)
        if (tt_buf_ok(&e->col[c]))
            return tt_err_set(err, TT_ENOMEM, "segment: out of memory");
    struct tt_buf hdr = {0};
    tt_buf_le(&hdr, n, 4);
    tt_buf_le(&hdr, f.n4, 4);
    tt_buf_le(&hdr, f.nruns4, 4);
    tt_buf_le(&hdr, f.nruns6, 4);
    tt_buf_le(&hdr, (uint64_t)day, 8);
    tt_buf_le(&hdr, f.ts_min, 8);
    tt_buf_le(&hdr, f.ts_max, 8);
    rc = tt_buf_ok(&hdr);
    if (rc == TT_OK)
        rc = tt_blockfile_write_levels(out, SEG_MAGIC, TT_SEG_VERSION, &hdr, e->col, C__COUNT,
                                       e->cctx, e->levels, e->frames);
    tt_buf_free(&hdr);
    return rc ? tt_err_set(err, rc, "segment: encoding failed: %s", tt_strerror(rc)) : TT_OK;
}
