/* Roll-up codec and the store's transaction rules: files count only once
 * committed, an uncommitted ingest is swept, an input counts once. */
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fileio.h"
#include "harness.h"
#include "store/rollup.h"
#include "store/rollup_int.h"
#include "store/store.h"

static struct tt_record rec(uint64_t ts_us, uint16_t sensor, uint32_t src, uint8_t proto,
                            uint16_t dport, uint16_t ip_len)
{
    struct tt_record r;
    memset(&r, 0, sizeof r);
    r.ts_us = ts_us;
    r.ipver = 4;
    r.sensor = sensor;
    r.src4 = src;
    r.proto = proto;
    r.dport = dport;
    r.ip_len = ip_len;
    r.l4 = TT_L4_OK;
    return r;
}

#define DAY0 18809ll /* 2021-07-01 */
#define US(day, sec) ((uint64_t)(day)*86400000000ull + (uint64_t)(sec)*1000000ull)

/* Hand-counted: 3 packets tcp/23 (2 sources, hours 0 and 5), 1 udp/53,
 * 1 ICMP 3/3, 1 non-first fragment, 1 IPv6 source. */
static struct tt_rollup *sample_rollup(void)
{
    struct tt_rollup *r = tt_rollup_new(DAY0);
    struct tt_record a = rec(US(DAY0, 10), 1, 0x01020304, 6, 23, 40);
    struct tt_record b = rec(US(DAY0, 20), 1, 0x01020304, 6, 23, 40);
    struct tt_record c = rec(US(DAY0, 5 * 3600 + 1), 2, 0x05060708, 6, 23, 44);
    struct tt_record d = rec(US(DAY0, 30), 1, 0x01020304, 17, 53, 61);
    struct tt_record e = rec(US(DAY0, 40), 2, 0x0a0b0c0d, 1, 3, 56);
    e.sport = 3; /* ICMP type 3, code 3 */
    struct tt_record f = rec(US(DAY0, 50), 2, 0x0a0b0c0d, 6, 0, 1500);
    f.l4 = TT_L4_FRAGMENT;
    struct tt_record g = rec(US(DAY0, 60), 1, 0, 58, 0, 64);
    g.ipver = 6;
    g.src6[0] = 0x20;
    g.sport = 128;
    a.cc = b.cc = d.cc = ('J' << 8 | 'P'); /* 1.2.3.4 */
    c.cc = ('U' << 8 | 'S');               /* 5.6.7.8; 10.11.12.13 and the IPv6 source unknown */
    struct tt_record all[] = {a, b, c, d, e, f, g};
    for (size_t i = 0; i < 7; i++)
        CHECK_EQ_U64(tt_rollup_add(r, &all[i]), TT_OK);
    tt_rollup_add_refused(r, TT_DEC_BAD_IHL, 2);
    tt_rollup_add_refused(r, TT_DEC_NOT_IP, 1);
    return r;
}

static const struct tt_roll_entry *find(const struct tt_roll_entry *e, size_t n, uint16_t sensor,
                                        uint8_t proto, uint8_t kind, uint16_t port, uint8_t hour)
{
    for (size_t i = 0; i < n; i++)
        if (e[i].sensor == sensor && e[i].proto == proto && e[i].kind == kind &&
            e[i].port == port && e[i].hour == hour)
            return &e[i];
    return NULL;
}

static void test_rollup_codec(void)
{
    struct tt_rollup *r = sample_rollup();
    struct tt_buf buf = {0};
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_rollup_encode(r, &buf, 3, &err), TT_OK);
    struct tt_rollup *d = NULL;
    CHECK_EQ_U64(tt_rollup_decode(buf.p, buf.len, "mem", TT_RW_ALL, &d, &err), TT_OK);
    if (!d)
        return;
    CHECK_EQ_U64(tt_rollup_day(d), DAY0);
    const struct tt_roll_entry *e;
    size_t n = tt_rollup_day_entries(d, &e);
    CHECK_EQ_U64(n, 6); /* s1 tcp/23, s2 tcp/23, s1 udp/53, s2 icmp 3/3, s2 frag, s1 icmp6 */
    const struct tt_roll_entry *t23 = find(e, n, 1, 6, TT_PK_PORT, 23, TT_HOUR_DAY);
    CHECK(t23 && t23->packets == 2 && t23->bytes == 80);
    const struct tt_roll_entry *icmp = find(e, n, 2, 1, TT_PK_ICMP, 3 << 8 | 3, TT_HOUR_DAY);
    CHECK(icmp && icmp->packets == 1 && icmp->bytes == 56);
    CHECK(find(e, n, 2, 6, TT_PK_NONE, 0, TT_HOUR_DAY) != NULL);
    n = tt_rollup_hour_entries(d, &e);
    CHECK_EQ_U64(n, 6);
    const struct tt_roll_entry *h5 = find(e, n, 2, 6, TT_PK_PORT, 23, 5);
    CHECK(h5 && h5->packets == 1 && h5->bytes == 44);
    /* the source table: each source once, its country and its (sensor, class) sets */
    static const struct {
        uint32_t addr;
        uint16_t cc;
        uint32_t members[2];
        size_t n;
    } want[] = {
        {0x01020304, 'J' << 8 | 'P', {1 << 8 | TT_CLASS_TCP, 1 << 8 | TT_CLASS_UDP}, 2},
        {0x05060708, 'U' << 8 | 'S', {2 << 8 | TT_CLASS_TCP}, 1},
        {0x0a0b0c0d, 0, {2 << 8 | TT_CLASS_TCP, 2 << 8 | TT_CLASS_ICMP}, 2}, /* fragment, ICMP */
    };
    const struct tt_roll_sources *src = tt_rollup_sources(d);
    CHECK_EQ_U64(src->n4, 3);
    CHECK_EQ_U64(src->n6, 1);
    CHECK_EQ_U64(src->npatterns, 4);
    for (size_t k = 0; k < 3 && src->n4 == 3; k++) {
        CHECK_EQ_U64(src->v4[k], want[k].addr);
        CHECK_EQ_U64(src->cc[k], want[k].cc);
        uint32_t p = src->pattern[k];
        CHECK_EQ_U64(src->pat_start[p + 1] - src->pat_start[p], want[k].n);
        for (size_t m = 0; m < want[k].n && src->pat_start[p + 1] - src->pat_start[p] == want[k].n;
             m++)
            CHECK_EQ_U64(src->members[src->pat_start[p] + m], want[k].members[m]);
    }
    if (src->n6 == 1) {
        uint32_t p = src->pattern[3];
        CHECK(src->v6[0] == 0x20 && src->cc[3] == 0);
        CHECK(src->pat_start[p + 1] - src->pat_start[p] == 1 &&
              src->members[src->pat_start[p]] == (1 << 8 | TT_CLASS_ICMP));
    }
    /* country counters: JP 3 packets (hour 0), US 1 (hour 5), unknown 3 */
    const struct tt_roll_geo *g;
    size_t ng = tt_rollup_geo_entries(d, &g);
    uint64_t pj = 0, pu = 0, p0 = 0, bj = 0;
    for (size_t i = 0; i < ng; i++) {
        CHECK(g[i].hour == TT_HOUR_DAY);
        pj += g[i].cc == ('J' << 8 | 'P') ? g[i].packets : 0;
        bj += g[i].cc == ('J' << 8 | 'P') ? g[i].bytes : 0;
        pu += g[i].cc == ('U' << 8 | 'S') ? g[i].packets : 0;
        p0 += g[i].cc == 0 ? g[i].packets : 0;
    }
    CHECK_EQ_U64(pj, 3);
    CHECK_EQ_U64(bj, 141);
    CHECK_EQ_U64(pu, 1);
    CHECK_EQ_U64(p0, 3);
    ng = tt_rollup_geo_hour_entries(d, &g);
    int us_hour5 = 0;
    for (size_t i = 0; i < ng; i++)
        us_hour5 |= g[i].cc == ('U' << 8 | 'S') && g[i].hour == 5 && g[i].packets == 1;
    CHECK(us_hour5);
    CHECK_EQ_U64(tt_rollup_refused(d, TT_DEC_BAD_IHL), 2);
    CHECK_EQ_U64(tt_rollup_refused(d, TT_DEC_NOT_IP), 1);
    /* damage anywhere is refused */
    uint32_t refused = 0, tries = 0;
    for (size_t pos = 0; pos < buf.len; pos += 3, tries++) {
        buf.p[pos] ^= 0x41;
        struct tt_rollup *x = NULL;
        refused += tt_rollup_decode(buf.p, buf.len, "flip", TT_RW_ALL, &x, &err) != TT_OK;
        tt_rollup_free(x);
        buf.p[pos] ^= 0x41;
    }
    CHECK_EQ_U64(refused, tries);
    tt_rollup_free(d);
    tt_rollup_free(r);
    tt_buf_free(&buf);
}

/* Parses a roll-up SRC block of len bytes (two IPv4 sources' worth of
 * pattern indexes, one pattern) the way a file's reader does. */
static int parse_src(const uint8_t *src, size_t len)
{
    static const uint8_t pat[2] = {0, 0}, patterns[4] = {1, 1, 1, 0};
    struct tt_rd rs = tt_rd_make(src, len), rp = tt_rd_make(pat, 2), rpat = tt_rd_make(patterns, 4);
    struct tt_rollup *r = tt_rollup_new(19000);
    int rc = roll_get_sources(r, &rs, NULL, &rp, &rpat, 16);
    const struct tt_roll_sources *s = tt_rollup_sources(r);
    if (rc == TT_OK && !(s->n4 == 2 && s->v4[0] == 0x0a000001u && s->v4[1] == 0xc0000201u))
        rc = -1;
    tt_rollup_free(r);
    return rc;
}

/* The SRC block's IPv4 sources as byte planes of their gaps: 10.0.0.1 and
 * 192.0.2.1 (gap 0xb6000200), and what the reader refuses. */
static void test_rollup_src_planes(void)
{
    const uint8_t good[10] = {2, 0, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x0a, 0xb6};
    CHECK_EQ_U64(parse_src(good, sizeof good), TT_OK);
    CHECK(parse_src(good, sizeof good - 1) == TT_ECORRUPT); /* a plane cut short */
    uint8_t extra[11];
    memcpy(extra, good, 10);
    extra[10] = 0;
    CHECK(parse_src(extra, sizeof extra) == TT_ECORRUPT); /* a byte left over */
    uint8_t same[10];
    memcpy(same, good, 10);
    same[3] = same[5] = same[7] = same[9] = 0; /* second gap 0: not distinct */
    CHECK(parse_src(same, sizeof same) == TT_ECORRUPT);
    uint8_t wrap[10];
    memcpy(wrap, good, 10);
    wrap[9] = 0xf6; /* 10.0.0.1 + 0xf6000200 passes 255.255.255.255 */
    CHECK(parse_src(wrap, sizeof wrap) == TT_ECORRUPT);
}

/* Whether two decoded roll-ups hold the same counts, sources, countries
 * and membership patterns (pattern numbers may differ). */
static int same_rollup(const struct tt_rollup *x, const struct tt_rollup *y)
{
    const struct tt_roll_entry *ex, *ey;
    size_t n = tt_rollup_day_entries(x, &ex);
    if (n != tt_rollup_day_entries(y, &ey) || memcmp(ex, ey, n * sizeof *ex))
        return 0;
    n = tt_rollup_hour_entries(x, &ex);
    if (n != tt_rollup_hour_entries(y, &ey) || memcmp(ex, ey, n * sizeof *ex))
        return 0;
    const struct tt_roll_geo *gx, *gy;
    n = tt_rollup_geo_hour_entries(x, &gx);
    if (n != tt_rollup_geo_hour_entries(y, &gy) || memcmp(gx, gy, n * sizeof *gx))
        return 0;
    for (int k = 0; k < TT_DEC__COUNT; k++)
        if (tt_rollup_refused(x, (enum tt_decode_status)k) !=
            tt_rollup_refused(y, (enum tt_decode_status)k))
            return 0;
    const struct tt_roll_sources *a = tt_rollup_sources(x), *b = tt_rollup_sources(y);
    if (a->n4 != b->n4 || a->n6 != b->n6 || memcmp(a->v4, b->v4, a->n4 * 4) ||
        memcmp(a->v6, b->v6, a->n6 * 16) || memcmp(a->cc, b->cc, (a->n4 + a->n6) * 2))
        return 0;
    for (size_t k = 0; k < a->n4 + a->n6; k++) {
        uint32_t pa = a->pattern[k], pb = b->pattern[k];
        uint32_t la = a->pat_start[pa + 1] - a->pat_start[pa];
        if (la != b->pat_start[pb + 1] - b->pat_start[pb] ||
            memcmp(a->members + a->pat_start[pa], b->members + b->pat_start[pb], la * 4))
            return 0;
    }
    return 1;
}

/* Two workers' halves of a day merged give what one roll-up of the whole
 * day gives: every counter, source, country and pattern. */
static void test_rollup_merge(void)
{
    struct tt_rollup *whole = tt_rollup_new(DAY0),
                     *half[2] = {tt_rollup_new(DAY0), tt_rollup_new(DAY0)};
    uint64_t x = 0x853c49e6748fea9bull;
    size_t refused = 0;
    for (int i = 0; i < 30000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        static const uint8_t protos[] = {6, 17, 1, 47};
        struct tt_record r = rec(US(DAY0, x % 86400), (uint16_t)(x >> 20 & 7),
                                 0x0a000000u + (uint32_t)(x >> 24 & 4095), protos[x >> 40 & 3],
                                 (uint16_t)(x >> 42 & 63), (uint16_t)(40 + (x >> 50 & 255)));
        if (x >> 61 == 0) { /* some IPv6 sources */
            r.ipver = 6;
            r.src4 = 0;
            r.src6[0] = 0x20;
            r.src6[15] = (uint8_t)(x >> 8);
        }
        /* one country per source, as enrichment gives */
        r.cc = (uint16_t)('A' << 8 | ('A' + ((r.src4 ^ r.src6[15]) & 3)));
        refused += tt_rollup_add(whole, &r) != TT_OK;
        refused += tt_rollup_add(half[i % 7 < 3], &r) != TT_OK; /* uneven halves */
        if (i % 1000 == 0) {
            tt_rollup_add_refused(whole, TT_DEC_TRUNC_IP, 1);
            tt_rollup_add_refused(half[i % 2], TT_DEC_TRUNC_IP, 1);
        }
    }
    CHECK_EQ_U64(refused, 0);
    CHECK_EQ_U64(tt_rollup_merge(half[0], half[1]), TT_OK);
    struct tt_buf a = {0}, b = {0};
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_rollup_encode(whole, &a, 3, &err), TT_OK);
    CHECK_EQ_U64(tt_rollup_encode(half[0], &b, 3, &err), TT_OK);
    struct tt_rollup *da = NULL, *db = NULL;
    CHECK_EQ_U64(tt_rollup_decode(a.p, a.len, "whole", TT_RW_ALL, &da, &err), TT_OK);
    CHECK_EQ_U64(tt_rollup_decode(b.p, b.len, "merged", TT_RW_ALL, &db, &err), TT_OK);
    CHECK(da && db && same_rollup(da, db));
    CHECK(da && tt_rollup_sources(da)->n6 > 0 && tt_rollup_sources(da)->npatterns > 8);
    tt_rollup_free(da);
    tt_rollup_free(db);
    tt_buf_free(&a);
    tt_buf_free(&b);
    tt_rollup_free(whole);
    tt_rollup_free(half[0]);
    tt_rollup_free(half[1]);
}

static size_t count_files(const char *dir, const char *sub)
{
    char top[4096];
    snprintf(top, sizeof top, "%s/%s", dir, sub);
    DIR *d = opendir(top);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char day[4096 + 256];
        snprintf(day, sizeof day, "%s/%s", top, e->d_name);
        DIR *dd = opendir(day);
        struct dirent *f;
        while (dd && (f = readdir(dd)) != NULL)
            n += f->d_name[0] != '.';
        if (dd)
            closedir(dd);
    }
    if (d)
        closedir(d);
    return n;
}

static void test_transactions(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/store", tt_test_tmpdir());
    struct tt_err err = {{0}};
    struct tt_store *s = NULL;
    CHECK_EQ_U64(tt_store_open(dir, TT_STORE_READ, &s, &err), TT_ENOTFOUND);
    CHECK_EQ_U64(tt_store_open(dir, TT_STORE_WRITE, &s, &err), TT_OK);
    struct tt_buf data = {0};
    tt_buf_put(&data, "0123456789", 10);
    struct tt_input_info info;
    memset(&info, 0, sizeof info);
    memset(info.hash, 0xab, 16);
    info.path = "first.pcap";
    /* an ingest process that dies before its commit: its file is swept at
     * the next open */
    struct tt_store_txn *t = NULL;
    tt_store_close(s);
    pid_t pid = fork();
    if (pid == 0) {
        struct tt_store *cs = NULL;
        if (tt_store_open(dir, TT_STORE_WRITE, &cs, &err) == TT_OK &&
            tt_store_begin(cs, &t, &err) == TT_OK &&
            tt_store_txn_write(t, TT_FILE_SEGMENT, DAY0, &data, 5, NULL, &err) == TT_OK)
            _exit(0); /* no commit, no abort, no cleanup */
        _exit(1);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    CHECK_EQ_U64(status, 0);
    CHECK_EQ_U64(count_files(dir, "seg"), 1);
    CHECK_EQ_U64(tt_store_open(dir, TT_STORE_WRITE, &s, &err), TT_OK);
    CHECK_EQ_U64(tt_store_swept(s), 1);
    CHECK_EQ_U64(count_files(dir, "seg"), 0);
    /* a committed ingest is listed; the same input again is refused */
    CHECK_EQ_U64(tt_store_begin(s, &t, &err), TT_OK);
    CHECK_EQ_U64(tt_store_txn_write(t, TT_FILE_SEGMENT, DAY0, &data, 5, NULL, &err), TT_OK);
    CHECK_EQ_U64(tt_store_txn_write(t, TT_FILE_ROLLUP, DAY0 + 1, &data, 0, NULL, &err), TT_OK);
    CHECK_EQ_U64(tt_store_commit(t, &info, &err), TT_OK);
    char seen[256] = "";
    CHECK(tt_store_input_seen(s, info.hash, seen, sizeof seen, &err) > 0);
    CHECK_EQ_STR(seen, "first.pcap");
    CHECK_EQ_U64(tt_store_begin(s, &t, &err), TT_OK);
    CHECK_EQ_U64(tt_store_txn_write(t, TT_FILE_SEGMENT, DAY0, &data, 5, NULL, &err), TT_OK);
    CHECK_EQ_U64(tt_store_commit(t, &info, &err), TT_EEXIST);
    CHECK_EQ_U64(count_files(dir, "seg"), 1); /* the refused ingest's file is gone */
    struct tt_store_file *files = NULL;
    size_t n = 0;
    CHECK_EQ_U64(tt_store_files(s, TT_FILE_SEGMENT, DAY0, DAY0, &files, &n, &err), TT_OK);
    CHECK_EQ_U64(n, 1);
    CHECK(n == 1 && files[0].records == 5 && files[0].bytes == 10 && files[0].day == DAY0);
    free(files);
    struct tt_store_totals tot;
    CHECK_EQ_U64(tt_store_totals(s, &tot, &err), TT_OK);
    CHECK_EQ_U64(tot.inputs, 1);
    CHECK_EQ_U64(tot.records, 5);
    CHECK_EQ_U64(tot.first_day, DAY0);
    CHECK_EQ_U64(tot.last_day, DAY0 + 1);
    tt_store_close(s);
    tt_buf_free(&data);
}

TT_TESTS(test_rollup_codec, test_rollup_src_planes, test_rollup_merge, test_transactions)
