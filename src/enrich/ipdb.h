/* teiten's compiled IP databases: a region database (address -> country
 * code) or an AS database (address -> AS number, with AS names), built once
 * from a finalised range set and kept as one checksummed file that is mapped
 * and searched in place. Lookups are a table index on the top 16 address
 * bits and a binary search inside that slot: no allocation, no locks, safe
 * from many threads. The file's content hash is its version: the catalog
 * records which version enriched each input. Format: docs/enrich.md. */
#ifndef TT_IPDB_H
#define TT_IPDB_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "enrich/range.h"

#define TT_IPDB_VERSION 1
#define TT_IPDB_TEXT_MAX 1024 /* bytes of each metadata text, with its NUL */

enum tt_ipdb_kind { TT_IPDB_COUNTRY = 1, TT_IPDB_ASN = 2 };

struct tt_ipdb_meta {
    enum tt_ipdb_kind kind;
    char source[TT_IPDB_TEXT_MAX];  /* what it was built from, e.g. "mmdb geo.mmdb (...)" */
    char licence[TT_IPDB_TEXT_MAX]; /* licence / attribution of the data */
    char data_date[32];             /* date of the data, e.g. "2026-06-17" or "" */
    int64_t built_at;               /* unix seconds when compiled */
    uint64_t version;               /* XXH3-64 of the ranges and names: set by write */
    uint64_t n4, n6, nnames;        /* ranges and AS names stored */
    uint64_t addresses4;            /* IPv4 addresses mapped */
};

/* Compiles a finalised set into path (written atomically). meta->version,
 * counts and addresses4 are filled in. */
int tt_ipdb_write(const char *path, const struct tt_range_set *s, struct tt_ipdb_meta *meta,
                  struct tt_err *err);

struct tt_ipdb;
/* Maps and validates a database (magic, version, checksum, every offset and
 * count in bounds, ranges sorted): a damaged file is refused with its name. */
int tt_ipdb_open(const char *path, struct tt_ipdb **out, struct tt_err *err);
/* The same on bytes in memory (copied; name is used in messages), for tests
 * and the fuzzer. */
int tt_ipdb_open_mem(const void *data, size_t len, const char *name, struct tt_ipdb **out,
                     struct tt_err *err);
void tt_ipdb_close(struct tt_ipdb *db);
const struct tt_ipdb_meta *tt_ipdb_meta(const struct tt_ipdb *db);

/* The value mapped to an address (TT_CC or AS number), 0 when none. */
uint32_t tt_ipdb_lookup4(const struct tt_ipdb *db, uint32_t addr);
uint32_t tt_ipdb_lookup6(const struct tt_ipdb *db, const uint8_t addr[16]);
/* The addresses around a looked-up one that map to the same value: the
 * range that holds it, or the gap between ranges (value 0), or its /16
 * where one range covers that whole. Sorted lookups mostly land in the
 * span of the one before. */
struct tt_ipdb_span {
    uint32_t lo, hi, value;
};
uint32_t tt_ipdb_lookup4_span(const struct tt_ipdb *db, uint32_t addr, struct tt_ipdb_span *span);
/* An AS's name, or NULL when the database has none for it. */
const char *tt_ipdb_asname(const struct tt_ipdb *db, uint32_t asn);

/* Reads a MaxMind DB file with libmaxminddb and walks its search tree into
 * ranges (sorted, non-overlapping by construction). kind COUNTRY reads
 * `country_code` (ip-location-db), else `country.iso_code`, else
 * `registered_country.iso_code` (GeoLite2/GeoIP2 Country); kind ASN reads
 * `autonomous_system_number` and `autonomous_system_organization`. IPv4
 * ranges come from the tree's IPv4 subtree (::a.b.c.d/96) in an IPv6 tree.
 * Records without the field are skipped and counted in out->skipped. */
int tt_ipdb_from_mmdb(const char *path, enum tt_ipdb_kind kind, struct tt_range_set *out,
                      struct tt_err *err);

#endif
