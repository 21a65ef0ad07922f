/* Roll-ups kept at ingest for one UTC day: packets and bytes per hour x
 * sensor x protocol x port (ICMP type/code in place of the port) and per
 * hour x sensor x source country x protocol class; the day's distinct
 * sources, each with its country and the (sensor, class) pairs it sent to
 * (exact unique counts for any filter; collected at ingest in per-set
 * address lists); and the frames the decoder refused, by reason. Reports
 * read these; only drill-downs read raw segments. */
#ifndef TT_ROLLUP_H
#define TT_ROLLUP_H

#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/record.h"
#include "decode/decode.h"

#define TT_ROLLUP_FILE_MAX ((size_t)1 << 32) /* bytes a reader accepts of one file */
#define TT_ROLLUP_VERSION                                                                          \
    8 /* 2: country and AS counters, country-keyed sets; 3: day patterns;                          \
        4: hourly bytes as the difference from the row's mean; 5: source gaps as byte planes;      \
        6: sources' countries as values; 7: a day's sources kept in its segments (SEGS);           \
        8: counter rows and their hours as streams (rollup_rows.h) */

/* Protocol classes for unique-source sets (fragments count under theirs). */
enum tt_class { TT_CLASS_TCP, TT_CLASS_UDP, TT_CLASS_ICMP, TT_CLASS_OTHER, TT_CLASS__COUNT };

/* What the 16-bit port of an entry means. */
enum tt_portkind {
    TT_PK_PORT = 0, /* TCP/UDP destination port */
    TT_PK_ICMP = 1, /* ICMP/ICMPv6 type << 8 | code */
    TT_PK_NONE = 2, /* no transport header: non-first fragment, other protocol */
};

#define TT_HOUR_DAY 255 /* entry.hour for a whole-day total */

struct tt_roll_entry {
    uint16_t sensor;
    uint8_t proto, kind; /* kind: enum tt_portkind */
    uint16_t port;
    uint8_t hour;            /* 0..23, or TT_HOUR_DAY */
    uint64_t packets, bytes; /* bytes: sum of IP total length */
};

struct tt_rollup;

struct tt_rollup *tt_rollup_new(int64_t day);
void tt_rollup_free(struct tt_rollup *r);
int64_t tt_rollup_day(const struct tt_rollup *r);

/* Adds one stored record (its timestamp must fall in the day). Returns
 * TT_ENOMEM if a table could not grow; the record is then not counted. */
int tt_rollup_add(struct tt_rollup *r, const struct tt_record *rec);
/* Adds everything src counted (of the same day; neither encoded yet) to
 * dst: two workers' roll-ups of one day become one file. src is left
 * unchanged. 0 or TT_ENOMEM (dst may then hold part of src). */
int tt_rollup_merge(struct tt_rollup *dst, struct tt_rollup *src);
/* Counts a frame the decoder refused (status >= TT_DEC_NOT_IP). */
void tt_rollup_add_refused(struct tt_rollup *r, enum tt_decode_status status, uint64_t n);

static inline enum tt_class tt_class_of(uint8_t proto)
{
    return proto == 6                  ? TT_CLASS_TCP
           : proto == 17               ? TT_CLASS_UDP
           : proto == 1 || proto == 58 ? TT_CLASS_ICMP
                                       : TT_CLASS_OTHER;
}
const char *tt_class_name(enum tt_class c);

/* The segments holding a day's records, each named as in its day's
 * directory without ".tts" (store.h's TT_STORE_NAME_MAX): a roll-up that
 * names its segments stores no source addresses or countries of its own,
 * since the segments hold them already (their SRC4, SRC6 and CC columns),
 * and tt_rollup_read gets them from there. The ingest names every segment
 * whose records it added; merged roll-ups keep both lists. */
#define TT_ROLL_SEG_NAME_MAX 64
int tt_rollup_add_segment(struct tt_rollup *r, const char *name); /* 0, TT_EINVAL, TT_ENOMEM */
size_t tt_rollup_segments(const struct tt_rollup *r, const char (**names)[TT_ROLL_SEG_NAME_MAX]);

/* Serialises (sorting entries; the rollup stays usable). */
int tt_rollup_encode(struct tt_rollup *r, struct tt_buf *out, int zstd_level, struct tt_err *err);

/* What a reader wants decoded. */
enum {
    TT_RW_DAY = 1,
    TT_RW_HOURS = 2,
    TT_RW_SETS = 4,
    TT_RW_REFUSED = 8,
    TT_RW_GEO = 16,       /* country entries, whole day */
    TT_RW_GEO_HOURS = 32, /* ... and per hour (implies TT_RW_GEO) */
    TT_RW_ALL = 63,
    TT_RW_NO_CC = 64 /* with TT_RW_SETS: not the sources' countries (cc NULL) */
};
/* Decodes a roll-up file's bytes. With TT_RW_SETS, the sources of a
 * roll-up that names segments are left there (tt_rollup_sources gives NULL
 * until they are loaded): read files with tt_rollup_read (rollup_read.h). */
int tt_rollup_decode(const uint8_t *data, size_t len, const char *name, unsigned want,
                     struct tt_rollup **out, struct tt_err *err);

/* Packets and bytes by source country: cls is enum tt_class, cc a TT_CC
 * value (0 unknown). */
struct tt_roll_geo {
    uint16_t sensor, cc;
    uint8_t cls, hour; /* hour 0..23, or TT_HOUR_DAY */
    uint64_t packets, bytes;
};

/* Entries: whole-day totals (hour == TT_HOUR_DAY) or per hour. Valid after
 * decode with the matching want bit (none without TT_RW_DAY or
 * TT_RW_HOURS), or after encode. */
size_t tt_rollup_day_entries(const struct tt_rollup *r, const struct tt_roll_entry **out);
size_t tt_rollup_hour_entries(const struct tt_rollup *r, const struct tt_roll_entry **out);

/* Country entries, sorted by sensor, cc, cls, hour; valid after encode or
 * a decode with TT_RW_GEO / TT_RW_GEO_HOURS. */
size_t tt_rollup_geo_entries(const struct tt_rollup *r, const struct tt_roll_geo **out);
size_t tt_rollup_geo_hour_entries(const struct tt_rollup *r, const struct tt_roll_geo **out);

/* The day's distinct sources, each once, with its country (cc NULL after a
 * decode with TT_RW_NO_CC) and the sets it
 * is in: pattern[k] indexes a list members[pat_start[p] .. pat_start[p+1])
 * of sensor << 8 | class, ascending. IPv4 sources (ascending) come first,
 * then IPv6 (ascending, 16 bytes each); cc and pattern cover both. Valid
 * after encode or a decode with TT_RW_SETS. */
struct tt_roll_sources {
    size_t n4, n6;
    uint32_t *v4;
    uint8_t *v6;
    uint16_t *cc;
    uint32_t *pattern;
    size_t npatterns;
    uint32_t *pat_start; /* npatterns + 1 entries */
    uint32_t *members;
};
const struct tt_roll_sources *tt_rollup_sources(const struct tt_rollup *r);

/* A month table's unique sources of each of its days (the union of that
 * day's files), as the number of the day's sources with each pattern: the
 * patterns index the table's own pattern table. Valid after a decode with
 * TT_RW_SETS; none in a day's roll-up. */
struct tt_roll_day_patterns {
    int64_t day;
    size_t n;
    uint32_t *pattern, *sources; /* pattern ascending */
};
size_t tt_rollup_day_patterns(const struct tt_rollup *r, const struct tt_roll_day_patterns **out);

/* Makes dst's source table (encoded as it is; dst must have no sets) the
 * union of n decoded roll-ups' (TT_RW_SETS): each distinct source once,
 * with the union of its (sensor, class) pairs: a day's several files made
 * one, or a month's days. With by_day, in[] are distinct days, and dst
 * also gets each day's sources counted by pattern (tt_rollup_day_patterns)
 * for a month's table (store/months.h). 0, TT_ENOMEM, or TT_EINVAL for an
 * input whose sources were left in its segments (tt_rollup_decode). */
int tt_rollup_union_sources(struct tt_rollup *dst, struct tt_rollup *const *in, size_t n,
                            int by_day);
/* Whether a source met two countries in the last union or encode
 * (possible only across files enriched with different database versions). */
int tt_rollup_mixed_countries(const struct tt_rollup *r);

uint64_t tt_rollup_refused(const struct tt_rollup *r, enum tt_decode_status status);

#endif
