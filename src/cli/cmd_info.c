/* teiten info: what the store holds and what it costs on disk. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/json.h"
#include "store/store.h"

static const char USAGE[] =
    "usage: teiten info [--store DIR] [--json]\n\n"
    "Inputs, segments, records and bytes on disk (segments, roll-ups, month\n"
    "source tables, catalog), with stored bytes per packet.\n";

int tt_cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {{"store", required_argument, NULL, 's'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    int json = 0, ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 's')
            dir = optarg;
        else if (ch == 'j')
            json = 1;
        else if (ch == 'h')
            return fputs(USAGE, stdout), TT_EXIT_OK;
        else
            return tt_cli_usage("info", "bad option");
    }
    struct tt_err err = {{0}};
    struct tt_store *st = NULL;
    struct tt_store_totals t;
    if (tt_store_open(tt_cli_store_dir(dir), TT_STORE_READ, &st, &err) ||
        tt_store_totals(st, &t, &err)) {
        tt_store_close(st);
        return tt_cli_fail("info", "%s", err.msg);
    }
    tt_store_close(st);
    uint64_t total = t.segment_bytes + t.rollup_bytes + t.month_bytes + t.catalog_bytes;
    double per = t.records ? (double)total / (double)t.records : 0;
    if (json) {
        struct tt_json *j = tt_json_new(stdout);
        tt_json_begin_object(j, NULL);
        tt_json_u64(j, "inputs", t.inputs);
        tt_json_u64(j, "segments", t.segments);
        tt_json_u64(j, "rollups", t.rollups);
        tt_json_u64(j, "records", t.records);
        tt_json_u64(j, "segment_bytes", t.segment_bytes);
        tt_json_u64(j, "rollup_bytes", t.rollup_bytes);
        tt_json_u64(j, "month_bytes", t.month_bytes);
        tt_json_u64(j, "catalog_bytes", t.catalog_bytes);
        tt_json_double(j, "bytes_per_record", per);
        tt_json_end_object(j);
        tt_json_free(j);
        return TT_EXIT_OK;
    }
    char a[32], b[32], c[32], d[32], m[32];
    printf("inputs     %llu\nrecords    %s\nsegments   %llu files, %s bytes\n"
           "roll-ups   %llu files, %s bytes\nmonths     %s bytes (source tables)\n"
           "catalog    %s bytes\nper record %.2f bytes\n",
           (unsigned long long)t.inputs, tt_cli_grouped(t.records, a),
           (unsigned long long)t.segments, tt_cli_grouped(t.segment_bytes, b),
           (unsigned long long)t.rollups, tt_cli_grouped(t.rollup_bytes, c),
           tt_cli_grouped(t.month_bytes, m), tt_cli_grouped(t.catalog_bytes, d), per);
    return TT_EXIT_OK;
}
