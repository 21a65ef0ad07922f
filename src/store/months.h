/* Month source tables: a month's distinct sources, each with its country
 * and the (sensor, class) pairs it sent to over the month, as the union of
 * that month's roll-up source tables. A query over whole months merges one
 * list per month instead of one per day (on the benchmark quarter, 3 lists
 * of ~0.2 M sources instead of 92 of ~35 K).
 *
 * A month table is derived data, not listed in the catalog: it is the
 * roll-up file months/YYYY-MM-FINGERPRINT.ttr (sources only, day = the
 * month's first), where FINGERPRINT hashes the names of the roll-up files
 * it was built from. Roll-up files are immutable and uniquely named, so a
 * table is valid exactly while the catalog lists the same files for its
 * month: a later ingest or re-enrichment of the month makes the name
 * differ, and queries read the days until the table is rebuilt. Tables are
 * written atomically (temporary file, fsync, rename). See docs/format.md. */
#ifndef TT_MONTHS_H
#define TT_MONTHS_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/fileio.h"
#include "store/store.h"

#define TT_MONTHS_DIR "months"

/* The first and last day (days since 1970) of the month holding day. */
void tt_month_of(int64_t day, int64_t *first, int64_t *last);

/* The store-relative path the month table of these roll-up files (the
 * catalog's files of one month) has; 0 or TT_ELIMIT. */
int tt_month_table_path(int64_t first_day, const struct tt_store_file *files, size_t n, char *out,
                        size_t size);

/* Whether the table of these roll-up files exists now (*exists), with its
 * path in rel: the check a query makes before reading a month's table.
 * 0 or TT_ELIMIT / TT_ENOMEM. */
int tt_month_table_lookup(struct tt_store *s, int64_t first_day, const struct tt_store_file *files,
                          size_t n, char rel[TT_PATH_MAX], int *exists);

/* Builds the tables missing for the months that overlap [day_from,
 * day_to], and removes their stale ones. A month holding a source under
 * two countries (inputs enriched with different database versions) gets no
 * table: its queries read the days. *built counts the tables written. */
int tt_months_refresh(struct tt_store *s, int64_t day_from, int64_t day_to, int zstd_level,
                      unsigned *built, struct tt_err *err);

/* Bytes of the files under months/, stale ones too until removed (for
 * `teiten info`). */
int tt_months_bytes(struct tt_store *s, uint64_t *bytes, struct tt_err *err);

#endif
