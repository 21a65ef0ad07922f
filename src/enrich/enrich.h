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

#define TT_ENRICH_CACHE6 4096 /* IPv6 entries: their lookups search 16-byte keys */

/* One entry per slot, so a lookup touches one cache line. */
struct tt_enrich_slot6 {
    uint8_t src[16];
    uint32_t asn;
    uint16_t cc, valid;
};
/* A worker's memory of its lookups. IPv4: the span of each database's last
 * answer (ingest looks sources up in ascending order, so the next source
 * mostly falls in it; this replaced a 768 KiB direct-mapped cache whose
 * slots, hashed, missed the CPU caches at every new source). IPv6: a small
 * direct-mapped cache. */
struct tt_enrich_cache {
    struct tt_ipdb_span geo4, asn4; /* lo > hi: none yet */
    struct tt_enrich_slot6 slot6[TT_ENRICH_CACHE6];
};

/* Empties a cache (a zeroed one is not empty: its spans hold 0.0.0.0). */
static inline void tt_enrich_cache_init(struct tt_enrich_cache *c)
{
    memset(c, 0, sizeof *c);
    c->geo4 = c->asn4 = (struct tt_ipdb_span){1, 0, 0};
}

static inline uint32_t tt_enrich_lookup4(const struct tt_ipdb *db, struct tt_ipdb_span *last,
                                         uint32_t addr)
{
    if (!db)
        return 0;
    if (addr >= last->lo && addr <= last->hi)
        return last->value;
    return tt_ipdb_lookup4_span(db, addr, last);
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
    r->cc = (uint16_t)tt_enrich_lookup4(e->geo, &c->geo4, r->src4);
    r->asn = tt_enrich_lookup4(e->asn, &c->asn4, r->src4);
}

/* Enriches r, the record after prev in a segment's order (grouped by
 * source: tt_seg_order; prev NULL for the first): a record of prev's source
 * takes prev's answer, so each source is looked up once, in ascending
 * address order. Called from the loop that gathers the records into that
 * order, so the records are not walked again for it. */
static inline void tt_enrich_next(const struct tt_enricher *e, struct tt_enrich_cache *c,
                                  const struct tt_record *prev, struct tt_record *r)
{
    if (prev && prev->ipver == r->ipver &&
        (r->ipver == 6 ? !memcmp(prev->src6, r->src6, 16) : prev->src4 == r->src4)) {
        r->cc = prev->cc;
        r->asn = prev->asn;
        return;
    }
    tt_enrich_record(e, c, r);
}

#endif
