/* Ingest: one capture input into the store. The calling thread reads
 * batches; worker threads decode, attribute by destination prefix, fill
 * per-day record buffers and roll-ups, and write sealed segments; the
 * input's files become visible in one catalog commit at the end. Memory is
 * bounded by (open days x segment size x workers), not by the input. */
#ifndef TT_INGEST_H
#define TT_INGEST_H

#include <stdint.h>

#include "common/err.h"
#include "config/sensors.h"
#include "decode/decode.h"
#include "enrich/enrich.h"
#include "store/store.h"

struct tt_ingest_progress {
    const char *path;
    uint64_t frames, pos, size; /* size 0 when unknown (stdin) */
    double seconds;
};

struct tt_ingest_opts {
    const struct tt_sensors *sensors; /* prefixes for attribution */
    uint16_t fixed_sensor;            /* nonzero: every packet belongs to this sensor */
    const struct tt_enricher *enrich; /* source country and AS; NULL: none */
    unsigned threads;                 /* workers; 0 = one per online CPU */
    uint32_t segment_records;         /* records per segment; 0 = default */
    int zstd_level;                   /* 0 = default */
    void (*progress)(void *ctx, const struct tt_ingest_progress *p); /* ~4 times a second */
    void *progress_ctx;
};

#define TT_INGEST_SEGMENT_DEFAULT (256u * 1024u)
#define TT_INGEST_ZSTD_DEFAULT 3
#define TT_INGEST_THREADS_MAX 256

struct tt_ingest_result {
    uint64_t frames, stored, unattributed;
    uint64_t refused[TT_DEC__COUNT]; /* [TT_DEC_NOT_IP] non-IP frames, others malformed */
    uint64_t first_ts, last_ts, bytes_in, segments, rollups;
    double seconds;
    int skipped;          /* the input was ingested before: nothing counted */
    char skipped_as[256]; /* the path it was ingested from then */
    int damaged;          /* the input ended in damage; packets before it are stored */
    char damage[TT_ERR_MSG_MAX];
};

/* Ingests one input ("-" = stdin). A damaged input keeps the packets read
 * before the damage (result->damaged and ->damage say where); other errors
 * store nothing from this input. */
int tt_ingest_file(struct tt_store *store, const char *path, const struct tt_ingest_opts *opts,
                   struct tt_ingest_result *res, struct tt_err *err);

uint64_t tt_ingest_malformed(const struct tt_ingest_result *res);

/* Re-enrichment of days [day_from, day_to] with the store's current
 * databases (reenrich.c). A day of an input whose records all keep their
 * country and AS is left as it is. The store must be open for writing. */
struct tt_reenrich_opts {
    const struct tt_enricher *enrich;
    const struct tt_sensors *sensors; /* for the segments' destination coding */
    int64_t day_from, day_to;
    int zstd_level;
};
struct tt_reenrich_result {
    uint64_t days, groups, rewritten; /* days seen; input-days seen, rewritten */
    uint64_t records, changed;        /* records read; whose country or AS changed */
};
int tt_reenrich(struct tt_store *s, const struct tt_reenrich_opts *o,
                struct tt_reenrich_result *res, struct tt_err *err);

#endif
