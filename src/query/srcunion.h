/* Exact distinct-source counting over roll-ups' source tables. Each table
 * is already sorted and distinct, so a range's sources are the union of
 * sorted lists: merged pairwise (a list is merged with the one before it
 * while that one is not more than twice its size), which costs
 * O(n log files) sequential work and no hashing. Every source carries a
 * 64-bit tag (the classes and sensors it was seen in); equal sources' tags
 * are ORed. Shared by the stats, country and series queries. */
#ifndef TT_SRCUNION_H
#define TT_SRCUNION_H

#include <stddef.h>
#include <stdint.h>

#include "common/agg.h"
#include "store/rollup.h"

#define SRCLIST_SKIP 0 /* a pattern's tag: leave its sources out */

/* An IPv6 source: address, then group (big-endian), so memcmp orders it. */
struct src6 {
    uint8_t key[18];
    uint64_t tag;
};

/* A sorted, distinct list of sources. IPv4 keys are address << 16 | group
 * (the group is the source's country or 0), so one address in two groups is
 * two entries. */
struct srclist {
    uint64_t *k4;
    uint64_t *t4;
    size_t n4;
    struct src6 *v6;
    size_t n6;
};

/* Builds the list of a roll-up's sources: tags[p] is the tag of sources
 * with pattern p (SRCLIST_SKIP: left out); by_cc keys them by country too.
 * 0 or TT_ENOMEM. */
int tt_srclist_of_sources(struct srclist *l, const struct tt_roll_sources *s, const uint64_t *tags,
                          int by_cc);
void tt_srclist_free(struct srclist *l);
/* Counts the list's sources per group (country): out[key | group].packets
 * += 1 each. 0 or TT_ENOMEM. */
int tt_srclist_count_groups(const struct srclist *l, uint64_t key, struct agg *out);

struct srcunion {
    struct srclist *runs;
    size_t nruns, cap;
};

/* Adds a list (the union takes its arrays; *l is left empty). 0 or
 * TT_ENOMEM. */
int tt_srcunion_add(struct srcunion *u, struct srclist *l);
/* Merges everything added into *out (the caller's to free) and empties the
 * union. 0 or TT_ENOMEM. */
int tt_srcunion_take(struct srcunion *u, struct srclist *out);
void tt_srcunion_free(struct srcunion *u);

#endif
