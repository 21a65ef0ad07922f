/* Internals shared by the roll-up accumulator and its file codec. */
#ifndef TT_ROLLUP_INT_H
#define TT_ROLLUP_INT_H

#include "common/agg.h"
#include "store/rollup.h"

#define ROLL_MAGIC "TTROLLU1"
#define ROLL_HDR_LEN 24u
#define ROLL_DEDUPE 4096u /* recently added (set, source) pairs */

/* Packed entry key, ordered (sensor, proto, kind, port, hour). */
static inline uint64_t roll_key(uint16_t sensor, uint8_t proto, uint8_t kind, uint16_t port,
                                uint8_t hour)
{
    return (uint64_t)sensor << 31 | (uint64_t)proto << 23 | (uint64_t)kind << 21 |
           (uint64_t)port << 5 | hour;
}

struct tt_rollup {
    int64_t day;
    struct agg counts; /* hourly counters by roll_key */
    struct tt_roll_entry *days, *hours;
    size_t ndays, nhours;
    struct tt_roll_set *sets;
    size_t nsets, capsets, last_set;
    uint64_t dedupe[ROLL_DEDUPE];
    uint64_t refused[TT_DEC__COUNT];
};

/* Sorted entries from the counters: whole-day totals and per-hour rows. */
int roll_build_entries(struct tt_rollup *r);
struct tt_roll_set *roll_set_get(struct tt_rollup *r, uint16_t sensor, uint8_t cls);
int roll_v6_compact(struct tt_roll_set *s);

#endif
