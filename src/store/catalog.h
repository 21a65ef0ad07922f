/* The store's SQLite catalog: format version, sensors, ingested inputs (by
 * content hash) and the data files each input produced. Private to the
 * store module; see docs/format.md for the schema. */
#ifndef TT_CATALOG_H
#define TT_CATALOG_H

#include "store/store.h"

struct tt_catalog;

struct tt_catalog_file {
    enum tt_file_kind kind;
    int64_t day;
    uint64_t records, bytes;
    const char *path;
};

int tt_catalog_open(const char *dir, int create, struct tt_catalog **out, struct tt_err *err);
void tt_catalog_close(struct tt_catalog *c);
/* Whether the sweep keeps a data file: the catalog lists it, or it was
 * replaced (tt_catalog_replace_files) after `since` (Unix seconds). */
int tt_catalog_file_kept(struct tt_catalog *c, const char *path, int64_t since, int *kept,
                         struct tt_err *err);
/* Forgets the files replaced at or before `before` and returns them
 * (*files, paths only) for the caller to remove. */
int tt_catalog_take_retired(struct tt_catalog *c, int64_t before, struct tt_store_file **files,
                            size_t *n, struct tt_err *err);
int tt_catalog_sensors(struct tt_catalog *c, struct tt_sensors *out, struct tt_err *err);
int tt_catalog_put_sensors(struct tt_catalog *c, const struct tt_sensors *in, struct tt_err *err);
/* 1 when an input of this size is listed; also 1 when the catalog cannot
 * tell (the caller then hashes first, as for a known size). */
int tt_catalog_input_size_seen(struct tt_catalog *c, uint64_t bytes);
int tt_catalog_input_seen(struct tt_catalog *c, const uint8_t hash[16], char *path, size_t size,
                          struct tt_err *err);
int tt_catalog_commit_input(struct tt_catalog *c, const struct tt_input_info *info,
                            const struct tt_catalog_file *files, size_t n, struct tt_err *err);
int tt_catalog_files(struct tt_catalog *c, enum tt_file_kind kind, int64_t day_from, int64_t day_to,
                     struct tt_store_file **files, size_t *n, struct tt_err *err);
int tt_catalog_put_database(struct tt_catalog *c, const struct tt_store_db *db, struct tt_err *err);
int tt_catalog_databases(struct tt_catalog *c, struct tt_store_db **out, size_t *n,
                         struct tt_err *err);
/* One transaction: old files unlisted, new ones listed under input, and
 * the re-enrichment recorded. */
int tt_catalog_replace_files(struct tt_catalog *c, int64_t input, int64_t day,
                             const struct tt_store_file *old, size_t nold,
                             const struct tt_catalog_file *files, size_t n, uint64_t geo,
                             uint64_t asn, struct tt_err *err);
int tt_catalog_totals(struct tt_catalog *c, struct tt_store_totals *out, struct tt_err *err);

#endif
