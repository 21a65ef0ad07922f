/* The store's and queries' sorts against qsort: radix sorts of addresses
 * and pairs, and the top-k selection of the top lists (random rows with
 * many ties, k from 0 to all). */
#include <stdint.h>

#include "common/agg.h"
#include "common/sort.h"
#include "harness.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    return tt_test_rand(&rng);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void test_unique_u32(void)
{
    enum { N = 100000 };
    static uint32_t a[N], ref[N], tmp[N];
    for (size_t i = 0; i < N; i++)
        a[i] = ref[i] = i % 3 ? rnd() : rnd() % 1000; /* duplicates, both halves of the word */
    qsort(ref, N, sizeof *ref, cmp_u32);
    size_t want = 0;
    for (size_t i = 0; i < N; i++)
        if (!want || ref[want - 1] != ref[i])
            ref[want++] = ref[i];
    size_t got = tt_sort_unique_u32(a, N, tmp);
    CHECK_EQ_U64(got, want);
    CHECK(memcmp(a, ref, want * sizeof *a) == 0);
    CHECK_EQ_U64(tt_sort_unique_u32(a, 0, tmp), 0);
}

static void test_pairs_stable(void)
{
    enum { N = 50000 };
    static struct tt_pair32 p[N], tmp[N];
    for (size_t i = 0; i < N; i++)
        p[i] = (struct tt_pair32){rnd() % 5000 * 65599u, (uint32_t)i};
    tt_sort_pairs32(p, N, tmp);
    size_t bad = 0;
    for (size_t i = 1; i < N; i++)
        bad += p[i - 1].key > p[i].key || (p[i - 1].key == p[i].key && p[i - 1].val > p[i].val);
    CHECK_EQ_U64(bad, 0);
}

static int cmp_slot_key(const void *a, const void *b)
{
    uint64_t x = ((const struct agg_slot *)a)->key1, y = ((const struct agg_slot *)b)->key1;
    return (x > y) - (x < y);
}

/* Counter slots by key: sizes either side of the insertion-sort cut, keys
 * of 8 to 56 bits (the passes stop at the largest key's top digit). */
static void test_slots(void)
{
    static const size_t sizes[] = {0, 1, 47, 48, 49, 1000, 70000};
    static const unsigned bits[] = {8, 24, 56};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t b = 0; b < 3; b++) {
            size_t n = sizes[i];
            struct agg_slot *s = malloc((n + 1) * sizeof *s), *ref = malloc((n + 1) * sizeof *ref);
            for (size_t k = 0; k < n; k++) {
                uint64_t key = ((uint64_t)rnd() << 32 | rnd()) & ((1ull << bits[b]) - 1);
                s[k] = ref[k] = (struct agg_slot){key + 1, k, 0};
            }
            qsort(ref, n, sizeof *ref, cmp_slot_key);
            CHECK_EQ_U64(agg_sort_slots(s, n), 0);
            size_t bad = 0;
            for (size_t k = 0; k < n; k++)
                bad += s[k].key1 != ref[k].key1;
            CHECK_EQ_U64(bad, 0);
            free(s);
            free(ref);
        }
}

struct row {
    uint64_t packets;
    uint32_t key;
};

static int cmp_row(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->packets != y->packets)
        return x->packets < y->packets ? 1 : -1;
    return (x->key > y->key) - (x->key < y->key);
}

static void check_top(size_t n, size_t k)
{
    struct row *r = malloc((n + 1) * sizeof *r), *ref = malloc((n + 1) * sizeof *ref);
    for (size_t i = 0; i < n; i++)
        r[i] = ref[i] = (struct row){rnd() % 50, (uint32_t)i}; /* many equal counts */
    qsort(ref, n, sizeof *ref, cmp_row);
    tt_sort_top(r, n, sizeof *r, k, cmp_row);
    size_t m = k < n ? k : n, bad = 0;
    for (size_t i = 0; i < m; i++)
        bad += r[i].packets != ref[i].packets || r[i].key != ref[i].key;
    CHECK_EQ_U64(bad, 0);
    /* the rest are still there, each once */
    uint64_t sum = 0, want = 0;
    for (size_t i = 0; i < n; i++) {
        sum += r[i].key;
        want += i;
    }
    CHECK_EQ_U64(sum, want);
    free(r);
    free(ref);
}

static void test_top(void)
{
    static const size_t ks[] = {0, 1, 2, 3, 10, 100, 499, 500, 999, 1000, 5000};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
        check_top(1000, ks[i]);
    check_top(0, 10);
    check_top(1, 10);
    check_top(200000, 10);
}

TT_TESTS(test_unique_u32, test_pairs_stable, test_slots, test_top)
