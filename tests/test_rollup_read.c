/* A day's roll-up keeps its sources in the segments it names: read back,
 * they are the union of those segments' sources with their countries,
 * exactly the table the roll-up was built with; a missing, foreign or
 * mismatched segment is refused with a message naming it. Files that a
 * re-enrichment replaced stay readable for the grace period. */
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "harness.h"
#include "store/rollup.h"
#include "store/rollup_read.h"
#include "store/segment.h"
#include "store/store.h"

#define DAY0 18809ll /* 2021-07-01 */
#define US(day, sec) ((uint64_t)(day)*86400000000ull + (uint64_t)(sec)*1000000ull)
#define CC(a, b) ((uint16_t)((a) << 8 | (b)))
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static struct tt_record rec(int64_t day, unsigned sec, uint32_t src, uint16_t cc, uint8_t proto)
{
    struct tt_record r;
    memset(&r, 0, sizeof r);
    r.ts_us = US(day, sec);
    r.ipver = 4;
    r.sensor = 1;
    r.src4 = src;
    r.dst4 = IP(192, 0, 2, sec % 256);
    r.proto = proto;
    r.dport = 23;
    r.ip_hlen = 20;
    r.ip_len = 40;
    r.ttl = 50;
    r.cc = cc;
    return r;
}

static struct tt_record rec6(int64_t day, unsigned sec, uint8_t last)
{
    struct tt_record r = rec(day, sec, 0, 0, 58);
    r.ipver = 6;
    r.dst4 = 0;
    r.src6[0] = 0x20;
    r.src6[1] = 0x01;
    r.src6[2] = 0x0d;
    r.src6[3] = 0xb8;
    r.src6[15] = last;
    r.dst6[0] = 0x20;
    r.ip_hlen = 40;
    r.ip_len = 60;
    return r;
}

static char store_dir[600];

/* Writes recs as segment NAME of day into the store directory. */
static void put_segment(int64_t day, const char *name, const struct tt_record *recs, uint32_t n)
{
    static struct tt_sensors none;
    struct tt_err err = {{0}};
    struct tt_seg_encoder *enc = tt_seg_encoder_new(3);
    struct tt_buf b = {0};
    char dir[TT_PATH_MAX], path[TT_PATH_MAX];
    CHECK_EQ_U64(tt_seg_encode(enc, recs, n, day, &none, &b, &err), TT_OK);
    CHECK_EQ_U64(tt_store_file_path(dir, sizeof dir, store_dir, TT_FILE_SEGMENT, day, NULL), 0);
    CHECK_EQ_U64(tt_store_file_path(path, sizeof path, store_dir, TT_FILE_SEGMENT, day, name), 0);
    CHECK_EQ_U64(tt_mkdirs(dir, &err), TT_OK);
    CHECK_EQ_U64(tt_file_write_atomic(path, b.p, b.len, &err), TT_OK);
    tt_buf_free(&b);
    tt_seg_encoder_free(enc);
}

/* Two segments of one day (as two ingest workers write them, with one
 * source, 5.6.7.8, in both) and the roll-up of all their records naming
 * them, at roll/2021-07-01/day.ttr. Returns the roll-up as encoded. */
static struct tt_rollup *put_day(void)
{
    struct tt_record a[] = {rec(DAY0, 10, IP(1, 2, 3, 4), CC('J', 'P'), 6),
                            rec(DAY0, 20, IP(1, 2, 3, 4), CC('J', 'P'), 6),
                            rec(DAY0, 30, IP(5, 6, 7, 8), CC('U', 'S'), 17), rec6(DAY0, 40, 1)};
    struct tt_record b[] = {rec(DAY0, 50, IP(5, 6, 7, 8), CC('U', 'S'), 6),
                            rec(DAY0, 3700, IP(9, 9, 9, 9), CC('F', 'R'), 1), rec6(DAY0, 60, 2)};
    put_segment(DAY0, "tag-000000", a, 4);
    put_segment(DAY0, "tag-000001", b, 3);
    struct tt_rollup *r = tt_rollup_new(DAY0);
    for (size_t i = 0; i < 4; i++)
        CHECK_EQ_U64(tt_rollup_add(r, &a[i]), TT_OK);
    for (size_t i = 0; i < 3; i++)
        CHECK_EQ_U64(tt_rollup_add(r, &b[i]), TT_OK);
    CHECK_EQ_U64(tt_rollup_add_segment(r, "tag-000000"), TT_OK);
    CHECK_EQ_U64(tt_rollup_add_segment(r, "tag-000001"), TT_OK);
    struct tt_err err = {{0}};
    struct tt_buf out = {0};
    char dir[TT_PATH_MAX], path[TT_PATH_MAX];
    CHECK_EQ_U64(tt_rollup_encode(r, &out, 3, &err), TT_OK);
    CHECK_EQ_U64(tt_store_file_path(dir, sizeof dir, store_dir, TT_FILE_ROLLUP, DAY0, NULL), 0);
    CHECK_EQ_U64(tt_store_file_path(path, sizeof path, store_dir, TT_FILE_ROLLUP, DAY0, "day"), 0);
    CHECK_EQ_U64(tt_mkdirs(dir, &err), TT_OK);
    CHECK_EQ_U64(tt_file_write_atomic(path, out.p, out.len, &err), TT_OK);
    tt_buf_free(&out);
    return r;
}

static const char *ROLL = "roll/2021-07-01/day.ttr";

static void test_sources_from_segments(void)
{
    snprintf(store_dir, sizeof store_dir, "%s/union", tt_test_tmpdir());
    struct tt_rollup *built = put_day();
    struct tt_err err = {{0}};
    struct tt_rollup *r = NULL;
    CHECK_EQ_U64(tt_rollup_read(store_dir, ROLL, TT_RW_ALL, &r, &err), TT_OK);
    const struct tt_roll_sources *s = r ? tt_rollup_sources(r) : NULL;
    CHECK(s != NULL);
    if (!s)
        return;
    /* hand-counted: three IPv4 sources (5.6.7.8 once), two IPv6 */
    CHECK_EQ_U64(s->n4, 3);
    CHECK_EQ_U64(s->n6, 2);
    static const uint32_t want4[3] = {IP(1, 2, 3, 4), IP(5, 6, 7, 8), IP(9, 9, 9, 9)};
    static const uint16_t want_cc[5] = {CC('J', 'P'), CC('U', 'S'), CC('F', 'R'), 0, 0};
    for (size_t k = 0; k < 3 && k < s->n4; k++)
        CHECK_EQ_U64(s->v4[k], want4[k]);
    for (size_t k = 0; k < 5 && k < s->n4 + s->n6; k++)
        CHECK_EQ_U64(s->cc[k], want_cc[k]);
    CHECK(s->n6 == 2 && s->v6[15] == 1 && s->v6[31] == 2 && s->v6[16] == 0x20);
    /* the patterns read back are the ones built: 5.6.7.8 sent TCP and UDP */
    const struct tt_roll_sources *b = tt_rollup_sources(built);
    CHECK_EQ_U64(s->npatterns, b->npatterns);
    for (size_t k = 0; k < 5 && k < s->n4 + s->n6; k++)
        CHECK_EQ_U64(s->pattern[k], b->pattern[k]);
    CHECK(s->npatterns == b->npatterns && s->pattern[1] < s->npatterns &&
          s->pat_start[s->pattern[1] + 1] - s->pat_start[s->pattern[1]] == 2);
    const char(*names)[TT_ROLL_SEG_NAME_MAX] = NULL;
    CHECK_EQ_U64(tt_rollup_segments(r, &names), 2);
    CHECK(names && strcmp(names[0], "tag-000000") == 0 && strcmp(names[1], "tag-000001") == 0);
    tt_rollup_free(r);
    /* without countries: none read, the same addresses */
    CHECK_EQ_U64(tt_rollup_read(store_dir, ROLL, TT_RW_SETS | TT_RW_NO_CC, &r, &err), TT_OK);
    s = r ? tt_rollup_sources(r) : NULL;
    CHECK(s && s->cc == NULL && s->n4 == 3 && s->v4[2] == IP(9, 9, 9, 9));
    tt_rollup_free(r);
    tt_rollup_free(built);
}

/* Decoded from bytes alone, the sources stay in the segments: no table to
 * read by mistake, and a union refuses it. */
static void test_decode_leaves_sources(void)
{
    snprintf(store_dir, sizeof store_dir, "%s/pending", tt_test_tmpdir());
    struct tt_rollup *built = put_day();
    struct tt_buf out = {0};
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_rollup_encode(built, &out, 3, &err), TT_OK);
    struct tt_rollup *r = NULL, *u = tt_rollup_new(DAY0);
    CHECK_EQ_U64(tt_rollup_decode(out.p, out.len, "mem", TT_RW_SETS, &r, &err), TT_OK);
    CHECK(r && tt_rollup_sources(r) == NULL);
    CHECK_EQ_U64(tt_rollup_union_sources(u, &r, 1, 0), (uint64_t)TT_EINVAL);
    CHECK_EQ_U64(tt_rollup_load_sources(r, store_dir, "mem", 0, &err), TT_OK);
    CHECK(tt_rollup_sources(r) && tt_rollup_sources(r)->n4 == 3);
    tt_rollup_free(r);
    tt_rollup_free(u);
    tt_rollup_free(built);
    tt_buf_free(&out);
}

static void test_names(void)
{
    struct tt_rollup *r = tt_rollup_new(DAY0);
    char longest[TT_ROLL_SEG_NAME_MAX + 1];
    memset(longest, 'a', sizeof longest - 1);
    longest[sizeof longest - 1] = 0;
    CHECK_EQ_U64(tt_rollup_add_segment(r, "../../etc/passwd"), (uint64_t)TT_EINVAL);
    CHECK_EQ_U64(tt_rollup_add_segment(r, "a/b"), (uint64_t)TT_EINVAL);
    CHECK_EQ_U64(tt_rollup_add_segment(r, ""), (uint64_t)TT_EINVAL);
    CHECK_EQ_U64(tt_rollup_add_segment(r, longest), (uint64_t)TT_EINVAL);
    longest[TT_ROLL_SEG_NAME_MAX - 1] = 0;
    CHECK_EQ_U64(tt_rollup_add_segment(r, longest), TT_OK);
    CHECK_EQ_U64(tt_rollup_add_segment(r, "0123abcd-000017_x"), TT_OK);
    const char(*names)[TT_ROLL_SEG_NAME_MAX] = NULL;
    CHECK_EQ_U64(tt_rollup_segments(r, &names), 2);
    tt_rollup_free(r);
}

/* One source that filled many segments (a flood past the segment size):
 * the names are not bounded by the source count. */
static void test_many_segments(void)
{
    struct tt_rollup *r = tt_rollup_new(DAY0);
    struct tt_record one = rec(DAY0, 10, IP(1, 2, 3, 4), CC('J', 'P'), 6);
    CHECK_EQ_U64(tt_rollup_add(r, &one), TT_OK);
    for (int i = 0; i < 300; i++) {
        char name[TT_ROLL_SEG_NAME_MAX];
        snprintf(name, sizeof name, "0123456789abcdef-%06d", i);
        CHECK_EQ_U64(tt_rollup_add_segment(r, name), TT_OK);
    }
    struct tt_buf out = {0};
    struct tt_err err = {{0}};
    struct tt_rollup *d = NULL;
    CHECK_EQ_U64(tt_rollup_encode(r, &out, 3, &err), TT_OK);
    CHECK_EQ_U64(tt_rollup_decode(out.p, out.len, "mem", TT_RW_SETS, &d, &err), TT_OK);
    const char(*names)[TT_ROLL_SEG_NAME_MAX] = NULL;
    CHECK_EQ_U64(d ? tt_rollup_segments(d, &names) : 0, 300);
    CHECK(names && strcmp(names[299], "0123456789abcdef-000299") == 0);
    tt_rollup_free(d);
    tt_rollup_free(r);
    tt_buf_free(&out);
}

static int read_fails(const char *want_in_msg)
{
    struct tt_err err = {{0}};
    struct tt_rollup *r = NULL;
    int rc = tt_rollup_read(store_dir, ROLL, TT_RW_SETS, &r, &err);
    CHECK(r == NULL);
    CHECK(strstr(err.msg, want_in_msg) != NULL);
    if (!strstr(err.msg, want_in_msg))
        fprintf(stderr, "    message: %s\n", err.msg);
    /* the counters need no segment */
    CHECK_EQ_U64(tt_rollup_read(store_dir, ROLL, TT_RW_DAY | TT_RW_HOURS, &r, &err), TT_OK);
    tt_rollup_free(r);
    return rc;
}

static void test_refusals(void)
{
    snprintf(store_dir, sizeof store_dir, "%s/refuse", tt_test_tmpdir());
    tt_rollup_free(put_day());
    char path[TT_PATH_MAX];
    CHECK_EQ_U64(
        tt_store_file_path(path, sizeof path, store_dir, TT_FILE_SEGMENT, DAY0, "tag-000001"), 0);
    /* a segment gone */
    CHECK_EQ_U64(unlink(path), 0);
    CHECK(read_fails("seg/2021-07-01/tag-000001.tts") != TT_OK);
    /* a segment with a source the roll-up does not count */
    struct tt_record extra[] = {rec(DAY0, 50, IP(5, 6, 7, 8), CC('U', 'S'), 6),
                                rec(DAY0, 51, IP(7, 7, 7, 7), CC('U', 'S'), 6),
                                rec(DAY0, 3700, IP(9, 9, 9, 9), CC('F', 'R'), 1),
                                rec6(DAY0, 60, 2)};
    put_segment(DAY0, "tag-000001", extra, 4);
    CHECK_EQ_U64(read_fails("roll/2021-07-01/day.ttr: corrupt roll-up"), (uint64_t)TT_ECORRUPT);
    /* one source with two countries */
    struct tt_record twice[] = {rec(DAY0, 50, IP(5, 6, 7, 8), CC('D', 'E'), 6),
                                rec(DAY0, 3700, IP(9, 9, 9, 9), CC('F', 'R'), 1),
                                rec6(DAY0, 60, 2)};
    put_segment(DAY0, "tag-000001", twice, 3);
    CHECK_EQ_U64(read_fails("one country each"), (uint64_t)TT_ECORRUPT);
    /* a segment of another day under this day's name */
    struct tt_record other[] = {rec(DAY0 + 1, 50, IP(5, 6, 7, 8), CC('U', 'S'), 6),
                                rec(DAY0 + 1, 3700, IP(9, 9, 9, 9), CC('F', 'R'), 1),
                                rec6(DAY0 + 1, 60, 2)};
    put_segment(DAY0 + 1, "tag-000001", other, 3);
    char moved[TT_PATH_MAX];
    CHECK_EQ_U64(
        tt_store_file_path(moved, sizeof moved, store_dir, TT_FILE_SEGMENT, DAY0 + 1, "tag-000001"),
        0);
    CHECK_EQ_U64(rename(moved, path), 0);
    CHECK_EQ_U64(read_fails("is of another day"), (uint64_t)TT_ECORRUPT);
    /* not a segment at all */
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_file_write_atomic(path, "not a segment", 13, &err), TT_OK);
    CHECK(read_fails("tag-000001.tts") != TT_OK);
}

/* Commits one day (a segment and the roll-up naming it) in a transaction
 * on s: as a new input (old NULL), or in place of the files old. */
static void commit_day(struct tt_store *s, const struct tt_record *recs, uint32_t n,
                       const struct tt_input_info *info, int64_t input, struct tt_store_file *old,
                       size_t nold)
{
    static struct tt_sensors none;
    struct tt_err err = {{0}};
    struct tt_store_txn *t = NULL;
    struct tt_seg_encoder *enc = tt_seg_encoder_new(3);
    struct tt_buf b = {0};
    char name[TT_STORE_NAME_MAX];
    CHECK_EQ_U64(tt_store_begin(s, &t, &err), TT_OK);
    CHECK_EQ_U64(tt_seg_encode(enc, recs, n, DAY0, &none, &b, &err), TT_OK);
    CHECK_EQ_U64(tt_store_txn_write(t, TT_FILE_SEGMENT, DAY0, &b, n, name, &err), TT_OK);
    struct tt_rollup *r = tt_rollup_new(DAY0);
    for (uint32_t i = 0; i < n; i++)
        CHECK_EQ_U64(tt_rollup_add(r, &recs[i]), TT_OK);
    CHECK_EQ_U64(tt_rollup_add_segment(r, name), TT_OK);
    b.len = 0;
    CHECK_EQ_U64(tt_rollup_encode(r, &b, 3, &err), TT_OK);
    CHECK_EQ_U64(tt_store_txn_write(t, TT_FILE_ROLLUP, DAY0, &b, 0, NULL, &err), TT_OK);
    if (old)
        CHECK_EQ_U64(tt_store_commit_replace(t, input, DAY0, old, nold, 1, 1, &err), TT_OK);
    else
        CHECK_EQ_U64(tt_store_commit(t, info, &err), TT_OK);
    tt_rollup_free(r);
    tt_buf_free(&b);
    tt_seg_encoder_free(enc);
}

/* The day's files: segments, then roll-ups; returns how many. */
static size_t day_files(struct tt_store *s, struct tt_store_file out[4])
{
    struct tt_err err = {{0}};
    size_t n = 0;
    enum tt_file_kind kinds[2] = {TT_FILE_SEGMENT, TT_FILE_ROLLUP};
    for (int k = 0; k < 2; k++) {
        struct tt_store_file *f = NULL;
        size_t nf = 0;
        CHECK_EQ_U64(tt_store_files(s, kinds[k], DAY0, DAY0, &f, &nf, &err), TT_OK);
        for (size_t i = 0; i < nf && n < 4; i++)
            out[n++] = f[i];
        free(f);
    }
    return n;
}

static int exists(const char *rel)
{
    char path[TT_PATH_MAX];
    struct stat sb;
    return !tt_path(path, sizeof path, "%s/%s", store_dir, rel) && stat(path, &sb) == 0;
}

/* How many replaced files the catalog keeps, after moving their time back
 * by `age` seconds (0: only count). */
static long retired(long age)
{
    char path[TT_PATH_MAX], sql[96];
    sqlite3 *db = NULL;
    long n = -1;
    if (tt_path(path, sizeof path, "%s/catalog.sqlite", store_dir) ||
        sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    snprintf(sql, sizeof sql, "UPDATE retired SET at=at-%ld", age);
    sqlite3_stmt *st = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM retired", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* A query lists the day's roll-up, then a re-enrichment replaces the day
 * before the query reads it: the old roll-up and the segment it names
 * still read. A writer opening the store leaves them for the grace period
 * and removes them after it. */
static void test_replaced_files_stay(void)
{
    snprintf(store_dir, sizeof store_dir, "%s/replaced", tt_test_tmpdir());
    struct tt_err err = {{0}};
    struct tt_store *s = NULL;
    CHECK_EQ_U64(tt_store_open(store_dir, TT_STORE_WRITE, &s, &err), TT_OK);
    if (!s)
        return;
    struct tt_record recs[] = {rec(DAY0, 10, IP(1, 2, 3, 4), CC('J', 'P'), 6),
                               rec(DAY0, 20, IP(5, 6, 7, 8), CC('U', 'S'), 6)};
    struct tt_input_info info;
    memset(&info, 0, sizeof info);
    memset(info.hash, 0x5a, sizeof info.hash);
    info.path = "day.pcap";
    commit_day(s, recs, 2, &info, 0, NULL, 0);
    struct tt_store_file old[4], now[4];
    size_t nold = day_files(s, old);
    CHECK_EQ_U64(nold, 2);
    recs[1].cc = CC('D', 'E'); /* what a new country database says */
    commit_day(s, recs, 2, NULL, old[0].input_id, old, nold);
    CHECK_EQ_U64(day_files(s, now), 2);
    struct tt_rollup *r = NULL;
    CHECK_EQ_U64(tt_rollup_read(store_dir, old[1].path, TT_RW_ALL, &r, &err), TT_OK);
    const struct tt_roll_sources *src = r ? tt_rollup_sources(r) : NULL;
    CHECK(src && src->n4 == 2 && src->cc && src->cc[1] == CC('U', 'S'));
    tt_rollup_free(r);
    tt_store_close(s);
    CHECK_EQ_U64(tt_store_open(store_dir, TT_STORE_WRITE, &s, &err), TT_OK);
    tt_store_close(s);
    CHECK(exists(old[0].path) && exists(old[1].path));
    CHECK_EQ_U64(retired(0), 2);
    CHECK_EQ_U64(retired(TT_STORE_GRACE_S), 2);
    CHECK_EQ_U64(tt_store_open(store_dir, TT_STORE_WRITE, &s, &err), TT_OK);
    CHECK(!exists(old[0].path) && !exists(old[1].path));
    CHECK(exists(now[0].path) && exists(now[1].path));
    CHECK_EQ_U64(retired(0), 0);
    CHECK_EQ_U64(tt_store_swept(s), 2);
    r = NULL;
    CHECK_EQ_U64(tt_rollup_read(store_dir, now[1].path, TT_RW_ALL, &r, &err), TT_OK);
    src = r ? tt_rollup_sources(r) : NULL;
    CHECK(src && src->n4 == 2 && src->cc && src->cc[1] == CC('D', 'E'));
    tt_rollup_free(r);
    tt_store_close(s);
}

TT_TESTS(test_sources_from_segments, test_decode_leaves_sources, test_names, test_many_segments,
         test_refusals, test_replaced_files_stay)
