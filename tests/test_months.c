/* Month source tables (store/months.h): queries over whole months read
 * them, and must give exactly what the days give. A store of random
 * traffic over July 2021 and three days of August (some days in two files,
 * more sensors than a source tag has bits) is checked against counts kept
 * here, with the tables, without them, after another input makes July's
 * table stale, after its rebuild, and after a source turns up under a
 * second country (July then gets no table). */
#include <stdint.h>

#include "common/fileio.h"
#include "enrich/range.h"
#include "harness.h"
#include "query/query.h"
#include "store/months.h"
#include "store/rollup.h"
#include "store/store.h"

#define JULY 18809ll /* 2021-07-01 */
#define NDAYS 34     /* July and 2021-08-01..03 */
#define NSENSORS 70  /* more than the 60 sensor bits of a tag: two passes */
#define NSOURCES 2000
#define NEXTRA 16 /* sources the later inputs add */
#define NSRC (NSOURCES + NEXTRA)

static const uint16_t CCS[3] = {TT_CC('C', 'N'), TT_CC('U', 'S'), TT_CC('J', 'P')};

/* What the store holds, per source index. */
static uint8_t by_sensor[NDAYS][NSENSORS + 1][NSRC]; /* bit per class */
static uint8_t in_cc[NSRC][3];                       /* July: seen under CCS[k] */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t src_addr(int i)
{
    return 0x0b000000u + (uint32_t)i * 104729u;
}

static void count(const struct tt_record *r, int src, int cck)
{
    int64_t day = (int64_t)(r->ts_us / 86400000000ull) - JULY;
    uint8_t bit = (uint8_t)(1u << tt_class_of(r->proto));
    by_sensor[day][r->sensor][src] |= bit;
    if (day < 31)
        in_cc[src][cck] = 1;
}

static void record(struct tt_record *r, int64_t day, int src, int cck, uint16_t sensor,
                   uint8_t proto)
{
    memset(r, 0, sizeof *r);
    r->ts_us = (uint64_t)day * 86400000000ull + (uint64_t)(tt_test_rand(&rng) % 86400) * 1000000u;
    r->sensor = sensor;
    r->proto = proto;
    r->l4 = TT_L4_OK;
    r->ipver = 4;
    r->src4 = src_addr(src);
    r->ip_len = 40;
    r->dport = 23;
    r->cc = CCS[cck];
}

static void write_rollup(struct tt_store_txn *t, struct tt_rollup *r, int64_t day)
{
    struct tt_err err = {{0}};
    struct tt_buf b = {0};
    CHECK_EQ_U64(tt_rollup_encode(r, &b, 3, &err), TT_OK);
    CHECK_EQ_U64(tt_store_txn_write(t, TT_FILE_ROLLUP, day, &b, 0, NULL, &err), TT_OK);
    tt_buf_free(&b);
}

static void commit(struct tt_store_txn *t, const char *name)
{
    struct tt_err err = {{0}};
    struct tt_input_info info;
    memset(&info, 0, sizeof info);
    info.path = name;
    info.hash[0] = (uint8_t)name[0];
    info.hash[1] = (uint8_t)strlen(name);
    CHECK_EQ_U64(tt_store_commit(t, &info, &err), TT_OK);
}

static void build(struct tt_store *s)
{
    static const uint8_t protos[] = {6, 6, 17, 1};
    struct tt_err err = {{0}};
    struct tt_store_txn *t = NULL;
    CHECK_EQ_U64(tt_store_begin(s, &t, &err), TT_OK);
    size_t refused = 0;
    for (int64_t d = 0; d < NDAYS; d++)
        for (int file = 0; file < (d % 5 == 0 ? 2 : 1); file++) {
            struct tt_rollup *r = tt_rollup_new(JULY + d);
            for (int i = 0; i < 1500; i++) {
                struct tt_record rec;
                int src = (int)(tt_test_rand(&rng) % NSOURCES);
                record(&rec, JULY + d, src, src % 3, (uint16_t)(1 + tt_test_rand(&rng) % NSENSORS),
                       protos[i % 4]);
                refused += tt_rollup_add(r, &rec) != TT_OK;
                count(&rec, src, src % 3);
            }
            write_rollup(t, r, JULY + d);
            tt_rollup_free(r);
        }
    CHECK_EQ_U64(refused, 0);
    commit(t, "random traffic");
}

/* One more input: a day of July with the sources given, each under the
 * country index given. */
static void add_input(struct tt_store *s, const char *name, int64_t day, const int *srcs,
                      const int *ccks, int n)
{
    struct tt_err err = {{0}};
    struct tt_store_txn *t = NULL;
    CHECK_EQ_U64(tt_store_begin(s, &t, &err), TT_OK);
    struct tt_rollup *r = tt_rollup_new(JULY + day);
    for (int i = 0; i < n; i++) {
        struct tt_record rec;
        record(&rec, JULY + day, srcs[i], ccks[i], (uint16_t)(1 + i % NSENSORS), 6);
        CHECK_EQ_U64(tt_rollup_add(r, &rec), TT_OK);
        count(&rec, srcs[i], ccks[i]);
    }
    write_rollup(t, r, JULY + day);
    tt_rollup_free(r);
    commit(t, name);
}

static struct tt_filter range(int64_t first, int64_t last)
{
    struct tt_filter f;
    tt_filter_init(&f);
    f.from_us = (JULY + first) * 86400000000ll;
    f.to_us = (JULY + last + 1) * 86400000000ll;
    return f;
}

/* Stats over days [first, last] of the store, with a class mask and a
 * sensor (0: any), against the counts above. */
static void check_stats(struct tt_store *s, int64_t first, int64_t last, uint8_t classes,
                        int sensor)
{
    struct tt_err err = {{0}};
    struct tt_filter f = range(first, last);
    if (classes == 1u << TT_CLASS_TCP)
        f.proto = 6;
    if (sensor)
        f.sensor = sensor;
    struct tt_stats st;
    CHECK_EQ_U64(tt_query_stats(s, &f, &st, &err), TT_OK);
    uint64_t want_all = 0, bad_days = 0, bad_sensors = 0;
    int lo = sensor ? sensor : 1, hi = sensor ? sensor : NSENSORS;
    for (int src = 0; src < NSRC; src++) {
        uint8_t any = 0;
        for (int64_t d = first; d <= last; d++)
            for (int k = lo; k <= hi; k++)
                any |= by_sensor[d][k][src];
        want_all += (any & classes) != 0;
    }
    CHECK_EQ_U64(st.uniq_all, want_all);
    CHECK_EQ_U64(st.ndays, (uint64_t)(last - first + 1));
    for (size_t i = 0; i < st.ndays; i++) {
        int64_t d = st.days[i].day - JULY;
        uint64_t want[TT_CLASS__COUNT + 1] = {0};
        for (int src = 0; src < NSRC; src++) {
            uint8_t any = 0;
            for (int k = lo; k <= hi; k++)
                any |= by_sensor[d][k][src] & classes;
            for (int c = 0; c < TT_CLASS__COUNT; c++)
                want[c] += any >> c & 1;
            want[TT_CLASS__COUNT] += any != 0;
        }
        for (int c = 0; c <= TT_CLASS__COUNT; c++)
            bad_days += st.days[i].uniq[c] != want[c];
    }
    CHECK_EQ_U64(bad_days, 0);
    CHECK_EQ_U64(st.nsensors, sensor ? 1u : (uint64_t)NSENSORS);
    for (size_t i = 0; i < st.nsensors; i++) {
        uint64_t want = 0;
        for (int src = 0; src < NSRC; src++) {
            uint8_t any = 0;
            for (int64_t d = first; d <= last; d++)
                any |= by_sensor[d][st.sensors[i].sensor][src];
            want += (any & classes) != 0;
        }
        bad_sensors += st.sensors[i].uniq != want;
    }
    CHECK_EQ_U64(bad_sensors, 0);
    tt_stats_free(&st);
}

/* Top countries of July: each country's distinct sources. */
static void check_countries(struct tt_store *s)
{
    struct tt_err err = {{0}};
    struct tt_filter f = range(0, 30);
    struct tt_group_row *rows = NULL;
    size_t n = 0;
    uint64_t total = 0;
    CHECK_EQ_U64(tt_query_top_groups(s, &f, TT_GROUP_COUNTRY, f.from_us - 31 * 86400000000ll,
                                     f.from_us, 10, 1, &rows, &n, &total, &err),
                 TT_OK);
    CHECK_EQ_U64(n, 3);
    for (size_t i = 0; i < n; i++) {
        int k = rows[i].key == CCS[0] ? 0 : rows[i].key == CCS[1] ? 1 : 2;
        uint64_t want = 0;
        for (int src = 0; src < NSRC; src++)
            want += in_cc[src][k];
        CHECK_EQ_U64(rows[i].sources, want);
    }
    free(rows);
}

static void check_all(struct tt_store *s)
{
    check_stats(s, 0, NDAYS - 1, 0xf, 0);
    check_stats(s, 0, 30, 1u << TT_CLASS_TCP, 0);
    check_stats(s, 0, 30, 0xf, 7);
    check_countries(s);
}

static unsigned refresh(struct tt_store *s)
{
    struct tt_err err = {{0}};
    unsigned built = 99;
    CHECK_EQ_U64(tt_months_refresh(s, JULY, JULY + NDAYS - 1, 3, &built, &err), TT_OK);
    return built;
}

static int table_exists(struct tt_store *s, int64_t first, int64_t last)
{
    struct tt_err err = {{0}};
    struct tt_store_file *files = NULL;
    size_t n = 0;
    char rel[TT_PATH_MAX];
    int exists = 0;
    CHECK_EQ_U64(tt_store_files(s, TT_FILE_ROLLUP, first, last, &files, &n, &err), TT_OK);
    CHECK_EQ_U64(tt_month_table_lookup(s, first, files, n, rel, &exists), TT_OK);
    free(files);
    return exists;
}

static void test_month_boundaries(void)
{
    int64_t first, last;
    tt_month_of(JULY + 14, &first, &last);
    CHECK_EQ_U64((uint64_t)first, (uint64_t)JULY);
    CHECK_EQ_U64((uint64_t)last, (uint64_t)(JULY + 30));
    tt_month_of(18992, &first, &last); /* 2021-12-31 */
    CHECK_EQ_U64((uint64_t)first, 18962);
    CHECK_EQ_U64((uint64_t)last, 18992);
    tt_month_of(18686, &first, &last); /* 2021-02-28 */
    CHECK_EQ_U64((uint64_t)first, 18659);
    CHECK_EQ_U64((uint64_t)last, 18686);
}

static void test_months(void)
{
    char dir[512], months[600];
    snprintf(dir, sizeof dir, "%s/months", tt_test_tmpdir());
    snprintf(months, sizeof months, "%s/%s", dir, TT_MONTHS_DIR);
    struct tt_err err = {{0}};
    struct tt_store *s = NULL;
    CHECK_EQ_U64(tt_store_open(dir, TT_STORE_WRITE, &s, &err), TT_OK);
    if (!s)
        return;
    build(s);
    check_all(s); /* no tables yet: the days */
    CHECK_EQ_U64(refresh(s), 2);
    CHECK(table_exists(s, JULY, JULY + 30));
    CHECK_EQ_U64(refresh(s), 0); /* up to date */
    check_all(s);
    struct tt_store_totals tot;
    CHECK_EQ_U64(tt_store_totals(s, &tot, &err), TT_OK);
    CHECK(tot.month_bytes > 0);

    /* a later input of July: the table no longer answers, the days do */
    int srcs[NEXTRA / 2], ccks[NEXTRA / 2];
    for (int i = 0; i < NEXTRA / 2; i++) {
        srcs[i] = NSOURCES + i;
        ccks[i] = i % 3;
    }
    add_input(s, "later input", 9, srcs, ccks, NEXTRA / 2);
    CHECK(!table_exists(s, JULY, JULY + 30));
    check_all(s);
    CHECK_EQ_U64(refresh(s), 1); /* July again; August kept */
    CHECK(table_exists(s, JULY, JULY + 30));
    check_all(s);

    /* a source under a second country: July gets no table */
    int again[2] = {0, NSOURCES + NEXTRA / 2}, other[2] = {1, 0};
    add_input(s, "second country", 10, again, other, 2);
    CHECK_EQ_U64(refresh(s), 0);
    CHECK(!table_exists(s, JULY, JULY + 30));
    check_all(s);
    tt_store_close(s);
}

TT_TESTS(test_month_boundaries, test_months)
