/* Seeds for fuzz_segment.c: segments made by the encoder, written in the
 * harness's input form (selector u8, the kind header, then per column block
 * a u16 length and its decompressed bytes). Not a fuzz target; build and run
 * it with fuzz/segment_seeds.sh, which regenerates fuzz/corpus/segment/
 * after a segment format change.
 *   segment_seeds OUTDIR              synthetic record sets (every shape)
 *   segment_seeds OUTDIR FILE.tts...  existing segments (e.g. an ingest's)
 * Each encoded set is decoded back and compared first: a seed is only
 * written from a codec that round-trips. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "store/blockfile.h"
#include "store/segment.h"
#include "store/segment_int.h"

#define SEED_MAX_RECORDS 4096u /* fuzz_segment.c's FUZZ_MAX_RECORDS */

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const uint8_t NET6[6] = {0x20, 0x01, 0x0d, 0xb8, 0, 1};

static void seed_sensors(struct tt_sensors *s)
{
    memset(s, 0, sizeof *s);
    s->n = 2;
    s->s[0].id = 3;
    s->s[0].n_prefixes = 2;
    s->s[0].prefixes[0] = (struct tt_prefix){.ipver = 4, .len = 22, .v4 = 0xC6120000u};
    s->s[0].prefixes[1] = (struct tt_prefix){.ipver = 6, .len = 48};
    memcpy(s->s[0].prefixes[1].v6, NET6, 6);
    s->s[1].id = 9;
    s->s[1].n_prefixes = 1;
    s->s[1].prefixes[0] = (struct tt_prefix){.ipver = 4, .len = 24, .v4 = 0xC6130100u};
}

/* One record of shape `kind` (0 Mirai SYN, 1 SYN with options, 2 UDP with
 * payload, 3 ICMP error quoting IPv4, 4 fragment, 5 ICMPv6 error quoting
 * IPv6, 6 unattributed, 7 masscan) from one of nsrc sources. */
static void make_record(struct tt_record *r, unsigned kind, unsigned nsrc, int64_t day)
{
    memset(r, 0, sizeof *r);
    unsigned src = (unsigned)(rnd() % nsrc);
    r->ts_us = (uint64_t)day * 86400000000ull + rnd() % 86400000000ull;
    r->ipver = kind == 5 ? 6 : 4;
    r->l4 = TT_L4_OK;
    r->ttl = (uint8_t)(40 + src % 30);
    r->sport = (uint16_t)(1024 + src * 7);
    r->dport = (uint16_t)(rnd() % 4 ? 23 : rnd());
    r->proto = kind == 2 ? 17 : kind == 3 ? 1 : kind == 5 ? 58 : 6;
    r->ip_hlen = r->ipver == 6 ? 40 : 20;
    if (r->ipver == 4) {
        r->src4 = 0x0a000000u + src * 977;
        r->sensor = src % 3 ? 3 : 9;
        r->dst4 = r->sensor == 9 ? 0xC6130100u + (uint32_t)(rnd() % 256)
                                 : 0xC6120000u + (uint32_t)(rnd() % 1024);
    } else {
        r->src6[0] = 0x24;
        r->src6[15] = (uint8_t)src;
        memcpy(r->dst6, NET6, 6);
        r->dst6[15] = (uint8_t)rnd();
        r->sensor = 3;
    }
    if (r->proto == 6) {
        r->tcp_flags = TT_TCP_SYN;
        r->seq = kind == 0 ? r->dst4 : (uint32_t)rnd();
        r->win = kind == 0 ? 5840 : (uint16_t)(1024 << (src % 4));
        r->ip_id = kind == 7 ? (uint16_t)(r->dst4 ^ r->dport ^ r->seq) : (uint16_t)rnd();
    }
    if (kind == 1) {
        static const uint8_t k[] = {2, 4, 8, 1, 3};
        r->tcp_optlen = 20;
        r->n_optkinds = 5;
        memcpy(r->optkinds, k, 5);
    }
    if (kind == 2) {
        r->payload_head_len = 12;
        memcpy(r->payload, "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
        r->payload_len = 40;
    }
    if (kind == 3 || kind == 5) {
        r->sport = kind == 3 ? 3 : 1;
        r->dport = kind == 3 ? 3 : 4;
        r->inner_proto = kind == 3 ? 17 : 6;
        r->inner_sport = 53;
        r->inner_dport = (uint16_t)rnd();
        r->inner_src4 = kind == 3 ? 0xC6120005u : 0;
        r->inner_dst4 = kind == 3 ? (uint32_t)rnd() : 0;
        if (kind == 5) {
            memcpy(r->inner_src6, NET6, 6);
            r->inner_dst6[1] = 0x99;
        }
    }
    if (kind == 4) {
        r->frag = (uint16_t)(TT_FRAG_MF | (rnd() % 100 + 1));
        r->l4 = TT_L4_FRAGMENT;
        r->sport = r->dport = 0;
        r->payload_len = 200;
    }
    if (kind == 6) {
        r->sensor = TT_SENSOR_NONE;
        r->dst4 = (uint32_t)rnd();
    }
    r->ip_len = (uint16_t)(r->ip_hlen + r->payload_len +
                           (r->l4 != TT_L4_OK ? 0
                            : r->proto == 6   ? 20 + r->tcp_optlen
                                              : 8));
    r->cc = src % 5 ? (uint16_t)(('A' + src % 26) << 8 | ('A' + src / 26 % 26)) : 0;
    r->asn = src % 7 ? 64496 + src : 0;
}

static int cmp_rec(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct tt_record));
}

/* Writes one seed from a segment file's bytes. */
static int write_seed(const char *dir, const char *name, uint8_t selector, const uint8_t *data,
                      size_t len)
{
    struct tt_blockfile bf;
    struct tt_err err;
    char path[4096];
    int rc = tt_blockfile_open(&bf, data, len, name, SEG_MAGIC, TT_SEG_VERSION, SEG_HDR_LEN,
                               C__COUNT, &err);
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        return rc;
    }
    uint32_t n =
        (uint32_t)(bf.hdr[0] | bf.hdr[1] << 8 | bf.hdr[2] << 16 | (uint32_t)bf.hdr[3] << 24);
    if (n > SEED_MAX_RECORDS) {
        fprintf(stderr, "%s: %u records, the harness takes at most %u\n", name, n,
                SEED_MAX_RECORDS);
        return TT_ELIMIT;
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return TT_EIO;
    fputc(selector, f);
    fwrite(bf.hdr, 1, SEG_HDR_LEN, f);
    for (unsigned c = 0; rc == TT_OK && c < C__COUNT; c++) {
        uint8_t *raw = NULL;
        size_t raw_len = 0;
        rc = tt_blockfile_read(&bf, c, (size_t)1 << 20, &raw, &raw_len, &err);
        if (rc == TT_OK && raw_len > 0xffff)
            rc = TT_ELIMIT;
        if (rc == TT_OK) {
            fputc((int)(raw_len & 0xff), f);
            fputc((int)(raw_len >> 8), f);
            fwrite(raw, 1, raw_len, f);
        }
        free(raw);
    }
    if (fclose(f) && rc == TT_OK)
        rc = TT_EIO;
    if (rc)
        fprintf(stderr, "%s: cannot write the seed: %s\n", name, tt_strerror(rc));
    else
        printf("%s\n", path);
    return rc;
}

/* Encodes n records of the given shapes, checks they decode back, writes. */
static int synthetic(const char *dir, const char *name, uint8_t selector, uint32_t n,
                     const char *kinds, unsigned nsrc, struct tt_seg_encoder *e,
                     const struct tt_sensors *sensors)
{
    const int64_t day = 18809; /* 2021-07-01 */
    struct tt_record *in = calloc(n, sizeof *in), *out = calloc(n, sizeof *out);
    struct tt_buf buf = {0};
    struct tt_seg *s = NULL;
    struct tt_err err;
    int rc = in && out ? TT_OK : TT_ENOMEM;
    for (uint32_t i = 0; rc == TT_OK && i < n; i++)
        make_record(&in[i], (unsigned)(kinds[i % strlen(kinds)] - '0'), nsrc, day);
    if (rc == TT_OK)
        rc = tt_seg_encode(e, in, n, day, sensors, &buf, &err);
    if (rc == TT_OK)
        rc = tt_seg_open(buf.p, buf.len, name, &s, &err);
    if (rc == TT_OK)
        rc = tt_seg_decode(s, out, &err);
    if (rc == TT_OK) {
        qsort(in, n, sizeof *in, cmp_rec);
        qsort(out, n, sizeof *out, cmp_rec);
        if (memcmp(in, out, n * sizeof *in) != 0)
            rc = tt_err_set(&err, TT_ECORRUPT, "%s: records do not round-trip", name);
    }
    if (rc == TT_OK)
        rc = write_seed(dir, name, selector, buf.p, buf.len);
    else
        fprintf(stderr, "%s\n", err.msg);
    tt_seg_close(s);
    tt_buf_free(&buf);
    free(in);
    free(out);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s OUTDIR [FILE.tts...]\n", argv[0]);
        return 2;
    }
    int rc = TT_OK;
    if (argc > 2) {
        for (int i = 2; rc == TT_OK && i < argc; i++) {
            const uint8_t *data;
            size_t len;
            struct tt_err err;
            const char *slash = strrchr(argv[i], '/');
            char base[256];
            tt_strlcpy(base, slash ? slash + 1 : argv[i], sizeof base);
            char *dot = strrchr(base, '.');
            if (dot && strcmp(dot, ".tts") == 0)
                *dot = '\0';
            rc = tt_file_map(argv[i], (size_t)1 << 30, &data, &len, &err);
            if (rc) {
                fprintf(stderr, "%s\n", err.msg);
                break;
            }
            rc = write_seed(argv[1], base, (uint8_t)(0x40 + i), data, len);
            tt_file_unmap(data, len);
        }
        return rc ? 1 : 0;
    }
    struct tt_sensors *sensors = malloc(sizeof *sensors);
    struct tt_seg_encoder *e = tt_seg_encoder_new(3);
    if (!sensors || !e)
        return 1;
    seed_sensors(sensors);
    /* name, selector, records, shapes (make_record's kinds), sources */
    if (rc == TT_OK)
        rc = synthetic(argv[1], "one-record", 0x00, 1, "0", 1, e, sensors);
    if (rc == TT_OK)
        rc = synthetic(argv[1], "mix-64", 0xc0, 64, "01234567", 9, e, sensors);
    if (rc == TT_OK)
        rc = synthetic(argv[1], "v6-only-24", 0x4d, 24, "5", 4, e, sensors);
    if (rc == TT_OK)
        rc = synthetic(argv[1], "mirai-masscan-400", 0x93, 400, "0007", 12, e, sensors);
    if (rc == TT_OK)
        rc = synthetic(argv[1], "mix-1000", 0x2a, 1000, "0123456701", 150, e, sensors);
    tt_seg_encoder_free(e);
    free(sensors);
    return rc ? 1 : 0;
}
