/* The embedded store: a directory holding a SQLite catalog (catalog.sqlite)
 * and immutable data files (seg/DAY/NAME.tts raw segments, roll/DAY/NAME.ttr
 * roll-ups). A data file counts only once the catalog lists it, and an
 * ingest lists all its files in one transaction together with the input's
 * content hash: a crash leaves unlisted files (swept at the next write
 * open) and never a half-counted input. See docs/format.md. */
#ifndef TT_STORE_H
#define TT_STORE_H

#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "config/sensors.h"
#include "decode/decode.h"

/* 2: enrichment (country, AS) in records and roll-ups; 3: segments v3;
 * 4: roll-ups v3 and month source tables */
#define TT_STORE_FORMAT 15

enum tt_store_mode { TT_STORE_READ = 0, TT_STORE_WRITE = 1 /* create, lock, sweep */ };
enum tt_file_kind { TT_FILE_SEGMENT = 1, TT_FILE_ROLLUP = 2 };

struct tt_store;

/* READ fails with TT_ENOTFOUND when dir holds no store. WRITE creates the
 * store if needed, takes the writer lock (waiting for another writer), and
 * removes files a crashed writer left behind. */
int tt_store_open(const char *dir, enum tt_store_mode mode, struct tt_store **out,
                  struct tt_err *err);
void tt_store_close(struct tt_store *s);
const char *tt_store_dir(const struct tt_store *s);
/* Files removed by the sweep at open (for the ingest summary and tests). */
uint64_t tt_store_swept(const struct tt_store *s);

/* Sensors known to the store. put: new sensors are added, known ones (same
 * id and name) updated; an id or name reused for another sensor is refused. */
int tt_store_sensors(struct tt_store *s, struct tt_sensors *out, struct tt_err *err);
int tt_store_put_sensors(struct tt_store *s, const struct tt_sensors *in, struct tt_err *err);

/* Whether an input with this content hash was ingested; *path gets the
 * path it was ingested from (size >= 1). */
int tt_store_input_seen(struct tt_store *s, const uint8_t hash[16], char *path, size_t size,
                        struct tt_err *err);
/* Whether an input of this many bytes was ingested: only then can a file
 * be one ingested before, and worth hashing before it is read. */
int tt_store_input_size_seen(struct tt_store *s, uint64_t bytes);

/* What an ingest of one input counted; written to the catalog at commit. */
struct tt_input_info {
    uint8_t hash[16];
    const char *path;
    uint64_t size, frames, stored, unattributed;
    uint64_t refused[TT_DEC__COUNT]; /* by decoder status; [TT_DEC_NOT_IP] = not IP */
    uint64_t first_ts, last_ts;
    double seconds;
    uint64_t geo_version, asn_version; /* enrichment databases used; 0 none */
};

/* One ingest: data files are written through it (from any thread), then
 * committed together or aborted (files deleted). */
struct tt_store_txn;
int tt_store_begin(struct tt_store *s, struct tt_store_txn **out, struct tt_err *err);
#define TT_STORE_NAME_MAX 64 /* a data file's name in its day's directory, without extension */
/* The path of a data file, under dir (NULL: relative to the store), or,
 * with name NULL, of its day's directory (dir not NULL). 0 or TT_ELIMIT. */
int tt_store_file_path(char *buf, size_t size, const char *dir, enum tt_file_kind kind, int64_t day,
                       const char *name);
/* Writes one data file of the day; name (when not NULL) gets its name in the
 * day's directory without the extension, which a roll-up keeps to name the
 * segments holding its sources (store/rollup_read.h). */
int tt_store_txn_write(struct tt_store_txn *t, enum tt_file_kind kind, int64_t day,
                       const struct tt_buf *data, uint64_t records, char name[TT_STORE_NAME_MAX],
                       struct tt_err *err);
/* Returns TT_EEXIST (and aborts) when the hash was committed meanwhile. */
int tt_store_commit(struct tt_store_txn *t, const struct tt_input_info *info, struct tt_err *err);
void tt_store_abort(struct tt_store_txn *t);

/* Data files of a kind for days [day_from, day_to], ordered by day. */
/* Seconds a data file or month table that a writer replaced stays on
 * disk: a query that listed the catalog before the replacement may still
 * be reading it. */
#define TT_STORE_GRACE_S 600

struct tt_store_file {
    int64_t day;
    int64_t input_id; /* the input the file came from */
    uint64_t records, bytes;
    char path[256]; /* relative to the store directory */
};
int tt_store_files(struct tt_store *s, enum tt_file_kind kind, int64_t day_from, int64_t day_to,
                   struct tt_store_file **files, size_t *n, struct tt_err *err);
/* Commits the transaction's files in place of old ones (re-enrichment of
 * one input's day) in one catalog transaction. The old files stay on disk
 * for TT_STORE_GRACE_S, for the queries that listed them before; a writer
 * removes them after that (this commit, or a later one's). */
int tt_store_commit_replace(struct tt_store_txn *t, int64_t input_id, int64_t day,
                            const struct tt_store_file *old, size_t nold, uint64_t geo_version,
                            uint64_t asn_version, struct tt_err *err);

/* An enrichment database installed in the store (STORE/enrich/KIND.ttdb);
 * the catalog keeps every version ever installed, so each input's
 * geo_version / asn_version can be told apart later. */
#define TT_STORE_DB_TEXT 1024
struct tt_store_db {
    char kind[16];    /* "country" or "asn" */
    uint64_t version; /* the database's content hash */
    char source[TT_STORE_DB_TEXT], licence[TT_STORE_DB_TEXT], data_date[32];
    int64_t built_at, installed_at;
    uint64_t entries; /* ranges */
    uint64_t inputs;  /* inputs enriched with this version (filled by tt_store_databases) */
};
int tt_store_put_database(struct tt_store *s, const struct tt_store_db *db, struct tt_err *err);
/* Every installed version, newest first; free(*out). */
int tt_store_databases(struct tt_store *s, struct tt_store_db **out, size_t *n, struct tt_err *err);

/* Totals over the whole store, for `teiten info` and the benchmark. */
struct tt_store_totals {
    uint64_t inputs, segments, rollups, records, segment_bytes, rollup_bytes, catalog_bytes;
    uint64_t month_bytes; /* month source tables (store/months.h) */
    int64_t first_day, last_day;
};
int tt_store_totals(struct tt_store *s, struct tt_store_totals *out, struct tt_err *err);

#endif
