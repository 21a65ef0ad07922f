/* Raw scans against counts kept here, record by record, over days written
 * as several segments, with IPv6 and unattributed records, and with port,
 * protocol and part-of-a-day filters:
 * - top sources: packets, distinct ports and distinct sensors per source,
 *   with sensor ids on both sides of the scan's 64-id mask and sources
 *   sending to more ports in one segment than the scan gathers per run;
 * - top ASes and countries: packets, bytes and distinct sources per group,
 *   with sources whose AS differs between days (enriched differently). */
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "query/query.h"
#include "store/segment.h"
#include "store/store.h"

#define DAY0 18809ll /* 2021-07-01 */
#define DAYS 3
#define SEGS_PER_DAY 2
#define PER_SEG 3000
#define SOURCES 400 /* and 3 IPv6 ones */
#define SENSORS 150
#define N (DAYS * SEGS_PER_DAY * PER_SEG)

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    return tt_test_rand(&rng);
}

static struct tt_record recs[N];

/* Source k: IPv4 for k < SOURCES, else IPv6. Every tenth IPv4 source
 * spreads over 41 ports; the others keep to three. Source 0 sends a tenth
 * of all records, so its run of a segment has all 41. */
static void make(struct tt_record *r, int64_t day)
{
    static const uint8_t protos[] = {6, 6, 17, 1};
    uint32_t k = rnd() % 10 == 0 ? 0 : rnd() % (SOURCES + 3);
    memset(r, 0, sizeof *r);
    r->ts_us = (uint64_t)day * 86400000000ull + (uint64_t)(rnd() % 86400) * 1000000ull;
    r->sensor = (uint16_t)(rnd() % 20 == 0 ? TT_SENSOR_NONE : 1 + rnd() % SENSORS);
    r->proto = protos[rnd() % 4];
    r->l4 = TT_L4_OK;
    r->ip_len = (uint16_t)(40 + rnd() % 3 * 4);
    /* a fifth of the sources moved to another AS on the second day */
    r->asn = 64500 + k % 37 + (k % 5 == 0 && day == DAY0 + 1 ? 1000 : 0);
    r->cc = (uint16_t)('A' << 8 | ('A' + k % 11));
    static const uint16_t few[] = {23, 2323, 80};
    r->dport = k % 10 == 0 ? (uint16_t)(rnd() % 41) : few[rnd() % 3];
    if (k < SOURCES) {
        r->ipver = 4;
        r->src4 = 0x0b000000u + k * 104729u;
        r->dst4 = 0xC6120000u + rnd() % 1024;
        r->ip_hlen = 20;
    } else {
        r->ipver = 6;
        r->src6[0] = 0x20;
        r->src6[1] = 0x01;
        r->src6[15] = (uint8_t)(k - SOURCES + 1);
        r->dst6[0] = 0x20;
        r->ip_hlen = 40;
        r->ip_len = (uint16_t)(r->ip_len + 20);
    }
}

static void build(const char *dir)
{
    struct tt_err err = {{0}};
    struct tt_store *s = NULL;
    CHECK_EQ_U64(tt_store_open(dir, TT_STORE_WRITE, &s, &err), TT_OK);
    struct tt_store_txn *t = NULL;
    CHECK_EQ_U64(tt_store_begin(s, &t, &err), TT_OK);
    struct tt_seg_encoder *enc = tt_seg_encoder_new(1);
    static struct tt_sensors none;
    for (int64_t d = 0; d < DAYS; d++)
        for (int g = 0; g < SEGS_PER_DAY; g++) {
            struct tt_record *r = &recs[(d * SEGS_PER_DAY + g) * PER_SEG];
            for (int i = 0; i < PER_SEG; i++)
                make(&r[i], DAY0 + d);
            struct tt_buf b = {0};
            CHECK_EQ_U64(tt_seg_encode(enc, r, PER_SEG, DAY0 + d, &none, &b, &err), TT_OK);
            char name[TT_STORE_NAME_MAX];
            CHECK_EQ_U64(tt_store_txn_write(t, TT_FILE_SEGMENT, DAY0 + d, &b, PER_SEG, name, &err),
                         TT_OK);
            tt_buf_free(&b);
        }
    struct tt_input_info info;
    memset(&info, 0, sizeof info);
    info.path = "top sources";
    CHECK_EQ_U64(tt_store_commit(t, &info, &err), TT_OK);
    tt_seg_encoder_free(enc);
    tt_store_close(s);
}

static int passes(const struct tt_record *r, const struct tt_filter *f)
{
    return r->sensor != TT_SENSOR_NONE && (f->proto == TT_ANY || r->proto == f->proto) &&
           (f->port == TT_ANY || r->dport == f->port) && (int64_t)r->ts_us >= f->from_us &&
           (int64_t)r->ts_us < f->to_us;
}

/* What a source's row must say, counted from the records. */
struct truth {
    uint64_t packets;
    uint8_t port[65536 / 8], sensor[(SENSORS + 8) / 8];
    uint32_t ports, sensors;
};

static uint32_t source_of(const struct tt_record *r)
{
    return r->ipver == 4 ? (r->src4 - 0x0b000000u) / 104729u : SOURCES + r->src6[15] - 1u;
}

static void check_filter(struct tt_store *s, const struct tt_filter *f, const char *what,
                         uint64_t scanned)
{
    static struct truth want[SOURCES + 3];
    memset(want, 0, sizeof want);
    size_t nwant = 0;
    for (size_t i = 0; i < N; i++) {
        if (!passes(&recs[i], f))
            continue;
        struct truth *t = &want[source_of(&recs[i])];
        nwant += t->packets++ == 0;
        uint16_t p = recs[i].dport, sn = recs[i].sensor;
        t->ports += !(t->port[p / 8] >> (p % 8) & 1);
        t->port[p / 8] |= (uint8_t)(1u << (p % 8));
        t->sensors += !(t->sensor[sn / 8] >> (sn % 8) & 1);
        t->sensor[sn / 8] |= (uint8_t)(1u << (sn % 8));
    }
    struct tt_source_row *rows = NULL;
    size_t n = 0;
    struct tt_scan_stats ss;
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_query_top_sources(s, f, SOURCES + 10, 2, &rows, &n, &ss, &err), TT_OK);
    CHECK_EQ_U64(n, nwant);
    size_t bad = 0;
    uint64_t matched = 0;
    for (size_t i = 0; i < n; i++) {
        struct tt_record probe = {.ipver = rows[i].ipver, .src4 = rows[i].src4};
        memcpy(probe.src6, rows[i].src6, 16);
        const struct truth *t = &want[source_of(&probe)];
        bad += rows[i].packets != t->packets || rows[i].ports != t->ports ||
               rows[i].sensors != t->sensors;
        bad += i && rows[i].packets > rows[i - 1].packets; /* most packets first */
        matched += rows[i].packets;
    }
    if (bad)
        fprintf(stderr, "  %s: %zu rows differ\n", what, bad);
    CHECK_EQ_U64(bad, 0);
    CHECK_EQ_U64(ss.matched, matched);
    CHECK_EQ_U64(ss.scanned, scanned); /* the records of the days the filter touches */
    free(rows);
}

/* What a group's row must say, counted from the records. */
#define GROUP_MAX 2000 /* group keys fold into this many slots, none shared */
struct group_truth {
    uint32_t key;
    uint64_t packets, bytes, sources;
    uint8_t seen[SOURCES + 3];
};

static void check_groups(struct tt_store *s, const struct tt_filter *f, enum tt_group_by by,
                         const char *what)
{
    static struct group_truth want[GROUP_MAX];
    memset(want, 0, sizeof want);
    uint64_t total = 0, shared = 0;
    for (size_t i = 0; i < N; i++) {
        if (!passes(&recs[i], f))
            continue;
        uint32_t key = by == TT_GROUP_ASN ? recs[i].asn : recs[i].cc;
        struct group_truth *t = &want[key % GROUP_MAX];
        shared += t->packets && t->key != key;
        t->key = key;
        t->packets++;
        t->bytes += recs[i].ip_len;
        uint32_t k = source_of(&recs[i]);
        t->sources += !t->seen[k];
        t->seen[k] = 1;
        total++;
    }
    CHECK_EQ_U64(shared, 0);
    size_t nwant = 0;
    for (size_t g = 0; g < GROUP_MAX; g++)
        nwant += want[g].packets != 0;
    struct tt_group_row *rows = NULL;
    size_t n = 0;
    uint64_t got_total = 0;
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_query_top_groups(s, f, by, 0, 0, GROUP_MAX, 2, &rows, &n, &got_total, &err),
                 TT_OK);
    CHECK_EQ_U64(n, nwant);
    CHECK_EQ_U64(got_total, total);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const struct group_truth *t = &want[rows[i].key % GROUP_MAX];
        bad += t->key != rows[i].key || rows[i].packets != t->packets ||
               rows[i].bytes != t->bytes || rows[i].sources != t->sources;
    }
    if (bad)
        fprintf(stderr, "  %s: %zu rows differ\n", what, bad);
    CHECK_EQ_U64(bad, 0);
    free(rows);
}

static struct tt_store *built_store(void)
{
    static char dir[512];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/top_sources", tt_test_tmpdir());
        build(dir);
    }
    struct tt_store *s = NULL;
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_store_open(dir, TT_STORE_READ, &s, &err), TT_OK);
    return s;
}

static struct tt_filter every_day(void)
{
    struct tt_filter f;
    tt_filter_init(&f);
    f.from_us = DAY0 * 86400000000ll;
    f.to_us = (DAY0 + DAYS) * 86400000000ll;
    return f;
}

/* Hours 1 to 12 of the second day: the scan then tests each record's time. */
static void part_of_day2(struct tt_filter *f)
{
    f->from_us = (DAY0 + 1) * 86400000000ll + 3600000000ll;
    f->to_us = (DAY0 + 1) * 86400000000ll + 13 * 3600000000ll;
}

static void test_groups_against_records(void)
{
    struct tt_store *s = built_store();
    struct tt_filter f = every_day();
    check_groups(s, &f, TT_GROUP_ASN, "ASes");
    f.port = 23;
    check_groups(s, &f, TT_GROUP_ASN, "ASes, port 23");
    check_groups(s, &f, TT_GROUP_COUNTRY, "countries, port 23");
    f.port = TT_ANY;
    part_of_day2(&f);
    check_groups(s, &f, TT_GROUP_ASN, "ASes, day 2, hours 1-12");
    tt_store_close(s);
}

static void test_against_records(void)
{
    struct tt_store *s = built_store();
    struct tt_filter f = every_day();
    check_filter(s, &f, "all", N);
    f.port = 23;
    check_filter(s, &f, "port 23", N);
    f.port = TT_ANY;
    f.proto = 17;
    check_filter(s, &f, "udp", N);
    f.proto = TT_ANY;
    part_of_day2(&f);
    check_filter(s, &f, "day 2, hours 1-12", SEGS_PER_DAY * PER_SEG);
    tt_store_close(s);
}

TT_TESTS(test_against_records, test_groups_against_records)
