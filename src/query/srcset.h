/* Exact unique-source counting over roll-up source sets: IPv4 addresses
 * appended from the sets and made distinct by a radix sort when counted,
 * IPv6 by sorting. Shared by the stats and the country queries. */
#ifndef TT_SRCSET_H
#define TT_SRCSET_H

#include <stddef.h>
#include <stdint.h>

#include "store/rollup.h"

struct v6list {
    uint8_t *a;
    size_t n, cap;
};

/* A source set under construction: IPv4 addresses appended from the
 * roll-ups' sets and made distinct by a radix sort when counted (unions of
 * sparse CRoaring bitmaps insert a container per address, quadratically),
 * plus an IPv6 list. */
struct srcset {
    uint32_t *v4, *tmp;
    size_t n4, cap4, distinct; /* [0, distinct) is sorted and distinct */
    struct v6list v6;
};

int tt_srcset_add(struct srcset *u, const struct tt_roll_set *s);
/* Appends another set's distinct addresses. */
int tt_srcset_merge(struct srcset *u, struct srcset *from);
/* Makes the set distinct and returns its size. */
uint64_t tt_srcset_count(struct srcset *u);
void tt_srcset_free(struct srcset *u);

#endif
