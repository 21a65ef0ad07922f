/* Exact unique-source counting: ascending runs merged, many runs sorted,
 * IPv6 and merges between sets, against a brute-force count. */
#include <stdint.h>

#include "harness.h"
#include "query/srcset.h"

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static uint64_t brute(uint32_t *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_u32);
    uint64_t d = 0;
    for (size_t i = 0; i < n; i++)
        d += !i || v[i] != v[i - 1];
    return d;
}

/* runs ascending runs of up to len addresses from a small space (so runs
 * share addresses), counted twice (a count, more runs, a count). */
static void check_runs(size_t runs, size_t len, uint32_t space)
{
    struct srcset s;
    memset(&s, 0, sizeof s);
    uint32_t *all = malloc(2 * runs * len * sizeof *all);
    size_t n = 0;
    for (int round = 0; round < 2; round++) {
        for (size_t r = 0; r < runs; r++) {
            uint32_t a = rnd() % space;
            for (size_t k = 0; k < len && a < space; k++, a += 1 + rnd() % 7) {
                tt_srcset_put4(&s, a);
                all[n++] = a;
            }
        }
        uint64_t got = tt_srcset_count(&s);
        CHECK_EQ_U64(got, brute(all, n));
        /* the set is sorted and distinct afterwards */
        int ok = 1;
        for (size_t i = 1; i < s.n4; i++)
            ok &= s.v4[i - 1] < s.v4[i];
        CHECK(ok);
    }
    tt_srcset_free(&s);
    free(all);
}

static void test_runs(void)
{
    check_runs(1, 1000, 1u << 20);    /* one run: nothing to do */
    check_runs(2, 5000, 20000);       /* two overlapping runs: merged */
    check_runs(16, 300, 3000);        /* the most runs merged */
    check_runs(17, 300, 3000);        /* one more: sorted */
    check_runs(200, 50, 1000);        /* many short runs, small set: qsort */
    check_runs(100, 2000, 1u << 16);  /* many runs, large set: radix sort */
    check_runs(3, 4000, 0xffffffffu); /* the whole address space */
}

static void test_merge_and_v6(void)
{
    struct srcset a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    for (uint32_t i = 0; i < 1000; i++) {
        tt_srcset_put4(&a, i * 3); /* 0, 3, ..., 2997 */
        tt_srcset_put4(&b, i * 2); /* 0, 2, ..., 1998: 334 shared with a */
    }
    uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
    tt_srcset_put6(&a, v6);
    tt_srcset_put6(&b, v6);
    v6[15] = 1;
    tt_srcset_put6(&b, v6);
    CHECK_EQ_U64(tt_srcset_merge(&a, &b), 0);
    CHECK_EQ_U64(tt_srcset_count(&a), 1000 + 1000 - 334 + 2);
    tt_srcset_free(&a);
    tt_srcset_free(&b);
}

TT_TESTS(test_runs, test_merge_and_v6)
