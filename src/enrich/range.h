/* The address ranges every IP database (region or AS) is built from, and the
 * parsers of the source formats that produce them: the RIRs' delegated
 * statistics, inclusive-range CSV tables (ip-location-db, DB-IP) and
 * prefix-to-AS tables (CAIDA pfx2as, pyasn). A range set is filled by one or
 * more parsers, then finalised: sorted, overlaps found and reported, and
 * resolved by one documented rule (the narrower range wins), so that
 * tt_ipdb_write can compile it into a lookup table. */
#ifndef TT_RANGE_H
#define TT_RANGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* A country code as its two ASCII letters, 'U' << 8 | 'S'; 0 = none. Codes
 * that are not ISO 3166-1 (EU, AP, ZZ, XK) are kept as they are. */
#define TT_CC(a, b) ((uint32_t)(uint8_t)(a) << 8 | (uint32_t)(uint8_t)(b))

#define TT_RANGE_FILES_MAX 64    /* source files per set */
#define TT_RANGE_MAX (64u << 20) /* ranges per address family */
#define TT_ASNAME_MAX 256        /* bytes of an AS name, with its NUL */

/* value: a country code (TT_CC) or an AS number; never 0. file: index into
 * the set's file names; line: 1-based line in that file (for reports). */
struct tt_range4 {
    uint32_t lo, hi; /* inclusive, host order */
    uint32_t value;
    uint16_t file;
    uint32_t line;
};

struct tt_range6 {
    uint8_t lo[16], hi[16]; /* inclusive, network order */
    uint32_t value;
    uint16_t file;
    uint32_t line;
};

struct tt_asname {
    uint32_t asn;
    char name[TT_ASNAME_MAX];
};

/* Growable; zero-initialise, fill, finalise, then tt_range_set_free. */
struct tt_range_set {
    struct tt_range4 *v4;
    size_t n4, cap4;
    struct tt_range6 *v6;
    size_t n6, cap6;
    struct tt_asname *names; /* AS names, sorted by asn after finalise */
    size_t nnames, capnames;
    char *files[TT_RANGE_FILES_MAX]; /* source file names (owned) */
    unsigned nfiles;
    uint64_t skipped; /* records deliberately not mapped (e.g. RIR available/reserved) */
};

void tt_range_set_free(struct tt_range_set *s);
/* Registers a source file name; returns its index or a negative TT_E*. */
int tt_range_add_file(struct tt_range_set *s, const char *name);
int tt_range_add4(struct tt_range_set *s, uint32_t lo, uint32_t hi, uint32_t value, uint16_t file,
                  uint32_t line);
int tt_range_add6(struct tt_range_set *s, const uint8_t lo[16], const uint8_t hi[16],
                  uint32_t value, uint16_t file, uint32_t line);
/* Adds or replaces the name of an AS (cut to TT_ASNAME_MAX - 1 bytes). */
int tt_range_add_name(struct tt_range_set *s, uint32_t asn, const char *name);

/* One overlap found by tt_range_finalize between two ranges with different
 * values. Text fields are formatted addresses ("192.0.2.0"). */
struct tt_range_conflict {
    int ipver;
    char lo[48], hi[48];         /* the overlapping part */
    const char *file_a, *file_b; /* the two records' files */
    uint32_t line_a, line_b;     /* ... and lines */
    uint32_t value_a, value_b;   /* a: the wider range (loses), b: the narrower (wins) */
};
typedef void (*tt_range_report_fn)(void *ctx, const struct tt_range_conflict *c);

/* Sorts, merges touching or overlapping ranges of the same value, and
 * resolves overlaps of different values so that the narrower range wins
 * (ties: the later record, by file then line); every such overlap is passed
 * to report (may be NULL) and counted in *conflicts. Afterwards v4 and v6
 * are sorted, non-overlapping and non-empty. */
int tt_range_finalize(struct tt_range_set *s, tt_range_report_fn report, void *ctx,
                      uint64_t *conflicts, struct tt_err *err);

/* --- Source formats. Each reads a plain or gzip-compressed file (zlib),
 * appends to out, and refuses a bad line with "FILE:LINE: why". --- */

/* RIR delegated statistics, standard or extended (ARIN, RIPE NCC, APNIC,
 * LACNIC, AFRINIC, and IANA's own file): header (version line, 7 fields,
 * told apart by its first field being a version number), summary lines
 * (`registry|*|type|*|count|summary`), and records
 * `registry|cc|type|start|value|date|status[|opaque-id[|...]]`. IPv4: value
 * is an address count (need not be a power of two or CIDR-aligned); IPv6:
 * value is a prefix length; asn records are counted, not mapped. Only
 * allocated and assigned records map to their country; available, reserved
 * and records without a country are counted in out->skipped. */
struct tt_rir_stats {
    uint64_t records, ipv4, ipv6, asn, mapped, unmapped;
    char registry[16]; /* from the version line */
    char serial[32];   /* the version line's serial (file date) */
};
int tt_rir_parse(const char *path, struct tt_range_set *out, struct tt_rir_stats *st,
                 struct tt_err *err);

/* `start_ip,end_ip,cc` inclusive ranges, IPv4 or IPv6, with or without a
 * header line (ip-location-db, DB-IP lite). Parsed with libcsv. */
int tt_rangecsv_parse_country(const char *path, struct tt_range_set *out, struct tt_err *err);
/* `start_ip,end_ip,asn[,name]` ranges (ip-location-db asn, DB-IP asn lite;
 * names may be quoted and contain commas); names go to out->names. */
int tt_rangecsv_parse_asn(const char *path, struct tt_range_set *out, struct tt_err *err);

/* Prefix-to-AS: CAIDA RouteViews pfx2as (`prefix<TAB>length<TAB>asn`, where
 * asn may be a multi-origin `a_b` or an AS set `a,b`: the first AS is taken
 * and the record counted in *multi) and pyasn's `prefix/len<TAB>asn` with
 * `;` comment lines. IPv4 and IPv6. */
int tt_pfx2as_parse(const char *path, struct tt_range_set *out, uint64_t *multi,
                    struct tt_err *err);

/* From-memory variants (tests, fuzzing): len bytes of plain text, called
 * name in messages and in the set's file list. */
int tt_rir_parse_mem(const char *text, size_t len, const char *name, struct tt_range_set *out,
                     struct tt_rir_stats *st, struct tt_err *err);
int tt_rangecsv_parse_country_mem(const char *text, size_t len, const char *name,
                                  struct tt_range_set *out, struct tt_err *err);
int tt_rangecsv_parse_asn_mem(const char *text, size_t len, const char *name,
                              struct tt_range_set *out, struct tt_err *err);
int tt_pfx2as_parse_mem(const char *text, size_t len, const char *name, struct tt_range_set *out,
                        uint64_t *multi, struct tt_err *err);

/* The line source the parsers share (implemented in rir.c): a plain or gzip
 * file, or memory, registered as one file of a set. Lines are returned
 * NUL-terminated without their "\n" or "\r\n"; a line longer than
 * TT_RANGE_LINE_MAX bytes or holding a NUL byte is refused. Closing with an
 * error code removes everything added to the set since the open (ranges,
 * names, skipped count, the file name), so a refused file leaves no trace;
 * an AS name replaced in place by tt_range_add_name is not restored. */
#define TT_RANGE_LINE_MAX 4096
struct tt_range_src;
int tt_range_src_open(struct tt_range_set *set, const char *path, struct tt_range_src **out,
                      struct tt_err *err);
int tt_range_src_open_mem(struct tt_range_set *set, const char *text, size_t len, const char *name,
                          struct tt_range_src **out, struct tt_err *err);
/* 1 and a line, 0 at the end of the input, or a negative TT_E*. */
int tt_range_src_line(struct tt_range_src *src, char **line, size_t *len, struct tt_err *err);
uint32_t tt_range_src_lineno(const struct tt_range_src *src); /* of the last line returned */
uint16_t tt_range_src_file(const struct tt_range_src *src);   /* index in the set */
const char *tt_range_src_name(const struct tt_range_src *src);
/* Frees src; rc is the parse result, returned unchanged. */
int tt_range_src_close(struct tt_range_src *src, int rc);

#endif
