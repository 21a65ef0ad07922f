/* `teiten top countries` and `teiten top asns`: source countries or ASes
 * ranked by packets, with exact unique sources, the share of all matched
 * packets (the seeds' "over 88% from China") and the previous period's rank. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/query_opts.h"
#include "common/fileio.h"
#include "enrich/enrich.h"
#include "query/period.h"

static void group_cells(struct query_cli *q, enum tt_group_by by, const struct tt_ipdb *asdb,
                        struct tt_table *t, size_t r, uint32_t key)
{
    char code[16];
    if (by == TT_GROUP_COUNTRY) {
        tt_cc_format(key, code);
        tt_table_set_text(t, r, 1, key ? code : "--");
        tt_table_set_text(t, r, 2, tt_cli_country(&q->names, key));
        return;
    }
    snprintf(code, sizeof code, key ? "AS%u" : "unknown", key);
    tt_table_set_text(t, r, 1, code);
    const char *name = asdb && key ? tt_ipdb_asname(asdb, key) : NULL;
    tt_table_set_text(t, r, 2, name ? name : "");
}

static struct tt_table *groups_table(struct query_cli *q, enum tt_group_by by,
                                     const struct tt_ipdb *asdb, const struct tt_group_row *rows,
                                     size_t n, uint64_t total, int64_t pf, int64_t pt)
{
    static const char *const cnames[] = {"rank",    "country",   "name",     "packets",
                                         "sources", "share_pct", "prev_rank"};
    static const char *const anames[] = {"rank",    "asn",       "name",     "packets",
                                         "sources", "share_pct", "prev_rank"};
    static const enum tt_col_kind kinds[] = {TT_COL_INT, TT_COL_TEXT,  TT_COL_TEXT, TT_COL_INT,
                                             TT_COL_INT, TT_COL_FLOAT, TT_COL_TEXT};
    struct tt_table *t = tt_table_new(7, by == TT_GROUP_COUNTRY ? cnames : anames, kinds);
    for (size_t i = 0; t && i < n; i++) {
        char prev[48];
        size_t r = tt_table_add_row(t);
        tt_table_set_int(t, r, 0, (int64_t)i + 1);
        group_cells(q, by, asdb, t, r, rows[i].key);
        tt_table_set_int(t, r, 3, (int64_t)rows[i].packets);
        tt_table_set_int(t, r, 4, (int64_t)rows[i].sources);
        if (total)
            tt_table_set_float(t, r, 5, 100.0 * (double)rows[i].packets / (double)total, 2);
        query_cli_prev_rank(rows[i].prev_rank, pf < pt, q->n, prev, sizeof prev);
        tt_table_set_text(t, r, 6, prev);
    }
    return t;
}

static void groups_title(struct query_cli *q, enum tt_group_by by, struct tt_table *t, int64_t pf,
                         int64_t pt)
{
    char cur[64], before[64], port[128] = "", title[360];
    tt_period_label(q->filter.from_us, q->filter.to_us, cur, sizeof cur);
    if (pf < pt)
        tt_period_label(pf, pt, before, sizeof before);
    if (q->filter.port != TT_ANY) {
        char svc[96];
        tt_cli_service(&q->names, (uint8_t)(q->filter.proto == TT_ANY ? 6 : q->filter.proto),
                       (uint16_t)q->filter.port, svc, sizeof svc);
        snprintf(port, sizeof port, " to %s", q->filter.proto == TT_ANY ? q->port_text : svc);
    }
    snprintf(title, sizeof title, "top %llu source %s%s, %s (previous: %s)",
             (unsigned long long)q->n, by == TT_GROUP_COUNTRY ? "countries" : "ASes", port, cur,
             pf < pt ? before : "none");
    tt_table_set_title(t, title);
}

int query_cli_top_groups(struct query_cli *q, enum tt_group_by by)
{
    int64_t pf = 0, pt = 0;
    if (q->ranged)
        tt_period_previous(q->filter.from_us, q->filter.to_us, &pf, &pt);
    int rc = tt_cli_names_open(&q->names, "top", tt_store_dir(q->store), q->lang);
    if (rc)
        return rc;
    struct tt_err err = {{0}};
    struct tt_ipdb *asdb = NULL;
    char path[TT_PATH_MAX];
    if (by == TT_GROUP_ASN &&
        !tt_path(path, sizeof path, "%s/%s", tt_store_dir(q->store), TT_ENRICH_ASN_DB))
        tt_ipdb_open(path, &asdb, &err); /* names only: without them the numbers stand */
    struct tt_group_row *rows = NULL;
    size_t n = 0;
    uint64_t total = 0;
    if (tt_query_top_groups(q->store, &q->filter, by, pf, pt, q->n, q->threads, &rows, &n, &total,
                            &err)) {
        tt_ipdb_close(asdb);
        return tt_cli_fail("top", "%s", err.msg);
    }
    struct tt_table *t = groups_table(q, by, asdb, rows, n, total, pf, pt);
    free(rows);
    tt_ipdb_close(asdb);
    if (!t)
        return tt_cli_fail("top", "out of memory");
    if (q->fmt == TT_OUT_TABLE)
        groups_title(q, by, t, pf, pt);
    rc = tt_table_print(t, stdout, q->fmt);
    tt_table_free(t);
    return rc ? TT_EXIT_FAIL : TT_EXIT_OK;
}
