/* RIR delegated statistics: every shared extract and full file parses;
 * per-country address totals agree with a second, deliberately simple
 * reading of the same file; non-CIDR IPv4 records and IPv6 prefixes give
 * exact ranges; available/reserved records are not mapped; bad lines are
 * refused with exact file:line messages and leave the set untouched; gzip
 * input reads the same as plain, and a cut gzip file is refused. */
#include "enrich/range.h"
#include "harness.h"
#include "range_util.h"

#include <arpa/inet.h>
#include <zlib.h>

#define TESTDATA "rir/nro-delegated-stats-testdata"
#define FULL "rir/full"

static const struct tt_range6 *find6_line(const struct tt_range_set *s, uint32_t line)
{
    for (size_t i = 0; i < s->n6; i++)
        if (s->v6[i].line == line)
            return &s->v6[i];
    return NULL;
}

/* ---- the second, simple reading: fgets, strchr on '|' ---- */

struct simple {
    uint64_t records, ipv4, ipv6, asn, mapped4, mapped6;
    uint64_t overlaps; /* mapped IPv4 records overlapping another */
};

struct iv {
    uint32_t lo, hi;
};

static int iv_cmp(const void *a, const void *b)
{
    const struct iv *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Field i (0-based) of a '|' line, copied into out. */
static void field(const char *line, int i, char *out, size_t size)
{
    for (; i > 0 && line; i--) {
        line = strchr(line, '|');
        if (line)
            line++;
    }
    size_t n = 0;
    if (line)
        while (line[n] && line[n] != '|' && line[n] != '\n' && n + 1 < size)
            n++;
    if (line)
        memcpy(out, line, n);
    out[n] = '\0';
}

/* Sum of the address counts of allocated/assigned IPv4 records of cc (NULL:
 * counts only), plus record counts and overlaps among all mapped records. */
static uint64_t simple_read(const char *path, const char *cc, struct simple *out)
{
    static struct iv ivs[200000];
    size_t niv = 0;
    uint64_t sum = 0;
    char line[8192], f[8][64];
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    while (fgets(line, sizeof line, fp)) {
        if (line[0] == '#' || (line[0] >= '0' && line[0] <= '9') || strstr(line, "|summary"))
            continue;
        for (int i = 0; i < 8; i++)
            field(line, i, f[i], sizeof f[i]);
        out->records++;
        int deleg = strcmp(f[6], "allocated") == 0 || strcmp(f[6], "assigned") == 0;
        int mapped = deleg && f[1][0] && strcmp(f[1], "ZZ") != 0;
        if (strcmp(f[2], "asn") == 0)
            out->asn++;
        if (strcmp(f[2], "ipv6") == 0) {
            out->ipv6++;
            out->mapped6 += (uint64_t)mapped;
        }
        if (strcmp(f[2], "ipv4") != 0)
            continue;
        out->ipv4++;
        if (!mapped)
            continue;
        out->mapped4++;
        uint64_t count = strtoull(f[4], NULL, 10);
        if (cc && strcmp(f[1], cc) == 0)
            sum += count;
        if (niv < sizeof ivs / sizeof ivs[0])
            ivs[niv++] = (struct iv){ip4(f[3]), (uint32_t)(ip4(f[3]) + count - 1)};
    }
    fclose(fp);
    qsort(ivs, niv, sizeof ivs[0], iv_cmp);
    uint32_t maxhi = 0;
    for (size_t i = 0; i < niv; i++) {
        if (i && ivs[i].lo <= maxhi)
            out->overlaps++;
        if (!i || ivs[i].hi > maxhi)
            maxhi = ivs[i].hi;
    }
    return sum;
}

static void test_testdata_all(void)
{
    static const struct {
        const char *file, *registry, *serial;
    } files[] = {
        {"afrinic", "afrinic", "20190909"},   {"apnic", "apnic", "20190909"},
        {"arin", "arin", "1567951216119"},    {"lacnic", "lacnic", "20190908"},
        {"ripencc", "ripencc", "1567979999"}, {"iana", "iana", "20190911"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024], rel[256];
        snprintf(rel, sizeof rel, TESTDATA "/%s", files[i].file);
        shared_path(path, sizeof path, rel);
        struct tt_range_set s = {0};
        struct tt_rir_stats st;
        struct tt_err err = {{0}};
        struct simple want;
        simple_read(path, NULL, &want);
        int rc = tt_rir_parse(path, &s, &st, &err);
        if (rc)
            fprintf(stderr, "%s\n", err.msg);
        CHECK_EQ_U64(rc, TT_OK);
        CHECK_EQ_STR(st.registry, files[i].registry);
        CHECK_EQ_STR(st.serial, files[i].serial);
        CHECK(want.records > 0);
        CHECK_EQ_U64(st.records, want.records);
        CHECK_EQ_U64(st.ipv4, want.ipv4);
        CHECK_EQ_U64(st.ipv6, want.ipv6);
        CHECK_EQ_U64(st.asn, want.asn);
        CHECK_EQ_U64(s.n4, want.mapped4);
        CHECK_EQ_U64(s.n6, want.mapped6);
        CHECK_EQ_U64(st.mapped, want.mapped4 + want.mapped6);
        CHECK_EQ_U64(s.skipped, want.ipv4 + want.ipv6 - want.mapped4 - want.mapped6);
        CHECK_EQ_U64(st.unmapped, s.skipped);
        CHECK_EQ_U64(s.nfiles, 1);
        CHECK_EQ_STR(s.files[0], path);
        tt_range_set_free(&s);
    }
}

/* IANA's own file: every record is ZZ, so nothing maps. */
static void test_iana_nothing_mapped(void)
{
    char path[1024];
    shared_path(path, sizeof path, TESTDATA "/iana");
    struct tt_range_set s = {0};
    struct tt_rir_stats st;
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_rir_parse(path, &s, &st, &err), TT_OK);
    CHECK_EQ_U64(s.n4 + s.n6, 0);
    CHECK_EQ_U64(st.ipv4, 6); /* the file's 6 ipv4 and 6 ipv6 lines */
    CHECK_EQ_U64(st.ipv6, 6);
    CHECK_EQ_U64(s.skipped, 12);
    tt_range_set_free(&s);
}

static void count_conflict(void *ctx, const struct tt_range_conflict *c)
{
    (void)c;
    (*(uint64_t *)ctx)++;
}

static void check_full(const char *rel, const char *const *ccs, size_t ncc)
{
    char path[1024];
    shared_path(path, sizeof path, rel);
    struct tt_range_set s = {0};
    struct tt_rir_stats st;
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_rir_parse(path, &s, &st, &err), TT_OK);
    struct simple info = {0};
    uint64_t want[8] = {0}, raw[8] = {0};
    for (size_t i = 0; i < ncc && i < 8; i++) {
        want[i] = simple_read(path, ccs[i], &info);
        raw[i] = sum4(&s, TT_CC(ccs[i][0], ccs[i][1]));
        CHECK(want[i] > 0);
        CHECK_EQ_U64(raw[i], want[i]); /* before finalize: every record as added */
    }
    CHECK_EQ_U64(st.records, info.records);
    CHECK_EQ_U64(s.n4, info.mapped4);
    uint64_t conflicts = 0, reported = 0;
    CHECK_EQ_U64(tt_range_finalize(&s, count_conflict, &reported, &conflicts, &err), TT_OK);
    printf("%s: %" PRIu64 " mapped IPv4 records overlap another (simple reading), %" PRIu64
           " conflicts reported\n",
           rel, info.overlaps, conflicts);
    CHECK_EQ_U64(reported, conflicts);
    if (info.overlaps == 0) {
        /* no overlaps at all: nothing to resolve, every total is kept */
        CHECK_EQ_U64(conflicts, 0);
        for (size_t i = 0; i < ncc && i < 8; i++)
            CHECK_EQ_U64(sum4(&s, TT_CC(ccs[i][0], ccs[i][1])), want[i]);
    } else {
        for (size_t i = 0; i < ncc && i < 8; i++)
            CHECK(sum4(&s, TT_CC(ccs[i][0], ccs[i][1])) <= want[i]);
    }
    tt_range_set_free(&s);
}

static void test_full_afrinic(void)
{
    static const char *const ccs[] = {"ZA", "EG", "KE", "NG"};
    check_full(FULL "/delegated-afrinic-extended-latest", ccs, 4);
}

static void test_full_lacnic(void)
{
    static const char *const ccs[] = {"BR", "AR", "MX", "CL"};
    check_full(FULL "/delegated-lacnic-extended-latest", ccs, 4);
}

/* Real AFRINIC records whose count is not a power of two, or is one but
 * not aligned to it (lines of the full file; hi = start + count - 1). */
static void test_non_cidr(void)
{
    static const struct {
        uint32_t line;
        const char *lo, *hi;
    } want[] = {
        {7234, "164.146.0.0", "164.151.255.255"},   /* 393216 = 6 x /16 */
        {7494, "196.4.20.0", "196.4.29.255"},       /* 2560 = 10 x /24 */
        {8845, "196.1.87.0", "196.1.91.255"},       /* 1280, assigned */
        {7311, "168.209.0.0", "168.210.255.255"},   /* 131072 from an odd /16 */
        {8803, "192.189.139.0", "192.189.140.255"}, /* 512 from an odd /24 */
    };
    char path[1024];
    shared_path(path, sizeof path, FULL "/delegated-afrinic-extended-latest");
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_rir_parse(path, &s, NULL, &err), TT_OK);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct tt_range4 *r = find4_line(&s, want[i].line);
        CHECK(r != NULL);
        if (!r)
            continue;
        CHECK_EQ_U64(r->lo, ip4(want[i].lo));
        CHECK_EQ_U64(r->hi, ip4(want[i].hi));
    }
    const struct tt_range4 *ga = find4_line(&s, 8803);
    CHECK(ga && ga->value == TT_CC('G', 'A'));
    tt_range_set_free(&s);
}

static const char HDR[] = "2.3|test|20240101|9|19870101|20240101|+0000\n";

static int parse_text(const char *text, struct tt_range_set *s, struct tt_rir_stats *st,
                      struct tt_err *err)
{
    return tt_rir_parse_mem(text, strlen(text), "t", s, st, err);
}

static void check6(const struct tt_range6 *r, const char *lo, const char *hi)
{
    uint8_t a[16], b[16];
    CHECK(r != NULL);
    if (!r || inet_pton(AF_INET6, lo, a) != 1 || inet_pton(AF_INET6, hi, b) != 1)
        return;
    CHECK(memcmp(r->lo, a, 16) == 0);
    CHECK(memcmp(r->hi, b, 16) == 0);
}

static void test_ipv6(void)
{
    char text[1024];
    snprintf(text, sizeof text,
             "%s"
             "apnic|JP|ipv6|2001:268:8000::|33|20020715|allocated|A92D830B\n"
             "x|DE|ipv6|2001:db8::|32||assigned\n"
             "x|FR|ipv6|2001:db8:1:2:3:4:5:6|128|00000000|allocated|id|ext\n"
             "x|NL|ipv6|2001:db8:ff00::|40|20200101|allocated\n"
             "x|US|ipv6|::|0|20200101|allocated\n",
             HDR);
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    struct tt_rir_stats st;
    CHECK_EQ_U64(parse_text(text, &s, &st, &err), TT_OK);
    CHECK_EQ_U64(s.n6, 5);
    check6(find6_line(&s, 2), "2001:268:8000::", "2001:268:ffff:ffff:ffff:ffff:ffff:ffff");
    check6(find6_line(&s, 3), "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
    check6(find6_line(&s, 4), "2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6");
    check6(find6_line(&s, 5), "2001:db8:ff00::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
    check6(find6_line(&s, 6), "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    const struct tt_range6 *jp = find6_line(&s, 2);
    CHECK(jp && jp->value == TT_CC('J', 'P') && jp->file == 0);
    CHECK_EQ_U64(st.ipv6, 5);
    CHECK_EQ_U64(st.mapped, 5);
    tt_range_set_free(&s);
}

/* Only allocated/assigned records with a real country map. */
static void test_unmapped(void)
{
    char text[1024];
    snprintf(text, sizeof text,
             "%s"
             "x|*|ipv4|*|6|summary\n"
             "x|ZA|ipv4|10.0.0.0|256|20200101|allocated|A\n"
             "x|ZA|ipv4|10.0.1.0|256|20200101|available|A\n"
             "x|ZZ|ipv4|10.0.2.0|256||reserved|\n"
             "x||ipv4|10.0.3.0|256||available\n"
             "x|ZZ|ipv4|10.0.4.0|256|20200101|allocated|A\n"
             "x|EU|ipv4|10.0.5.0|256|20200101|assigned|A\n"
             "x|ZA|asn|100|5|20200101|allocated|A\n"
             "x||asn|200|1||reserved\n",
             HDR);
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    struct tt_rir_stats st;
    CHECK_EQ_U64(parse_text(text, &s, &st, &err), TT_OK);
    CHECK_EQ_U64(s.n4, 2);
    CHECK(s.n4 == 2 && s.v4[0].value == TT_CC('Z', 'A') && s.v4[0].lo == ip4("10.0.0.0") &&
          s.v4[0].hi == ip4("10.0.0.255") && s.v4[0].line == 3);
    CHECK(s.n4 == 2 && s.v4[1].value == TT_CC('E', 'U') && s.v4[1].line == 8);
    CHECK_EQ_U64(s.skipped, 4);
    CHECK_EQ_U64(st.records, 8);
    CHECK_EQ_U64(st.ipv4, 6);
    CHECK_EQ_U64(st.asn, 2);
    CHECK_EQ_U64(st.mapped, 2);
    CHECK_EQ_U64(st.unmapped, 4);
    CHECK_EQ_STR(st.registry, "test");
    CHECK_EQ_STR(st.serial, "20240101");
    tt_range_set_free(&s);
}

static void test_edges(void)
{
    /* CRLF endings, a last line without newline, the top of the space */
    const char *text = "# comment\r\n2|r|1|2|||+0000\r\n\r\n"
                       "r|JP|ipv4|255.255.255.0|256|20200101|allocated\r\n"
                       "r|JP|ipv4|0.0.0.0|4294967296|20200101|allocated";
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    struct tt_rir_stats st;
    CHECK_EQ_U64(parse_text(text, &s, &st, &err), TT_OK);
    CHECK_EQ_U64(s.n4, 2);
    CHECK(s.n4 == 2 && s.v4[0].lo == ip4("255.255.255.0") && s.v4[0].hi == 0xffffffffu &&
          s.v4[0].line == 4);
    CHECK(s.n4 == 2 && s.v4[1].lo == 0 && s.v4[1].hi == 0xffffffffu && s.v4[1].line == 5);
    CHECK_EQ_STR(st.registry, "r");
    CHECK_EQ_STR(st.serial, "1");
    tt_range_set_free(&s);
}

static void test_refused(void)
{
    static const struct {
        const char *body, *msg;
    } bad[] = {
        {"r|JP|ipv4|10.0.0.0|256|20200101\n", "t:2: 6 fields, a record has 7 to 16"},
        {"r|JP|ipv4|10.0.0.0|256|20200101|allocated|a|b|c|d|e|f|g|h|i|j\n",
         "t:2: more than 16 fields"},
        {"r|JP|ipv4|10.0.0.0|256|20200101|allocated\nr|JP|ipv4|10.0.0.256|1|20200101|allocated\n",
         "t:3: bad IPv4 address '10.0.0.256'"},
        {"r|JP|ipv4|10.0.0.0|0|20200101|allocated\n", "t:2: bad IPv4 address count '0'"},
        {"r|JP|ipv4|10.0.0.0|-1|20200101|allocated\n", "t:2: bad IPv4 address count '-1'"},
        {"r|JP|ipv4|10.0.0.0|4294967297|20200101|allocated\n",
         "t:2: bad IPv4 address count '4294967297'"},
        {"r|JP|ipv4|255.255.255.0|257|20200101|allocated\n",
         "t:2: 255.255.255.0 + 257 addresses runs past 255.255.255.255"},
        {"r|JP|ipv6|2001:db8::|129|20200101|allocated\n", "t:2: bad IPv6 prefix length '129'"},
        {"r|JP|ipv6|2001:db8::1|64|20200101|allocated\n", "t:2: 2001:db8::1/64 has host bits set"},
        {"r|JP|ipv6|2001:db8::g|32|20200101|allocated\n", "t:2: bad IPv6 address '2001:db8::g'"},
        {"r|JP|ipv5|1|1|20200101|allocated\n", "t:2: unknown type 'ipv5'"},
        {"r|JP|asn|x1|1|20200101|allocated\n", "t:2: bad AS number 'x1'"},
        {"r|JP|asn|4294967295|2|20200101|allocated\n", "t:2: bad AS count '2'"},
        {"r|JP|ipv4|10.0.0.0|256|20200101|returned\n", "t:2: unknown status 'returned'"},
        {"r|jp|ipv4|10.0.0.0|256|20200101|allocated\n", "t:2: bad country code 'jp'"},
        {"r|JPN|ipv4|10.0.0.0|256|20200101|allocated\n", "t:2: bad country code 'JPN'"},
        {"r|JP|ipv4|10.0.0.0|256|2020010|allocated\n", "t:2: bad date '2020010'"},
        {"|JP|ipv4|10.0.0.0|256|20200101|allocated\n", "t:2: empty registry"},
        {"2|r|1|0|||\n", "t:2: second version line"},
        {"r|*|ipv4|*|2|summary\nr|*|ipv4|*|2|summary\n",
         "t:3: second summary line for ipv4 (first on line 2)"},
        {"r|*|ipv7|*|2|summary\n", "t:2: bad summary line for 'ipv7'"},
        {"r|*|ipv4|*|x|summary\n", "t:2: bad summary count 'x'"},
        {"r|*|ipv4|*|3|summary\nr|JP|ipv4|10.0.0.0|256|20200101|allocated\n",
         "t:2: summary announces 3 ipv4 records, the file has 1"},
        {"r|JP|ipv4|10.0.0.0|256|20200101|allocated\nx", "t:3: NUL byte in line"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[1024];
        int n = snprintf(text, sizeof text, "%s%s", HDR, bad[i].body);
        size_t len = (size_t)n;
        if (strstr(bad[i].msg, "NUL")) { /* line 3 is "x\0y" */
            memcpy(text + len, "\0y\n", 3);
            len += 3;
        }
        struct tt_range_set s = {0};
        struct tt_err err = {{0}};
        struct tt_rir_stats st;
        int rc = tt_rir_parse_mem(text, len, "t", &s, &st, &err);
        CHECK(rc < 0);
        CHECK_EQ_STR(err.msg, bad[i].msg);
        /* refused: nothing of the file stays in the set */
        CHECK_EQ_U64(s.n4 + s.n6 + s.skipped + s.nfiles, 0);
        tt_range_set_free(&s);
    }
    struct tt_err err = {{0}};
    struct tt_range_set s = {0};
    CHECK(parse_text("r|JP|ipv4|10.0.0.0|256|20200101|allocated\n", &s, NULL, &err) < 0);
    CHECK_EQ_STR(err.msg, "t:1: record before the version line");
    CHECK(parse_text("r|*|ipv4|*|0|summary\n", &s, NULL, &err) < 0);
    CHECK_EQ_STR(err.msg, "t:1: summary before the version line");
    CHECK(parse_text("# only a comment\n", &s, NULL, &err) < 0);
    CHECK_EQ_STR(err.msg, "t: no version line (not RIR statistics)");
    CHECK(parse_text("2|r|1|0|||\nr|*|ipv4|*|0|summary\n2|r|1|0|||\n", &s, NULL, &err) < 0);
    CHECK_EQ_STR(err.msg, "t:3: second version line");
    CHECK(parse_text("2|r|1|0||\n", &s, NULL, &err) < 0);
    CHECK_EQ_STR(err.msg, "t:1: version line has 6 fields, want 7");
    CHECK(parse_text("2|r|1x|0|||\n", &s, NULL, &err) < 0);
    CHECK_EQ_STR(err.msg, "t:1: bad serial '1x' in version line");
    /* an earlier good file stays when a later one is refused */
    CHECK_EQ_U64(parse_text("2|r|1|0|||\nr|JP|ipv4|10.0.0.0|256||allocated\n", &s, NULL, &err),
                 TT_OK);
    CHECK(parse_text("2|r|1|0|||\nr|JP|ipv4|11.0.0.0|256||allocated\nr|JP|x\n", &s, NULL, &err) <
          0);
    CHECK(s.n4 == 1 && s.nfiles == 1 && s.v4[0].lo == ip4("10.0.0.0"));
    tt_range_set_free(&s);
}

static void test_long_line(void)
{
    size_t n = strlen(HDR) + TT_RANGE_LINE_MAX + 64;
    char *text = malloc(n + 1);
    if (!text)
        return;
    size_t h = strlen(HDR);
    memcpy(text, HDR, h);
    memset(text + h, '#', n - h);
    text[n] = '\0';
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    CHECK(tt_rir_parse_mem(text, n, "t", &s, NULL, &err) == TT_ELIMIT);
    char want[128];
    snprintf(want, sizeof want, "t:2: line longer than %d bytes", TT_RANGE_LINE_MAX);
    CHECK_EQ_STR(err.msg, want);
    /* exactly the maximum is fine */
    text[h + TT_RANGE_LINE_MAX] = '\n';
    CHECK_EQ_U64(tt_rir_parse_mem(text, h + TT_RANGE_LINE_MAX + 1, "t", &s, NULL, &err), TT_OK);
    tt_range_set_free(&s);
    free(text);
}

static int write_gz(const char *path, const char *data, size_t len)
{
    gzFile gz = gzopen(path, "wb");
    if (!gz)
        return -1;
    int ok = gzwrite(gz, data, (unsigned)len) == (int)len;
    return gzclose(gz) == Z_OK && ok ? 0 : -1;
}

static void test_gzip(void)
{
    char plain[1024], gzpath[512], cut[512];
    snprintf(plain, sizeof plain,
             "%sr|*|ipv4|*|2|summary\nr|BR|ipv4|10.0.0.0|768|20200101|allocated|1\n"
             "r|AR|ipv4|10.0.3.0|256|20200101|assigned|2\n",
             HDR);
    snprintf(gzpath, sizeof gzpath, "%s/rir.gz", tt_test_tmpdir());
    snprintf(cut, sizeof cut, "%s/rir-cut.gz", tt_test_tmpdir());
    CHECK_EQ_U64(write_gz(gzpath, plain, strlen(plain)), 0);
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    struct tt_rir_stats st;
    CHECK_EQ_U64(tt_rir_parse(gzpath, &s, &st, &err), TT_OK);
    CHECK_EQ_U64(s.n4, 2);
    CHECK(s.n4 == 2 && s.v4[0].lo == ip4("10.0.0.0") && s.v4[0].hi == ip4("10.0.2.255"));
    CHECK(s.n4 == 2 && s.v4[1].value == TT_CC('A', 'R') && s.v4[1].line == 4);
    tt_range_set_free(&s);
    /* the same gzip stream cut short: refused, not read as a short file */
    FILE *in = fopen(gzpath, "rb"), *out = fopen(cut, "wb");
    char buf[4096];
    size_t n = in ? fread(buf, 1, sizeof buf, in) : 0;
    if (out && n > 12)
        fwrite(buf, 1, n - 12, out);
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    int rc = tt_rir_parse(cut, &s, &st, &err);
    CHECK(rc == TT_ETRUNC || rc == TT_EIO);
    CHECK(strncmp(err.msg, cut, strlen(cut)) == 0);
    CHECK_EQ_U64(s.n4 + s.nfiles, 0);
    CHECK(tt_rir_parse("/nonexistent/rir", &s, &st, &err) == TT_EIO);
    CHECK_EQ_STR(err.msg, "/nonexistent/rir: cannot open: No such file or directory");
    CHECK_EQ_U64(st.records + st.ipv4 + st.registry[0], 0); /* zeroed even so */
    tt_range_set_free(&s);
    remove(gzpath);
    remove(cut);
    remove(tt_test_tmpdir());
}

TT_TESTS(test_testdata_all, test_iana_nothing_mapped, test_full_afrinic, test_full_lacnic,
         test_non_cidr, test_ipv6, test_unmapped, test_edges, test_refused, test_long_line,
         test_gzip)
