/* Sorting for the store's and queries' address lists. */
#ifndef TT_SORT_H
#define TT_SORT_H

#include <stddef.h>
#include <stdint.h>

/* Sorts a[0, n) ascending (LSD radix, 11 bits a pass; tmp holds n values)
 * and returns how many distinct values now lead the array. */
size_t tt_sort_unique_u32(uint32_t *a, size_t n, uint32_t *tmp);

/* A 32-bit key and what it belongs to. */
struct tt_pair32 {
    uint32_t key, val;
};
/* Sorts p[0, n) by key, stable (LSD radix, 11 bits a pass); tmp holds n
 * pairs. */
void tt_sort_pairs32(struct tt_pair32 *p, size_t n, struct tt_pair32 *tmp);

/* Puts the k first of base[0, n) in cmp order at the front, the rest after
 * them in no order: a heap of the k best so far, O(n log k); for top-N
 * lists over many rows, where sorting them all would dominate. cmp must be
 * a total order for the result to be the full sort's first k. */
void tt_sort_top(void *base, size_t n, size_t size, size_t k,
                 int (*cmp)(const void *, const void *));

#endif
