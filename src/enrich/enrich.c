/* Opening the store's enrichment databases for an ingest. */
#include "enrich/enrich.h"

#include <errno.h>
#include <sys/stat.h>

#include "common/fileio.h"

static int open_one(const char *dir, const char *rel, enum tt_ipdb_kind kind, struct tt_ipdb **out,
                    struct tt_err *err)
{
    char path[TT_PATH_MAX];
    struct stat sb;
    *out = NULL;
    if (tt_path(path, sizeof path, "%s/%s", dir, rel))
        return tt_err_set(err, TT_ELIMIT, "%s: path too long", dir);
    if (stat(path, &sb) != 0)
        return errno == ENOENT ? TT_OK : tt_err_set(err, TT_EIO, "%s: cannot stat", path);
    int rc = tt_ipdb_open(path, out, err);
    if (rc == TT_OK && tt_ipdb_meta(*out)->kind != kind) {
        tt_ipdb_close(*out);
        *out = NULL;
        rc = tt_err_set(err, TT_EFORMAT, "%s: holds the wrong kind of database", path);
    }
    return rc;
}

int tt_enricher_open(const char *dir, struct tt_enricher *e, struct tt_err *err)
{
    e->geo = e->asn = NULL;
    int rc = open_one(dir, TT_ENRICH_COUNTRY_DB, TT_IPDB_COUNTRY, &e->geo, err);
    if (rc == TT_OK)
        rc = open_one(dir, TT_ENRICH_ASN_DB, TT_IPDB_ASN, &e->asn, err);
    if (rc)
        tt_enricher_close(e);
    return rc;
}

void tt_enricher_close(struct tt_enricher *e)
{
    tt_ipdb_close(e->geo);
    tt_ipdb_close(e->asn);
    e->geo = e->asn = NULL;
}

uint64_t tt_enricher_geo_version(const struct tt_enricher *e)
{
    return e->geo ? tt_ipdb_meta(e->geo)->version : 0;
}

uint64_t tt_enricher_asn_version(const struct tt_enricher *e)
{
    return e->asn ? tt_ipdb_meta(e->asn)->version : 0;
}

void tt_enrich_records(const struct tt_enricher *e, struct tt_enrich_cache *c,
                       struct tt_record *recs, size_t n, struct tt_pair32 *scratch)
{
    struct tt_pair32 *miss = scratch, *tmp = scratch + n;
    size_t nmiss = 0;
    for (size_t i = 0; i < n; i++) {
        struct tt_record *r = &recs[i];
        if (r->ipver != 4) {
            tt_enrich_record(e, c, r);
            continue;
        }
        struct tt_enrich_slot *s = tt_enrich_slot_of(c, r->src4);
        if (s->valid && s->src == r->src4) {
            r->cc = s->cc;
            r->asn = s->asn;
        } else {
            miss[nmiss++] = (struct tt_pair32){r->src4, (uint32_t)i};
        }
    }
    tt_sort_pairs32(miss, nmiss, tmp);
    for (size_t i = 0; i < nmiss;) {
        uint32_t src = miss[i].key;
        uint16_t cc = e->geo ? (uint16_t)tt_ipdb_lookup4(e->geo, src) : 0;
        uint32_t asn = e->asn ? tt_ipdb_lookup4(e->asn, src) : 0;
        for (; i < nmiss && miss[i].key == src; i++) {
            recs[miss[i].val].cc = cc;
            recs[miss[i].val].asn = asn;
        }
        *tt_enrich_slot_of(c, src) = (struct tt_enrich_slot){src, asn, cc, 1};
    }
}
