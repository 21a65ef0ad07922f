/* Re-enrichment: recomputes the source country and AS of stored records
 * with the store's current databases, on purpose and for a chosen range of
 * days (past figures otherwise keep what they were given at ingest). Each
 * input's day is rewritten on its own: its segments decoded, re-enriched and
 * re-encoded, its roll-up rebuilt from the records (refused-frame counts,
 * which no record holds, are carried over from the old roll-ups), and the
 * new files replace the old ones in one catalog transaction. */
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "ingest/ingest.h"
#include "store/months.h"
#include "store/rollup.h"
#include "store/segment.h"

#define DATA_FILE_MAX ((size_t)1 << 34)

struct group {
    int64_t day, input;
    struct tt_store_file *old; /* segments then roll-ups of this input's day */
    size_t nold, cap;
};

static int read_file(struct tt_store *s, const struct tt_store_file *f, uint8_t **data, size_t *len,
                     struct tt_err *err)
{
    char path[TT_PATH_MAX];
    if (tt_path(path, sizeof path, "%s/%s", tt_store_dir(s), f->path))
        return tt_err_set(err, TT_ELIMIT, "%s: path too long", f->path);
    return tt_file_read(path, DATA_FILE_MAX, data, len, err);
}

/* Appends the records of one segment file to *recs. */
static int load_segment(struct tt_store *s, const struct tt_store_file *f, struct tt_record **recs,
                        size_t *n, size_t *cap, struct tt_err *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    struct tt_seg *seg = NULL;
    int rc = read_file(s, f, &data, &len, err);
    if (rc == TT_OK)
        rc = tt_seg_open(data, len, f->path, &seg, err);
    uint32_t c = seg ? tt_seg_count(seg) : 0;
    if (rc == TT_OK && *n + c > *cap) {
        size_t nc = *cap ? *cap : 65536;
        while (nc < *n + c)
            nc *= 2;
        struct tt_record *p = realloc(*recs, nc * sizeof *p);
        if (!p)
            rc = tt_err_set(err, TT_ENOMEM, "out of memory");
        else {
            *recs = p;
            *cap = nc;
        }
    }
    if (rc == TT_OK)
        rc = tt_seg_decode(seg, *recs + *n, err);
    if (rc == TT_OK)
        *n += c;
    tt_seg_close(seg);
    free(data);
    return rc;
}

static int carry_refused(struct tt_store *s, const struct tt_store_file *f, struct tt_rollup *to,
                         struct tt_err *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    struct tt_rollup *old = NULL;
    int rc = read_file(s, f, &data, &len, err);
    if (rc == TT_OK)
        rc = tt_rollup_decode(data, len, f->path, TT_RW_REFUSED, &old, err);
    for (int st = 0; rc == TT_OK && st < TT_DEC__COUNT; st++)
        tt_rollup_add_refused(to, (enum tt_decode_status)st,
                              tt_rollup_refused(old, (enum tt_decode_status)st));
    tt_rollup_free(old);
    free(data);
    return rc;
}

/* Writes the re-enriched records and their roll-up, replacing g's files. */
static int rewrite(struct tt_store *s, const struct group *g, struct tt_record *recs, size_t n,
                   struct tt_rollup *roll, const struct tt_reenrich_opts *o, struct tt_err *err)
{
    struct tt_store_txn *txn = NULL;
    struct tt_seg_encoder *enc = tt_seg_encoder_new(o->zstd_level);
    struct tt_buf out = {0};
    int rc = enc ? tt_store_begin(s, &txn, err) : tt_err_set(err, TT_ENOMEM, "out of memory");
    for (size_t at = 0; rc == TT_OK && at < n; at += TT_INGEST_SEGMENT_DEFAULT) {
        uint32_t k =
            (uint32_t)(n - at < TT_INGEST_SEGMENT_DEFAULT ? n - at : TT_INGEST_SEGMENT_DEFAULT);
        out.len = 0;
        rc = tt_seg_encode(enc, recs + at, k, g->day, o->sensors, &out, err);
        char name[TT_STORE_NAME_MAX];
        if (rc == TT_OK)
            rc = tt_store_txn_write(txn, TT_FILE_SEGMENT, g->day, &out, k, name, err);
        if (rc == TT_OK && tt_rollup_add_segment(roll, name))
            rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    }
    out.len = 0;
    if (rc == TT_OK)
        rc = tt_rollup_encode(roll, &out, o->zstd_level, err);
    if (rc == TT_OK)
        rc = tt_store_txn_write(txn, TT_FILE_ROLLUP, g->day, &out, 0, NULL, err);
    if (rc == TT_OK)
        rc = tt_store_commit_replace(txn, g->input, g->day, g->old, g->nold,
                                     tt_enricher_geo_version(o->enrich),
                                     tt_enricher_asn_version(o->enrich), err);
    else
        tt_store_abort(txn);
    tt_buf_free(&out);
    tt_seg_encoder_free(enc);
    return rc;
}

static int one_group(struct tt_store *s, const struct group *g, const struct tt_reenrich_opts *o,
                     struct tt_enrich_cache *cache, struct tt_reenrich_result *res,
                     struct tt_err *err)
{
    struct tt_record *recs = NULL;
    size_t n = 0, cap = 0;
    struct tt_rollup *roll = tt_rollup_new(g->day);
    int rc = roll ? TT_OK : tt_err_set(err, TT_ENOMEM, "out of memory");
    for (size_t i = 0; rc == TT_OK && i < g->nold; i++)
        rc = strncmp(g->old[i].path, "seg/", 4) == 0
                 ? load_segment(s, &g->old[i], &recs, &n, &cap, err)
                 : carry_refused(s, &g->old[i], roll, err);
    uint64_t changed = 0;
    for (size_t i = 0; rc == TT_OK && i < n; i++) {
        uint16_t cc = recs[i].cc;
        uint32_t asn = recs[i].asn;
        tt_enrich_record(o->enrich, cache, &recs[i]);
        changed += recs[i].cc != cc || recs[i].asn != asn;
        if (tt_rollup_add(roll, &recs[i]))
            rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    }
    if (rc == TT_OK && changed)
        rc = rewrite(s, g, recs, n, roll, o, err);
    if (rc == TT_OK) {
        res->groups++;
        res->records += n;
        res->changed += changed;
        res->rewritten += changed != 0;
    }
    tt_rollup_free(roll);
    free(recs);
    return rc;
}

static int add_old(struct group *g, const struct tt_store_file *f)
{
    if (tt_grow(&g->old, &g->cap, g->nold, sizeof *g->old, 16))
        return TT_ENOMEM;
    g->old[g->nold++] = *f;
    return TT_OK;
}

/* The files of one day, grouped by input (segments before roll-ups). */
static int day_groups(const struct tt_store_file *seg, size_t nseg,
                      const struct tt_store_file *roll, size_t nroll, int64_t day,
                      struct group **out, size_t *ng)
{
    const struct tt_store_file *lists[2] = {seg, roll};
    size_t counts[2] = {nseg, nroll};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < counts[l]; i++) {
            const struct tt_store_file *f = &lists[l][i];
            if (f->day != day)
                continue;
            size_t k = 0;
            while (k < *ng && (*out)[k].input != f->input_id)
                k++;
            if (k == *ng) {
                struct group *p = realloc(*out, (*ng + 1) * sizeof *p);
                if (!p)
                    return TT_ENOMEM;
                *out = p;
                memset(&p[k], 0, sizeof *p);
                p[k].day = day;
                p[k].input = f->input_id;
                (*ng)++;
            }
            if (add_old(&(*out)[k], f))
                return TT_ENOMEM;
        }
    return TT_OK;
}

int tt_reenrich(struct tt_store *s, const struct tt_reenrich_opts *o,
                struct tt_reenrich_result *res, struct tt_err *err)
{
    memset(res, 0, sizeof *res);
    struct tt_store_file *seg = NULL, *roll = NULL;
    size_t nseg = 0, nroll = 0;
    struct tt_enrich_cache *cache = malloc(sizeof *cache);
    int rc = cache ? TT_OK : tt_err_set(err, TT_ENOMEM, "out of memory");
    if (cache)
        tt_enrich_cache_init(cache);
    if (rc == TT_OK)
        rc = tt_store_files(s, TT_FILE_SEGMENT, o->day_from, o->day_to, &seg, &nseg, err);
    if (rc == TT_OK)
        rc = tt_store_files(s, TT_FILE_ROLLUP, o->day_from, o->day_to, &roll, &nroll, err);
    for (size_t i = 0; rc == TT_OK && i < nroll; i++) {
        if (i && roll[i].day == roll[i - 1].day)
            continue;
        struct group *g = NULL;
        size_t ng = 0;
        if (day_groups(seg, nseg, roll, nroll, roll[i].day, &g, &ng))
            rc = tt_err_set(err, TT_ENOMEM, "out of memory");
        for (size_t k = 0; rc == TT_OK && k < ng; k++)
            rc = one_group(s, &g[k], o, cache, res, err);
        for (size_t k = 0; k < ng; k++)
            free(g[k].old);
        free(g);
        res->days++;
    }
    unsigned built = 0; /* the changed months' tables name the old roll-ups */
    if (rc == TT_OK && res->changed)
        rc = tt_months_refresh(s, roll[0].day, roll[nroll - 1].day, TT_INGEST_ZSTD_DEFAULT, &built,
                               err);
    free(seg);
    free(roll);
    free(cache);
    return rc;
}
