/* Enrichment at ingest: each stored record gets its source's country and AS
 * from the store's current databases (STORE/enrich/country.ttdb and
 * asn.ttdb, either may be absent). Sources repeat heavily on a darknet, so
 * each worker keeps a small direct-mapped cache in front of the lookups. */
#ifndef TT_ENRICH_H
#define TT_ENRICH_H

#include <stdint.h>
#include <string.h>

#include "common/err.h"
#include "common/record.h"
#include "enrich/ipdb.h"

#define TT_ENRICH_COUNTRY_DB "enrich/country.ttdb"
#define TT_ENRICH_ASN_DB "enrich/asn.ttdb"

struct tt_enricher {
    struct tt_ipdb *geo, *asn; /* NULL when the store has none */
};

/* Opens the databases of the store at dir; a missing file leaves its member
 * NULL, a damaged one is an error naming it. */
int tt_enricher_open(const char *dir, struct tt_enricher *e, struct tt_err *err);
void tt_enricher_close(struct tt_enricher *e);
/* Versions for the catalog (0 when that database is absent). */
uint64_t tt_enricher_geo_version(const struct tt_enricher *e);
uint64_t tt_enricher_asn_version(const struct tt_enricher *e);

#define TT_ENRICH_CACHE 65536 /* IPv4 entries, a power of two (768 KiB) */
#define TT_ENRICH_CACHE6 4096 /* IPv6 entries: their lookups search 16-byte keys */

/* One entry per slot, so a lookup touches one cache line. */
struct tt_enrich_slot {
    uint32_t src, asn;
    uint16_t cc, valid;
};
struct tt_enrich_slot6 {
    uint8_t src[16];
    uint32_t asn;
    uint16_t cc, valid;
};
struct tt_enrich_cache {
    struct tt_enrich_slot slot[TT_ENRICH_CACHE];
    struct tt_enrich_slot6 slot6[TT_ENRICH_CACHE6];
};

static inline struct tt_enrich_slot *tt_enrich_slot_of(struct tt_enrich_cache *c, uint32_t src)
{
    return &c->slot[(src * 2654435761u) >> 16 & (TT_ENRICH_CACHE - 1)];
}

/* Sets r->cc and r->asn from r's source address. */
static inline void tt_enrich_record(const struct tt_enricher *e, struct tt_enrich_cache *c,
                                    struct tt_record *r)
{
    if (r->ipver == 6) {
        uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
        for (int i = 0; i < 16; i++)
            h = (h ^ r->src6[i]) * 0x100000001b3ull;
        struct tt_enrich_slot6 *s6 = &c->slot6[h >> 40 & (TT_ENRICH_CACHE6 - 1)];
        if (!s6->valid || memcmp(s6->src, r->src6, 16) != 0) {
            memcpy(s6->src, r->src6, 16);
            s6->cc = e->geo ? (uint16_t)tt_ipdb_lookup6(e->geo, r->src6) : 0;
            s6->asn = e->asn ? tt_ipdb_lookup6(e->asn, r->src6) : 0;
            s6->valid = 1;
        }
        r->cc = s6->cc;
        r->asn = s6->asn;
        return;
    }
    struct tt_enrich_slot *s = tt_enrich_slot_of(c, r->src4);
    if (!s->valid || s->src != r->src4) {
        s->src = r->src4;
        s->cc = e->geo ? (uint16_t)tt_ipdb_lookup4(e->geo, r->src4) : 0;
        s->asn = e->asn ? tt_ipdb_lookup4(e->asn, r->src4) : 0;
        s->valid = 1;
    }
    r->cc = s->cc;
    r->asn = s->asn;
}

/* Enriches n records grouped by source (a segment's order: tt_seg_order),
 * one lookup per source: sources the cache knows directly, the others in
 * ascending address order, so the tables are read forwards instead of at
 * random, and remembered. */
void tt_enrich_runs(const struct tt_enricher *e, struct tt_enrich_cache *c, struct tt_record *recs,
                    size_t n);

#endif
