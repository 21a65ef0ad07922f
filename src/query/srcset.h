/* Exact unique-source counting over roll-ups' source tables: addresses
 * appended and made distinct when counted (IPv4 by a radix sort, IPv6 by
 * sorting). Shared by the stats and the country queries. */
#ifndef TT_SRCSET_H
#define TT_SRCSET_H

#include <stddef.h>
#include <stdint.h>

#include "common/agg.h"
#include "store/rollup.h"

struct v6list {
    uint8_t *a;
    size_t n, cap;
};

/* A source set under construction (unions of sparse CRoaring bitmaps
 * would insert a container per address, quadratically). */
#define SRCSET_RUNS 16 /* ascending runs merged; more are radix-sorted */

/* Addresses mostly arrive as ascending runs (a roll-up's source table is
 * sorted), so the set remembers where each run starts: one run is already
 * distinct, a few are merged, many are radix-sorted. */
struct srcset {
    uint32_t *v4, *tmp;
    size_t n4, cap4, distinct; /* [0, distinct) is sorted and distinct */
    size_t run[SRCSET_RUNS];   /* starts of the runs after the first */
    size_t nruns;              /* SRCSET_RUNS + 1: too many to merge */
    struct v6list v6;
};

/* Room for n more IPv4 addresses (0 or TT_ENOMEM). */
int tt_srcset_grow4(struct srcset *u, size_t n);
int tt_srcset_put6(struct srcset *u, const uint8_t a[16]);

static inline int tt_srcset_put4(struct srcset *u, uint32_t a)
{
    if (u->n4 == u->cap4 && tt_srcset_grow4(u, 1))
        return -1;
    if (u->n4 && a <= u->v4[u->n4 - 1] && u->nruns <= SRCSET_RUNS) {
        if (u->nruns < SRCSET_RUNS)
            u->run[u->nruns] = u->n4;
        u->nruns++;
    }
    u->v4[u->n4++] = a;
    return 0;
}

/* Appends source k of a roll-up's table. */
static inline int tt_srcset_put_source(struct srcset *u, const struct tt_roll_sources *s, size_t k)
{
    return k < s->n4 ? tt_srcset_put4(u, s->v4[k]) : tt_srcset_put6(u, s->v6 + 16 * (k - s->n4));
}
/* Appends another set's distinct addresses. */
int tt_srcset_merge(struct srcset *u, struct srcset *from);
/* Makes the set distinct and returns its size. */
uint64_t tt_srcset_count(struct srcset *u);
void tt_srcset_free(struct srcset *u);

/* Source sets by a 64-bit key (a country, a day and country, ...). */
struct srcset_map {
    struct agg index; /* key -> set index + 1, in the packets counter */
    struct srcset *sets;
    size_t n;
};
/* The key's set, created empty; NULL when out of memory. */
struct srcset *tt_srcset_map_get(struct srcset_map *m, uint64_t key);
/* The key's set when it has one, else NULL. */
struct srcset *tt_srcset_map_find(struct srcset_map *m, uint64_t key);
void tt_srcset_map_free(struct srcset_map *m);

#endif
