/* Queries over a store built from hand-made records whose answers are
 * counted by hand below: totals, unique sources, top ports with the previous
 * period's rank, series, and raw scans agreeing with the roll-ups. */
#include <stdint.h>

#include "harness.h"
#include "query/query.h"
#include "store/rollup.h"
#include "store/segment.h"
#include "store/store.h"

#define DAY_A 18809ll /* 2021-07-01 */
#define DAY_B 18810ll
#define US(day, hour) ((uint64_t)(day)*86400000000ull + (uint64_t)(hour)*3600000000ull + 1234)

struct spec {
    int64_t day;
    int hour;
    uint16_t sensor;
    uint32_t src; /* 0: the IPv6 source */
    uint8_t proto;
    uint16_t port; /* ICMP: type */
    int count;
};

/* The traffic, and what each line contributes, for the expectations below. */
static const struct spec TRAFFIC[] = {
    {DAY_A, 0, 1, 0x01010101, 6, 23, 2},
    {DAY_A, 1, 1, 0x01010101, 6, 23, 1},
    {DAY_A, 2, 2, 0x02020202, 6, 23, 1},
    {DAY_A, 2, 2, 0x02020202, 17, 53, 2},
    {DAY_A, 3, 1, 0x03030303, 1, 8, 1},
    {DAY_A, 4, 0, 0x09090909, 6, 80, 5},
    {DAY_B, 0, 2, 0x01010101, 6, 2323, 4},
    {DAY_B, 5, 1, 0x04040404, 6, 23, 1},
    {DAY_B, 6, 1, 0, 6, 22, 2},
};

static void make(struct tt_record *r, const struct spec *s, int i)
{
    memset(r, 0, sizeof *r);
    r->ts_us = US(s->day, s->hour) + (uint64_t)i;
    r->sensor = s->sensor;
    r->proto = s->proto;
    r->l4 = TT_L4_OK;
    r->ip_len = 40;
    if (s->proto == 1) {
        r->sport = s->port; /* type 8, code 0 */
        r->ip_len = 28;
    } else {
        r->dport = s->port;
    }
    if (s->src) {
        r->ipver = 4;
        r->src4 = s->src;
        r->dst4 = 0xC6120000u + (uint32_t)i;
        r->ip_hlen = 20;
    } else {
        r->ipver = 6;
        r->src6[0] = 0x20;
        r->src6[1] = 0x01;
        r->src6[15] = 1;
        r->dst6[0] = 0x20;
        r->ip_hlen = 40;
        r->ip_len = 60;
    }
}

static void build_store(const char *dir)
{
    struct tt_err err = {{0}};
    struct tt_store *s = NULL;
    CHECK_EQ_U64(tt_store_open(dir, TT_STORE_WRITE, &s, &err), TT_OK);
    struct tt_store_txn *t = NULL;
    CHECK_EQ_U64(tt_store_begin(s, &t, &err), TT_OK);
    struct tt_seg_encoder *enc = tt_seg_encoder_new(3);
    static struct tt_sensors none;
    for (int64_t day = DAY_A; day <= DAY_B; day++) {
        struct tt_record recs[64];
        uint32_t n = 0;
        struct tt_rollup *r = tt_rollup_new(day);
        for (size_t k = 0; k < sizeof TRAFFIC / sizeof TRAFFIC[0]; k++)
            for (int i = 0; TRAFFIC[k].day == day && i < TRAFFIC[k].count; i++) {
                make(&recs[n], &TRAFFIC[k], i);
                CHECK_EQ_U64(tt_rollup_add(r, &recs[n]), TT_OK);
                n++;
            }
        struct tt_buf b = {0};
        CHECK_EQ_U64(tt_seg_encode(enc, recs, n, day, &none, &b, &err), TT_OK);
        char name[TT_STORE_NAME_MAX];
        CHECK_EQ_U64(tt_store_txn_write(t, TT_FILE_SEGMENT, day, &b, n, name, &err), TT_OK);
        /* as the ingest does: the roll-up's sources stay in the segment */
        CHECK_EQ_U64(tt_rollup_add_segment(r, name), TT_OK);
        b.len = 0;
        CHECK_EQ_U64(tt_rollup_encode(r, &b, 3, &err), TT_OK);
        CHECK_EQ_U64(tt_store_txn_write(t, TT_FILE_ROLLUP, day, &b, 0, NULL, &err), TT_OK);
        tt_buf_free(&b);
        tt_rollup_free(r);
    }
    struct tt_input_info info;
    memset(&info, 0, sizeof info);
    info.path = "hand-made";
    CHECK_EQ_U64(tt_store_commit(t, &info, &err), TT_OK);
    tt_seg_encoder_free(enc);
    tt_store_close(s);
}

static struct tt_store *open_store(void)
{
    static char dir[512];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/q", tt_test_tmpdir());
        build_store(dir);
    }
    struct tt_store *s = NULL;
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_store_open(dir, TT_STORE_READ, &s, &err), TT_OK);
    return s;
}

static struct tt_filter days(int64_t first, int64_t last)
{
    struct tt_filter f;
    tt_filter_init(&f);
    f.from_us = first * 86400000000ll;
    f.to_us = (last + 1) * 86400000000ll;
    return f;
}

static void test_stats(void)
{
    struct tt_store *s = open_store();
    struct tt_err err = {{0}};
    struct tt_stats st;
    struct tt_filter f = days(DAY_A, DAY_B);
    CHECK_EQ_U64(tt_query_stats(s, &f, &st, &err), TT_OK);
    CHECK_EQ_U64(st.packets, 14);
    CHECK_EQ_U64(st.bytes, 40 * 11 + 28 + 60 * 2);
    CHECK_EQ_U64(st.unattributed, 5);
    CHECK_EQ_U64(st.uniq_all, 5); /* 1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 2001::1 */
    CHECK_EQ_U64(st.ndays, 2);
    if (st.ndays == 2) {
        CHECK_EQ_U64(st.days[0].packets, 7);
        CHECK_EQ_U64(st.days[0].uniq[TT_CLASS__COUNT], 3);
        CHECK_EQ_U64(st.days[0].uniq[TT_CLASS_TCP], 2);
        CHECK_EQ_U64(st.days[0].uniq[TT_CLASS_UDP], 1);
        CHECK_EQ_U64(st.days[0].uniq[TT_CLASS_ICMP], 1);
        CHECK_EQ_U64(st.days[1].packets, 7);
        CHECK_EQ_U64(st.days[1].uniq[TT_CLASS_TCP], 3);
    }
    CHECK_EQ_U64(st.nsensors, 2);
    if (st.nsensors == 2) {
        CHECK_EQ_U64(st.sensors[0].sensor, 1);
        CHECK_EQ_U64(st.sensors[0].packets, 3 + 1 + 1 + 2);
        CHECK_EQ_U64(st.sensors[0].uniq, 4); /* 1.1.1.1 3.3.3.3 4.4.4.4 v6 */
        CHECK_EQ_U64(st.sensors[1].packets, 1 + 2 + 4);
    }
    tt_stats_free(&st);
    /* one sensor, TCP only, part of a day (hours 0..1 of day A) */
    f = days(DAY_A, DAY_A);
    f.sensor = 1;
    f.proto = 6;
    f.to_us = (int64_t)US(DAY_A, 2) - 1234;
    CHECK_EQ_U64(tt_query_stats(s, &f, &st, &err), TT_OK);
    CHECK_EQ_U64(st.packets, 3);
    tt_stats_free(&st);
    /* with unattributed packets included */
    f = days(DAY_A, DAY_A);
    f.unattributed = 1;
    CHECK_EQ_U64(tt_query_stats(s, &f, &st, &err), TT_OK);
    CHECK_EQ_U64(st.packets, 12);
    CHECK_EQ_U64(st.uniq_all, 4);
    tt_stats_free(&st);
    tt_store_close(s);
}

static void test_top_ports(void)
{
    struct tt_store *s = open_store();
    struct tt_err err = {{0}};
    struct tt_port_row *rows = NULL;
    size_t n = 0;
    uint64_t total = 0;
    struct tt_filter f = days(DAY_A, DAY_B);
    CHECK_EQ_U64(tt_query_top_ports(s, &f, 0, 0, 10, &rows, &n, &total, &err), TT_OK);
    CHECK_EQ_U64(total, 14); /* every attributed packet of both days */
    CHECK_EQ_U64(n, 5);
    if (n == 5) {
        CHECK(rows[0].proto == 6 && rows[0].port == 23 && rows[0].packets == 5);
        CHECK(rows[1].proto == 6 && rows[1].port == 2323 && rows[1].packets == 4);
        CHECK(rows[2].proto == 6 && rows[2].port == 22 &&
              rows[2].packets == 2); /* tie: tcp first */
        CHECK(rows[3].proto == 17 && rows[3].port == 53 && rows[3].packets == 2);
        CHECK(rows[4].proto == 1 && rows[4].kind == TT_PK_ICMP && rows[4].port == (8 << 8));
    }
    free(rows);
    /* day B ranked against day A */
    f = days(DAY_B, DAY_B);
    CHECK_EQ_U64(tt_query_top_ports(s, &f, DAY_A * 86400000000ll, DAY_B * 86400000000ll, 2, &rows,
                                    &n, &total, &err),
                 TT_OK);
    CHECK_EQ_U64(n, 2);
    if (n == 2) {
        CHECK(rows[0].port == 2323 && rows[0].prev_rank == 0);
        CHECK(rows[1].port == 22 && rows[1].prev_rank == 0);
    }
    free(rows);
    CHECK_EQ_U64(tt_query_top_ports(s, &f, DAY_A * 86400000000ll, DAY_B * 86400000000ll, 3, &rows,
                                    &n, &total, &err),
                 TT_OK);
    CHECK(n == 3 && rows[2].port == 23 && rows[2].prev_rank == 1);
    free(rows);
    tt_store_close(s);
}

static void test_series(void)
{
    struct tt_store *s = open_store();
    struct tt_err err = {{0}};
    struct tt_series_point *p = NULL;
    size_t n = 0;
    struct tt_filter f = days(DAY_A, DAY_A);
    CHECK_EQ_U64(tt_query_series(s, &f, TT_STEP_HOUR, TT_BY_TOTAL, &p, &n, &err), TT_OK);
    CHECK_EQ_U64(n, 4); /* hours 0, 1, 2, 3 (hour 4 is unattributed) */
    if (n == 4) {
        CHECK(p[0].t == DAY_A * 24 && p[0].packets == 2);
        CHECK(p[2].t == DAY_A * 24 + 2 && p[2].packets == 3);
        CHECK(p[3].packets == 1 && p[3].bytes == 28);
    }
    free(p);
    f = days(DAY_A, DAY_B);
    CHECK_EQ_U64(tt_query_series(s, &f, TT_STEP_DAY, TT_BY_SENSOR, &p, &n, &err), TT_OK);
    CHECK_EQ_U64(n, 4); /* two days x two sensors */
    if (n == 4)
        CHECK(p[0].group == 1 && p[0].packets == 4 && p[3].group == 2 && p[3].packets == 4);
    free(p);
    tt_store_close(s);
}

static void test_raw(void)
{
    struct tt_store *s = open_store();
    struct tt_err err = {{0}};
    struct tt_scan_stats ss;
    struct tt_filter f = days(DAY_A, DAY_B);
    f.port = 23;
    CHECK_EQ_U64(tt_query_count_raw(s, &f, 2, &ss, &err), TT_OK);
    CHECK_EQ_U64(ss.matched, 5);
    CHECK_EQ_U64(ss.scanned, 19);
    f.port = TT_ANY;
    f.unattributed = 1;
    CHECK_EQ_U64(tt_query_count_raw(s, &f, 1, &ss, &err), TT_OK);
    CHECK_EQ_U64(ss.matched, 19);
    struct tt_source_row *rows = NULL;
    size_t n = 0;
    f = days(DAY_A, DAY_B);
    CHECK_EQ_U64(tt_query_top_sources(s, &f, 3, 2, &rows, &n, &ss, &err), TT_OK);
    CHECK_EQ_U64(n, 3);
    if (n == 3) {
        CHECK(rows[0].src4 == 0x01010101 && rows[0].packets == 7 && rows[0].ports == 2 &&
              rows[0].sensors == 2);
        CHECK(rows[1].src4 == 0x02020202 && rows[1].packets == 3 && rows[1].ports == 2 &&
              rows[1].sensors == 1);
        CHECK(rows[2].ipver == 6 && rows[2].packets == 2 && rows[2].ports == 1);
    }
    free(rows);
    tt_store_close(s);
}

/* More sensors than a source tag has bits (the stats read the range again
 * for the rest), two roll-up files a day (merged before they are counted),
 * against counts kept here per record. */
#define MANY_SENSORS 150
#define MANY_SOURCES 3000
#define MANY_DAYS 3

static uint64_t many_rng = 0x2545f4914f6cdd1dull;
static uint32_t many_rnd(void)
{
    return tt_test_rand(&many_rng);
}

static void test_many_sensors(void)
{
    static uint8_t seen[MANY_SENSORS + 1][MANY_SOURCES]; /* bit 0 any, bit 1 TCP */
    static uint8_t day_seen[MANY_DAYS][TT_CLASS__COUNT][MANY_SOURCES];
    static uint8_t any_seen[MANY_SOURCES];
    char dir[512];
    snprintf(dir, sizeof dir, "%s/many", tt_test_tmpdir());
    struct tt_err err = {{0}};
    struct tt_store *s = NULL;
    CHECK_EQ_U64(tt_store_open(dir, TT_STORE_WRITE, &s, &err), TT_OK);
    struct tt_store_txn *t = NULL;
    CHECK_EQ_U64(tt_store_begin(s, &t, &err), TT_OK);
    static const uint8_t protos[] = {6, 6, 17, 1};
    for (int64_t d = 0; d < MANY_DAYS; d++)
        for (int file = 0; file < 2; file++) {
            struct tt_rollup *r = tt_rollup_new(DAY_A + d);
            size_t refused = 0;
            for (int i = 0; i < 20000; i++) {
                struct tt_record rec;
                memset(&rec, 0, sizeof rec);
                uint32_t src = many_rnd() % MANY_SOURCES;
                rec.ts_us = US(DAY_A + d, many_rnd() % 24);
                rec.sensor = (uint16_t)(1 + many_rnd() % MANY_SENSORS);
                rec.proto = protos[many_rnd() % 4];
                rec.l4 = TT_L4_OK;
                rec.ipver = 4;
                rec.src4 = 0x0a000000u + src * 7919u;
                rec.ip_len = 40;
                rec.dport = 23;
                refused += tt_rollup_add(r, &rec) != TT_OK;
                seen[rec.sensor][src] |= (uint8_t)(1 | (rec.proto == 6) << 1);
                day_seen[d][tt_class_of(rec.proto)][src] = 1;
                any_seen[src] = 1;
            }
            CHECK_EQ_U64(refused, 0);
            struct tt_buf b = {0};
            CHECK_EQ_U64(tt_rollup_encode(r, &b, 3, &err), TT_OK);
            CHECK_EQ_U64(tt_store_txn_write(t, TT_FILE_ROLLUP, DAY_A + d, &b, 0, NULL, &err),
                         TT_OK);
            tt_buf_free(&b);
            tt_rollup_free(r);
        }
    struct tt_input_info info;
    memset(&info, 0, sizeof info);
    info.path = "many sensors";
    CHECK_EQ_U64(tt_store_commit(t, &info, &err), TT_OK);
    for (int tcp = 0; tcp <= 1; tcp++) {
        struct tt_filter f = days(DAY_A, DAY_A + MANY_DAYS - 1);
        if (tcp)
            f.proto = 6;
        struct tt_stats st;
        CHECK_EQ_U64(tt_query_stats(s, &f, &st, &err), TT_OK);
        CHECK_EQ_U64(st.nsensors, MANY_SENSORS);
        size_t bad = 0;
        for (size_t i = 0; i < st.nsensors; i++) {
            uint64_t want = 0;
            for (int k = 0; k < MANY_SOURCES; k++)
                want += (seen[st.sensors[i].sensor][k] >> tcp) & 1;
            bad += st.sensors[i].uniq != want;
        }
        CHECK_EQ_U64(bad, 0);
        uint64_t want_all = 0;
        for (int k = 0; k < MANY_SOURCES; k++) {
            int hit = !tcp && any_seen[k];
            for (int sensor = 1; tcp && sensor <= MANY_SENSORS; sensor++)
                hit |= seen[sensor][k] >> 1 & 1;
            want_all += hit;
        }
        CHECK_EQ_U64(st.uniq_all, want_all);
        CHECK_EQ_U64(st.ndays, MANY_DAYS);
        for (size_t d = 0; d < st.ndays && d < MANY_DAYS; d++)
            for (int c = 0; c < TT_CLASS__COUNT; c++) {
                uint64_t want = 0;
                for (int k = 0; k < MANY_SOURCES; k++)
                    want += (!tcp || c == TT_CLASS_TCP) && day_seen[d][c][k];
                CHECK_EQ_U64(st.days[d].uniq[c], want);
            }
        tt_stats_free(&st);
    }
    tt_store_close(s);
}

TT_TESTS(test_stats, test_top_ports, test_series, test_raw, test_many_sensors)
