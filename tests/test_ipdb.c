/* Compiled IP databases: write/open/lookup round trips at every range edge,
 * AS names, content versions, damaged files refused (never a crash), and
 * the MaxMind DB import checked address by address against libmaxminddb. */
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/fileio.h"
#include "enrich/enrich.h"
#include "enrich/ipdb.h"
#include "harness.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

struct rnd {
    uint64_t s;
};

static uint32_t rnd_next(struct rnd *r)
{
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(r->s >> 32);
}

static void tmp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tt_test_tmpdir(), name);
}

/* The value for addr by a plain scan of a finalised set: the test's oracle. */
static uint32_t scan4(const struct tt_range_set *s, uint32_t addr)
{
    for (size_t i = 0; i < s->n4; i++)
        if (s->v4[i].lo <= addr && addr <= s->v4[i].hi)
            return s->v4[i].value;
    return 0;
}

static uint32_t scan6(const struct tt_range_set *s, const uint8_t a[16])
{
    for (size_t i = 0; i < s->n6; i++)
        if (memcmp(s->v6[i].lo, a, 16) <= 0 && memcmp(a, s->v6[i].hi, 16) <= 0)
            return s->v6[i].value;
    return 0;
}

static void add6(struct tt_range_set *s, const char *lo, const char *hi, uint32_t v)
{
    uint8_t l[16], h[16];
    CHECK(inet_pton(AF_INET6, lo, l) == 1 && inet_pton(AF_INET6, hi, h) == 1);
    CHECK_EQ_U64(tt_range_add6(s, l, h, v, 0, 1), 0);
}

/* A small hand-made set: edges at 0 and at the top, ranges that cross
 * index slots, a /32, a range spanning many slots; two IPv6 ranges; names. */
static void small_set(struct tt_range_set *s)
{
    static const uint32_t r[][3] = {
        {0, 255, TT_CC('Z', 'Z')},
        {IP4(1, 2, 3, 0), IP4(1, 2, 3, 255), TT_CC('A', 'U')},
        {IP4(1, 2, 4, 0), IP4(1, 2, 4, 0), TT_CC('J', 'P')},
        {IP4(1, 2, 4, 1), IP4(1, 2, 4, 1), TT_CC('U', 'S')},
        {IP4(9, 255, 255, 0), IP4(10, 0, 1, 255), TT_CC('D', 'E')},
        {IP4(10, 0, 2, 0), IP4(10, 0, 2, 0), TT_CC('F', 'R')},
        {IP4(20, 0, 0, 0), IP4(40, 255, 255, 255), TT_CC('U', 'S')},
        {IP4(41, 0, 0, 0), IP4(41, 0, 0, 0), TT_CC('Z', 'A')},
        {IP4(255, 255, 255, 0), UINT32_MAX, TT_CC('X', 'K')},
    };
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_range_add_file(s, "hand"), 0);
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        CHECK_EQ_U64(tt_range_add4(s, r[i][0], r[i][1], r[i][2], 0, (uint32_t)i + 1), 0);
    add6(s, "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", TT_CC('J', 'P'));
    add6(s, "ffff::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", TT_CC('E', 'U'));
    CHECK_EQ_U64(tt_range_add_name(s, 13335, "Cloudflare, Inc."), 0);
    CHECK_EQ_U64(tt_range_add_name(s, 2500, "WIDE"), 0);
    CHECK_EQ_U64(tt_range_finalize(s, NULL, NULL, NULL, &err), 0);
}

static struct tt_ipdb *write_open(const struct tt_range_set *s, const char *name,
                                  struct tt_ipdb_meta *m)
{
    char path[512];
    struct tt_err err = {{0}};
    struct tt_ipdb *db = NULL;
    tmp_path(path, sizeof path, name);
    int rc = tt_ipdb_write(path, s, m, &err);
    CHECK_EQ_U64(rc, 0);
    if (rc == 0)
        CHECK_EQ_U64(tt_ipdb_open(path, &db, &err), 0);
    if (!db)
        fprintf(stderr, "%s\n", err.msg);
    return db;
}

/* The same by a binary search over the set, for large sets. */
static uint32_t bsearch4(const struct tt_range_set *s, uint32_t a)
{
    size_t lo = 0, hi = s->n4;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->v4[mid].hi < a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n4 && s->v4[lo].lo <= a ? s->v4[lo].value : 0;
}

/* Whether a looked-up span is true of the set: it holds the address, and
 * every address in it maps to its value (one range covers it whole, or, for
 * value 0, no range meets it). */
static int span_ok(const struct tt_range_set *s, uint32_t a, const struct tt_ipdb_span *sp)
{
    if (sp->lo > a || sp->hi < a)
        return 0;
    size_t lo = 0, hi = s->n4; /* the first range with hi >= sp->lo */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->v4[mid].hi < sp->lo)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!sp->value)
        return lo == s->n4 || s->v4[lo].lo > sp->hi;
    return lo < s->n4 && s->v4[lo].lo <= sp->lo && s->v4[lo].hi >= sp->hi &&
           s->v4[lo].value == sp->value;
}

/* Lookups at and beside every range's ends, by value and by span; and the
 * enrichment cache's answers (its spans remembered from one lookup to the
 * next) the same, asked in (mostly) ascending order. */
static void check_edges4(const struct tt_ipdb *db, const struct tt_range_set *s, unsigned *bad)
{
    struct tt_enricher e = {.geo = (struct tt_ipdb *)db};
    struct tt_enrich_cache *c = malloc(sizeof *c);
    if (!c) {
        (*bad)++;
        return;
    }
    tt_enrich_cache_init(c);
    for (size_t i = 0; i < s->n4; i++) {
        uint32_t lo = s->v4[i].lo, hi = s->v4[i].hi;
        uint32_t probe[] = {lo - 1, lo, lo + 1, hi - 1, hi, hi + 1}; /* wrap is fine here */
        for (size_t k = 0; k < 6; k++) {
            uint32_t want = bsearch4(s, probe[k]);
            struct tt_ipdb_span sp;
            *bad += tt_ipdb_lookup4(db, probe[k]) != want;
            *bad += tt_ipdb_lookup4_span(db, probe[k], &sp) != want || sp.value != want;
            *bad += !span_ok(s, probe[k], &sp);
            struct tt_record r = {.ipver = 4, .src4 = probe[k]};
            tt_enrich_record(&e, c, &r);
            *bad += r.cc != want || r.asn != 0;
        }
    }
    free(c);
}

static void step6(uint8_t a[16], int up)
{
    for (int i = 15; i >= 0; i--) {
        a[i] = (uint8_t)(a[i] + (up ? 1 : -1));
        if (a[i] != (up ? 0 : 0xff))
            break;
    }
}

static void check_edges6(const struct tt_ipdb *db, const struct tt_range_set *s, unsigned *bad)
{
    for (size_t i = 0; i < s->n6; i++) {
        uint8_t p[4][16];
        memcpy(p[0], s->v6[i].lo, 16);
        step6(p[0], 0);
        memcpy(p[1], s->v6[i].lo, 16);
        memcpy(p[2], s->v6[i].hi, 16);
        memcpy(p[3], s->v6[i].hi, 16);
        step6(p[3], 1);
        for (int k = 0; k < 4; k++)
            *bad += tt_ipdb_lookup6(db, p[k]) != scan6(s, p[k]);
    }
}

static void test_roundtrip(void)
{
    struct tt_range_set s = {0};
    struct tt_ipdb_meta m = {.kind = TT_IPDB_COUNTRY, .built_at = 1760000000};
    small_set(&s);
    tt_strlcpy(m.source, "hand-made test set", sizeof m.source);
    tt_strlcpy(m.licence, "CC0", sizeof m.licence);
    tt_strlcpy(m.data_date, "2026-06-17", sizeof m.data_date);
    struct tt_ipdb *db = write_open(&s, "small.ttipdb", &m);
    if (!db)
        goto out;
    unsigned bad = 0;
    check_edges4(db, &s, &bad);
    check_edges6(db, &s, &bad);
    struct rnd g = {1};
    for (int i = 0; i < 100000; i++) { /* and by a plain scan, anywhere */
        uint32_t a = rnd_next(&g) >> (rnd_next(&g) % 32);
        bad += tt_ipdb_lookup4(db, a) != scan4(&s, a);
    }
    CHECK_EQ_U64(bad, 0);
    CHECK_EQ_U64(tt_ipdb_lookup4(db, IP4(1, 2, 4, 0)), TT_CC('J', 'P'));
    CHECK_EQ_U64(tt_ipdb_lookup4(db, IP4(10, 0, 0, 7)), TT_CC('D', 'E'));
    CHECK_EQ_U64(tt_ipdb_lookup4(db, IP4(30, 1, 2, 3)), TT_CC('U', 'S'));
    CHECK_EQ_U64(tt_ipdb_lookup4(db, IP4(41, 0, 0, 1)), 0);
    CHECK_EQ_U64(tt_ipdb_lookup4(db, UINT32_MAX), TT_CC('X', 'K'));
    CHECK_EQ_U64(tt_ipdb_lookup4(db, 0), TT_CC('Z', 'Z'));
    uint8_t a[16];
    inet_pton(AF_INET6, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", a);
    CHECK_EQ_U64(tt_ipdb_lookup6(db, a), 0);
    inet_pton(AF_INET6, "2001:db8::", a);
    CHECK_EQ_U64(tt_ipdb_lookup6(db, a), TT_CC('J', 'P'));
    inet_pton(AF_INET6, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", a);
    CHECK_EQ_U64(tt_ipdb_lookup6(db, a), TT_CC('J', 'P'));
    inet_pton(AF_INET6, "2001:db9::", a);
    CHECK_EQ_U64(tt_ipdb_lookup6(db, a), 0);
    memset(a, 0xff, 16);
    CHECK_EQ_U64(tt_ipdb_lookup6(db, a), TT_CC('E', 'U'));
    CHECK_EQ_STR(tt_ipdb_asname(db, 13335), "Cloudflare, Inc.");
    CHECK_EQ_STR(tt_ipdb_asname(db, 2500), "WIDE");
    CHECK(tt_ipdb_asname(db, 2501) == NULL && tt_ipdb_asname(db, 0) == NULL);
    const struct tt_ipdb_meta *got = tt_ipdb_meta(db);
    uint64_t addr = 0;
    for (size_t i = 0; i < s.n4; i++)
        addr += (uint64_t)s.v4[i].hi - s.v4[i].lo + 1;
    CHECK_EQ_U64(got->kind, TT_IPDB_COUNTRY);
    CHECK_EQ_STR(got->source, "hand-made test set");
    CHECK_EQ_STR(got->licence, "CC0");
    CHECK_EQ_STR(got->data_date, "2026-06-17");
    CHECK_EQ_U64(got->built_at, 1760000000);
    CHECK_EQ_U64(got->n4, s.n4);
    CHECK_EQ_U64(got->n6, 2);
    CHECK_EQ_U64(got->nnames, 2);
    CHECK_EQ_U64(got->addresses4, addr);
    CHECK_EQ_U64(m.addresses4, addr);
    CHECK(got->version == m.version && m.version != 0);
    /* the version is the content: other texts, same version; other data, another */
    struct tt_ipdb_meta m2 = {.kind = TT_IPDB_COUNTRY};
    tt_strlcpy(m2.source, "something else", sizeof m2.source);
    struct tt_ipdb *db2 = write_open(&s, "small2.ttipdb", &m2);
    CHECK(m2.version == m.version && m2.built_at != 0);
    tt_ipdb_close(db2);
    s.v4[1].value = TT_CC('N', 'Z');
    db2 = write_open(&s, "small3.ttipdb", &m2);
    CHECK(m2.version != m.version);
    tt_ipdb_close(db2);
    tt_ipdb_close(db);
out:
    tt_range_set_free(&s);
}

/* One range inside one index slot, nothing after it. */
static void test_single(void)
{
    struct tt_range_set s = {0};
    struct tt_ipdb_meta m = {.kind = TT_IPDB_ASN};
    tt_range_add_file(&s, "one");
    CHECK_EQ_U64(tt_range_add4(&s, IP4(200, 0, 0, 5), IP4(200, 0, 0, 10), 64500, 0, 1), 0);
    struct tt_ipdb *db = write_open(&s, "single.ttipdb", &m);
    if (db) {
        CHECK_EQ_U64(tt_ipdb_lookup4(db, IP4(200, 0, 0, 4)), 0);
        CHECK_EQ_U64(tt_ipdb_lookup4(db, IP4(200, 0, 0, 5)), 64500);
        CHECK_EQ_U64(tt_ipdb_lookup4(db, IP4(200, 0, 0, 10)), 64500);
        CHECK_EQ_U64(tt_ipdb_lookup4(db, IP4(200, 0, 0, 11)), 0);
        CHECK_EQ_U64(tt_ipdb_lookup4(db, IP4(200, 0, 255, 255)), 0);
        CHECK_EQ_U64(tt_ipdb_lookup4(db, 0), 0);
        CHECK_EQ_U64(tt_ipdb_lookup4(db, UINT32_MAX), 0);
        uint8_t a[16] = {0};
        CHECK_EQ_U64(tt_ipdb_lookup6(db, a), 0);
        CHECK(tt_ipdb_asname(db, 64500) == NULL);
    }
    tt_ipdb_close(db);
    tt_range_set_free(&s);
    /* and an empty database */
    tt_range_add_file(&s, "none");
    db = write_open(&s, "empty.ttipdb", &m);
    CHECK(db && tt_ipdb_lookup4(db, IP4(1, 2, 3, 4)) == 0 && tt_ipdb_meta(db)->n4 == 0);
    tt_ipdb_close(db);
    tt_range_set_free(&s);
}

/* 200,000 random ranges, 1,000,000 random lookups. */
static void test_random_lookups(void)
{
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    struct rnd g = {99};
    tt_range_add_file(&s, "rnd");
    for (uint32_t i = 0; i < 200000; i++) {
        uint32_t lo = rnd_next(&g), len = 1 + rnd_next(&g) % (1u << (rnd_next(&g) % 24));
        uint32_t hi = lo > UINT32_MAX - len ? UINT32_MAX : lo + len - 1;
        tt_range_add4(&s, lo, hi, 1 + rnd_next(&g) % 1000, 0, i + 1);
    }
    CHECK_EQ_U64(tt_range_finalize(&s, NULL, NULL, NULL, &err), 0);
    struct tt_ipdb_meta m = {.kind = TT_IPDB_ASN};
    struct tt_ipdb *db = write_open(&s, "random.ttipdb", &m);
    if (db) {
        unsigned bad = 0;
        for (int i = 0; i < 1000000; i++) {
            uint32_t a = rnd_next(&g);
            bad += tt_ipdb_lookup4(db, a) != bsearch4(&s, a);
        }
        check_edges4(db, &s, &bad);
        CHECK_EQ_U64(bad, 0);
    }
    tt_ipdb_close(db);
    tt_range_set_free(&s);
}

/* A refusal must be one of the three codes and name the file. */
static int refused(int rc, const struct tt_ipdb *db, const struct tt_err *err, const char *name)
{
    return db == NULL && (rc == TT_ECORRUPT || rc == TT_EFORMAT || rc == TT_EVERSION) &&
           strstr(err->msg, name) != NULL;
}

static void test_damaged(void)
{
    struct tt_range_set s = {0};
    struct tt_ipdb_meta m = {.kind = TT_IPDB_ASN};
    struct tt_err err = {{0}};
    char path[512], bad_path[512];
    uint8_t *data = NULL;
    size_t len = 0;
    small_set(&s);
    tmp_path(path, sizeof path, "good.ttipdb");
    tmp_path(bad_path, sizeof bad_path, "damaged.ttipdb");
    CHECK_EQ_U64(tt_ipdb_write(path, &s, &m, &err), 0);
    CHECK_EQ_U64(tt_file_read(path, 1 << 20, &data, &len, &err), 0);
    if (!data)
        goto out;
    struct tt_ipdb *db = NULL;
    CHECK_EQ_U64(tt_ipdb_open_mem(data, len, "good", &db, &err), 0);
    tt_ipdb_close(db);
    unsigned bad = 0;
    for (size_t i = 0; i < len; i++) { /* every byte, two different flips */
        for (int f = 0; f < 2; f++) {
            data[i] ^= f ? 0x80 : 0x01;
            int rc = tt_ipdb_open_mem(data, len, "flipped.db", &db, &err);
            bad += !refused(rc, db, &err, "flipped.db");
            tt_ipdb_close(db);
            data[i] ^= f ? 0x80 : 0x01;
        }
    }
    CHECK_EQ_U64(bad, 0);
    size_t cuts[] = {0, 1, 7, 8, 9, 100, 127, 128, 135, 136, len / 2, len - 8, len - 1};
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        CHECK_EQ_U64(tt_file_write_atomic(bad_path, data, cuts[k], &err), 0);
        int rc = tt_ipdb_open(bad_path, &db, &err);
        CHECK(refused(rc, db, &err, bad_path));
        tt_ipdb_close(db);
    }
    /* one byte appended, bad magic, a future format version */
    uint8_t *longer = calloc(1, len + 1);
    if (longer) {
        memcpy(longer, data, len);
        int rc = tt_ipdb_open_mem(longer, len + 1, "longer.db", &db, &err);
        CHECK(refused(rc, db, &err, "longer.db"));
        free(longer);
    }
    data[0] = 'X';
    CHECK_EQ_U64(tt_file_write_atomic(bad_path, data, len, &err), 0);
    CHECK_EQ_U64(tt_ipdb_open(bad_path, &db, &err), TT_EFORMAT);
    CHECK(strstr(err.msg, bad_path) != NULL);
    data[0] = 'T';
    data[8] = 2;
    CHECK_EQ_U64(tt_ipdb_open_mem(data, len, "future.db", &db, &err), TT_EVERSION);
    CHECK(strstr(err.msg, "future.db") != NULL);
    tmp_path(bad_path, sizeof bad_path, "missing.ttipdb");
    CHECK_EQ_U64(tt_ipdb_open(bad_path, &db, &err), TT_ENOTFOUND);
    /* a set that was not finalised is refused by the writer */
    struct tt_range_set raw = {0};
    tt_range_add_file(&raw, "raw");
    tt_range_add4(&raw, 10, 20, 1, 0, 1);
    tt_range_add4(&raw, 15, 30, 2, 0, 2);
    CHECK_EQ_U64(tt_ipdb_write(path, &raw, &m, &err), TT_EINVAL);
    tt_range_set_free(&raw);
out:
    free(data);
    tt_range_set_free(&s);
}

/* --- MaxMind DB import, checked against libmaxminddb itself. --- */

static uint32_t mmdb_cc(const MMDB_s *mm, const struct sockaddr *sa)
{
    int merr = 0;
    MMDB_lookup_result_s res = MMDB_lookup_sockaddr(mm, sa, &merr);
    MMDB_entry_data_s d;
    if (merr != MMDB_SUCCESS || !res.found_entry ||
        MMDB_get_value(&res.entry, &d, "country_code", NULL) != MMDB_SUCCESS || !d.has_data ||
        d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size != 2)
        return 0;
    return TT_CC(d.utf8_string[0], d.utf8_string[1]);
}

static uint32_t mmdb_cc4(const MMDB_s *mm, uint32_t a)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    sin.sin_addr.s_addr = htonl(a);
    return mmdb_cc(mm, (const struct sockaddr *)&sin);
}

static struct tt_ipdb *import(const char *file, const char *out, struct tt_range_set *s)
{
    char path[512];
    struct tt_err err = {{0}};
    uint64_t conflicts = 99;
    snprintf(path, sizeof path, "%s/geo/%s", tt_test_shared(), file);
    int rc = tt_ipdb_from_mmdb(path, TT_IPDB_COUNTRY, s, &err);
    CHECK_EQ_U64(rc, 0);
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        return NULL;
    }
    CHECK_EQ_U64(tt_range_finalize(s, NULL, NULL, &conflicts, &err), 0);
    CHECK_EQ_U64(conflicts, 0); /* a search tree cannot overlap itself */
    struct tt_ipdb_meta m = {.kind = TT_IPDB_COUNTRY};
    snprintf(m.source, sizeof m.source, "mmdb %s", file);
    return write_open(s, out, &m);
}

static void check_mmdb4(const char *file, int expect_v6)
{
    struct tt_range_set s = {0};
    MMDB_s mm;
    char path[512];
    snprintf(path, sizeof path, "%s/geo/%s", tt_test_shared(), file);
    CHECK_EQ_U64(MMDB_open(path, MMDB_MODE_MMAP, &mm), MMDB_SUCCESS);
    struct tt_ipdb *db = import(file, "geo.ttipdb", &s);
    if (!db)
        goto out;
    static const struct {
        uint32_t a;
        const char cc[3];
    } known[] = {
        {IP4(1, 1, 1, 1), "AU"},      {IP4(8, 8, 8, 8), "US"},         {IP4(133, 11, 0, 1), "JP"},
        {IP4(202, 12, 27, 33), "JP"}, {IP4(114, 114, 114, 114), "CN"}, {IP4(77, 88, 8, 8), "RU"},
        {IP4(41, 0, 0, 1), "ZA"},     {IP4(200, 160, 0, 1), "BR"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        CHECK_EQ_U64(tt_ipdb_lookup4(db, known[i].a), TT_CC(known[i].cc[0], known[i].cc[1]));
    struct rnd g = {2026};
    unsigned bad = 0, mapped = 0;
    for (int i = 0; i < 100000; i++) {
        uint32_t a = rnd_next(&g), want = mmdb_cc4(&mm, a);
        bad += tt_ipdb_lookup4(db, a) != want;
        mapped += want != 0;
    }
    check_edges4(db, &s, &bad);
    CHECK_EQ_U64(bad, 0);
    CHECK(mapped > 50000); /* most of the space is allocated: the test compares real answers */
    CHECK(expect_v6 ? tt_ipdb_meta(db)->n6 > 1000 : tt_ipdb_meta(db)->n6 == 0);
    tt_ipdb_close(db);
out:
    MMDB_close(&mm);
    tt_range_set_free(&s);
}

static void test_mmdb_ipv4_tree(void)
{
    check_mmdb4("geo-whois-asn-country-ipv4.mmdb", 0);
}

static void test_mmdb_ipv6_tree(void)
{
    check_mmdb4("geo-whois-asn-country.mmdb", 1);
}

static void test_mmdb_ipv6_ranges(void)
{
    struct tt_range_set s = {0};
    MMDB_s mm;
    char path[512];
    snprintf(path, sizeof path, "%s/geo/geo-whois-asn-country.mmdb", tt_test_shared());
    CHECK_EQ_U64(MMDB_open(path, MMDB_MODE_MMAP, &mm), MMDB_SUCCESS);
    struct tt_ipdb *db = import("geo-whois-asn-country.mmdb", "geo6.ttipdb", &s);
    if (!db)
        goto out;
    struct rnd g = {6};
    unsigned bad = 0, mapped = 0;
    for (int i = 0; i < 5000; i++) {
        struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
        uint8_t *a = sin6.sin6_addr.s6_addr;
        for (int k = 0; k < 16; k += 4) {
            uint32_t r = rnd_next(&g);
            memcpy(a + k, &r, 4);
        }
        a[0] = (uint8_t)(0x20 | (a[0] & 0x1f)); /* 2000::/3 */
        if (i % 2 && s.n6) { /* half inside a stored range, whose low bits are random */
            const struct tt_range6 *r = &s.v6[rnd_next(&g) % s.n6];
            memcpy(a, r->lo, 8);
            if (memcmp(a, r->lo, 16) < 0 || memcmp(a, r->hi, 16) > 0)
                memcpy(a, r->hi, 16);
        }
        uint32_t want = mmdb_cc(&mm, (const struct sockaddr *)&sin6);
        bad += tt_ipdb_lookup6(db, a) != want;
        mapped += want != 0;
    }
    CHECK_EQ_U64(bad, 0);
    CHECK(mapped > 2000);
    /* the IPv4 aliases are not listed as IPv6 ranges */
    uint8_t v6[16];
    inet_pton(AF_INET6, "::ffff:1.1.1.1", v6);
    CHECK_EQ_U64(tt_ipdb_lookup6(db, v6), 0);
    inet_pton(AF_INET6, "2002:101:101::", v6);
    CHECK_EQ_U64(tt_ipdb_lookup6(db, v6), 0);
    inet_pton(AF_INET6, "::1.1.1.1", v6);
    CHECK_EQ_U64(tt_ipdb_lookup6(db, v6), 0);
    CHECK_EQ_U64(mmdb_cc4(&mm, IP4(1, 1, 1, 1)), TT_CC('A', 'U')); /* ... which the alias had */
    tt_ipdb_close(db);
out:
    MMDB_close(&mm);
    tt_range_set_free(&s);
}

TT_TESTS(test_roundtrip, test_single, test_random_lookups, test_damaged, test_mmdb_ipv4_tree,
         test_mmdb_ipv6_tree, test_mmdb_ipv6_ranges)
