/* Internals shared by the roll-up accumulator and its file codec. */
#ifndef TT_ROLLUP_INT_H
#define TT_ROLLUP_INT_H

#include "common/agg.h"
#include "store/blockfile.h"
#include "store/rollup.h"

#define ROLL_MAGIC "TTROLLU1"
#define ROLL_HDR_LEN 32u
#define ROLL_DEDUPE 4096u /* recently added (set, source) pairs */

/* Packed entry key, ordered (sensor, proto, kind, port, hour). */
static inline uint64_t roll_key(uint16_t sensor, uint8_t proto, uint8_t kind, uint16_t port,
                                uint8_t hour)
{
    return (uint64_t)sensor << 31 | (uint64_t)proto << 23 | (uint64_t)kind << 21 |
           (uint64_t)port << 5 | hour;
}

/* Source sets while a roll-up is filled at ingest (a decoded roll-up has
 * none: read tt_rollup_sources). IPv4 addresses are appended and made
 * distinct when the list fills up; repeats left at encode are met by the
 * sort of all (address, set) pairs there. (CRoaring bitmaps inserted a
 * container per sparse darknet source, moving the container array each
 * time.) */
struct tt_roll_set {
    uint16_t sensor;
    uint8_t cls;
    uint16_t cc; /* the sources' country (TT_CC, 0 unknown) */
    uint32_t *v4;
    size_t n4, cap4;
    uint8_t *v6;
    size_t n6, cap6;
    /* the country counters: every packet finds its set anyway (a hash
     * table of country counters beside it cost ~4% of ingest) */
    uint64_t packets[24], bytes[24];
};
/* Country counter key, ordered (sensor, cc, cls, hour). */
static inline uint64_t roll_geo_key(uint16_t sensor, uint16_t cc, uint8_t cls, uint8_t hour)
{
    return (uint64_t)sensor << 23 | (uint64_t)cc << 7 | (uint64_t)cls << 5 | hour;
}

#define ROLL_SET_INDEX_MIN 64 /* slots of the set index when first built */

struct tt_rollup {
    int64_t day;
    struct agg counts; /* hourly counters by roll_key */
    struct tt_roll_entry *days, *hours;
    size_t ndays, nhours;
    struct tt_roll_geo *geo_days, *geo_hours;
    size_t ngeo_days, ngeo_hours;
    struct tt_roll_set *sets;
    size_t nsets, capsets, last_set;
    uint32_t *set_index; /* open addressing over sets: index + 1, 0 empty */
    struct tt_roll_sources src;
    struct tt_roll_day_patterns *day_pats; /* a month table's */
    size_t nday_pats;
    int mixed_cc;  /* a source in sets of two countries (roll_build_sources, union) */
    int src_given; /* src set by tt_rollup_union_sources: encode keeps it */
    char (*segs)[TT_ROLL_SEG_NAME_MAX]; /* tt_rollup_add_segment */
    size_t nsegs, capsegs;
    int src_in_segs; /* decoded: src holds the counts, the addresses are in segs */
    size_t set_index_cap;
    uint64_t dedupe[ROLL_DEDUPE];
    uint64_t refused[TT_DEC__COUNT];
};

/* Sorted entries from the counters: whole-day totals and per-hour rows. */
int roll_build_entries(struct tt_rollup *r);
/* Blocks DAY and (hours not NULL) HOURS: ndays port-counter rows, keys
 * ascending, and their hourly split in at most nhours rows. 0, TT_ENOMEM or
 * TT_ECORRUPT. */
int roll_get_counters(struct tt_rollup *r, struct tt_rd *day, struct tt_rd *hours, size_t ndays,
                      size_t nhours);
struct tt_roll_set *roll_set_get(struct tt_rollup *r, uint16_t sensor, uint8_t cls, uint16_t cc);
/* Sorted country entries from the sets' counters (rollup_geo.c), and
 * their blocks' coding. The getters return TT_ECORRUPT on bad bytes. */
int roll_build_enriched(struct tt_rollup *r);
/* Appends a segment name of len bytes (not NUL-terminated); TT_EINVAL
 * when it is not a name the store makes. */
int roll_add_segment(struct tt_rollup *r, const char *name, size_t len);
/* Block SEGS: 0, TT_ENOMEM or TT_ECORRUPT. */
int roll_get_segs(struct tt_rollup *r, struct tt_rd *rd);
/* The source table from the sets (rollup_sources.c), and its blocks. With
 * segments named (r->nsegs), SRC holds only the counts and SRC_CC nothing;
 * roll_get_sources then leaves src's addresses and countries to the
 * segments (src_in_segs). */
int roll_build_sources(struct tt_rollup *r);
void roll_sources_free(struct tt_rollup *r);
void roll_put_sources(const struct tt_rollup *r, struct tt_buf *src,
                      struct tt_block_frames *src_frames, struct tt_buf *cc, struct tt_buf *pat,
                      struct tt_buf *patterns);
int roll_get_sources(struct tt_rollup *r, struct tt_rd *src, struct tt_rd *cc, struct tt_rd *pat,
                     struct tt_rd *patterns, size_t max); /* cc NULL: not decoded */
/* A month table's per-day pattern counts (block DAY_PATTERNS). */
void roll_day_patterns_free(struct tt_rollup *r);
void roll_put_day_patterns(const struct tt_rollup *r, struct tt_buf *out);
int roll_get_day_patterns(struct tt_rollup *r, struct tt_rd *rd);
void roll_put_geo(const struct tt_rollup *r, struct tt_buf *day, struct tt_block_frames *day_frames,
                  struct tt_buf *hours, struct tt_block_frames *hour_frames);
int roll_get_geo(struct tt_rollup *r, struct tt_rd *day, struct tt_rd *hours, size_t ndays,
                 size_t nhours);

int roll_v6_compact(struct tt_roll_set *s);
int roll_v4_compact(struct tt_roll_set *s);

#endif
