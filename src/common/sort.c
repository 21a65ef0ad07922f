#include "common/sort.h"

#include "common/agg.h"

#include <stdlib.h>
#include <string.h>

/* LSD radix sorts, 11 bits a pass: 2 Ki counters per pass are cheap to
 * clear, so even lists of a few hundred values beat qsort (whose calls
 * through a comparison function dominated the roll-ups' encoding); below
 * SMALL an insertion sort is cheaper still. */
#define RADIX_BITS 11
#define RADIX_BUCKETS (1u << RADIX_BITS)
#define SMALL 48

/* Stable insertion sort of a[0, n) of type T by KEY(element). */
#define INSERTION_SORT(T, a, n, KEY)                                                               \
    for (size_t i_ = 1; i_ < (n); i_++) {                                                          \
        T x_ = (a)[i_];                                                                            \
        size_t j_ = i_;                                                                            \
        for (; j_ && KEY((a)[j_ - 1]) > KEY(x_); j_--)                                             \
            (a)[j_] = (a)[j_ - 1];                                                                 \
        (a)[j_] = x_;                                                                              \
    }

/* Defines a stable sort of T by a 32-bit KEY: three 11-bit passes, a pass
 * skipped when every key has the same digit there; tmp holds n. */
#define DEFINE_SORT32(name, T, KEY)                                                                \
    static void name(T *a, size_t n, T *tmp)                                                       \
    {                                                                                              \
        if (n < SMALL) {                                                                           \
            INSERTION_SORT(T, a, n, KEY)                                                           \
            return;                                                                                \
        }                                                                                          \
        size_t count[3][RADIX_BUCKETS + 1];                                                        \
        memset(count, 0, sizeof count);                                                            \
        for (size_t i = 0; i < n; i++)                                                             \
            for (unsigned d = 0; d < 3; d++)                                                       \
                count[d][((KEY(a[i]) >> (d * RADIX_BITS)) & (RADIX_BUCKETS - 1)) + 1]++;           \
        T *from = a, *to = tmp;                                                                    \
        for (unsigned d = 0; d < 3; d++) {                                                         \
            unsigned shift = d * RADIX_BITS;                                                       \
            if (count[d][((KEY(a[0]) >> shift) & (RADIX_BUCKETS - 1)) + 1] == n)                   \
                continue;                                                                          \
            for (size_t b = 0; b < RADIX_BUCKETS; b++)                                             \
                count[d][b + 1] += count[d][b];                                                    \
            for (size_t i = 0; i < n; i++)                                                         \
                to[count[d][(KEY(from[i]) >> shift) & (RADIX_BUCKETS - 1)]++] = from[i];           \
            T *t = from;                                                                           \
            from = to;                                                                             \
            to = t;                                                                                \
        }                                                                                          \
        if (from != a)                                                                             \
            memcpy(a, from, n * sizeof *a);                                                        \
    }

#define VALUE_KEY(x) (x)
#define PAIR_KEY(x) ((x).key)
#define SLOT_KEY(x) ((x).key1)
DEFINE_SORT32(sort_u32, uint32_t, VALUE_KEY)
DEFINE_SORT32(sort_pairs, struct tt_pair32, PAIR_KEY)

size_t tt_sort_unique_u32(uint32_t *a, size_t n, uint32_t *tmp)
{
    sort_u32(a, n, tmp);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (w == 0 || a[i] != a[w - 1])
            a[w++] = a[i];
    return w;
}

void tt_sort_pairs32(struct tt_pair32 *p, size_t n, struct tt_pair32 *tmp)
{
    sort_pairs(p, n, tmp);
}

int agg_sort_slots(struct agg_slot *s, size_t n)
{
    if (n < SMALL) {
        INSERTION_SORT(struct agg_slot, s, n, SLOT_KEY)
        return 0;
    }
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        max = s[i].key1 > max ? s[i].key1 : max;
    struct agg_slot *tmp = malloc(n * sizeof *tmp), *from = s, *to = tmp;
    if (!tmp)
        return -1;
    for (unsigned shift = 0; shift < 64 && (max >> shift); shift += RADIX_BITS) {
        size_t count[RADIX_BUCKETS + 1] = {0};
        for (size_t i = 0; i < n; i++)
            count[((from[i].key1 >> shift) & (RADIX_BUCKETS - 1)) + 1]++;
        for (size_t b = 0; b < RADIX_BUCKETS; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            to[count[(from[i].key1 >> shift) & (RADIX_BUCKETS - 1)]++] = from[i];
        struct agg_slot *t = from;
        from = to;
        to = t;
    }
    if (from != s)
        memcpy(s, from, n * sizeof *s);
    free(tmp);
    return 0;
}

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        unsigned char t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

/* Restores the heap below node i: each node comes after its children in cmp
 * order, so the root is the worst of the k kept. */
static void sift_down(unsigned char *h, size_t k, size_t size, size_t i,
                      int (*cmp)(const void *, const void *))
{
    for (;;) {
        size_t worst = i, l = 2 * i + 1, r = l + 1;
        if (l < k && cmp(h + l * size, h + worst * size) > 0)
            worst = l;
        if (r < k && cmp(h + r * size, h + worst * size) > 0)
            worst = r;
        if (worst == i)
            return;
        swap_bytes(h + i * size, h + worst * size, size);
        i = worst;
    }
}

void tt_sort_top(void *base, size_t n, size_t size, size_t k,
                 int (*cmp)(const void *, const void *))
{
    unsigned char *h = base;
    if (k >= n / 2) { /* most of it: a plain sort is as good */
        qsort(base, n, size, cmp);
        return;
    }
    if (k == 0)
        return;
    for (size_t i = k / 2; i-- > 0;)
        sift_down(h, k, size, i, cmp);
    for (size_t i = k; i < n; i++)
        if (cmp(h + i * size, h) < 0) {
            swap_bytes(h + i * size, h, size);
            sift_down(h, k, size, 0, cmp);
        }
    qsort(base, k, size, cmp);
}
