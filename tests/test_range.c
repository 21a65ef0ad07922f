/* Range-set finalisation: nesting, ties, same-value merges, the edges of
 * the address space, IPv6, conflict reports, and a randomized comparison
 * with a brute-force "narrowest covering range wins" oracle. */
#include <arpa/inet.h>

#include "enrich/range.h"
#include "harness.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

struct reports {
    size_t n;
    struct tt_range_conflict c[16];
};

static void collect(void *ctx, const struct tt_range_conflict *c)
{
    struct reports *r = ctx;
    if (r->n < 16)
        r->c[r->n] = *c;
    r->n++;
}

static void two_files(struct tt_range_set *s)
{
    CHECK_EQ_U64(tt_range_add_file(s, "a.txt"), 0);
    CHECK_EQ_U64(tt_range_add_file(s, "b.txt"), 1);
}

static int has4(const struct tt_range_set *s, size_t i, uint32_t lo, uint32_t hi, uint32_t v)
{
    return i < s->n4 && s->v4[i].lo == lo && s->v4[i].hi == hi && s->v4[i].value == v;
}

/* A pair with these two lines and the winner's value, in either report order. */
static const struct tt_range_conflict *find_report(const struct reports *r, uint32_t line_a,
                                                   uint32_t line_b)
{
    for (size_t i = 0; i < r->n && i < 16; i++)
        if (r->c[i].line_a == line_a && r->c[i].line_b == line_b)
            return &r->c[i];
    return NULL;
}

static void test_nesting(void)
{
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    struct reports r = {0};
    uint64_t nc = 99;
    two_files(&s);
    const uint32_t DE = TT_CC('D', 'E'), BE = TT_CC('B', 'E'), FR = TT_CC('F', 'R');
    /* added innermost first, to show the order of adding does not matter */
    CHECK_EQ_U64(tt_range_add4(&s, IP4(10, 0, 5, 16), IP4(10, 0, 5, 31), FR, 0, 3), 0);
    CHECK_EQ_U64(tt_range_add4(&s, IP4(10, 0, 0, 0), IP4(10, 0, 255, 255), DE, 0, 1), 0);
    CHECK_EQ_U64(tt_range_add4(&s, IP4(10, 0, 5, 0), IP4(10, 0, 5, 255), BE, 0, 2), 0);
    CHECK_EQ_U64(tt_range_finalize(&s, collect, &r, &nc, &err), 0);
    CHECK_EQ_U64(s.n4, 5);
    CHECK(has4(&s, 0, IP4(10, 0, 0, 0), IP4(10, 0, 4, 255), DE));
    CHECK(has4(&s, 1, IP4(10, 0, 5, 0), IP4(10, 0, 5, 15), BE));
    CHECK(has4(&s, 2, IP4(10, 0, 5, 16), IP4(10, 0, 5, 31), FR));
    CHECK(has4(&s, 3, IP4(10, 0, 5, 32), IP4(10, 0, 5, 255), BE));
    CHECK(has4(&s, 4, IP4(10, 0, 6, 0), IP4(10, 0, 255, 255), DE));
    CHECK_EQ_U64(nc, 3); /* DE/BE, DE/FR, BE/FR */
    CHECK_EQ_U64(r.n, 3);
    const struct tt_range_conflict *c = find_report(&r, 1, 2);
    CHECK(c != NULL);
    if (c) {
        CHECK_EQ_U64(c->ipver, 4);
        CHECK_EQ_STR(c->lo, "10.0.5.0");
        CHECK_EQ_STR(c->hi, "10.0.5.255");
        CHECK_EQ_STR(c->file_a, "a.txt");
        CHECK_EQ_STR(c->file_b, "a.txt");
        CHECK_EQ_U64(c->value_a, DE);
        CHECK_EQ_U64(c->value_b, BE);
    }
    c = find_report(&r, 2, 3);
    CHECK(c && c->value_a == BE && c->value_b == FR && strcmp(c->lo, "10.0.5.16") == 0 &&
          strcmp(c->hi, "10.0.5.31") == 0);
    CHECK(find_report(&r, 1, 3) != NULL);
    tt_range_set_free(&s);
    CHECK(s.v4 == NULL && s.nfiles == 0);
}

static void test_ties(void)
{
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    struct reports r = {0};
    uint64_t nc = 0;
    two_files(&s);
    const uint32_t US = TT_CC('U', 'S'), JP = TT_CC('J', 'P'), AU = TT_CC('A', 'U');
    /* same width: the later file wins, whatever the order of adding */
    CHECK_EQ_U64(tt_range_add4(&s, IP4(1, 0, 0, 0), IP4(1, 0, 0, 255), JP, 1, 1), 0);
    CHECK_EQ_U64(tt_range_add4(&s, IP4(1, 0, 0, 0), IP4(1, 0, 0, 255), US, 0, 9), 0);
    /* same file: the later line wins; partial overlap of equal widths */
    CHECK_EQ_U64(tt_range_add4(&s, IP4(2, 0, 0, 128), IP4(2, 0, 1, 127), AU, 0, 7), 0);
    CHECK_EQ_U64(tt_range_add4(&s, IP4(2, 0, 0, 0), IP4(2, 0, 0, 255), US, 0, 3), 0);
    CHECK_EQ_U64(tt_range_finalize(&s, collect, &r, &nc, &err), 0);
    CHECK_EQ_U64(s.n4, 3);
    CHECK(has4(&s, 0, IP4(1, 0, 0, 0), IP4(1, 0, 0, 255), JP));
    CHECK(has4(&s, 1, IP4(2, 0, 0, 0), IP4(2, 0, 0, 127), US));
    CHECK(has4(&s, 2, IP4(2, 0, 0, 128), IP4(2, 0, 1, 127), AU));
    CHECK_EQ_U64(nc, 2);
    const struct tt_range_conflict *c = find_report(&r, 9, 1);
    CHECK(c && strcmp(c->file_a, "a.txt") == 0 && strcmp(c->file_b, "b.txt") == 0 &&
          c->value_a == US && c->value_b == JP);
    c = find_report(&r, 3, 7);
    CHECK(c && strcmp(c->lo, "2.0.0.128") == 0 && strcmp(c->hi, "2.0.0.255") == 0);
    tt_range_set_free(&s);
}

static void test_merge(void)
{
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    uint64_t nc = 7;
    two_files(&s);
    const uint32_t US = TT_CC('U', 'S'), CA = TT_CC('C', 'A');
    CHECK_EQ_U64(tt_range_add4(&s, IP4(1, 0, 1, 0), IP4(1, 0, 1, 255), US, 0, 2), 0);
    CHECK_EQ_U64(tt_range_add4(&s, IP4(1, 0, 0, 0), IP4(1, 0, 0, 255), US, 0, 1), 0);
    CHECK_EQ_U64(tt_range_add4(&s, IP4(1, 0, 1, 128), IP4(1, 0, 2, 10), US, 1, 1), 0);
    CHECK_EQ_U64(tt_range_add4(&s, IP4(1, 0, 1, 0), IP4(1, 0, 1, 255), US, 1, 2), 0); /* dup */
    /* touching but a different value: kept apart */
    CHECK_EQ_U64(tt_range_add4(&s, IP4(1, 0, 2, 11), IP4(1, 0, 2, 20), CA, 1, 3), 0);
    CHECK_EQ_U64(tt_range_finalize(&s, NULL, NULL, &nc, &err), 0);
    CHECK_EQ_U64(nc, 0);
    CHECK_EQ_U64(s.n4, 2);
    CHECK(has4(&s, 0, IP4(1, 0, 0, 0), IP4(1, 0, 2, 10), US));
    CHECK(has4(&s, 1, IP4(1, 0, 2, 11), IP4(1, 0, 2, 20), CA));
    tt_range_set_free(&s);
}

static void test_edges(void)
{
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    uint64_t nc = 0;
    two_files(&s);
    CHECK_EQ_U64(tt_range_add4(&s, 0, UINT32_MAX, 1, 0, 1), 0);
    CHECK_EQ_U64(tt_range_add4(&s, 0, 0, 2, 0, 2), 0);
    CHECK_EQ_U64(tt_range_add4(&s, UINT32_MAX, UINT32_MAX, 3, 0, 3), 0);
    CHECK_EQ_U64(tt_range_add4(&s, 0xffffff00u, UINT32_MAX, 4, 0, 4), 0);
    CHECK_EQ_U64(tt_range_finalize(&s, NULL, NULL, &nc, &err), 0);
    CHECK_EQ_U64(s.n4, 4);
    CHECK(has4(&s, 0, 0, 0, 2));
    CHECK(has4(&s, 1, 1, 0xfffffeffu, 1));
    CHECK(has4(&s, 2, 0xffffff00u, 0xfffffffeu, 4));
    CHECK(has4(&s, 3, UINT32_MAX, UINT32_MAX, 3));
    CHECK_EQ_U64(nc, 4); /* 1/2, 1/3, 1/4, 4/3 */
    tt_range_set_free(&s);
    /* the whole space alone, and the same twice with one value */
    two_files(&s);
    CHECK_EQ_U64(tt_range_add4(&s, 0, UINT32_MAX, 5, 0, 1), 0);
    CHECK_EQ_U64(tt_range_add4(&s, 0, UINT32_MAX, 5, 1, 1), 0);
    CHECK_EQ_U64(tt_range_finalize(&s, NULL, NULL, &nc, &err), 0);
    CHECK(s.n4 == 1 && has4(&s, 0, 0, UINT32_MAX, 5));
    CHECK_EQ_U64(nc, 0);
    tt_range_set_free(&s);
}

static void pton6(const char *text, uint8_t out[16])
{
    CHECK_EQ_U64(inet_pton(AF_INET6, text, out), 1);
}

static int has6(const struct tt_range_set *s, size_t i, const char *lo, const char *hi, uint32_t v)
{
    uint8_t l[16], h[16];
    pton6(lo, l);
    pton6(hi, h);
    return i < s->n6 && memcmp(s->v6[i].lo, l, 16) == 0 && memcmp(s->v6[i].hi, h, 16) == 0 &&
           s->v6[i].value == v;
}

static void add6(struct tt_range_set *s, const char *lo, const char *hi, uint32_t v, uint32_t line)
{
    uint8_t l[16], h[16];
    pton6(lo, l);
    pton6(hi, h);
    CHECK_EQ_U64(tt_range_add6(s, l, h, v, 0, line), 0);
}

static void test_ipv6(void)
{
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    struct reports r = {0};
    uint64_t nc = 0;
    two_files(&s);
    const char *ones = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
    add6(&s, "::", ones, 1, 1);
    add6(&s, "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 2, 2);
    add6(&s, "2001:db8:1::", "2001:db8:1:ffff:ffff:ffff:ffff:ffff", 3, 3);
    add6(&s, ones, ones, 4, 4);
    /* a range whose low half ends in all-ones and whose upper half begins at 0 */
    add6(&s, "3::ffff:ffff:ffff:ffff", "3::1:0:0:0:0", 5, 5);
    add6(&s, "::", "::", 6, 6);
    CHECK_EQ_U64(tt_range_finalize(&s, collect, &r, &nc, &err), 0);
    CHECK_EQ_U64(s.n6, 9);
    CHECK(has6(&s, 0, "::", "::", 6));
    CHECK(has6(&s, 1, "::1", "3::ffff:ffff:ffff:fffe", 1));
    CHECK(has6(&s, 2, "3::ffff:ffff:ffff:ffff", "3::1:0:0:0:0", 5));
    CHECK(has6(&s, 3, "3::1:0:0:0:1", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", 1));
    CHECK(has6(&s, 4, "2001:db8::", "2001:db8:0:ffff:ffff:ffff:ffff:ffff", 2));
    CHECK(has6(&s, 5, "2001:db8:1::", "2001:db8:1:ffff:ffff:ffff:ffff:ffff", 3));
    CHECK(has6(&s, 6, "2001:db8:2::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 2));
    CHECK(has6(&s, 7, "2001:db9::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 1));
    CHECK(has6(&s, 8, ones, ones, 4));
    CHECK_EQ_U64(nc, 6); /* 1 against each of the 5 others, and 2/3 */
    const struct tt_range_conflict *c = find_report(&r, 2, 3);
    CHECK(c && c->ipver == 6 && strcmp(c->lo, "2001:db8:1::") == 0 &&
          strcmp(c->hi, "2001:db8:1:ffff:ffff:ffff:ffff:ffff") == 0);
    tt_range_set_free(&s);
}

static void test_names_and_errors(void)
{
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    two_files(&s);
    CHECK_EQ_U64(tt_range_add_name(&s, 64500, "first"), 0);
    CHECK_EQ_U64(tt_range_add_name(&s, 13335, "Cloudflare"), 0);
    CHECK_EQ_U64(tt_range_add_name(&s, 64500, "second"), 0);
    CHECK_EQ_U64(tt_range_add_name(&s, 64500, "third"), 0); /* replaces in place */
    CHECK_EQ_U64(tt_range_add_name(&s, 1, "one"), 0);
    char longname[TT_ASNAME_MAX + 50];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    CHECK_EQ_U64(tt_range_add_name(&s, 7, longname), 0);
    CHECK_EQ_U64(tt_range_finalize(&s, NULL, NULL, NULL, &err), 0);
    CHECK_EQ_U64(s.nnames, 4);
    CHECK(s.nnames == 4 && s.names[0].asn == 1 && s.names[1].asn == 7 && s.names[2].asn == 13335 &&
          s.names[3].asn == 64500);
    CHECK_EQ_STR(s.names[3].name, "third");
    CHECK_EQ_U64(strlen(s.names[1].name), TT_ASNAME_MAX - 1);
    /* refused arguments */
    CHECK_EQ_U64(tt_range_add4(&s, 5, 4, 1, 0, 1), TT_EINVAL);
    CHECK_EQ_U64(tt_range_add4(&s, 4, 5, 0, 0, 1), TT_EINVAL);
    CHECK_EQ_U64(tt_range_add4(&s, 4, 5, 1, 2, 1), TT_EINVAL); /* unregistered file */
    uint8_t a[16] = {0}, b[16] = {0};
    a[15] = 1;
    CHECK_EQ_U64(tt_range_add6(&s, a, b, 1, 0, 1), TT_EINVAL);
    for (int i = 2; i < TT_RANGE_FILES_MAX; i++)
        CHECK(tt_range_add_file(&s, "f") == i);
    CHECK_EQ_U64(tt_range_add_file(&s, "one too many"), TT_ELIMIT);
    tt_range_set_free(&s);
}

/* --- Randomized: a 256-address space at the bottom or the top of IPv4. --- */

struct rnd {
    uint64_t s;
};

static uint32_t rnd_next(struct rnd *r)
{
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(r->s >> 33);
}

struct rec {
    uint32_t lo, hi, value, line;
    uint16_t file;
};

/* The oracle: of the records covering a, the narrowest; of equally narrow
 * ones, the later (file, then line). 0 when none covers a. */
static uint32_t oracle(const struct rec *r, size_t n, uint32_t a)
{
    const struct rec *best = NULL;
    for (size_t i = 0; i < n; i++) {
        if (a < r[i].lo || a > r[i].hi)
            continue;
        if (!best || r[i].hi - r[i].lo < best->hi - best->lo ||
            (r[i].hi - r[i].lo == best->hi - best->lo &&
             (r[i].file > best->file || (r[i].file == best->file && r[i].line > best->line))))
            best = &r[i];
    }
    return best ? best->value : 0;
}

/* Pairs of overlapping records with different values; a record repeated
 * with the same range and value counts once. */
static uint64_t oracle_pairs(const struct rec *r, size_t n)
{
    uint64_t pairs = 0;
    for (size_t i = 0; i < n; i++) {
        int dup = 0;
        for (size_t k = 0; k < i && !dup; k++)
            dup = r[k].lo == r[i].lo && r[k].hi == r[i].hi && r[k].value == r[i].value;
        for (size_t j = 0; j < i && !dup; j++) {
            int jdup = 0;
            for (size_t k = 0; k < j && !jdup; k++)
                jdup = r[k].lo == r[j].lo && r[k].hi == r[j].hi && r[k].value == r[j].value;
            if (!jdup && r[j].value != r[i].value && r[j].lo <= r[i].hi && r[i].lo <= r[j].hi)
                pairs++;
        }
    }
    return pairs;
}

static uint32_t table_value(const struct tt_range_set *s, uint32_t a)
{
    for (size_t i = 0; i < s->n4; i++)
        if (s->v4[i].lo <= a && a <= s->v4[i].hi)
            return s->v4[i].value;
    return 0;
}

/* The same 256-address space in IPv6, placed so that it crosses the carry
 * from the low to the high 64 bits: 5:0:0:0:ffff:ffff:ffff:ff80 + off. */
static void map6(uint32_t off, uint8_t out[16])
{
    uint64_t h = 5, l = 0xffffffffffffff80ull + off;
    if (l < off)
        h++;
    for (int i = 7; i >= 0; i--, h >>= 8, l >>= 8) {
        out[i] = (uint8_t)h;
        out[8 + i] = (uint8_t)l;
    }
}

/* The IPv6 result must be the IPv4 one, moved. */
static unsigned same_as_v4(const struct tt_range_set *s, uint32_t base)
{
    unsigned bad = s->n6 != s->n4;
    for (size_t i = 0; i < s->n4 && i < s->n6; i++) {
        uint8_t lo[16], hi[16];
        map6(s->v4[i].lo - base, lo);
        map6(s->v4[i].hi - base, hi);
        bad += memcmp(lo, s->v6[i].lo, 16) != 0 || memcmp(hi, s->v6[i].hi, 16) != 0 ||
               s->v4[i].value != s->v6[i].value;
    }
    return bad;
}

static void one_random_case(struct rnd *g, uint32_t base, unsigned *bad)
{
    struct rec r[16];
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    uint64_t nc = 0;
    size_t n = 1 + rnd_next(g) % 16;
    tt_range_add_file(&s, "x");
    tt_range_add_file(&s, "y");
    for (size_t i = 0; i < n; i++) {
        uint32_t a = rnd_next(g) % 256, b = rnd_next(g) % 256;
        if (rnd_next(g) % 4 == 0) { /* many small ones */
            b = a + rnd_next(g) % 4;
            b = b > 255 ? 255 : b;
        }
        r[i] = (struct rec){base + (a < b ? a : b), base + (a < b ? b : a), 1 + rnd_next(g) % 4,
                            (uint32_t)i + 1, (uint16_t)(rnd_next(g) % 2)};
        if (rnd_next(g) % 8 == 0 && i) /* an exact repeat of an earlier range */
            r[i].lo = r[i - 1].lo, r[i].hi = r[i - 1].hi;
        uint8_t lo6[16], hi6[16];
        map6(r[i].lo - base, lo6);
        map6(r[i].hi - base, hi6);
        if (tt_range_add4(&s, r[i].lo, r[i].hi, r[i].value, r[i].file, r[i].line) != 0 ||
            tt_range_add6(&s, lo6, hi6, r[i].value, r[i].file, r[i].line) != 0)
            (*bad)++;
    }
    if (tt_range_finalize(&s, NULL, NULL, &nc, &err) != 0)
        (*bad)++;
    for (uint32_t a = 0; a < 256; a++)
        if (table_value(&s, base + a) != oracle(r, n, base + a))
            (*bad)++;
    for (size_t i = 0; i < s.n4; i++) /* sorted, disjoint, maximal */
        if (s.v4[i].lo > s.v4[i].hi ||
            (i && (s.v4[i - 1].hi >= s.v4[i].lo ||
                   (s.v4[i - 1].hi + 1 == s.v4[i].lo && s.v4[i - 1].value == s.v4[i].value))))
            (*bad)++;
    if (nc != 2 * oracle_pairs(r, n)) /* each pair once per family */
        (*bad)++;
    *bad += same_as_v4(&s, base);
    tt_range_set_free(&s);
}

static void test_random_oracle(void)
{
    struct rnd g = {12345};
    unsigned bad = 0;
    for (int k = 0; k < 20000; k++)
        one_random_case(&g, k % 2 ? 0xffffff00u : 0, &bad);
    CHECK_EQ_U64(bad, 0);
}

/* Large sets finish quickly (the sweep is O(n log n)): 300,000 ranges of
 * mixed sizes, many nested. */
static void test_large(void)
{
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    struct rnd g = {7};
    uint64_t nc = 0;
    tt_range_add_file(&s, "big");
    int rc = 0;
    for (uint32_t i = 0; i < 300000 && !rc; i++) {
        uint32_t lo = rnd_next(&g) << 8, len = 1u << (rnd_next(&g) % 20);
        uint32_t hi = lo > UINT32_MAX - len ? UINT32_MAX : lo + len - 1;
        rc = tt_range_add4(&s, lo, hi, 1 + rnd_next(&g) % 200, 0, i + 1);
    }
    CHECK_EQ_U64(rc, 0);
    CHECK_EQ_U64(tt_range_finalize(&s, NULL, NULL, &nc, &err), 0);
    size_t bad = 0;
    for (size_t i = 1; i < s.n4; i++)
        bad += s.v4[i - 1].hi >= s.v4[i].lo;
    CHECK_EQ_U64(bad, 0);
    CHECK(nc > 0);
    tt_range_set_free(&s);
}

TT_TESTS(test_nesting, test_ties, test_merge, test_edges, test_ipv6, test_names_and_errors,
         test_random_oracle, test_large)
