/* `teiten reenrich`: recompute the source country and AS of a range of
 * stored days with the store's current databases, on purpose. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ingest/ingest.h"
#include "query/period.h"

static const char USAGE[] =
    "usage: teiten reenrich [--store DIR] (PERIOD | --from T --to T) [--quiet]\n\n"
    "Stored packets keep the country and AS they were given at ingest, so a past\n"
    "period's figures do not move when a database is updated. reenrich recomputes\n"
    "them for whole UTC days of the range with the store's current databases\n"
    "(teiten geo build, teiten asn build), rewriting each input's day in one\n"
    "catalog transaction; the catalog records which versions did it. The files\n"
    "it replaces stay on disk for ten minutes, for queries already reading them.\n";

static int parse(int argc, char **argv, const char **store, const char **from, const char **to,
                 const char **period, int *quiet)
{
    static const struct option opts[] = {
        {"store", required_argument, NULL, 's'}, {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},    {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (ch == 's')
            *store = optarg;
        else if (ch == 'f')
            *from = optarg;
        else if (ch == 't')
            *to = optarg;
        else if (ch == 'q')
            *quiet = 1;
        else if (ch == 'h') {
            fputs(USAGE, stdout);
            return -1;
        } else
            return tt_cli_usage("reenrich", "bad option");
    }
    if (optind < argc)
        *period = argv[optind++];
    if (optind < argc)
        return tt_cli_usage("reenrich", "unexpected argument '%s'", argv[optind]);
    if (!*period && !(*from && *to))
        return tt_cli_usage("reenrich", "give a PERIOD or both --from and --to");
    if (*period && (*from || *to))
        return tt_cli_usage("reenrich", "give a PERIOD or --from/--to, not both");
    return TT_EXIT_OK;
}

int tt_cmd_reenrich(int argc, char **argv)
{
    const char *store = NULL, *from = NULL, *to = NULL, *period = NULL;
    int quiet = 0;
    int rc = parse(argc, argv, &store, &from, &to, &period, &quiet);
    if (rc)
        return rc < 0 ? TT_EXIT_OK : rc;
    struct tt_err err = {{0}};
    int64_t f_us, t_us;
    if ((period ? tt_period_parse(period, &f_us, &t_us, &err)
                : tt_period_range(from, to, &f_us, &t_us, &err)) != TT_OK)
        return tt_cli_usage("reenrich", "%s", err.msg);
    struct tt_store *st = NULL;
    struct tt_enricher e = {0};
    struct tt_sensors *sensors = calloc(1, sizeof *sensors);
    if (!sensors)
        return tt_cli_fail("reenrich", "out of memory");
    if (tt_store_open(tt_cli_store_dir(store), TT_STORE_WRITE, &st, &err) ||
        tt_store_sensors(st, sensors, &err) || tt_enricher_open(tt_store_dir(st), &e, &err))
        rc = tt_cli_fail("reenrich", "%s", err.msg);
    if (rc == TT_EXIT_OK && !e.geo && !e.asn)
        rc = tt_cli_fail("reenrich", "the store has no databases (teiten geo build)");
    struct tt_reenrich_opts o = {&e, sensors, f_us / TT_US_PER_DAY, (t_us - 1) / TT_US_PER_DAY, 3};
    struct tt_reenrich_result r;
    if (rc == TT_EXIT_OK && tt_reenrich(st, &o, &r, &err))
        rc = tt_cli_fail("reenrich", "%s", err.msg);
    if (rc == TT_EXIT_OK && !quiet)
        printf("re-enriched %llu days: %llu records read, %llu changed country or AS; %llu of "
               "%llu input-days rewritten\n",
               (unsigned long long)r.days, (unsigned long long)r.records,
               (unsigned long long)r.changed, (unsigned long long)r.rewritten,
               (unsigned long long)r.groups);
    tt_enricher_close(&e);
    tt_store_close(st);
    free(sensors);
    return rc;
}
