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
