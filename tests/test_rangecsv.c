/* Range CSV (country and AS tables) and prefix-to-AS parsers: row counts
 * and per-country totals of the shared ip-location-db files against a
 * second, simple reading (gzgets + strchr); known rows exact (quoted names
 * with commas and doubled quotes); the finalised table covers exactly the
 * union of the raw ranges and resolves the documented nested DE/BE case;
 * header or not; bad rows refused with exact file:line messages; pfx2as in
 * both layouts (CAIDA, pyasn), multi-origin, and the pyasn RIB file. */
#include "enrich/range.h"
#include "harness.h"
#include "range_util.h"

#include <arpa/inet.h>
#include <zlib.h>

#define GEO_CSV "geo/geo-whois-asn-country-ipv4.csv.gz"
#define ASN_CSV "asn/ip-location-db-asn-ipv4.csv.gz"
#define PYASN "asn/pyasn-ipasn_20140513.dat.gz"

/* Value at addr in a finalised (sorted, disjoint) table; 0 = none. */
static uint32_t lookup4(const struct tt_range_set *s, uint32_t addr)
{
    size_t lo = 0, hi = s->n4;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v4[mid].hi < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n4 && s->v4[lo].lo <= addr ? s->v4[lo].value : 0;
}

/* The last name given to asn (names are unsorted before finalise). */
static const char *name_of(const struct tt_range_set *s, uint32_t asn)
{
    const char *n = NULL;
    for (size_t i = 0; i < s->nnames; i++)
        if (s->names[i].asn == asn)
            n = s->names[i].name;
    return n;
}

/* ---- the second reading of the country CSV: gzgets, strchr on ',' ---- */

struct iv {
    uint32_t lo, hi;
};

static int iv_cmp(const void *a, const void *b)
{
    const struct iv *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

#define CCS 6
static const char *const ccs[CCS] = {"DE", "BE", "JP", "US", "BR", "ZA"};

struct geo_simple {
    uint64_t rows, quoted, total[CCS], uni, overlaps;
};

static void geo_simple(const char *path, struct geo_simple *g)
{
    static struct iv ivs[400000];
    size_t n = 0;
    char line[512];
    memset(g, 0, sizeof *g);
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return;
    while (gzgets(gz, line, sizeof line)) {
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (!c2)
            continue;
        *c1 = *c2 = '\0';
        g->rows++;
        g->quoted += strchr(c2 + 1, '"') != NULL;
        uint32_t lo = ip4(line), hi = ip4(c1 + 1);
        for (int i = 0; i < CCS; i++)
            if (strncmp(c2 + 1, ccs[i], 2) == 0)
                g->total[i] += (uint64_t)hi - lo + 1;
        if (n < sizeof ivs / sizeof ivs[0])
            ivs[n++] = (struct iv){lo, hi};
    }
    gzclose(gz);
    qsort(ivs, n, sizeof ivs[0], iv_cmp);
    uint64_t end = 0; /* one past the highest address covered so far */
    for (size_t i = 0; i < n; i++) {
        uint64_t lo = ivs[i].lo, hi1 = (uint64_t)ivs[i].hi + 1;
        if (i && lo < end)
            g->overlaps++;
        if (hi1 > end) {
            g->uni += hi1 - (lo > end ? lo : end);
            end = hi1;
        }
    }
}

static void test_geo_country(void)
{
    char path[1024];
    shared_path(path, sizeof path, GEO_CSV);
    struct geo_simple g;
    geo_simple(path, &g);
    CHECK_EQ_U64(g.rows, 334373); /* the data README's count */
    CHECK_EQ_U64(g.quoted, 0);
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    int rc = tt_rangecsv_parse_country(path, &s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    CHECK_EQ_U64(rc, TT_OK);
    CHECK_EQ_U64(s.n4, g.rows);
    CHECK_EQ_U64(s.n6 + s.skipped, 0);
    for (int i = 0; i < CCS; i++) { /* before finalise: every row as added */
        CHECK(g.total[i] > 0);
        CHECK_EQ_U64(sum4(&s, TT_CC(ccs[i][0], ccs[i][1])), g.total[i]);
    }
    const struct tt_range4 *r = find4_line(&s, 762);
    CHECK(r && r->lo == ip4("2.58.197.15") && r->hi == r->lo && r->value == TT_CC('B', 'E'));
    uint64_t conflicts = 0;
    CHECK_EQ_U64(tt_range_finalize(&s, NULL, NULL, &conflicts, &err), TT_OK);
    printf("%s: %" PRIu64 " rows overlap an earlier one (simple reading; README: 568), %" PRIu64
           " conflicts reported\n",
           GEO_CSV, g.overlaps, conflicts);
    CHECK(g.overlaps > 0 && conflicts > 0);
    /* after finalise: exactly the union of the rows, disjoint and sorted */
    uint64_t covered = 0;
    int sorted = 1;
    for (size_t i = 0; i < s.n4; i++) {
        covered += (uint64_t)s.v4[i].hi - s.v4[i].lo + 1;
        if (i && s.v4[i].lo <= s.v4[i - 1].hi)
            sorted = 0;
    }
    CHECK(sorted);
    CHECK_EQ_U64(covered, g.uni);
    /* the nested case: the narrower BE row wins inside the DE range */
    CHECK_EQ_U64(lookup4(&s, ip4("2.58.197.15")), TT_CC('B', 'E'));
    CHECK_EQ_U64(lookup4(&s, ip4("2.58.197.14")), TT_CC('D', 'E'));
    CHECK_EQ_U64(lookup4(&s, ip4("2.58.197.16")), TT_CC('D', 'E'));
    CHECK_EQ_U64(lookup4(&s, ip4("2.58.196.0")), TT_CC('D', 'E'));
    CHECK_EQ_U64(lookup4(&s, ip4("1.1.1.1")), TT_CC('A', 'U'));
    CHECK_EQ_U64(lookup4(&s, ip4("41.0.0.1")), TT_CC('Z', 'A'));
    tt_range_set_free(&s);
}

static uint64_t count_lines(const char *path, char skip)
{
    char line[2048];
    uint64_t n = 0;
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return 0;
    while (gzgets(gz, line, sizeof line))
        n += line[0] != skip && line[0] != '\n';
    gzclose(gz);
    return n;
}

static void test_geo_asn(void)
{
    char path[1024];
    shared_path(path, sizeof path, ASN_CSV);
    uint64_t rows = count_lines(path, '\0');
    CHECK_EQ_U64(rows, 411961);
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_rangecsv_parse_asn(path, &s, &err), TT_OK);
    CHECK_EQ_U64(s.n4 + s.skipped, rows);
    static const struct {
        uint32_t line;
        const char *lo, *hi;
        uint32_t asn;
        const char *name;
    } want[] = {
        {1, "1.0.0.0", "1.0.0.255", 13335, "Cloudflare, Inc."},
        {2, "1.0.4.0", "1.0.7.255", 38803, "Gtelecom Pty Ltd"},
        {4, "1.0.64.0", "1.0.127.255", 18144, "Enecom,Inc."},
        {1008, "2.26.200.0", "2.26.215.255", 201907, "LLC \"SPUTNIK\""},
        {5321, "8.8.8.0", "8.8.8.255", 15169, "Google LLC"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct tt_range4 *r = find4_line(&s, want[i].line);
        CHECK(r && r->lo == ip4(want[i].lo) && r->hi == ip4(want[i].hi) && r->value == want[i].asn);
        CHECK_EQ_STR(name_of(&s, want[i].asn), want[i].name);
    }
    uint64_t conflicts = 0;
    CHECK_EQ_U64(tt_range_finalize(&s, NULL, NULL, &conflicts, &err), TT_OK);
    CHECK_EQ_U64(lookup4(&s, ip4("1.1.1.1")), 13335);
    CHECK_EQ_U64(lookup4(&s, ip4("8.8.8.8")), 15169);
    tt_range_set_free(&s);
}

static int csv_country(const char *text, struct tt_range_set *s, struct tt_err *err)
{
    return tt_rangecsv_parse_country_mem(text, strlen(text), "c.csv", s, err);
}

static int csv_asn(const char *text, struct tt_range_set *s, struct tt_err *err)
{
    return tt_rangecsv_parse_asn_mem(text, strlen(text), "a.csv", s, err);
}

static void test_header(void)
{
    static const char *const texts[] = {
        "192.0.2.0,192.0.2.255,jp\n2001:db8::,2001:db8::ffff,US\n",
        "start_ip,end_ip,country_code\n192.0.2.0,192.0.2.255,JP\n2001:db8::,2001:db8::ffff,US\n",
        "network,country\n192.0.2.0,192.0.2.255,JP\r\n\n2001:db8::,2001:db8::ffff,US",
    };
    for (size_t i = 0; i < 3; i++) {
        struct tt_range_set s = {0};
        struct tt_err err = {{0}};
        CHECK_EQ_U64(csv_country(texts[i], &s, &err), TT_OK);
        CHECK(s.n4 == 1 && s.v4[0].lo == ip4("192.0.2.0") && s.v4[0].hi == ip4("192.0.2.255") &&
              s.v4[0].value == TT_CC('J', 'P') && s.v4[0].line == (i ? 2u : 1u));
        uint8_t lo[16], hi[16];
        inet_pton(AF_INET6, "2001:db8::", lo);
        inet_pton(AF_INET6, "2001:db8::ffff", hi);
        CHECK(s.n6 == 1 && memcmp(s.v6[0].lo, lo, 16) == 0 && memcmp(s.v6[0].hi, hi, 16) == 0 &&
              s.v6[0].value == TT_CC('U', 'S') &&
              s.v6[0].line == (i == 2 ? 4u
                               : i    ? 3u
                                      : 2u));
        tt_range_set_free(&s);
    }
}

static void test_asn_rows(void)
{
    /* a quoted name across two lines: the next row still knows its line */
    const char *text = "start,end,asn,name\n"
                       "10.0.0.0,10.0.0.255,64500,\"Two\nLines, Ltd\"\n"
                       "10.0.1.0 , 10.0.1.255 , 64501\n"
                       "10.0.2.0,10.0.2.255,0,Not routed\n"
                       "10.0.3.0,10.0.3.255,4294967295,\"\"\n"
                       "10.0.4.0,10.0.4.255,64500,Renamed\n";
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    CHECK_EQ_U64(csv_asn(text, &s, &err), TT_OK);
    CHECK_EQ_U64(s.n4, 4);
    CHECK_EQ_U64(s.skipped, 1);
    CHECK(s.n4 == 4 && s.v4[0].line == 2 && s.v4[0].value == 64500);
    CHECK(s.n4 == 4 && s.v4[1].line == 4 && s.v4[1].value == 64501 &&
          s.v4[1].lo == ip4("10.0.1.0"));
    CHECK(s.n4 == 4 && s.v4[2].line == 6 && s.v4[2].value == 4294967295u);
    CHECK(s.n4 == 4 && s.v4[3].line == 7);
    CHECK_EQ_STR(name_of(&s, 64500), "Renamed"); /* the later name wins */
    CHECK(name_of(&s, 64501) == NULL && name_of(&s, 4294967295u) == NULL);
    CHECK_EQ_U64(tt_range_finalize(&s, NULL, NULL, NULL, &err), TT_OK);
    CHECK_EQ_STR(name_of(&s, 64500), "Renamed");
    tt_range_set_free(&s);
}

static void test_csv_refused(void)
{
    static const struct {
        int asn;
        const char *text, *msg;
    } bad[] = {
        {0, "192.0.2.0,192.0.2.255\n", "c.csv:1: 2 fields, want start_ip,end_ip,cc"},
        {0, "192.0.2.0,192.0.2.255,JP,x\n", "c.csv:1: 4 fields, want start_ip,end_ip,cc"},
        {0, "192.0.2.0,192.0.2.255,JP\n192.0.2.x,192.0.3.0,JP\n",
         "c.csv:2: bad address '192.0.2.x'"},
        {0, "192.0.2.0,192.0.2.255,JP\n192.0.3.0,,JP\n", "c.csv:2: bad address ''"},
        {0, "192.0.2.9,192.0.2.8,JP\n", "c.csv:1: 192.0.2.9-192.0.2.8 is not a range"},
        {0, "192.0.2.0,2001:db8::,JP\n", "c.csv:1: 192.0.2.0-2001:db8:: is not a range"},
        {0, "192.0.2.0,192.0.2.255,JPN\n", "c.csv:1: bad country code 'JPN'"},
        {0, "192.0.2.0,192.0.2.255,J1\n", "c.csv:1: bad country code 'J1'"},
        {0, "h,h,h\n\n192.0.2.0,192.0.2.255,JP\nh,h,h\n", "c.csv:4: bad address 'h'"},
        {0, "192.0.2.0,192.0.2.255,\"JP\n",
         "c.csv:1: quoted field not closed at the end of the file"},
        {0, "192.0.2.0,192.0.2.255,J\"P\"\n",
         "c.csv:1: error parsing data while strict checking enabled"},
        {1, "192.0.2.0,192.0.2.255\n", "a.csv:1: 2 fields, want start_ip,end_ip,asn[,name]"},
        {1, "192.0.2.0,192.0.2.255,1,a,b\n", "a.csv:1: 5 fields, want start_ip,end_ip,asn[,name]"},
        {1, "192.0.2.0,192.0.2.255,AS1\n", "a.csv:1: bad AS number 'AS1'"},
        {1, "192.0.2.0,192.0.2.255,4294967296\n", "a.csv:1: bad AS number '4294967296'"},
        {1, "192.0.2.0,192.0.2.255,-1\n", "a.csv:1: bad AS number '-1'"},
        {1, "x,y,z\n1.0.0.0,1.0.0.255,1,\"a\nb\nc\"\n1.0.1.0,1.0.1.255,1,\"a\"b\n",
         "a.csv:5: error parsing data while strict checking enabled"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tt_range_set s = {0};
        struct tt_err err = {{0}};
        int rc = bad[i].asn ? csv_asn(bad[i].text, &s, &err) : csv_country(bad[i].text, &s, &err);
        CHECK(rc < 0);
        CHECK_EQ_STR(err.msg, bad[i].msg);
        CHECK_EQ_U64(s.n4 + s.n6 + s.nnames + s.skipped + s.nfiles, 0);
        tt_range_set_free(&s);
    }
    /* a field over the maximum, and a NUL byte */
    char text[2048];
    memset(text, 'a', sizeof text);
    memcpy(text, "1.0.0.0,1.0.0.255,1,", 20);
    text[sizeof text - 1] = '\n';
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    CHECK(tt_rangecsv_parse_asn_mem(text, sizeof text, "a.csv", &s, &err) == TT_ELIMIT);
    CHECK_EQ_STR(err.msg, "a.csv:1: field 4 longer than 1024 bytes");
    CHECK(tt_rangecsv_parse_asn_mem("1.0.0.0,1.0.0.255,1,\"a\0b\"\n", 26, "a.csv", &s, &err) < 0);
    CHECK_EQ_STR(err.msg, "a.csv:1: NUL byte in line");
    CHECK_EQ_U64(s.n4 + s.nfiles, 0);
    tt_range_set_free(&s);
}

/* ---- pfx2as ---- */

static int pfx(const char *text, struct tt_range_set *s, uint64_t *multi, struct tt_err *err)
{
    return tt_pfx2as_parse_mem(text, strlen(text), "p", s, multi, err);
}

static void test_pfx2as_formats(void)
{
    const char *text = "; pyasn comment\n"
                       "1.0.0.0/24\t15169\n"
                       "1.0.4.0\t22\t56203\n"
                       "2001:db8::\t32\t64500_64501\n"
                       "2001:db8:8000::/33\t64502,64503\n"
                       "10.0.0.0/8\t0\n"
                       "  \n"
                       "198.51.100.7/32 64510_64511,64512\n";
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    uint64_t multi = 0;
    CHECK_EQ_U64(pfx(text, &s, &multi, &err), TT_OK);
    CHECK_EQ_U64(multi, 3);
    CHECK_EQ_U64(s.n4, 3);
    CHECK_EQ_U64(s.n6, 2);
    CHECK_EQ_U64(s.skipped, 1); /* AS 0 */
    CHECK(s.n4 == 3 && s.v4[0].lo == ip4("1.0.0.0") && s.v4[0].hi == ip4("1.0.0.255") &&
          s.v4[0].value == 15169 && s.v4[0].line == 2);
    CHECK(s.n4 == 3 && s.v4[1].lo == ip4("1.0.4.0") && s.v4[1].hi == ip4("1.0.7.255") &&
          s.v4[1].value == 56203 && s.v4[1].line == 3);
    CHECK(s.n4 == 3 && s.v4[2].lo == ip4("198.51.100.7") && s.v4[2].hi == s.v4[2].lo &&
          s.v4[2].value == 64510 && s.v4[2].line == 8);
    uint8_t lo[16], hi[16];
    inet_pton(AF_INET6, "2001:db8::", lo);
    inet_pton(AF_INET6, "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff", hi);
    CHECK(s.n6 == 2 && memcmp(s.v6[0].lo, lo, 16) == 0 && s.v6[0].value == 64500);
    CHECK(s.n6 == 2 && s.v6[1].value == 64502 && memcmp(s.v6[0].hi, hi, 16) != 0);
    inet_pton(AF_INET6, "2001:db8:8000::", lo);
    CHECK(s.n6 == 2 && memcmp(s.v6[1].lo, lo, 16) == 0);
    inet_pton(AF_INET6, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", hi);
    CHECK(s.n6 == 2 && memcmp(s.v6[1].hi, hi, 16) == 0 && memcmp(s.v6[0].hi, hi, 16) == 0);
    tt_range_set_free(&s);
}

static void test_pfx2as_refused(void)
{
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"1.0.0.0/24\n", "p:1: 1 fields, want prefix/len ASN or prefix len ASN"},
        {"1.0.0.0/24\t1\t2\n", "p:1: 3 fields, want prefix/len ASN or prefix len ASN"},
        {"1.0.0.0\t24\n", "p:1: 2 fields, want prefix/len ASN or prefix len ASN"},
        {"1.0.0.0\t24\t1\t2\n", "p:1: 4 fields, want prefix/len ASN or prefix len ASN"},
        {"1.0.0/24\t1\n", "p:1: bad address '1.0.0'"},
        {"1.0.0.0/33\t1\n", "p:1: bad prefix length '33'"},
        {"1.0.0.0/\t1\n", "p:1: bad prefix length ''"},
        {"2001:db8::/129\t1\n", "p:1: bad prefix length '129'"},
        {"1.0.0.1/24\t1\n", "p:1: 1.0.0.1/24 has host bits set"},
        {"1.0.0.0/24\t1\n1.0.1.0/24\t1__2\n", "p:2: bad origin AS '1__2'"},
        {"1.0.0.0/24\tAS1\n", "p:1: bad origin AS 'AS1'"},
        {"1.0.0.0/24\t4294967296\n", "p:1: bad origin AS '4294967296'"},
        {"1.0.0.0/24\t1,\n", "p:1: bad origin AS '1,'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tt_range_set s = {0};
        struct tt_err err = {{0}};
        uint64_t multi = 7;
        CHECK(pfx(bad[i].text, &s, &multi, &err) < 0);
        CHECK_EQ_STR(err.msg, bad[i].msg);
        CHECK_EQ_U64(s.n4 + s.n6 + s.nfiles, 0);
        CHECK_EQ_U64(multi, 7);
        tt_range_set_free(&s);
    }
}

static void test_pyasn_file(void)
{
    char path[1024];
    shared_path(path, sizeof path, PYASN);
    uint64_t lines = count_lines(path, ';');
    CHECK_EQ_U64(lines, 512621); /* the file's own "; Prefixes" header */
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    uint64_t multi = 0;
    CHECK_EQ_U64(tt_pfx2as_parse(path, &s, &multi, &err), TT_OK);
    CHECK_EQ_U64(s.n4 + s.n6 + s.skipped, lines);
    CHECK_EQ_U64(multi, 0); /* pyasn keeps one origin per prefix */
    /* the first prefixes after the 5 comment lines */
    const struct tt_range4 *r = find4_line(&s, 6);
    CHECK(r && r->lo == ip4("1.0.0.0") && r->hi == ip4("1.0.0.255") && r->value == 15169);
    r = find4_line(&s, 7);
    CHECK(r && r->lo == ip4("1.0.4.0") && r->hi == ip4("1.0.4.255") && r->value == 56203);
    r = find4_line(&s, 11);
    CHECK(r && r->lo == ip4("1.0.20.0") && r->hi == ip4("1.0.21.255") && r->value == 2519);
    CHECK_EQ_U64(tt_range_finalize(&s, NULL, NULL, NULL, &err), TT_OK);
    CHECK_EQ_U64(lookup4(&s, ip4("1.0.21.9")), 2519);
    tt_range_set_free(&s);
}

TT_TESTS(test_geo_country, test_geo_asn, test_header, test_asn_rows, test_csv_refused,
         test_pfx2as_formats, test_pfx2as_refused, test_pyasn_file)
