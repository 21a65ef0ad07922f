/* teiten gen: the sample capture, its sensors file and its expected counts. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/fileio.h"
#include "gen/gen.h"
#include "query/period.h"

static const char USAGE[] =
    "usage: teiten gen [--seed N] [--packets N] [--days N] [--start YYYY-MM-DD]\n"
    "                  [--sensors N] --out DIR\n\n"
    "Writes DIR/sample.pcap (a darknet capture of several sensors over many days:\n"
    "Mirai, masscan, zmap and other scanners, UDP probes, backscatter, IPv6,\n"
    "fragments, an outage, surges, malformed frames), DIR/sensors.conf (the sensors\n"
    "it used) and DIR/expected.txt (the exact counts it put in; see docs/generator.md).\n"
    "The same options give byte-identical files.\n\n"
    "  --seed N       random seed (default 1)\n"
    "  --packets N    frames to write, about (default 1000000)\n"
    "  --days N       days covered (default 92)\n"
    "  --start DATE   first day, UTC (default 2021-07-01)\n"
    "  --sensors N    sensors, 1..8 (default 8)\n"
    "  --out DIR      output directory (created)\n";

static int parse(int argc, char **argv, struct tt_gen_opts *o, const char **out)
{
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},    {"packets", required_argument, NULL, 'p'},
        {"days", required_argument, NULL, 'd'},    {"start", required_argument, NULL, 'S'},
        {"sensors", required_argument, NULL, 'n'}, {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    int ch;
    uint64_t v;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 's':
            if (tt_cli_number("--seed", optarg, 0, UINT64_MAX, &o->seed))
                return TT_EXIT_USAGE;
            break;
        case 'p':
            if (tt_cli_number("--packets", optarg, 1, 2000000000ull, &o->packets))
                return TT_EXIT_USAGE;
            break;
        case 'd':
            if (tt_cli_number("--days", optarg, 1, 3660, &v))
                return TT_EXIT_USAGE;
            o->days = (uint32_t)v;
            break;
        case 'n':
            if (tt_cli_number("--sensors", optarg, 1, 8, &v))
                return TT_EXIT_USAGE;
            o->sensors = (uint32_t)v;
            break;
        case 'S': {
            int64_t from, to;
            struct tt_err err = {{0}};
            if (tt_period_parse(optarg, &from, &to, &err) || from % 86400000000ll != 0)
                return tt_cli_usage("gen", "--start %s: expected a day such as 2021-07-01", optarg);
            o->start_day = from / 86400000000ll;
            break;
        }
        case 'o':
            *out = optarg;
            break;
        case 'h':
            fputs(USAGE, stdout);
            return -1;
        default:
            return tt_cli_usage("gen", "bad option");
        }
    }
    if (!*out)
        return tt_cli_usage("gen", "--out DIR is required");
    if (optind < argc)
        return tt_cli_usage("gen", "unexpected argument '%s'", argv[optind]);
    return TT_EXIT_OK;
}

int tt_cmd_gen(int argc, char **argv)
{
    struct tt_gen_opts o;
    tt_gen_defaults(&o);
    const char *out = NULL;
    int rc = parse(argc, argv, &o, &out);
    if (rc)
        return rc < 0 ? TT_EXIT_OK : rc;
    char pcap[TT_PATH_MAX], expected[TT_PATH_MAX], sensors[TT_PATH_MAX];
    struct tt_err err = {{0}};
    if (tt_path(pcap, sizeof pcap, "%s/sample.pcap", out) ||
        tt_path(expected, sizeof expected, "%s/expected.txt", out) ||
        tt_path(sensors, sizeof sensors, "%s/sensors.conf", out))
        return tt_cli_fail("gen", "%s: path too long", out);
    if (tt_mkdirs(out, &err))
        return tt_cli_fail("gen", "%s", err.msg);
    o.pcap_path = pcap;
    o.expected_path = expected;
    o.sensors_path = sensors;
    if (tt_gen_run(&o, &err))
        return tt_cli_fail("gen", "%s", err.msg);
    return TT_EXIT_OK;
}
