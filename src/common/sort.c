#include "common/sort.h"

#include "common/agg.h"

#include <stdlib.h>
#include <string.h>

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

size_t tt_sort_unique_u32(uint32_t *a, size_t n, uint32_t *tmp)
{
    /* small lists: the radix passes' 2 x 64 Ki counters cost more than they save */
    size_t(*count)[65537] = n < 4096 ? NULL : calloc(2, sizeof *count);
    if (!count) {
        qsort(a, n, sizeof *a, cmp_u32);
    } else {
        static const size_t buckets = 65536;
        for (size_t i = 0; i < n; i++) {
            count[0][(a[i] & 0xffff) + 1]++;
            count[1][(a[i] >> 16) + 1]++;
        }
        for (size_t b = 0; b < buckets; b++) {
            count[0][b + 1] += count[0][b];
            count[1][b + 1] += count[1][b];
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[0][a[i] & 0xffff]++] = a[i];
        for (size_t i = 0; i < n; i++)
            a[count[1][tmp[i] >> 16]++] = tmp[i];
        free(count);
    }
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (w == 0 || a[i] != a[w - 1])
            a[w++] = a[i];
    return w;
}

void tt_sort_pairs32(struct tt_pair32 *p, size_t n, struct tt_pair32 *tmp)
{
    size_t(*count)[65537] = calloc(2, sizeof *count);
    if (!count) { /* an insertion sort keeps the answer right, if slowly */
        for (size_t i = 1; i < n; i++) {
            struct tt_pair32 x = p[i];
            size_t j = i;
            for (; j && p[j - 1].key > x.key; j--)
                p[j] = p[j - 1];
            p[j] = x;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        count[0][(p[i].key & 0xffff) + 1]++;
        count[1][(p[i].key >> 16) + 1]++;
    }
    for (size_t b = 0; b < 65536; b++) {
        count[0][b + 1] += count[0][b];
        count[1][b + 1] += count[1][b];
    }
    for (size_t i = 0; i < n; i++)
        tmp[count[0][p[i].key & 0xffff]++] = p[i];
    for (size_t i = 0; i < n; i++)
        p[count[1][tmp[i].key >> 16]++] = tmp[i];
    free(count);
}

static int cmp_slot(const void *a, const void *b)
{
    uint64_t x = ((const struct agg_slot *)a)->key1, y = ((const struct agg_slot *)b)->key1;
    return (x > y) - (x < y);
}

int agg_sort_slots(struct agg_slot *s, size_t n)
{
    if (n < 4096) { /* the passes' 64 Ki counters cost more than they save */
        qsort(s, n, sizeof *s, cmp_slot);
        return 0;
    }
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        max = s[i].key1 > max ? s[i].key1 : max;
    struct agg_slot *tmp = malloc((n ? n : 1) * sizeof *tmp);
    size_t *count = malloc(65537 * sizeof *count);
    if (!tmp || !count) {
        free(tmp);
        free(count);
        return -1;
    }
    for (unsigned shift = 0; shift < 64 && (max >> shift); shift += 16) {
        memset(count, 0, 65537 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[((s[i].key1 >> shift) & 0xffff) + 1]++;
        for (size_t b = 0; b < 65536; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            tmp[count[(s[i].key1 >> shift) & 0xffff]++] = s[i];
        memcpy(s, tmp, n * sizeof *s);
    }
    free(tmp);
    free(count);
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
