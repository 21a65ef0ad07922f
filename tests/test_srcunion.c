/* Unions of roll-up source tables: lists of many sizes (so the union's
 * pairwise merges all happen), shared addresses, tags ORed, skipped
 * patterns, countries as part of the key, IPv6, against a brute force over
 * every (source, tag) put in. */
#include <stdint.h>

#include "harness.h"
#include "query/srcunion.h"

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint32_t rnd(void)
{
    return tt_test_rand(&rng);
}

/* One roll-up's source table: distinct ascending addresses from a small
 * space (tables share addresses), a country and a pattern each. */
struct table {
    struct tt_roll_sources s;
    uint32_t v4[4096];
    uint8_t v6[64 * 16];
    uint16_t cc[4096 + 64];
    uint32_t pattern[4096 + 64];
};

#define NPAT 8

static void make_table(struct table *t, size_t n4, size_t n6, uint32_t space)
{
    memset(t, 0, sizeof *t);
    uint32_t a = rnd() % 16;
    size_t k = 0;
    for (; k < n4 && a < space; k++, a += 1 + rnd() % (2 * space / (n4 + 1) + 1))
        t->v4[k] = a;
    t->s.n4 = k;
    uint8_t last = 0;
    size_t j = 0;
    for (; j < n6 && last < 250; j++) {
        last = (uint8_t)(last + 1 + rnd() % 3);
        memset(t->v6 + 16 * j, 0x20, 15);
        t->v6[16 * j + 15] = last;
    }
    t->s.n6 = j;
    for (size_t i = 0; i < t->s.n4 + t->s.n6; i++) {
        t->cc[i] = (uint16_t)(1 + rnd() % 3); /* few countries: an address meets itself in two */
        t->pattern[i] = rnd() % NPAT;
    }
    t->s.v4 = t->v4;
    t->s.v6 = t->v6;
    t->s.cc = t->cc;
    t->s.pattern = t->pattern;
    t->s.npatterns = NPAT;
}

/* The brute force: every (key, tag) put in, then sorted and ORed. */
struct added_src {
    uint64_t key; /* IPv4: address << 16 | group; IPv6: 1 << 63 | last byte << 16 | group */
    uint64_t tag;
};
static struct added_src added[200000];
static size_t nadded;

static int cmp_added(const void *a, const void *b)
{
    const struct added_src *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

static void record(const struct table *t, const uint64_t *tags, int by_cc)
{
    for (size_t k = 0; k < t->s.n4 + t->s.n6; k++) {
        uint64_t tag = tags[t->pattern[k]];
        if (tag == SRCLIST_SKIP)
            continue;
        uint64_t g = by_cc ? t->cc[k] : 0;
        uint64_t key = k < t->s.n4
                           ? (uint64_t)t->v4[k] << 16 | g
                           : 1ull << 63 | (uint64_t)t->v6[16 * (k - t->s.n4) + 15] << 16 | g;
        added[nadded++] = (struct added_src){key, tag};
    }
}

/* Distinct keys of the brute force, their tags ORed, in place. */
static size_t brute(void)
{
    qsort(added, nadded, sizeof *added, cmp_added);
    size_t w = 0;
    for (size_t i = 0; i < nadded; i++) {
        if (w && added[w - 1].key == added[i].key)
            added[w - 1].tag |= added[i].tag;
        else
            added[w++] = added[i];
    }
    return w;
}

static void check_union(size_t ntables, size_t maxlen, uint32_t space, int by_cc)
{
    static struct table t;
    struct srcunion u = {0};
    uint64_t tags[NPAT];
    for (int p = 0; p < NPAT; p++)
        tags[p] = p == 3 ? SRCLIST_SKIP : 1ull << p | 1ull << (8 + rnd() % 50);
    nadded = 0;
    for (size_t i = 0; i < ntables; i++) {
        /* sizes vary a lot: small lists after big ones, and the reverse */
        make_table(&t, 1 + rnd() % maxlen, rnd() % 8, space);
        record(&t, tags, by_cc);
        struct srclist l;
        CHECK_EQ_U64(tt_srclist_of_sources(&l, &t.s, tags, by_cc), TT_OK);
        CHECK_EQ_U64(tt_srcunion_add(&u, &l), TT_OK);
        CHECK(l.k4 == NULL && l.n4 == 0); /* the union took the arrays */
    }
    struct srclist all;
    CHECK_EQ_U64(tt_srcunion_take(&u, &all), TT_OK);
    CHECK_EQ_U64(u.nruns, 0);
    size_t want = brute();
    CHECK_EQ_U64(all.n4 + all.n6, want);
    size_t bad = 0;
    for (size_t k = 0; k < all.n4 + all.n6 && k < want; k++) {
        uint64_t key =
            k < all.n4
                ? all.k4[k]
                : 1ull << 63 | (uint64_t)all.v6[k - all.n4].key[15] << 16 |
                      (uint64_t)(all.v6[k - all.n4].key[16] << 8 | all.v6[k - all.n4].key[17]);
        uint64_t tag = k < all.n4 ? all.t4[k] : all.v6[k - all.n4].tag;
        bad += key != added[k].key || tag != added[k].tag;
    }
    CHECK_EQ_U64(bad, 0);
    /* per group: the brute force's distinct keys by their low 16 bits */
    struct agg groups = {0};
    CHECK_EQ_U64(tt_srclist_count_groups(&all, 7ull << 32, &groups), TT_OK);
    uint64_t per[4] = {0};
    for (size_t k = 0; k < want; k++)
        per[added[k].key & 0xffff]++;
    CHECK_EQ_U64(groups.n, (per[0] != 0) + (per[1] != 0) + (per[2] != 0) + (per[3] != 0));
    for (uint32_t g = 0; g < 4; g++) {
        struct agg_slot *s = agg_get(&groups, 7ull << 32 | g);
        CHECK_EQ_U64(s->packets, per[g]);
    }
    agg_free(&groups);
    tt_srclist_free(&all);
    tt_srcunion_free(&u);
}

static void test_unions(void)
{
    check_union(1, 100, 1000, 0);
    check_union(2, 4000, 5000, 0);      /* two big lists, half shared */
    check_union(37, 4000, 20000, 0);    /* many merges of mixed sizes */
    check_union(37, 4000, 20000, 1);    /* keyed by country too */
    check_union(200, 50, 400, 1);       /* many small lists over few addresses */
    check_union(20, 4000, 1u << 31, 0); /* sparse: little overlap */
}

/* An empty union gives an empty list; a list of skipped sources adds
 * nothing. */
static void test_empty(void)
{
    struct srcunion u = {0};
    struct srclist l;
    CHECK_EQ_U64(tt_srcunion_take(&u, &l), TT_OK);
    CHECK_EQ_U64(l.n4 + l.n6, 0);
    static struct table t;
    make_table(&t, 100, 4, 1000);
    uint64_t skip[NPAT] = {0};
    CHECK_EQ_U64(tt_srclist_of_sources(&l, &t.s, skip, 0), TT_OK);
    CHECK_EQ_U64(l.n4 + l.n6, 0);
    CHECK_EQ_U64(tt_srcunion_add(&u, &l), TT_OK);
    CHECK_EQ_U64(tt_srcunion_take(&u, &l), TT_OK);
    CHECK_EQ_U64(l.n4 + l.n6, 0);
    tt_srclist_free(&l);
    /* a list with no arrays at all (a file whose sources a month table
     * holds) merged with a full one gives the full one */
    uint64_t all[NPAT];
    for (int p = 0; p < NPAT; p++)
        all[p] = 1;
    struct srclist full, none = {0};
    CHECK_EQ_U64(tt_srclist_of_sources(&full, &t.s, all, 0), TT_OK);
    size_t n = full.n4 + full.n6;
    CHECK_EQ_U64(tt_srcunion_add(&u, &none), TT_OK);
    CHECK_EQ_U64(tt_srcunion_add(&u, &full), TT_OK);
    CHECK_EQ_U64(tt_srcunion_add(&u, &none), TT_OK);
    CHECK_EQ_U64(tt_srcunion_take(&u, &l), TT_OK);
    CHECK_EQ_U64(l.n4 + l.n6, n);
    CHECK(n > 0);
    tt_srclist_free(&l);
    tt_srcunion_free(&u);
}

TT_TESTS(test_unions, test_empty)
