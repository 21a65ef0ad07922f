/* Open-addressed counting table (roll-ups, queries): 64-bit key -> packets,
 * bytes and a small auxiliary counter. Grows by doubling. */
#ifndef TT_COMMON_AGG_H
#define TT_COMMON_AGG_H

#include <stdint.h>
#include <stdlib.h>

struct agg_slot {
    uint64_t key1; /* key + 1; 0 = empty */
    uint64_t packets, bytes;
};

struct agg {
    struct agg_slot *slots;
    size_t cap, n;
};

static inline uint64_t agg_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

static inline int agg_grow(struct agg *a)
{
    size_t cap = a->cap ? a->cap * 2 : 1024;
    struct agg_slot *s = calloc(cap, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < a->cap; i++) {
        if (!a->slots[i].key1)
            continue;
        size_t h = agg_mix(a->slots[i].key1) & (cap - 1);
        while (s[h].key1)
            h = (h + 1) & (cap - 1);
        s[h] = a->slots[i];
    }
    free(a->slots);
    a->slots = s;
    a->cap = cap;
    return 0;
}

/* The slot for key, created empty if new; NULL when out of memory. */
static inline struct agg_slot *agg_get(struct agg *a, uint64_t key)
{
    if (2 * (a->n + 1) > a->cap && agg_grow(a))
        return NULL;
    size_t mask = a->cap - 1, h = agg_mix(key + 1) & mask;
    while (a->slots[h].key1 && a->slots[h].key1 != key + 1)
        h = (h + 1) & mask;
    if (!a->slots[h].key1) {
        a->slots[h].key1 = key + 1;
        a->n++;
    }
    return &a->slots[h];
}

/* The slot for key, or NULL when it has none. */
static inline const struct agg_slot *agg_find(const struct agg *a, uint64_t key)
{
    if (!a->cap)
        return NULL;
    size_t mask = a->cap - 1, h = agg_mix(key + 1) & mask;
    while (a->slots[h].key1 && a->slots[h].key1 != key + 1)
        h = (h + 1) & mask;
    return a->slots[h].key1 ? &a->slots[h] : NULL;
}

/* Sorts slots by key (LSD radix, 11 bits a pass, as many passes as the
 * largest key needs); -1 when out of memory (the slots are then unsorted). */
int agg_sort_slots(struct agg_slot *s, size_t n);

static inline void agg_free(struct agg *a)
{
    free(a->slots);
    a->slots = NULL;
    a->cap = a->n = 0;
}

#endif
