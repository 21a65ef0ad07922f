/* Segment codec: every field of every record round-trips; damaged files are
 * refused with a message, never read out of bounds. */
#include <stdint.h>

#include "harness.h"
#include "store/blockfile.h"
#include "store/segment.h"
#include "store/segment_int.h"
#include "store/segment_runs.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static struct tt_sensors *two_sensors(void)
{
    struct tt_sensors *s = calloc(1, sizeof *s);
    s->n = 2;
    s->s[0].id = 1;
    s->s[0].n_prefixes = 2;
    s->s[0].prefixes[0] = (struct tt_prefix){.ipver = 4, .len = 22, .v4 = 0xC6120000u};
    s->s[0].prefixes[1] =
        (struct tt_prefix){.ipver = 6, .len = 48, .v6 = {0x20, 0x01, 0x0d, 0xb8, 0, 1}};
    s->s[1].id = 7;
    s->s[1].n_prefixes = 1;
    s->s[1].prefixes[0] = (struct tt_prefix){.ipver = 4, .len = 24, .v4 = 0xC6130100u};
    return s;
}

/* A mix of every shape: Mirai-like, option-carrying, UDP with payload,
 * ICMP errors with quoted headers (v4 and v6), fragments, unattributed. */
static void make_record(struct tt_record *r, uint32_t i, int64_t day)
{
    memset(r, 0, sizeof *r);
    r->ts_us = (uint64_t)day * 86400000000ull + rnd() % 86400000000ull;
    uint32_t kind = i % 7;
    r->ipver = kind == 5 ? 6 : 4;
    r->src4 = r->ipver == 4 ? (uint32_t)(0x0a000000u + rnd() % 500) : 0;
    r->sensor = (i % 3 == 0) ? 7 : 1;
    if (r->ipver == 4)
        r->dst4 = r->sensor == 7 ? 0xC6130100u + (uint32_t)(rnd() % 256)
                                 : 0xC6120000u + (uint32_t)(rnd() % 1024);
    if (kind == 6) { /* unattributed, full destination kept */
        r->sensor = TT_SENSOR_NONE;
        r->dst4 = (uint32_t)rnd();
    }
    r->proto = kind == 2 ? 17 : kind == 3 ? 1 : kind == 5 ? 58 : 6;
    r->l4 = TT_L4_OK;
    r->ttl = (uint8_t)(40 + rnd() % 30);
    r->ip_id = (uint16_t)rnd();
    r->ip_hlen = r->ipver == 6 ? 40 : 20;
    r->sport = (uint16_t)rnd();
    r->dport = (uint16_t)(rnd() % 3 ? 23 : rnd());
    if (r->proto == 6) {
        r->tcp_flags = TT_TCP_SYN;
        r->seq = i % 2 ? r->dst4 : (uint32_t)rnd();
        r->win = (uint16_t)rnd();
        if (kind == 1) {
            static const uint8_t k[] = {2, 4, 8, 1, 3};
            r->tcp_optlen = 20;
            r->n_optkinds = 5;
            memcpy(r->optkinds, k, 5);
        }
    }
    if (kind == 2) {
        r->payload_head_len = 12;
        memcpy(r->payload, "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
    }
    if (kind == 3) {
        r->sport = 3;
        r->dport = 3;
        r->inner_proto = 17;
        r->inner_src4 = 0xC6120005u;
        r->inner_dst4 = (uint32_t)rnd();
        r->inner_sport = 53;
        r->inner_dport = (uint16_t)rnd();
    }
    if (kind == 5) {
        r->src6[0] = 0x24;
        r->src6[15] = (uint8_t)(rnd() % 4);
        memcpy(r->dst6, (uint8_t[]){0x20, 0x01, 0x0d, 0xb8, 0, 1}, 6);
        r->dst6[15] = (uint8_t)rnd();
        r->sport = 1;
        r->dport = 4;
        r->inner_proto = 6;
        r->inner_src6[0] = 0x20;
        r->inner_dst6[1] = 0x99;
    }
    if (kind == 4) {
        r->frag = 0x2000 | (uint16_t)(rnd() % 100 + 1);
        r->l4 = TT_L4_FRAGMENT;
        r->sport = r->dport = 0;
        r->seq = r->win = 0;
        r->tcp_flags = 0;
    }
    r->payload_len = (uint16_t)(rnd() % 3 == 0 ? rnd() % 1400 : 0);
    r->ip_len =
        (uint16_t)(r->ip_hlen + (r->proto == 6 && r->l4 == TT_L4_OK ? 20 + r->tcp_optlen : 8) +
                   r->payload_len + (i % 11 == 0 ? 3 : 0));
    /* enrichment is a function of the source, as at ingest; some unknown */
    uint32_t key = r->ipver == 4 ? r->src4 : 0x24000000u | r->src6[15];
    r->cc = key % 5 == 0 ? 0 : (uint16_t)(('A' + key % 26) << 8 | ('A' + key / 26 % 26));
    r->asn = key % 7 == 0 ? 0 : key * 2654435761u;
}

static int cmp_rec(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct tt_record));
}

/* Records of in with no equal record in out (both sorted here): the
 * decoder gives records in segment order, not arrival order. */
static uint32_t unmatched(struct tt_record *in, struct tt_record *out, uint32_t n)
{
    qsort(in, n, sizeof *in, cmp_rec);
    qsort(out, n, sizeof *out, cmp_rec);
    uint32_t diff = 0;
    for (uint32_t i = 0; i < n; i++)
        diff += memcmp(&in[i], &out[i], sizeof *in) != 0;
    return diff;
}

/* n records of make_record's mix on day 18900. */
static struct tt_record *made_records(uint32_t n)
{
    struct tt_record *in = calloc(n, sizeof *in);
    for (uint32_t i = 0; in && i < n; i++)
        make_record(&in[i], i, 18900);
    return in;
}

/* Encodes n records with a fresh encoder into out. */
static void encode_fresh(const struct tt_record *in, uint32_t n, const struct tt_sensors *sensors,
                         struct tt_buf *out)
{
    struct tt_seg_encoder *enc = tt_seg_encoder_new(1);
    struct tt_err err = {{0}};
    out->len = 0;
    CHECK_EQ_U64(tt_seg_encode(enc, in, n, 18900, sensors, out, &err), TT_OK);
    tt_seg_encoder_free(enc);
}

/* Encodes in[0, n) as a segment of day and checks that decoding gives
 * every record back (in is reordered). */
static void check_roundtrip(struct tt_record *in, uint32_t n, int64_t day)
{
    struct tt_sensors *sensors = two_sensors();
    struct tt_record *out = calloc(n, sizeof *out);
    struct tt_seg_encoder *enc = tt_seg_encoder_new(3);
    struct tt_buf buf = {0};
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_seg_encode(enc, in, n, day, sensors, &buf, &err), TT_OK);
    struct tt_seg *seg = NULL;
    CHECK_EQ_U64(tt_seg_open(buf.p, buf.len, "mem", &seg, &err), TT_OK);
    CHECK_EQ_U64(seg ? tt_seg_count(seg) : 0, n);
    CHECK_EQ_U64(seg ? tt_seg_day(seg) : 0, day);
    CHECK_EQ_U64(seg ? tt_seg_decode(seg, out, &err) : TT_EINVAL, TT_OK);
    CHECK_EQ_U64(unmatched(in, out, n), 0);
    tt_seg_close(seg);
    tt_buf_free(&buf);
    tt_seg_encoder_free(enc);
    free(out);
    free(sensors);
}

static void test_roundtrip(void)
{
    enum { N = 20000 };
    int64_t day = 18809; /* 2021-07-01 */
    struct tt_record *in = calloc(N, sizeof *in);
    for (uint32_t i = 0; i < N; i++)
        make_record(&in[i], i, day);
    check_roundtrip(in, N, day);
    free(in);
}

/* Timestamps are stored per run-size class (seg_ts_class): runs on both
 * sides of every class boundary, arriving interleaved, with times at the
 * day's first and last microseconds, come back exactly. */
static void test_ts_classes(void)
{
    static const uint32_t lens[] = {1, 1, 2, 7, 8, 63, 64, 200, 3};
    enum { NRUNS = sizeof lens / sizeof lens[0] };
    int64_t day = 18809;
    uint64_t day_us = (uint64_t)day * 86400000000ull;
    uint32_t n = 0, left[NRUNS];
    for (int i = 0; i < NRUNS; i++)
        n += left[i] = lens[i];
    struct tt_record *in = calloc(n, sizeof *in);
    for (uint32_t k = 0; k < n;) /* round robin over the runs still sending */
        for (int i = 0; i < NRUNS && k < n; i++) {
            if (!left[i])
                continue;
            make_record(&in[k], 0, day); /* kind 0: IPv4 TCP */
            in[k].src4 = 0x0b000000u + (uint32_t)i * 977;
            in[k].cc = 0;
            in[k].asn = 0;
            in[k].ts_us = left[i] == lens[i] && i == 0     ? day_us
                          : left[i] == 1 && i == NRUNS - 1 ? day_us + 86400000000ull - 1
                                                           : in[k].ts_us;
            left[i]--;
            k++;
        }
    check_roundtrip(in, n, day);
    free(in);
}

/* Column views agree with the full decode, record by record. */
static void test_columns(void)
{
    enum { N = 5000 };
    struct tt_sensors *sensors = two_sensors();
    struct tt_record *in = made_records(N), *full = calloc(N, sizeof *full);
    struct tt_buf buf = {0};
    struct tt_err err = {{0}};
    encode_fresh(in, N, sensors, &buf);
    struct tt_seg *a = NULL, *b = NULL;
    CHECK(tt_seg_open(buf.p, buf.len, "a", &a, &err) == TT_OK);
    CHECK(tt_seg_open(buf.p, buf.len, "b", &b, &err) == TT_OK);
    struct tt_seg_cols c;
    CHECK_EQ_U64(tt_seg_columns(a, TT_SF_DST | TT_SF_PORTS, &c, &err), TT_OK);
    CHECK(c.src4 == NULL && c.ts == NULL && c.dport != NULL && c.sensor != NULL);
    CHECK_EQ_U64(tt_seg_decode(b, full, &err), TT_OK);
    uint32_t bad = 0, v4 = 0;
    for (uint32_t k = 0; k < N; k++) {
        bad += c.dport[k] != full[k].dport || c.sensor[k] != full[k].sensor;
        bad += k < c.n4 && c.dst4[k] != full[k].dst4;
        v4 += full[k].ipver == 4;
    }
    CHECK_EQ_U64(bad, 0);
    CHECK_EQ_U64(c.n4, v4);
    /* the enrichment columns, asked for later on the same segment */
    CHECK_EQ_U64(tt_seg_columns(a, TT_SF_GEO | TT_SF_SRC, &c, &err), TT_OK);
    uint32_t geo_bad = 0, known = 0;
    for (uint32_t k = 0; c.cc && k < N; k++) {
        geo_bad += c.cc[k] != full[k].cc || c.asn[k] != full[k].asn;
        known += full[k].cc != 0;
    }
    CHECK(c.cc != NULL && c.asn != NULL);
    CHECK_EQ_U64(geo_bad, 0);
    CHECK(known > N / 2 && known < N); /* both known and unknown sources were coded */
    tt_seg_close(a);
    tt_seg_close(b);
    tt_buf_free(&buf);
    free(in);
    free(full);
    free(sensors);
}

/* Every single-byte corruption and every truncation is refused or decodes
 * to something, but never crashes (ASan build checks the reads). */
static void test_damage(void)
{
    enum { N = 300 };
    struct tt_sensors *sensors = two_sensors();
    struct tt_record *in = made_records(N), *out = calloc(N, sizeof *out);
    struct tt_buf buf = {0};
    struct tt_err err = {{0}};
    encode_fresh(in, N, sensors, &buf);
    uint32_t refused = 0, flips = 0;
    uint8_t *copy = malloc(buf.len);
    for (size_t pos = 0; pos < buf.len; pos += 7) {
        memcpy(copy, buf.p, buf.len);
        copy[pos] ^= 0x5a;
        flips++;
        struct tt_seg *s = NULL;
        int rc = tt_seg_open(copy, buf.len, "flip", &s, &err);
        if (rc == TT_OK)
            rc = tt_seg_decode(s, out, &err);
        refused += rc != TT_OK;
        tt_seg_close(s);
    }
    /* every byte is covered by the header or a column checksum */
    CHECK_EQ_U64(refused, flips);
    uint32_t cut_refused = 0, cuts = 0;
    for (size_t len = 0; len < buf.len; len += 13) {
        uint8_t *p = malloc(len ? len : 1);
        memcpy(p, buf.p, len);
        struct tt_seg *s = NULL;
        int rc = tt_seg_open(p, len, "cut", &s, &err);
        if (rc == TT_OK)
            rc = tt_seg_decode(s, out, &err);
        cut_refused += rc != TT_OK;
        cuts++;
        tt_seg_close(s);
        free(p);
    }
    CHECK_EQ_U64(cut_refused, cuts);
    CHECK(strstr(err.msg, "cut") != NULL);
    free(copy);
    tt_buf_free(&buf);
    free(in);
    free(out);
    free(sensors);
}

/* Squeezing one column: the test builds each run to repeat or not, so it
 * knows every mask bit and the squeezed length; expansion gives the column
 * back, and a length or mask that disagrees is refused. */
static void check_squeeze(const struct seg_squeeze *q)
{
    enum { RUNS = 400 };
    uint32_t runs[RUNS], n = 0;
    uint16_t masks[RUNS] = {0}, want[RUNS];
    for (uint32_t i = 0; i < RUNS; i++)
        n += runs[i] = i % 5 == 0 ? 1 : 1 + (uint32_t)(rnd() % 9);
    unsigned w = q->width, first = q->repeat != SEG_ALL_ZERO, bit = 3;
    uint8_t *col = malloc((size_t)n * w), *back = malloc((size_t)n * w);
    size_t stored = 0, k = 0;
    for (uint32_t i = 0; i < RUNS; i++) {
        int rep = rnd() % 2;
        for (uint32_t j = 0; j < runs[i]; j++, k++) {
            uint8_t *v = col + k * w;
            for (unsigned b = 0; b < w; b++)
                v[b] = (uint8_t)rnd();
            if (rep && q->repeat == SEG_ALL_ZERO)
                memset(v, 0, w);
            else if (rep && j > 0 && q->repeat == SEG_REST_ZERO)
                memset(v, 0, w);
            else if (rep && j > 0)
                memcpy(v, v - (size_t)j * w, w);
            else if (!rep && j == 1 && q->repeat != SEG_REST_FIRST)
                v[0] |= 1; /* not zero: the run does not repeat */
            else if (!rep && j == 1)
                v[0] = (uint8_t)(v[-(int)w] + 1);
            else if (!rep && runs[i] == 1 && q->repeat == SEG_ALL_ZERO)
                v[0] |= 1;
        }
        /* a one-record run repeats vacuously where the first value is kept */
        int bit_set = rep || (runs[i] == 1 && first);
        want[i] = (uint16_t)(bit_set ? 1u << bit : 0);
        stored += (size_t)(first ? w : 0) + (bit_set ? 0 : (size_t)(runs[i] - first) * w);
    }
    struct tt_buf out = {0};
    seg_squeeze_column(q, bit, col, runs, RUNS, masks, &out);
    CHECK_EQ_U64(out.len, stored);
    uint32_t mask_bad = 0;
    uint8_t le[2 * RUNS];
    for (uint32_t i = 0; i < RUNS; i++) {
        mask_bad += masks[i] != want[i];
        le[2 * i] = (uint8_t)masks[i];
        le[2 * i + 1] = (uint8_t)(masks[i] >> 8);
    }
    CHECK_EQ_U64(mask_bad, 0);
    struct seg_run_masks m = {runs, RUNS, le, 2, NULL};
    CHECK_EQ_U64(seg_expand_column(q, bit, out.p, out.len, &m, n, back), 0);
    CHECK(memcmp(col, back, (size_t)n * w) == 0);
    CHECK(seg_expand_column(q, bit, out.p, out.len - 1, &m, n, back) != 0);
    CHECK(seg_expand_column(q, bit, out.p, out.len, &m, n - 1, back) != 0);
    uint32_t flip = 1; /* a run of two or more records */
    while (runs[flip] < 2)
        flip++;
    le[2 * flip + bit / 8] ^= (uint8_t)(1u << bit % 8);
    CHECK(seg_expand_column(q, bit, out.p, out.len, &m, n, back) != 0);
    tt_buf_free(&out);
    free(col);
    free(back);
}

static void test_squeeze(void)
{
    unsigned kinds = 0;
    for (unsigned i = 0; i < SEG_SQUEEZED; i++) {
        check_squeeze(&seg_squeezed[i]);
        kinds |= 1u << seg_squeezed[i].repeat;
        CHECK(seg_squeeze_of(seg_squeezed[i].col) == &seg_squeezed[i]);
    }
    CHECK_EQ_U64(kinds, 7); /* all three ways of repeating are in use */
    CHECK(seg_squeeze_of(C_TS) == NULL && seg_squeeze_of(C_RUNKIND) == NULL);
}

/* Sources that behave like tools (fields fixed per source, Mirai's seq =
 * destination, counters, one-packet sources) round-trip exactly, in full
 * and through the column views. */
static void test_tool_runs(void)
{
    enum { N = 30000 };
    struct tt_sensors *sensors = two_sensors();
    struct tt_record *in = calloc(N, sizeof *in), *out = calloc(N, sizeof *out);
    for (uint32_t i = 0; i < N; i++) {
        struct tt_record *r = &in[i];
        uint32_t src = i < 2000 ? 0x0b000000u + i : 0x0a000000u + (uint32_t)(rnd() % 1500);
        uint64_t h = src * 0x9e3779b97f4a7c15ull;
        memset(r, 0, sizeof *r);
        r->ipver = 4;
        r->ts_us = 18809ull * 86400000000ull + rnd() % 86400000000ull;
        r->src4 = src;
        r->sensor = 1;
        r->dst4 = 0xC6120000u + (uint32_t)(rnd() % 1024);
        r->proto = h % 5 == 0 ? 17 : 6;
        r->l4 = TT_L4_OK;
        r->ip_hlen = 20;
        r->ttl = (uint8_t)(h >> 8);
        r->sport = h % 3 ? (uint16_t)(h >> 16) : (uint16_t)rnd();
        r->dport = h % 4 ? 23 : (uint16_t)(rnd() % 3 + 80);
        r->ip_id = h % 2 ? (uint16_t)rnd() : 54321;
        if (r->proto == 6) {
            r->tcp_flags = h % 7 ? TT_TCP_SYN : (uint8_t)(rnd() % 2 ? 0x12 : 0x14);
            r->seq = h % 2 ? r->dst4 : (uint32_t)rnd();
            r->ack = r->tcp_flags == TT_TCP_SYN ? 0 : (uint32_t)rnd();
            r->win = (uint16_t)(h >> 32);
        }
        r->ip_len = (uint16_t)(20 + (r->proto == 6 ? 20 : 8) + (h % 6 ? 0 : rnd() % 4));
        r->payload_len = (uint16_t)(r->ip_len - 20 - (r->proto == 6 ? 20 : 8));
    }
    struct tt_seg_encoder *enc = tt_seg_encoder_new(3);
    struct tt_buf buf = {0};
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_seg_encode(enc, in, N, 18809, sensors, &buf, &err), TT_OK);
    struct tt_seg *seg = NULL, *view = NULL;
    CHECK_EQ_U64(tt_seg_open(buf.p, buf.len, "tools", &seg, &err), TT_OK);
    CHECK_EQ_U64(tt_seg_open(buf.p, buf.len, "view", &view, &err), TT_OK);
    CHECK_EQ_U64(tt_seg_decode(seg, out, &err), TT_OK);
    struct tt_seg_cols c;
    CHECK_EQ_U64(tt_seg_columns(view, TT_SF_PORTS | TT_SF_PROTO | TT_SF_LEN, &c, &err), TT_OK);
    uint32_t view_bad = 0;
    for (uint32_t k = 0; k < N; k++)
        view_bad += c.sport[k] != out[k].sport || c.dport[k] != out[k].dport ||
                    c.proto[k] != out[k].proto || c.ip_len[k] != out[k].ip_len;
    CHECK_EQ_U64(view_bad, 0);
    CHECK_EQ_U64(unmatched(in, out, N), 0);
    tt_seg_close(seg);
    tt_seg_close(view);
    tt_buf_free(&buf);
    tt_seg_encoder_free(enc);
    free(in);
    free(out);
    free(sensors);
}

/* The segment in seg with its DSTOFF block changed by edit (checksums made
 * anew): whether the destinations decode. */
/* Rewrites column `column` of seg with edit (new checksums) and reads
 * back `fields` (TT_SF_ALL: decodes every record): the reader's verdict. */
static int column_edited(const struct tt_buf *seg, int column, uint32_t fields,
                         void (*edit)(struct tt_buf *), struct tt_err *err)
{
    struct tt_blockfile bf;
    CHECK_EQ_U64(tt_blockfile_open(&bf, seg->p, seg->len, "mem", SEG_MAGIC, TT_SEG_VERSION,
                                   SEG_HDR_LEN, C__COUNT, err),
                 TT_OK);
    struct tt_buf col[C__COUNT], hdr = {0}, out = {0};
    memset(col, 0, sizeof col);
    for (unsigned c = 0; c < C__COUNT; c++) {
        uint8_t *raw = NULL;
        size_t n = 0;
        CHECK_EQ_U64(tt_blockfile_read(&bf, c, (size_t)1 << 30, &raw, &n, err), TT_OK);
        tt_buf_put(&col[c], raw, n);
        free(raw);
    }
    tt_buf_put(&hdr, bf.hdr, SEG_HDR_LEN);
    edit(&col[column]);
    CHECK_EQ_U64(tt_blockfile_write(&out, SEG_MAGIC, TT_SEG_VERSION, &hdr, col, C__COUNT, NULL, 1),
                 TT_OK);
    struct tt_seg *sg = NULL;
    struct tt_seg_cols c;
    int rc = tt_seg_open(out.p, out.len, "edited", &sg, err);
    if (rc == TT_OK)
        rc = tt_seg_columns(sg, fields, &c, err);
    if (rc == TT_OK && fields == TT_SF_ALL) { /* some columns only a full decode reads */
        struct tt_record *recs = calloc(tt_seg_count(sg), sizeof *recs);
        rc = tt_seg_decode(sg, recs, err);
        free(recs);
    }
    tt_seg_close(sg);
    for (unsigned i = 0; i < C__COUNT; i++)
        tt_buf_free(&col[i]);
    tt_buf_free(&hdr);
    tt_buf_free(&out);
    return rc;
}

static void edit_none(struct tt_buf *b)
{
    (void)b;
}
static void edit_extra_byte(struct tt_buf *b)
{
    tt_buf_u8(b, 0);
}
static void edit_short(struct tt_buf *b)
{
    b->len--;
}
static void edit_padding(struct tt_buf *b)
{
    b->p[b->len - 1] |= 0x80;
}

/* Bit-packed destination offsets: /22 and /24 prefixes take 10 and 8 bits,
 * full addresses 32; the block is exactly that long, and a block one byte
 * longer or shorter, or with a padding bit set, is refused. */
static void test_dstoff_bits(void)
{
    enum { N = 7 * 301 }; /* 301 of each record shape: the bits end mid-byte */
    struct tt_sensors *sensors = two_sensors();
    struct tt_record *in = calloc(N, sizeof *in);
    uint64_t bits = 0;
    for (uint32_t i = 0; i < N; i++) {
        make_record(&in[i], i, 18900);
        if (in[i].ipver == 4)
            bits += in[i].sensor == TT_SENSOR_NONE ? 32 : in[i].sensor == 7 ? 8 : 10;
    }
    struct tt_seg_encoder *enc = tt_seg_encoder_new(1);
    struct tt_buf buf = {0};
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_seg_encode(enc, in, N, 18900, sensors, &buf, &err), TT_OK);
    CHECK(bits % 8 != 0);
    struct tt_blockfile bf;
    CHECK_EQ_U64(tt_blockfile_open(&bf, buf.p, buf.len, "mem", SEG_MAGIC, TT_SEG_VERSION,
                                   SEG_HDR_LEN, C__COUNT, &err),
                 TT_OK);
    CHECK_EQ_U64(bf.dir[C_DSTOFF].raw_len, (bits + 7) / 8);
    CHECK_EQ_U64(column_edited(&buf, C_DSTOFF, TT_SF_DST, edit_none, &err), TT_OK);
    CHECK(column_edited(&buf, C_DSTOFF, TT_SF_DST, edit_extra_byte, &err) == TT_ECORRUPT);
    CHECK(strstr(err.msg, "edited") != NULL);
    CHECK(column_edited(&buf, C_DSTOFF, TT_SF_DST, edit_short, &err) == TT_ECORRUPT);
    CHECK(column_edited(&buf, C_DSTOFF, TT_SF_DST, edit_padding, &err) == TT_ECORRUPT);
    tt_buf_free(&buf);
    tt_seg_encoder_free(enc);
    free(in);
    free(sensors);
}

/* Records given in segment order (as the ingest gives them) are encoded
 * without a sort, checked as they are filled in: the same bytes as from
 * any other order. Records almost in order (the last two sources swapped,
 * or IPv6 first) are sorted after all. */
static void test_presorted(void)
{
    enum { N = 6000 };
    struct tt_sensors *sensors = two_sensors();
    struct tt_record *in = made_records(N), *sorted = calloc(N, sizeof *sorted);
    struct tt_record *edited = calloc(N, sizeof *edited);
    struct tt_seg_encoder *enc = tt_seg_encoder_new(1);
    const uint32_t *order = tt_seg_order(enc, in, N);
    CHECK(order != NULL);
    for (uint32_t i = 0; order && i < N; i++)
        sorted[i] = in[order[i]];
    tt_seg_encoder_free(enc);
    struct tt_buf a = {0}, b = {0};
    encode_fresh(in, N, sensors, &a);
    encode_fresh(sorted, N, sensors, &b);
    CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
    /* the last IPv4 source's records moved to the front */
    uint32_t n4 = 0;
    while (n4 < N && sorted[n4].ipver == 4)
        n4++;
    uint32_t last = n4 - 1;
    while (last && sorted[last - 1].src4 == sorted[n4 - 1].src4)
        last--;
    memcpy(edited, sorted + last, (n4 - last) * sizeof *edited);
    memcpy(edited + (n4 - last), sorted, last * sizeof *edited);
    memcpy(edited + n4, sorted + n4, (N - n4) * sizeof *edited);
    encode_fresh(edited, N, sensors, &b);
    CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
    /* the IPv6 records first */
    memcpy(edited, sorted + n4, (N - n4) * sizeof *edited);
    memcpy(edited + (N - n4), sorted, n4 * sizeof *edited);
    encode_fresh(edited, N, sensors, &b);
    CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
    tt_buf_free(&a);
    tt_buf_free(&b);
    free(in);
    free(sorted);
    free(edited);
    free(sensors);
}

/* The SEQ block's raw length: 4 bytes a record of every run not squeezed. */
static uint64_t seq_block_len(const struct tt_buf *seg)
{
    struct tt_blockfile bf;
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_blockfile_open(&bf, seg->p, seg->len, "mem", SEG_MAGIC, TT_SEG_VERSION,
                                   SEG_HDR_LEN, C__COUNT, &err),
                 TT_OK);
    return bf.dir[C_SEQ].raw_len;
}

/* seq is stored XOR the destination only where there is a TCP header:
 * Mirai's runs and the UDP, ICMP and fragment runs (seq 0) all squeeze
 * away, and a seq where no TCP header has one still round-trips. */
static void test_seq_base(void)
{
    enum { N = 4000 };
    struct tt_sensors *sensors = two_sensors();
    struct tt_record *in = calloc(N, sizeof *in), *out = calloc(N, sizeof *out);
    for (uint32_t i = 0; i < N; i++) {
        struct tt_record *r = &in[i];
        r->ipver = 4;
        r->ts_us = 18900ull * 86400000000ull + i;
        r->src4 = 0x0a000000u + i; /* a run per record */
        r->sensor = 1;
        r->dst4 = 0xC6120000u + (uint32_t)(rnd() % 1024);
        r->l4 = i % 4 == 3 ? TT_L4_FRAGMENT : TT_L4_OK;
        r->proto = i % 4 == 0 ? 6 : i % 4 == 1 ? 1 : 17;
        r->ip_hlen = 20;
        r->ip_len = (uint16_t)(20 + (r->l4 != TT_L4_OK ? 0 : r->proto == 6 ? 20 : 8));
        if (r->proto == 6)
            r->seq = r->dst4; /* Mirai */
    }
    struct tt_buf buf = {0};
    encode_fresh(in, N, sensors, &buf);
    CHECK_EQ_U64(seq_block_len(&buf), 0);
    in[1].seq = 0x12345678u; /* an ICMP record with a seq: kept as it is */
    in[3].seq = 7;           /* a fragment's */
    encode_fresh(in, N, sensors, &buf);
    CHECK_EQ_U64(seq_block_len(&buf), 2 * 4);
    struct tt_seg *seg = NULL;
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_seg_open(buf.p, buf.len, "seq", &seg, &err), TT_OK);
    CHECK_EQ_U64(tt_seg_decode(seg, out, &err), TT_OK);
    CHECK_EQ_U64(unmatched(in, out, N), 0);
    tt_seg_close(seg);
    tt_buf_free(&buf);
    free(in);
    free(out);
    free(sensors);
}

static size_t varint_len(const uint8_t *p)
{
    size_t n = 1;
    while (p[n - 1] & 0x80)
        n++;
    return n;
}

/* The first rank byte set to the table's size: one past its last entry. */
static void edit_rank_past(struct tt_buf *b)
{
    size_t t = b->p[0], at = varint_len(b->p);
    at += varint_len(b->p + at) + 2 * t;
    b->p[at] = (uint8_t)t;
}

/* The last run's kind index set to the table's size (one byte: the test
 * has fewer than 128 kinds). */
static void edit_kind_past(struct tt_buf *b)
{
    b->p[b->len - 1] = b->p[0];
}

/* A ranked column (DPORT, WIN, IPLEN) whose block is edited is refused:
 * a rank past the table, a byte more, a byte less. */
static void test_ranked_damage(void)
{
    enum { N = 3000 };
    struct tt_sensors *sensors = two_sensors();
    struct tt_record *in = made_records(N);
    struct tt_buf buf = {0};
    encode_fresh(in, N, sensors, &buf);
    struct tt_err err = {{0}};
    CHECK_EQ_U64(column_edited(&buf, C_DPORT, TT_SF_DPORT, edit_none, &err), TT_OK);
    CHECK(column_edited(&buf, C_DPORT, TT_SF_DPORT, edit_rank_past, &err) == TT_ECORRUPT);
    CHECK(strstr(err.msg, "ranked column") != NULL);
    CHECK(column_edited(&buf, C_WIN, TT_SF_ALL, edit_extra_byte, &err) == TT_ECORRUPT);
    CHECK(column_edited(&buf, C_IPLEN, TT_SF_LEN, edit_short, &err) == TT_ECORRUPT);
    CHECK(column_edited(&buf, C_IPLEN, TT_SF_LEN, edit_rank_past, &err) == TT_ECORRUPT);
    tt_buf_free(&buf);
    free(in);
    free(sensors);
}

/* IP ID predictors per run: a stack's counter seen out of order (narrow:
 * a byte per later record in IPID8), steps of exactly +127 and -128
 * (narrow), one step of +128 (not), a constant, masscan's derivation, a
 * one-record run. All round-trip; IPID8 holds exactly the narrow runs'
 * later records, and an IPID8 a byte longer or shorter is refused, as is
 * a run-kind index past the table. */
static void test_ipid_narrow(void)
{
    enum { RUNS = 6, LEN = 20, N = RUNS * LEN - (LEN - 1) };
    struct tt_sensors *sensors = two_sensors();
    struct tt_record *in = calloc(N, sizeof *in), *out = calloc(N, sizeof *out);
    static const uint8_t perm[LEN] = {3,  0,  1,  2,  7,  4,  5,  6,  9,  8,
                                      19, 10, 11, 12, 18, 13, 14, 16, 15, 17};
    uint32_t k = 0;
    for (uint32_t run = 0; run < RUNS; run++) {
        for (uint32_t j = 0; j < (run == 5 ? 1u : LEN); j++, k++) {
            struct tt_record *r = &in[k];
            r->ipver = 4;
            r->ts_us = 18900ull * 86400000000ull + 1000 * j;
            r->src4 = 0x0a000000u + run;
            r->sensor = 1;
            r->dst4 = 0xC6120000u + (uint32_t)(rnd() % 1024);
            r->proto = 6;
            r->l4 = TT_L4_OK;
            r->ip_hlen = 20;
            r->ip_len = 40;
            r->tcp_flags = TT_TCP_SYN;
            r->seq = (uint32_t)rnd();
            r->dport = 445;
            if (run == 0)
                r->ip_id = (uint16_t)(65530 + perm[j]); /* wraps past 65535 */
            else if (run == 1)
                r->ip_id = (uint16_t)(j % 2 ? 1127 : 1000);
            else if (run == 2)
                r->ip_id = (uint16_t)(j == 10 ? 5009 + 128 : 5000 + j);
            else if (run == 3)
                r->ip_id = 54321;
            else
                r->ip_id = (uint16_t)(r->dst4 ^ r->dport ^ r->seq);
        }
    }
    struct tt_buf buf = {0};
    encode_fresh(in, N, sensors, &buf);
    struct tt_blockfile bf;
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_blockfile_open(&bf, buf.p, buf.len, "mem", SEG_MAGIC, TT_SEG_VERSION,
                                   SEG_HDR_LEN, C__COUNT, &err),
                 TT_OK);
    CHECK_EQ_U64(bf.dir[C_IPID8].raw_len, 2 * (LEN - 1));
    struct tt_seg *seg = NULL;
    CHECK_EQ_U64(tt_seg_open(buf.p, buf.len, "ipid", &seg, &err), TT_OK);
    CHECK_EQ_U64(tt_seg_decode(seg, out, &err), TT_OK);
    CHECK_EQ_U64(unmatched(in, out, N), 0);
    tt_seg_close(seg);
    CHECK_EQ_U64(column_edited(&buf, C_IPID8, TT_SF_ALL, edit_none, &err), TT_OK);
    CHECK(column_edited(&buf, C_IPID8, TT_SF_ALL, edit_extra_byte, &err) == TT_ECORRUPT);
    CHECK(strstr(err.msg, "IP ID column") != NULL);
    CHECK(column_edited(&buf, C_IPID8, TT_SF_ALL, edit_short, &err) == TT_ECORRUPT);
    CHECK(column_edited(&buf, C_RUNKIND, TT_SF_DPORT, edit_kind_past, &err) == TT_ECORRUPT);
    CHECK(strstr(err.msg, "run kinds") != NULL);
    tt_buf_free(&buf);
    free(in);
    free(out);
    free(sensors);
}

static void edit_first_byte_zero(struct tt_buf *b)
{
    b->p[0] = 0;
}

/* Payload heads repeat per service (PAYREF): three distinct heads over
 * 3000 records are kept once each, every record with head bytes gets one
 * reference byte, all come back exactly; a reference to a head the list
 * does not hold, or a block of the wrong length, is refused. */
static void test_payload_refs(void)
{
    enum { N = 3000 };
    static const uint8_t heads[3][TT_PAYLOAD_HEAD] = {
        "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www",
        "\x56\x78\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03ftp", "M-SEARCH * HTTP/"};
    struct tt_sensors *sensors = two_sensors();
    struct tt_record *in = calloc(N, sizeof *in), *out = calloc(N, sizeof *out);
    uint32_t with_head = 0;
    for (uint32_t i = 0; i < N; i++) {
        struct tt_record *r = &in[i];
        r->ts_us = 18900ull * 86400000000ull + i;
        r->ipver = 4;
        r->src4 = 0x0a000000u + i / 10;
        r->dst4 = 0xC6120000u + i % 1024;
        r->sensor = 1;
        r->proto = 17;
        r->ip_hlen = 20;
        r->sport = (uint16_t)(30000 + i);
        r->dport = i % 3 ? 53 : 1900;
        r->payload_len = i % 5 ? 40 : 0;
        r->ip_len = (uint16_t)(28 + r->payload_len);
        if (r->payload_len) {
            r->payload_head_len = TT_PAYLOAD_HEAD;
            memcpy(r->payload, heads[r->dport == 1900 ? 2 : i % 2], TT_PAYLOAD_HEAD);
            with_head++;
        }
    }
    struct tt_buf buf = {0};
    struct tt_err err = {{0}};
    encode_fresh(in, N, sensors, &buf);
    struct tt_blockfile bf;
    CHECK_EQ_U64(tt_blockfile_open(&bf, buf.p, buf.len, "mem", SEG_MAGIC, TT_SEG_VERSION,
                                   SEG_HDR_LEN, C__COUNT, &err),
                 TT_OK);
    CHECK_EQ_U64(bf.dir[C_PAYLOAD].raw_len, 3 * TT_PAYLOAD_HEAD);
    CHECK_EQ_U64(bf.dir[C_PAYREF].raw_len, with_head);
    struct tt_seg *seg = NULL;
    CHECK_EQ_U64(tt_seg_open(buf.p, buf.len, "payref", &seg, &err), TT_OK);
    CHECK_EQ_U64(tt_seg_decode(seg, out, &err), TT_OK);
    CHECK_EQ_U64(unmatched(in, out, N), 0);
    tt_seg_close(seg);
    CHECK_EQ_U64(column_edited(&buf, C_PAYREF, TT_SF_ALL, edit_none, &err), TT_OK);
    CHECK(column_edited(&buf, C_PAYREF, TT_SF_ALL, edit_first_byte_zero, &err) == TT_ECORRUPT);
    CHECK(strstr(err.msg, "payload column") != NULL);
    CHECK(column_edited(&buf, C_PAYREF, TT_SF_ALL, edit_extra_byte, &err) == TT_ECORRUPT);
    CHECK(column_edited(&buf, C_PAYREF, TT_SF_ALL, edit_short, &err) == TT_ECORRUPT);
    CHECK(column_edited(&buf, C_PAYLOAD, TT_SF_ALL, edit_short, &err) == TT_ECORRUPT);
    tt_buf_free(&buf);
    free(in);
    free(out);
    free(sensors);
}

TT_TESTS(test_roundtrip, test_ts_classes, test_columns, test_damage, test_squeeze, test_tool_runs,
         test_dstoff_bits, test_presorted, test_seq_base, test_ranked_damage, test_ipid_narrow,
         test_payload_refs)
