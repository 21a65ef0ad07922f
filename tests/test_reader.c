/* Capture readers: hand-built classic pcap (both byte orders, µs and ns) and
 * pcapng files, their gzip and zstd forms, stdin, damaged files, and the
 * shared real captures checked packet by packet against libpcap itself.
 * Expected values come from how each file was built. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>
#include <zstd.h>

#include "capture/reader.h"
#include "harness.h"

/* ---- building inputs ---- */

struct rec {
    uint32_t sec, frac, caplen, wirelen;
    uint8_t fill; /* data byte i is fill + i */
};

struct out {
    uint8_t *p;
    size_t len, cap;
};

static void put(struct out *o, const void *p, size_t n)
{
    if (o->len + n > o->cap) {
        o->cap = (o->len + n) * 2 + 4096;
        o->p = realloc(o->p, o->cap);
        if (!o->p)
            abort();
    }
    memcpy(o->p + o->len, p, n);
    o->len += n;
}

static void put32(struct out *o, uint32_t v, int be)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
    put(o, b, 4);
}

static void put16(struct out *o, uint16_t v, int be)
{
    uint8_t b[2] = {(uint8_t)(be ? v >> 8 : v), (uint8_t)(be ? v : v >> 8)};
    put(o, b, 2);
}

static void put_data(struct out *o, uint32_t n, uint8_t fill)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)(fill + i);
        put(o, &c, 1);
    }
}

static void pcap_header(struct out *o, int be, uint32_t magic, uint16_t major, uint16_t minor,
                        uint32_t snaplen, uint32_t linktype)
{
    put32(o, magic, be);
    put16(o, major, be);
    put16(o, minor, be);
    put32(o, 0, be);
    put32(o, 0, be);
    put32(o, snaplen, be);
    put32(o, linktype, be);
}

static void pcap_rec(struct out *o, int be, const struct rec *r)
{
    put32(o, r->sec, be);
    put32(o, r->frac, be);
    put32(o, r->caplen, be);
    put32(o, r->wirelen, be);
    put_data(o, r->caplen, r->fill);
}

static struct out build_pcap(int be, uint32_t magic, uint32_t snaplen, uint32_t linktype,
                             const struct rec *recs, size_t n)
{
    struct out o = {0};
    pcap_header(&o, be, magic, 2, 4, snaplen, linktype);
    for (size_t i = 0; i < n; i++)
        pcap_rec(&o, be, &recs[i]);
    return o;
}

static const char *tmp_path(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", tt_test_tmpdir(), name);
    return p;
}

static const char *write_file(const char *name, const void *p, size_t n)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
    return path;
}

/* gzip with one member per part (parts > 1 makes a multi-member file). */
static struct out gzip_bytes(const uint8_t *p, size_t n, int parts)
{
    const char *path = tmp_path("gz.tmp");
    gzFile g = gzopen(path, "wb");
    size_t step = n / (size_t)parts + 1, at = 0;
    for (int m = 0; m < parts; m++) {
        size_t k = m == parts - 1 || n - at < step ? n - at : step;
        if (m) { /* another member */
            gzclose(g);
            g = gzopen(path, "ab");
        }
        if (k)
            gzwrite(g, p + at, (unsigned)k);
        at += k;
    }
    gzclose(g);
    struct out o = {0};
    FILE *f = fopen(path, "rb");
    uint8_t buf[65536];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0)
        put(&o, buf, k);
    fclose(f);
    unlink(path);
    return o;
}

/* zstd with one frame per part. */
static struct out zstd_bytes(const uint8_t *p, size_t n, int parts)
{
    struct out o = {0};
    size_t step = parts > 1 ? n / (size_t)parts + 1 : n + 1;
    size_t at = 0;
    do {
        size_t k = n - at < step ? n - at : step;
        size_t cap = ZSTD_compressBound(k);
        uint8_t *buf = malloc(cap);
        size_t z = ZSTD_compress(buf, cap, p + at, k, 3);
        if (ZSTD_isError(z))
            abort();
        put(&o, buf, z);
        free(buf);
        at += k;
    } while (at < n);
    return o;
}

/* ---- reading ---- */

struct gpkt {
    uint64_t ts, off;
    uint32_t cap, wire;
    size_t data_at;
};

struct got {
    int open_rc, rc, linktype;
    char msg[TT_ERR_MSG_MAX];
    size_t n, fills;
    struct gpkt *p;
    struct out data;
    uint64_t size, pos;
    uint8_t hash[16];
    int hash_rc;
};

static void got_free(struct got *g)
{
    free(g->p);
    free(g->data.p);
    memset(g, 0, sizeof *g);
}

static void take_batch(struct got *g, const struct tt_batch *b)
{
    g->p = realloc(g->p, (g->n + b->n) * sizeof *g->p);
    for (uint32_t i = 0; i < b->n; i++) {
        const struct tt_pkt *k = &b->pkts[i];
        g->p[g->n++] = (struct gpkt){k->ts_us, k->offset, k->caplen, k->wirelen, g->data.len};
        put(&g->data, k->data, k->caplen);
    }
}

/* read_all hashes as it reads (tt_reader_hash_while_reading) when set,
 * after `hash_after` fills; hash_set gets what the call returned. */
static int hash_as_read, hash_after, hash_set;

/* Reads a whole input; the error of the first failing call ends it. */
static struct got read_all(const char *path)
{
    struct got g;
    memset(&g, 0, sizeof g);
    struct tt_err err = {{0}};
    struct tt_reader *r = NULL;
    g.open_rc = tt_reader_open(path, &r, &err);
    if (g.open_rc) {
        snprintf(g.msg, sizeof g.msg, "%s", err.msg);
        return g;
    }
    g.linktype = tt_reader_linktype(r);
    g.size = tt_reader_size(r);
    struct tt_batch *b = tt_batch_new();
    size_t mismatch = 0;
    for (;;) {
        if (hash_as_read && g.fills == (size_t)hash_after)
            hash_set = tt_reader_hash_while_reading(r);
        int rc = tt_reader_fill(r, b, &err);
        g.fills++;
        if (b->linktype != g.linktype)
            g.linktype = -1;
        take_batch(&g, b);
        if (rc <= 0) {
            g.rc = rc;
            if (rc < 0)
                snprintf(g.msg, sizeof g.msg, "%s", err.msg);
            break;
        }
        mismatch += rc != (int)b->n;
    }
    CHECK_EQ_U64(mismatch, 0); /* fill returns the batch's count */
    g.pos = tt_reader_pos(r);
    g.hash_rc = tt_reader_content_hash(r, g.hash);
    tt_batch_free(b);
    tt_reader_close(r);
    return g;
}

/* The message with its leading "<path>: " taken off, or "" if it lacks it. */
static const char *after(const char *msg, const char *path)
{
    size_t n = strlen(path);
    return strncmp(msg, path, n) == 0 && msg[n] == ':' ? msg + n + 2 : "";
}

/* Every packet as built: time stamp, offset, lengths and bytes. */
static void check_recs(const struct got *g, const struct rec *recs, size_t n, int nsec)
{
    CHECK_EQ_U64(g->n, n);
    uint64_t off = 24;
    size_t bad = 0;
    for (size_t i = 0; i < n && i < g->n; i++) {
        const struct rec *r = &recs[i];
        const struct gpkt *p = &g->p[i];
        int ok = p->ts == (uint64_t)r->sec * 1000000u + (nsec ? r->frac / 1000 : r->frac) &&
                 p->off == off && p->cap == r->caplen &&
                 p->wire == (r->wirelen < r->caplen ? r->caplen : r->wirelen);
        for (uint32_t j = 0; ok && j < r->caplen; j++)
            ok = g->data.p[p->data_at + j] == (uint8_t)(r->fill + j);
        if (!ok && bad++ == 0)
            fprintf(stderr, "  packet %zu: ts %" PRIu64 " off %" PRIu64 " cap %u wire %u\n", i,
                    p->ts, p->off, p->cap, p->wire);
        off += 16 + r->caplen;
    }
    CHECK_EQ_U64(bad, 0);
}

static int same_packets(const struct got *a, const struct got *b)
{
    if (a->n != b->n || a->linktype != b->linktype)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const struct gpkt *x = &a->p[i], *y = &b->p[i];
        if (x->ts != y->ts || x->off != y->off || x->cap != y->cap || x->wire != y->wire ||
            memcmp(a->data.p + x->data_at, b->data.p + y->data_at, x->cap) != 0)
            return 0;
    }
    return 1;
}

static const struct rec three[] = {
    {1500000000, 1, 60, 60, 0x10},
    {1500000001, 999999, 54, 1514, 0x20},
    {4000000000u, 500000, 98, 98, 0x30}, /* after 2038: unsigned seconds */
};

/* ---- classic pcap ---- */

static void test_classic_le_us(void)
{
    struct out o = build_pcap(0, 0xa1b2c3d4u, 65535, 1, three, 3);
    const char *path = write_file("le_us.pcap", o.p, o.len);
    struct got g = read_all(path);
    CHECK_EQ_U64(g.open_rc, 0);
    CHECK_EQ_U64(g.rc, 0);
    CHECK_EQ_U64(g.linktype, 1);
    check_recs(&g, three, 3, 0);
    CHECK_EQ_U64(g.size, o.len);
    CHECK_EQ_U64(g.pos, o.len);
    CHECK_EQ_U64(g.fills, 2); /* the packets, then a clean end */
    got_free(&g);
    free(o.p);
}

static void test_classic_be_ns(void)
{
    static const struct rec r[] = {
        {1600000000, 123456789, 40, 40, 1},
        {1600000000, 999999999, 20, 1500, 2},
        {1600000001, 0, 0, 0, 3}, /* an empty packet is a packet */
    };
    struct out o = build_pcap(1, 0xa1b23c4du, 262144, 101, r, 3);
    const char *path = write_file("be_ns.pcap", o.p, o.len);
    struct got g = read_all(path);
    CHECK_EQ_U64(g.rc, 0);
    CHECK_EQ_U64(g.linktype, 101);
    check_recs(&g, r, 3, 1);
    CHECK_EQ_U64(g.p[0].ts, 1600000000123456ull);
    got_free(&g);
    free(o.p);
    /* little-endian ns and big-endian µs */
    o = build_pcap(0, 0xa1b23c4du, 0, 228, r, 3);
    g = read_all(write_file("le_ns.pcap", o.p, o.len));
    check_recs(&g, r, 3, 1);
    CHECK_EQ_U64(g.linktype, 228);
    got_free(&g);
    free(o.p);
    o = build_pcap(1, 0xa1b2c3d4u, 65535, 1, three, 3);
    g = read_all(write_file("be_us.pcap", o.p, o.len));
    check_recs(&g, three, 3, 0);
    got_free(&g);
    free(o.p);
}

static void test_classic_odd_fields(void)
{
    /* FCS bits above the link type; wirelen below caplen; snaplen 0 */
    static const struct rec r[] = {{10, 20, 100, 50, 7}, {11, 0, 100000, 100000, 8}};
    struct out o = build_pcap(0, 0xa1b2c3d4u, 0, 0x14000001u, r, 2);
    struct got g = read_all(write_file("odd.pcap", o.p, o.len));
    CHECK_EQ_U64(g.rc, 0);
    CHECK_EQ_U64(g.linktype, 1);
    check_recs(&g, r, 2, 0);
    CHECK_EQ_U64(g.p[0].wire, 100);
    got_free(&g);
    free(o.p);
}

static void test_header_only(void)
{
    struct out o = build_pcap(0, 0xa1b2c3d4u, 65535, 1, NULL, 0);
    struct got g = read_all(write_file("empty.pcap", o.p, o.len));
    CHECK_EQ_U64(g.open_rc, 0);
    CHECK_EQ_U64(g.rc, 0);
    CHECK_EQ_U64(g.n, 0);
    CHECK_EQ_U64(g.pos, 24);
    got_free(&g);
    free(o.p);
}

static void test_not_a_capture(void)
{
    const char *path = write_file("hello.pcap", "hello world, not a capture", 26);
    struct got g = read_all(path);
    CHECK_EQ_U64(g.open_rc, (uint64_t)TT_EFORMAT);
    CHECK_EQ_STR(after(g.msg, path), "not a pcap or pcapng file (magic 0x68656c6c)");
    path = write_file("zero.pcap", "", 0);
    g = read_all(path);
    CHECK_EQ_U64(g.open_rc, (uint64_t)TT_EFORMAT);
    CHECK_EQ_STR(after(g.msg, path), "not a pcap or pcapng file (empty)");
    path = write_file("two.pcap", "\xd4\xc3", 2);
    g = read_all(path);
    CHECK_EQ_STR(after(g.msg, path), "not a pcap or pcapng file (only 2 bytes)");
    path = write_file("x.xz",
                      "\xfd"
                      "7zXZ\0\0\0\0",
                      10);
    g = read_all(path);
    CHECK(strstr(g.msg, "xz compression is not supported") != NULL);
    struct out o = build_pcap(0, 0xa1b2c3d4u, 65535, 1, NULL, 0);
    path = write_file("short.pcap", o.p, 10);
    g = read_all(path);
    CHECK_EQ_U64(g.open_rc, (uint64_t)TT_ETRUNC);
    CHECK_EQ_STR(after(g.msg, path), "truncated pcap file header (10 of 24 bytes)");
    free(o.p);
    g = read_all(tmp_path("does-not-exist.pcap"));
    CHECK_EQ_U64(g.open_rc, (uint64_t)TT_ENOTFOUND);
    g = read_all(tt_test_tmpdir());
    CHECK_EQ_U64(g.open_rc, (uint64_t)TT_EINVAL);
}

static void test_truncated_last(void)
{
    struct out o = build_pcap(0, 0xa1b2c3d4u, 65535, 1, three, 3);
    const char *path = write_file("cut.pcap", o.p, o.len - 5);
    struct got g = read_all(path);
    CHECK_EQ_U64(g.rc, (uint64_t)TT_ETRUNC);
    check_recs(&g, three, 2, 0);
    CHECK_EQ_STR(after(g.msg, path),
                 "offset 170: truncated last packet (length 98, 93 bytes left)");
    CHECK_EQ_U64(g.pos, 170);
    got_free(&g);
    path = write_file("cuthdr.pcap", o.p, 170 + 7);
    g = read_all(path);
    CHECK_EQ_U64(g.rc, (uint64_t)TT_ETRUNC);
    CHECK_EQ_U64(g.n, 2);
    CHECK_EQ_STR(after(g.msg, path), "offset 170: truncated record header (7 of 16 bytes)");
    got_free(&g);
    free(o.p);
}

static void test_caplen_beyond_snaplen(void)
{
    struct rec r[] = {{1, 0, 60, 60, 1}, {2, 0, 70000, 70000, 2}, {3, 0, 60, 60, 3}};
    struct out o = build_pcap(0, 0xa1b2c3d4u, 65535, 1, r, 3);
    const char *path = write_file("big.pcap", o.p, o.len);
    struct got g = read_all(path);
    CHECK_EQ_U64(g.rc, (uint64_t)TT_EFORMAT);
    check_recs(&g, r, 1, 0);
    CHECK_EQ_STR(after(g.msg, path), "offset 100: packet length 70000 beyond snap length 65535");
    got_free(&g);
    free(o.p);
    r[1].caplen = r[1].wirelen = 300000; /* above libpcap's maximum, snaplen 0 */
    o = build_pcap(1, 0xa1b2c3d4u, 0, 1, r, 3);
    path = write_file("huge.pcap", o.p, o.len);
    g = read_all(path);
    CHECK_EQ_U64(g.rc, (uint64_t)TT_EFORMAT);
    CHECK_EQ_U64(g.n, 1);
    CHECK_EQ_STR(after(g.msg, path), "offset 100: packet length 300000 beyond maximum 262144");
    got_free(&g);
    free(o.p);
    /* an absurd snap length still bounds packets at 262144 */
    r[1].caplen = r[1].wirelen = 262145;
    o = build_pcap(0, 0xa1b2c3d4u, 0x7fffffff, 1, r, 3);
    g = read_all(write_file("absurd.pcap", o.p, o.len));
    CHECK_EQ_U64(g.rc, (uint64_t)TT_EFORMAT);
    CHECK_EQ_U64(g.n, 1);
    got_free(&g);
    free(o.p);
}

/* Every cut of a file: the whole records before the cut, then damage at the
 * first incomplete record (or a clean end at a record boundary). */
static void test_every_cut(void)
{
    static const struct rec r[] = {{1, 1, 30, 30, 1}, {2, 2, 0, 0, 2}, {3, 3, 17, 17, 3}};
    struct out o = build_pcap(1, 0xa1b2c3d4u, 65535, 1, r, 3);
    size_t ends[] = {24, 24 + 46, 24 + 46 + 16, 24 + 46 + 16 + 33};
    int bad = 0;
    for (size_t len = 24; len <= o.len; len++) {
        const char *path = write_file("every.pcap", o.p, len);
        struct got g = read_all(path);
        size_t whole = 0;
        while (whole < 3 && ends[whole + 1] <= len)
            whole++;
        int boundary = ends[whole] == len;
        bad += g.n != whole || (boundary ? g.rc != 0 : g.rc != TT_ETRUNC);
        if (!boundary) {
            char want[64];
            snprintf(want, sizeof want, "offset %zu: truncated", ends[whole]);
            bad += strncmp(after(g.msg, path), want, strlen(want)) != 0;
        }
        got_free(&g);
    }
    CHECK_EQ_U64(bad, 0);
    free(o.p);
}

/* Files ending exactly at a page end, so the reader's guard page follows
 * the data: any read past the end faults. */
static void test_guard_page(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    int bad = 0;
    for (uint32_t tail = 1; tail <= 40; tail++) {
        struct out o = {0};
        pcap_header(&o, 0, 0xa1b2c3d4u, 2, 4, 65535, 1);
        struct rec fill = {1, 0, (uint32_t)(2 * page - 24 - 16 - tail), 0, 9};
        fill.wirelen = fill.caplen;
        pcap_rec(&o, 0, &fill);
        struct rec last = {2, 0, 100, 100, 5}; /* cut to its first tail bytes */
        size_t at = o.len;
        pcap_rec(&o, 0, &last);
        o.len = at + tail;
        const char *path = write_file("guard.pcap", o.p, o.len);
        struct got g = read_all(path);
        bad += g.n != 1 || g.rc != TT_ETRUNC || g.p[0].off != 24;
        got_free(&g);
        free(o.p);
    }
    CHECK_EQ_U64(bad, 0);
}

static void test_batches(void)
{
    enum { N = 2 * TT_BATCH_MAX + 100 };
    struct rec *r = calloc(N, sizeof *r);
    for (uint32_t i = 0; i < N; i++)
        r[i] = (struct rec){i, i, 1 + i % 64, 1 + i % 64, (uint8_t)i};
    struct out o = build_pcap(0, 0xa1b2c3d4u, 65535, 1, r, N);
    const char *path = write_file("many.pcap", o.p, o.len);
    struct got g = read_all(path);
    CHECK_EQ_U64(g.fills, 4);
    check_recs(&g, r, N, 0);
    got_free(&g);
    struct out z = zstd_bytes(o.p, o.len, 1);
    g = read_all(write_file("many.pcap.zst", z.p, z.len));
    CHECK_EQ_U64(g.fills, 4);
    check_recs(&g, r, N, 0);
    got_free(&g);
    free(z.p);
    free(o.p);
    /* big packets: a stream batch also ends when its buffer is full */
    for (uint32_t i = 0; i < 100; i++)
        r[i] = (struct rec){i, 0, 65535, 65535, (uint8_t)i};
    o = build_pcap(0, 0xa1b2c3d4u, 65535, 1, r, 100);
    z = gzip_bytes(o.p, o.len, 1);
    g = read_all(write_file("bigpkts.pcap.gz", z.p, z.len));
    check_recs(&g, r, 100, 0);
    CHECK(g.fills > 2);
    got_free(&g);
    free(z.p);
    free(o.p);
    /* classic pcap, read in chunks: a batch ends when its 4 MiB buffer is
     * full, and records far larger than the average so far (the next
     * read's estimate) or than one read are read whole */
    for (uint32_t i = 0; i < 200; i++) {
        uint32_t len = i % 3 == 0 ? 200000 + i : 1 + i % 7;
        r[i] = (struct rec){i, 0, len, len, (uint8_t)i};
    }
    o = build_pcap(0, 0xa1b2c3d4u, 262144, 1, r, 200);
    g = read_all(write_file("mixed.pcap", o.p, o.len));
    check_recs(&g, r, 200, 0);
    CHECK_EQ_U64(g.rc, 0);
    CHECK(g.fills >= (o.len + TT_BATCH_BUF - 1) / TT_BATCH_BUF);
    got_free(&g);
    free(o.p);
    free(r);
}

/* Old minor versions go through libpcap, which swaps caplen and len for
 * versions before 2.3 (their writers stored them the other way round). */
static void test_old_version(void)
{
    struct out o = {0};
    pcap_header(&o, 0, 0xa1b2c3d4u, 2, 2, 65535, 1);
    struct rec r = {5, 6, 1514, 40, 4}; /* stored: "caplen" 1514, "len" 40 */
    put32(&o, r.sec, 0);
    put32(&o, r.frac, 0);
    put32(&o, 1514, 0);
    put32(&o, 40, 0);
    put_data(&o, 40, 4);
    struct got g = read_all(write_file("v22.pcap", o.p, o.len));
    CHECK_EQ_U64(g.rc, 0);
    CHECK_EQ_U64(g.n, 1);
    if (g.n) {
        CHECK_EQ_U64(g.p[0].cap, 40);
        CHECK_EQ_U64(g.p[0].wire, 1514);
        CHECK_EQ_U64(g.p[0].off, 24);
        CHECK_EQ_U64(g.p[0].ts, 5000006);
    }
    got_free(&g);
    free(o.p);
    o = (struct out){0};
    pcap_header(&o, 0, 0xa1b2c3d4u, 1, 0, 65535, 1);
    const char *path = write_file("v10.pcap", o.p, o.len);
    g = read_all(path);
    CHECK_EQ_U64(g.open_rc, (uint64_t)TT_EFORMAT);
    CHECK(strncmp(g.msg, path, strlen(path)) == 0);
    free(o.p);
}

/* ---- compressed input ---- */

/* The same bytes plain, gzip'd (one and three members) and zstd'd (one and
 * three frames) read the same: packets, and damage with the same message. */
static void check_compressed_same(const char *name, const struct out *o)
{
    char fn[128];
    snprintf(fn, sizeof fn, "%s.pcap", name);
    const char *plain = write_file(fn, o->p, o->len);
    struct got want = read_all(plain);
    for (int v = 0; v < 4; v++) {
        struct out c =
            v < 2 ? gzip_bytes(o->p, o->len, v ? 3 : 1) : zstd_bytes(o->p, o->len, v == 3 ? 3 : 1);
        snprintf(fn, sizeof fn, "%s.%d.%s", name, v, v < 2 ? "gz" : "zst");
        const char *path = write_file(fn, c.p, c.len);
        struct got g = read_all(path);
        CHECK_EQ_U64(g.open_rc, want.open_rc);
        CHECK_EQ_U64(g.rc, want.rc);
        CHECK(same_packets(&g, &want));
        if (want.open_rc == 0) /* open errors say " inside gzip data" */
            CHECK_EQ_STR(after(g.msg, path), after(want.msg, plain));
        if (g.open_rc == 0)
            CHECK_EQ_U64(g.size, c.len);
        if (g.open_rc == 0 && g.rc == 0)
            CHECK_EQ_U64(g.pos, c.len);
        got_free(&g);
        free(c.p);
    }
    got_free(&want);
}

static void test_compressed(void)
{
    struct out o = build_pcap(0, 0xa1b2c3d4u, 65535, 1, three, 3);
    check_compressed_same("c_le", &o);
    o.len -= 5;
    check_compressed_same("c_cut", &o);
    o.len = 170 + 7;
    check_compressed_same("c_cuthdr", &o);
    o.len = 24;
    check_compressed_same("c_empty", &o);
    free(o.p);
    o = build_pcap(1, 0xa1b23c4du, 65535, 101, three, 3);
    check_compressed_same("c_be_ns", &o);
    free(o.p);
    struct rec r[] = {{1, 0, 60, 60, 1}, {2, 0, 70000, 70000, 2}, {3, 0, 60, 60, 3}};
    o = build_pcap(0, 0xa1b2c3d4u, 65535, 1, r, 3);
    check_compressed_same("c_big", &o);
    free(o.p);
    r[1].caplen = 300000;
    o = build_pcap(0, 0xa1b2c3d4u, 0, 1, r, 3);
    check_compressed_same("c_huge", &o);
    free(o.p);
    o = (struct out){0};
    put(&o, "not a capture at all", 20);
    check_compressed_same("c_text", &o);
    free(o.p);
}

static void test_compressed_damage(void)
{
    struct out o = build_pcap(0, 0xa1b2c3d4u, 65535, 1, three, 3);
    struct out z = gzip_bytes(o.p, o.len, 1);
    const char *path = write_file("cut.pcap.gz", z.p, z.len - 20);
    struct got g = read_all(path);
    CHECK_EQ_U64(g.rc, (uint64_t)TT_ETRUNC);
    CHECK(strstr(g.msg, "truncated gzip data") != NULL);
    CHECK(strncmp(g.msg, path, strlen(path)) == 0);
    CHECK(g.n <= 3);
    got_free(&g);
    /* trailing bytes after the last gzip member are ignored, as gzip(1) does */
    put(&z, "\0\0\0\0garbage", 11);
    struct got want = read_all(write_file("t.pcap", o.p, o.len));
    g = read_all(write_file("trail.pcap.gz", z.p, z.len));
    CHECK_EQ_U64(g.rc, 0);
    CHECK(same_packets(&g, &want));
    got_free(&g);
    got_free(&want);
    z.p[z.len - 11 - 30] ^= 0x55; /* inside the deflate data */
    g = read_all(write_file("bad.pcap.gz", z.p, z.len));
    CHECK(g.open_rc < 0 || g.rc < 0);
    free(z.p);
    z = zstd_bytes(o.p, o.len, 1);
    path = write_file("cut.pcap.zst", z.p, z.len - 3);
    g = read_all(path);
    CHECK_EQ_U64(g.open_rc ? g.open_rc : g.rc, (uint64_t)TT_ETRUNC); /* one block: no output */
    CHECK(strstr(g.msg, "truncated zstd data") != NULL);
    CHECK(strncmp(g.msg, path, strlen(path)) == 0);
    got_free(&g);
    put(&z, "junk", 4); /* not a zstd frame */
    path = write_file("junk.pcap.zst", z.p, z.len);
    g = read_all(path);
    CHECK_EQ_U64(g.rc, (uint64_t)TT_ECORRUPT);
    CHECK_EQ_U64(g.n, 3);
    CHECK(strstr(g.msg, "corrupt zstd data") != NULL);
    got_free(&g);
    free(z.p);
    free(o.p);
}

/* ---- stdin ---- */

/* Reads "-" with fd 0 replaced by fd. */
static struct got read_stdin_from(int fd)
{
    int saved = dup(0);
    dup2(fd, 0);
    close(fd);
    struct got g = read_all("-");
    dup2(saved, 0);
    close(saved);
    return g;
}

static struct got read_through_pipe(const struct out *o)
{
    int p[2];
    if (pipe(p) != 0)
        abort();
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        size_t at = 0;
        while (at < o->len) { /* small writes: the reader sees short reads */
            size_t k = o->len - at < 1000 ? o->len - at : 1000;
            ssize_t w = write(p[1], o->p + at, k);
            if (w <= 0)
                _exit(1);
            at += (size_t)w;
        }
        _exit(0);
    }
    close(p[1]);
    struct got g = read_stdin_from(p[0]);
    int status;
    waitpid(pid, &status, 0);
    return g;
}

static void test_stdin(void)
{
    struct out o = build_pcap(0, 0xa1b23c4du, 65535, 1, three, 3);
    const char *path = write_file("in.pcap", o.p, o.len);
    struct got want = read_all(path);
    struct got g = read_stdin_from(open(path, O_RDONLY));
    CHECK_EQ_U64(g.rc, 0);
    CHECK(same_packets(&g, &want));
    CHECK_EQ_U64(g.size, 0);
    CHECK_EQ_U64(g.pos, o.len);
    CHECK_EQ_U64(g.hash_rc, 0);
    CHECK(memcmp(g.hash, want.hash, 16) == 0);
    got_free(&g);
    struct out z = zstd_bytes(o.p, o.len, 2);
    g = read_through_pipe(&z);
    CHECK_EQ_U64(g.rc, 0);
    CHECK(same_packets(&g, &want));
    CHECK_EQ_U64(g.pos, z.len);
    got_free(&g);
    free(z.p);
    z = gzip_bytes(o.p, o.len - 5, 1);
    g = read_through_pipe(&z);
    CHECK_EQ_U64(g.rc, (uint64_t)TT_ETRUNC);
    CHECK_EQ_U64(g.n, 2);
    CHECK_EQ_STR(g.msg, "stdin: offset 170: truncated last packet (length 98, 93 bytes left)");
    CHECK_EQ_U64(g.hash_rc, 0); /* the hash covers the whole input even after damage */
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(z.p, z.len));
    CHECK(memcmp(g.hash, c.digest, 16) == 0);
    got_free(&g);
    free(z.p);
    z = (struct out){0};
    g = read_through_pipe(&z);
    CHECK_EQ_STR(g.msg, "stdin: not a pcap or pcapng file (empty)");
    got_free(&want);
    free(o.p);
}

/* ---- pcapng ---- */

static void ng_block(struct out *o, int be, uint32_t type, const struct out *body)
{
    uint32_t len = 12 + (uint32_t)body->len;
    put32(o, type, be);
    put32(o, len, be);
    put(o, body->p, body->len);
    put32(o, len, be);
}

static void ng_shb(struct out *o, int be)
{
    struct out b = {0};
    put32(&b, 0x1a2b3c4du, be);
    put16(&b, 1, be);
    put16(&b, 0, be);
    put32(&b, 0xffffffffu, be);
    put32(&b, 0xffffffffu, be);
    ng_block(o, be, 0x0a0d0d0au, &b);
    free(b.p);
}

/* tsresol < 0: no if_tsresol option (microseconds). */
static void ng_idb(struct out *o, int be, uint16_t linktype, int tsresol)
{
    struct out b = {0};
    put16(&b, linktype, be);
    put16(&b, 0, be);
    put32(&b, 262144, be);
    if (tsresol >= 0) {
        put16(&b, 9, be);
        put16(&b, 1, be);
        uint8_t v[4] = {(uint8_t)tsresol, 0, 0, 0};
        put(&b, v, 4);
        put32(&b, 0, be); /* opt_endofopt */
    }
    ng_block(o, be, 1, &b);
    free(b.p);
}

static size_t ng_epb(struct out *o, int be, uint32_t ifid, uint64_t ts, uint32_t caplen,
                     uint32_t len, uint8_t fill)
{
    size_t at = o->len;
    struct out b = {0};
    put32(&b, ifid, be);
    put32(&b, (uint32_t)(ts >> 32), be);
    put32(&b, (uint32_t)ts, be);
    put32(&b, caplen, be);
    put32(&b, len, be);
    put_data(&b, caplen, fill);
    put_data(&b, (4 - caplen % 4) % 4, 0);
    ng_block(o, be, 6, &b);
    free(b.p);
    return at;
}

static void ng_other(struct out *o, int be, uint32_t type)
{
    struct out b = {0};
    put32(&b, 0, be); /* an ISB's interface, an NRB's end record, ... */
    put32(&b, 0, be);
    ng_block(o, be, type, &b);
    free(b.p);
}

static void test_pcapng(void)
{
    for (int be = 0; be < 2; be++) {
        struct out o = {0};
        ng_shb(&o, be);
        ng_idb(&o, be, be ? 101 : 1, 9); /* nanoseconds */
        ng_other(&o, be, 4);             /* name resolution block */
        size_t off[3];
        off[0] = ng_epb(&o, be, 0, 1600000000123456789ull, 60, 60, 1);
        ng_other(&o, be, 5);          /* interface statistics */
        ng_other(&o, be, 0x40000bad); /* a custom block */
        off[1] = ng_epb(&o, be, 0, 1600000001000000999ull, 3, 1514, 2);
        off[2] = ng_epb(&o, be, 0, 1600000002999999999ull, 0, 5, 3);
        size_t spb = o.len; /* a simple packet block: no time stamp */
        struct out sb = {0};
        put32(&sb, 20, be);
        put_data(&sb, 20, 4);
        ng_block(&o, be, 3, &sb);
        free(sb.p);
        const char *path = write_file(be ? "be.pcapng" : "le.pcapng", o.p, o.len);
        struct got g = read_all(path);
        CHECK_EQ_U64(g.rc, 0);
        CHECK_EQ_U64(g.linktype, be ? 101 : 1);
        CHECK_EQ_U64(g.n, 4);
        CHECK(g.n == 4 && g.p[3].off == spb && g.p[3].cap == 20 && g.p[3].ts == 0);
        static const uint64_t ts[] = {1600000000123456ull, 1600000001000000ull,
                                      1600000002999999ull};
        static const uint32_t cap[] = {60, 3, 0}, wire[] = {60, 1514, 5};
        for (size_t i = 0; i < 3 && i < g.n; i++) {
            CHECK_EQ_U64(g.p[i].ts, ts[i]);
            CHECK_EQ_U64(g.p[i].off, off[i]);
            CHECK_EQ_U64(g.p[i].cap, cap[i]);
            CHECK_EQ_U64(g.p[i].wire, wire[i]);
        }
        CHECK(g.n && g.data.p[0] == 1 && g.data.p[59] == 60);
        CHECK_EQ_U64(g.size, o.len);
        CHECK_EQ_U64(g.pos, o.len);
        got_free(&g);
        check_compressed_same(be ? "ng_be" : "ng_le", &o);
        free(o.p);
    }
}

static void test_pcapng_interfaces(void)
{
    struct out o = {0};
    ng_shb(&o, 0);
    ng_idb(&o, 0, 1, 9);
    ng_idb(&o, 0, 1, -1); /* same link type, microseconds */
    ng_epb(&o, 0, 0, 5000000000ull, 10, 10, 1);
    size_t second = ng_epb(&o, 0, 1, 7000001ull, 10, 10, 2);
    size_t idb = o.len;
    ng_idb(&o, 0, 101, -1); /* a different link type: libpcap stops here */
    ng_epb(&o, 0, 2, 1, 10, 10, 3);
    const char *path = write_file("ifaces.pcapng", o.p, o.len);
    struct got g = read_all(path);
    CHECK_EQ_U64(g.n, 2);
    CHECK_EQ_U64(g.linktype, 1);
    CHECK(g.n == 2 && g.p[0].ts == 5000000 && g.p[1].ts == 7000001 && g.p[1].off == second);
    CHECK_EQ_U64(g.rc, (uint64_t)TT_EFORMAT);
    char want[64];
    snprintf(want, sizeof want, "offset %zu: ", idb);
    CHECK(strncmp(after(g.msg, path), want, strlen(want)) == 0);
    got_free(&g);
    /* cut inside the last block: the packets before it, then damage there */
    path = write_file("cut.pcapng", o.p, idb + 10);
    g = read_all(path);
    CHECK_EQ_U64(g.n, 2);
    CHECK_EQ_U64(g.rc, (uint64_t)TT_ETRUNC);
    CHECK(strncmp(after(g.msg, path), want, strlen(want)) == 0);
    got_free(&g);
    o.len = idb;
    struct out z = gzip_bytes(o.p, o.len, 1);
    g = read_all(write_file("ifaces.pcapng.gz", z.p, z.len));
    CHECK_EQ_U64(g.rc, 0);
    CHECK_EQ_U64(g.n, 2);
    got_free(&g);
    free(z.p);
    /* no interface block at all */
    o.len = 0;
    ng_shb(&o, 0);
    path = write_file("noidb.pcapng", o.p, o.len);
    g = read_all(path);
    CHECK_EQ_U64(g.open_rc, (uint64_t)TT_EFORMAT);
    CHECK(strncmp(g.msg, path, strlen(path)) == 0);
    free(o.p);
}

/* ---- content hash ---- */

/* Hashed as it is read, from the first fill or a later one, a file gives
 * the hash of its bytes: whole, cut at every length (reading stops at the
 * damage and the rest is hashed at the end), or over several batches. A
 * compressed file cannot be hashed that way and says so. */
static void test_hash_while_reading(void)
{
    static const struct rec r[] = {{1, 1, 30, 30, 1}, {2, 2, 0, 0, 2}, {3, 3, 17, 17, 3}};
    struct out o = build_pcap(0, 0xa1b2c3d4u, 65535, 1, r, 3);
    size_t bad = 0, set = 0;
    hash_as_read = 1;
    for (size_t len = 0; len <= o.len; len++)
        for (hash_after = 0; hash_after <= 1; hash_after++) {
            hash_set = -1;
            struct got g = read_all(write_file("hashed.pcap", o.p, len));
            XXH128_canonical_t c;
            XXH128_canonicalFromHash(&c, XXH3_128bits(o.p, len));
            set += hash_set == 1;
            bad += g.open_rc == 0 && (g.hash_rc != 0 || memcmp(g.hash, c.digest, 16) != 0);
            got_free(&g);
        }
    CHECK_EQ_U64(bad, 0);
    /* set before the first fill for every file that opens (24 bytes and
     * more), and before the second where the first ended cleanly with
     * packets: the cuts at the three record ends */
    CHECK_EQ_U64(set, (o.len - 24 + 1) + 3);
    enum { N = 2 * TT_BATCH_MAX + 100 };
    struct rec *many = calloc(N, sizeof *many);
    for (uint32_t i = 0; i < N; i++)
        many[i] = (struct rec){i, i, 1 + i % 64, 1 + i % 64, (uint8_t)i};
    struct out m = build_pcap(0, 0xa1b2c3d4u, 65535, 1, many, N);
    for (hash_after = 0; hash_after <= 2; hash_after++) {
        struct got g = read_all(write_file("hashed-many.pcap", m.p, m.len));
        XXH128_canonical_t c;
        XXH128_canonicalFromHash(&c, XXH3_128bits(m.p, m.len));
        CHECK_EQ_U64(hash_set, 1);
        CHECK(g.hash_rc == 0 && memcmp(g.hash, c.digest, 16) == 0);
        check_recs(&g, many, N, 0);
        got_free(&g);
    }
    hash_after = 0;
    /* a regular file libpcap reads is hashed as read too: every cut of a
     * gzip file (damaged ones read to their end for the hash) */
    struct out z = gzip_bytes(o.p, o.len, 1);
    struct got g = read_all(write_file("hashed.pcap.gz", z.p, z.len));
    CHECK_EQ_U64(hash_set, 1);
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(z.p, z.len));
    CHECK(g.hash_rc == 0 && memcmp(g.hash, c.digest, 16) == 0);
    got_free(&g);
    size_t cut_bad = 0;
    for (size_t len = 4; len < z.len; len += 3) {
        g = read_all(write_file("hashed-cut.pcap.gz", z.p, len));
        XXH128_canonicalFromHash(&c, XXH3_128bits(z.p, len));
        cut_bad += g.open_rc == 0 && (g.hash_rc != 0 || memcmp(g.hash, c.digest, 16) != 0);
        got_free(&g);
    }
    CHECK_EQ_U64(cut_bad, 0);
    hash_as_read = 0;
    free(z.p);
    free(m.p);
    free(many);
    free(o.p);
}

static void test_content_hash(void)
{
    struct out o = build_pcap(0, 0xa1b2c3d4u, 65535, 1, three, 3);
    struct got a = read_all(write_file("h1.pcap", o.p, o.len));
    struct got b = read_all(write_file("h2.pcap", o.p, o.len));
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(o.p, o.len));
    CHECK_EQ_U64(a.hash_rc, 0);
    CHECK(memcmp(a.hash, c.digest, 16) == 0);
    CHECK(memcmp(a.hash, b.hash, 16) == 0);
    got_free(&b);
    o.p[o.len - 1] ^= 1;
    b = read_all(write_file("h3.pcap", o.p, o.len));
    CHECK(memcmp(a.hash, b.hash, 16) != 0);
    got_free(&b);
    o.p[o.len - 1] ^= 1;
    /* compressed input: the hash of the bytes as stored */
    struct out z = gzip_bytes(o.p, o.len, 1);
    const char *path = write_file("h.pcap.gz", z.p, z.len);
    XXH128_canonicalFromHash(&c, XXH3_128bits(z.p, z.len));
    struct tt_reader *r = NULL;
    struct tt_err err;
    uint8_t h[16];
    CHECK_EQ_U64(tt_reader_open(path, &r, &err), 0);
    CHECK_EQ_U64(tt_reader_content_hash(r, h), 0); /* a mapped file: known at once */
    CHECK(memcmp(h, c.digest, 16) == 0);
    CHECK(memcmp(h, a.hash, 16) != 0);
    tt_reader_close(r);
    /* a stream: known only at its end */
    int saved = dup(0);
    int fd = open(path, O_RDONLY);
    dup2(fd, 0);
    close(fd);
    CHECK_EQ_U64(tt_reader_open("-", &r, &err), 0);
    CHECK_EQ_U64(tt_reader_content_hash(r, h), (uint64_t)TT_EINVAL);
    struct tt_batch *bt = tt_batch_new();
    while (tt_reader_fill(r, bt, &err) > 0)
        ;
    CHECK_EQ_U64(tt_reader_content_hash(r, h), 0);
    CHECK(memcmp(h, c.digest, 16) == 0);
    tt_batch_free(bt);
    tt_reader_close(r);
    dup2(saved, 0);
    close(saved);
    got_free(&a);
    free(z.p);
    free(o.p);
}

/* ---- the shared real captures, against libpcap ---- */

static struct got read_libpcap(const char *path)
{
    struct got g;
    memset(&g, 0, sizeof g);
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, eb);
    if (!p) {
        g.open_rc = -1;
        return g;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc;
    size_t cap = 0;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        if (g.n == cap) {
            cap = cap * 2 + 1024;
            g.p = realloc(g.p, cap * sizeof *g.p);
        }
        uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
        g.p[g.n++] = (struct gpkt){ts, 0, h->caplen, h->len, g.data.len};
        put(&g.data, d, h->caplen);
    }
    g.rc = rc == PCAP_ERROR_BREAK ? 0 : -1;
    pcap_close(p);
    return g;
}

static int same_as_libpcap(const struct got *a, const struct got *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const struct gpkt *x = &a->p[i], *y = &b->p[i];
        if (x->ts != y->ts || x->cap != y->cap || x->wire != y->wire ||
            memcmp(a->data.p + x->data_at, b->data.p + y->data_at, x->cap) != 0)
            return 0;
    }
    return 1;
}

/* Packet counts from the provenance notes (shared/data/README.md). */
static long readme_count(const char *name)
{
    static const struct {
        const char *name;
        long n;
    } k[] = {
        {"amp.TCP.reflection.SYNACK.pcap", 8000},
        {"pkt.TCP.synflood.spoofed.pcap", 37841},
        {"pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng", 9878},
        {"amp.TCP.syn.optionallyACK.optionallysamePort.pcapng", 896},
        {"amp.UDP.snmp.src161.pcapng", 4373},
        {"amp.UDP.isakmp.pcap", 3984},
        {"amp.UDP.bacnet.IOT.37810.pcapng", 9617},
        {"amp.dns.RRSIG.fragmented.pcap", 4412},
        {"tcp_0_1000_20190821.pcap", 1005},
        {"udp_0_1000_20190821.pcap", 1001},
        {"single_syn.pcap", 1},
        {"single_syn_ack.pcap", 1},
        {"single_rst.pcap", 1},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (strcmp(k[i].name, name) == 0)
            return k[i].n;
    return -1;
}

static void check_real(const char *path, const char *name, size_t *files, size_t *pkts)
{
    struct got ours = read_all(path), ref = read_libpcap(path);
    if (ours.rc || ours.open_rc || ref.open_rc || !same_as_libpcap(&ours, &ref))
        fprintf(stderr, "  %s: ours %zu rc %d (%s), libpcap %zu\n", name, ours.n, ours.rc, ours.msg,
                ref.n);
    CHECK_EQ_U64(ours.open_rc, 0);
    CHECK_EQ_U64(ours.rc, 0);
    CHECK_EQ_U64(ours.n, ref.n);
    CHECK(same_as_libpcap(&ours, &ref));
    long want = readme_count(name);
    if (want >= 0)
        CHECK_EQ_U64(ours.n, (uint64_t)want);
    (*files)++;
    *pkts += ours.n;
    if (*files <= 2) { /* and the same capture compressed */
        struct out raw = {0};
        FILE *f = fopen(path, "rb");
        uint8_t buf[65536];
        size_t k;
        while (f && (k = fread(buf, 1, sizeof buf, f)) > 0)
            put(&raw, buf, k);
        if (f)
            fclose(f);
        struct out z = zstd_bytes(raw.p, raw.len, 1);
        struct got zg = read_all(write_file("real.zst", z.p, z.len));
        CHECK(same_packets(&zg, &ours));
        got_free(&zg);
        free(z.p);
        free(raw.p);
    }
    got_free(&ours);
    got_free(&ref);
}

static void test_real_captures(void)
{
    static const char *dirs[] = {"pcap/esnet", "pcap/stopddos"};
    size_t files = 0, pkts = 0;
    for (size_t d = 0; d < 2; d++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", tt_test_shared(), dirs[d]);
        DIR *dh = opendir(dir);
        CHECK(dh != NULL);
        if (!dh) {
            fprintf(stderr, "  cannot open %s (set TT_SHARED_DATA)\n", dir);
            continue;
        }
        struct dirent *e;
        while ((e = readdir(dh)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char path[2048];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            check_real(path, e->d_name, &files, &pkts);
        }
        closedir(dh);
    }
    CHECK_EQ_U64(files, 14);
    CHECK(pkts >= 80000);
}

static void cleanup(void)
{
    DIR *d = opendir(tt_test_tmpdir());
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            unlink(tmp_path(e->d_name));
    if (d)
        closedir(d);
    rmdir(tt_test_tmpdir());
}

TT_TESTS(test_classic_le_us, test_classic_be_ns, test_classic_odd_fields, test_header_only,
         test_not_a_capture, test_truncated_last, test_caplen_beyond_snaplen, test_every_cut,
         test_guard_page, test_batches, test_old_version, test_compressed, test_compressed_damage,
         test_stdin, test_pcapng, test_pcapng_interfaces, test_content_hash,
         test_hash_while_reading, test_real_captures, cleanup)
