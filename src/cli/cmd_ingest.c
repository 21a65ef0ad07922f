/* teiten ingest: captures into the store, with progress and a summary. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/json.h"
#include "ingest/ingest.h"
#include "store/months.h"
#include "store/segment.h"

static const char USAGE[] =
    "usage: teiten ingest [--store DIR] [--sensors FILE] [--sensor NAME] [--threads N]\n"
    "                     [--segment-records N] [--quiet] [--json] FILE...\n\n"
    "Stores every packet of each pcap or pcapng FILE ('-' reads stdin; .gz and .zst\n"
    "files are read directly). Packets are attributed to sensors by destination\n"
    "prefix (--sensors FILE declares them, see teiten-sensors(5); they are kept in the\n"
    "store for later runs), or all to one sensor with --sensor NAME. A file ingested\n"
    "before (same content) is skipped and said so.\n\n"
    "  --store DIR      the store (default $TEITEN_STORE, else ./teiten-store)\n"
    "  --sensors FILE   sensor declarations to add to or update in the store\n"
    "  --sensor NAME    attribute every packet to this sensor\n"
    "  --threads N      decode workers (default: one per CPU)\n"
    "  --segment-records N  records a worker buffers per open day before it\n"
    "                   writes them as a segment (default 262144); a worker holds\n"
    "                   up to 4 x N records of 192 bytes (3 open days, 1 sorting)\n"
    "  --quiet          no progress and no summary\n"
    "  --json           one JSON summary object on stdout\n\n"
    "pcapng, gzip, zstd and stdin input is read with libpcap, loaded when first\n"
    "needed: $TEITEN_LIBPCAP names it (default libpcap.so.0.8).\n\n"
    "Exit status: 0 all stored or skipped; 1 an input failed or was damaged (packets\n"
    "before the damage are stored); 2 bad usage.\n";

struct ingest_cli {
    const char *store, *sensors_file, *sensor_name;
    unsigned threads;
    uint32_t segment_records;
    int quiet, json, tty;
};

static void progress(void *ctx, const struct tt_ingest_progress *p)
{
    (void)ctx;
    double rate = p->seconds > 0 ? (double)p->frames / p->seconds : 0;
    char frames[32];
    fprintf(stderr, "\r\033[K%s: %s packets  %.2f M/s", p->path, tt_cli_grouped(p->frames, frames),
            rate / 1e6);
    if (p->size && p->pos <= p->size) {
        double left = (double)(p->size - p->pos), bps = p->pos / (p->seconds > 0 ? p->seconds : 1);
        fprintf(stderr, "  %.1f MB left  ETA %.0f s", left / 1e6, bps > 0 ? left / bps : 0.0);
    }
}

static void print_reasons(const uint64_t *refused)
{
    int first = 1;
    for (int r = TT_DEC_UNKNOWN_LINK; r < TT_DEC__COUNT; r++)
        if (refused[r]) {
            printf("%s%s %llu", first ? " (" : ", ",
                   tt_decode_reason_name((enum tt_decode_status)r), (unsigned long long)refused[r]);
            first = 0;
        }
    if (!first)
        printf(")");
}

static void print_summary(const struct tt_ingest_result *t, unsigned files, unsigned skipped)
{
    char a[32], b[32], c[32], d[32];
    printf("stored %s packets from %u file%s; malformed %s", tt_cli_grouped(t->stored, a),
           files - skipped, files - skipped == 1 ? "" : "s",
           tt_cli_grouped(tt_ingest_malformed(t), b));
    print_reasons(t->refused);
    printf("; unattributed %s; not IP %s; skipped %u already ingested; %.2f s (%s packets/s)\n",
           tt_cli_grouped(t->unattributed, c), tt_cli_grouped(t->refused[TT_DEC_NOT_IP], d),
           skipped, t->seconds,
           tt_cli_grouped(t->seconds > 0 ? (uint64_t)(t->frames / t->seconds) : t->frames, a));
}

static void json_result(struct tt_json *j, const char *path, const struct tt_ingest_result *r)
{
    tt_json_begin_object(j, NULL);
    if (path)
        tt_json_str(j, "path", path);
    if (path)
        tt_json_str(j, "status", r->skipped ? "skipped" : r->damaged ? "damaged" : "stored");
    if (r->skipped)
        tt_json_str(j, "ingested_before_as", r->skipped_as);
    if (r->damaged)
        tt_json_str(j, "damage", r->damage);
    tt_json_u64(j, "frames", r->frames);
    tt_json_u64(j, "stored", r->stored);
    tt_json_u64(j, "unattributed", r->unattributed);
    tt_json_u64(j, "not_ip", r->refused[TT_DEC_NOT_IP]);
    tt_json_u64(j, "malformed", tt_ingest_malformed(r));
    tt_json_begin_object(j, "malformed_by_reason");
    for (int k = TT_DEC_UNKNOWN_LINK; k < TT_DEC__COUNT; k++)
        if (r->refused[k])
            tt_json_u64(j, tt_decode_reason_name((enum tt_decode_status)k), r->refused[k]);
    tt_json_end_object(j);
    tt_json_u64(j, "segments", r->segments);
    tt_json_double(j, "seconds", r->seconds);
    tt_json_end_object(j);
}

static void add_result(struct tt_ingest_result *t, const struct tt_ingest_result *r)
{
    t->frames += r->frames;
    t->stored += r->stored;
    t->unattributed += r->unattributed;
    for (int k = 0; k < TT_DEC__COUNT; k++)
        t->refused[k] += r->refused[k];
    t->segments += r->segments;
    t->seconds += r->seconds;
}

static int parse(int argc, char **argv, struct ingest_cli *c)
{
    static const struct option opts[] = {{"store", required_argument, NULL, 's'},
                                         {"sensors", required_argument, NULL, 'S'},
                                         {"sensor", required_argument, NULL, 'n'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"segment-records", required_argument, NULL, 'R'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int ch;
    uint64_t v;
    while ((ch = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (ch) {
        case 's':
            c->store = optarg;
            break;
        case 'S':
            c->sensors_file = optarg;
            break;
        case 'n':
            c->sensor_name = optarg;
            break;
        case 't':
            if (tt_cli_number("--threads", optarg, 1, TT_INGEST_THREADS_MAX, &v))
                return TT_EXIT_USAGE;
            c->threads = (unsigned)v;
            break;
        case 'R':
            if (tt_cli_number("--segment-records", optarg, 1, TT_SEG_MAX_RECORDS, &v))
                return TT_EXIT_USAGE;
            c->segment_records = (uint32_t)v;
            break;
        case 'q':
            c->quiet = 1;
            break;
        case 'j':
            c->json = 1;
            break;
        case 'h':
            fputs(USAGE, stdout);
            return -1;
        default:
            return tt_cli_usage("ingest", "bad option");
        }
    }
    if (optind >= argc)
        return tt_cli_usage("ingest", "no input files");
    return TT_EXIT_OK;
}

/* Sensors: declared now (and saved to the store) or known from before. */
static int resolve_sensors(struct tt_store *st, const struct ingest_cli *c, struct tt_sensors *s,
                           uint16_t *fixed)
{
    struct tt_err err = {{0}};
    if (c->sensors_file &&
        (tt_sensors_load(c->sensors_file, s, &err) || tt_store_put_sensors(st, s, &err)))
        return tt_cli_fail("ingest", "%s", err.msg);
    if (tt_store_sensors(st, s, &err))
        return tt_cli_fail("ingest", "%s", err.msg);
    if (c->sensor_name) {
        const struct tt_sensor *one = tt_sensors_by_name(s, c->sensor_name);
        if (!one)
            return tt_cli_fail("ingest",
                               "--sensor %s: no such sensor (declare it with --sensors FILE)",
                               c->sensor_name);
        *fixed = one->id;
    } else if (s->n == 0 && !c->quiet && !c->json) {
        fprintf(stderr, "teiten ingest: no sensors declared: every packet is unattributed "
                        "(use --sensors FILE or --sensor NAME)\n");
    }
    return TT_EXIT_OK;
}

/* Rebuilds the month source tables of the days the inputs touched (once,
 * after all of them: each rebuild reads the whole month). Its time counts
 * in the ingest's. The data is committed already: a failure leaves the
 * queries reading the days, and is reported as a warning on stderr (with
 * --json too: it is not the input's failure). */
static unsigned refresh_months(struct tt_store *st, const struct tt_ingest_opts *o,
                               uint64_t first_ts, uint64_t last_ts, struct tt_ingest_result *total)
{
    struct timespec a, b;
    struct tt_err err = {{0}};
    unsigned built = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int zl = o->zstd_level ? o->zstd_level : TT_INGEST_ZSTD_DEFAULT;
    if (tt_months_refresh(st, (int64_t)(first_ts / 86400000000ull),
                          (int64_t)(last_ts / 86400000000ull), zl, &built, &err))
        fprintf(stderr,
                "teiten ingest: warning: month tables not rebuilt (%s); queries read the "
                "days instead\n",
                err.msg);
    clock_gettime(CLOCK_MONOTONIC, &b);
    total->seconds += (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    return built;
}

static int ingest_all(struct tt_store *st, const struct ingest_cli *c,
                      const struct tt_ingest_opts *o, int argc, char **argv, struct tt_json *j)
{
    struct tt_ingest_result total;
    memset(&total, 0, sizeof total);
    uint64_t first_ts = UINT64_MAX, last_ts = 0;
    unsigned files = 0, skipped = 0;
    int status = TT_EXIT_OK;
    tt_json_begin_array(j, "files");
    for (int i = optind; i < argc; i++) {
        struct tt_ingest_result r;
        struct tt_err err = {{0}};
        int rc = tt_ingest_file(st, argv[i], o, &r, &err);
        if (c->tty)
            fprintf(stderr, "\r\033[K");
        if (rc) {
            status = tt_cli_fail("ingest", "%s", err.msg);
            continue;
        }
        files++;
        skipped += (unsigned)r.skipped;
        if (r.skipped && !c->quiet && !c->json)
            fprintf(stderr, "teiten ingest: %s: already ingested (as %s); skipped\n", argv[i],
                    r.skipped_as);
        if (r.damaged)
            status = tt_cli_fail("ingest", "%s (the packets before it are stored)", r.damage);
        if (!r.skipped)
            add_result(&total, &r);
        if (!r.skipped && r.stored + r.frames > 0) {
            first_ts = r.first_ts < first_ts ? r.first_ts : first_ts;
            last_ts = r.last_ts > last_ts ? r.last_ts : last_ts;
        }
        json_result(j, argv[i], &r);
    }
    tt_json_end_array(j);
    unsigned months = first_ts <= last_ts ? refresh_months(st, o, first_ts, last_ts, &total) : 0;
    if (!c->quiet && !c->json)
        print_summary(&total, files, skipped);
    if (c->json) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        tt_json_key(j, "total");
        json_result(j, NULL, &total);
        tt_json_u64(j, "skipped_files", skipped);
        tt_json_u64(j, "month_tables_built", months);
        tt_json_u64(j, "max_rss_kb", (uint64_t)ru.ru_maxrss);
    }
    return status;
}

int tt_cmd_ingest(int argc, char **argv)
{
    struct ingest_cli c = {0};
    int rc = parse(argc, argv, &c);
    if (rc)
        return rc < 0 ? TT_EXIT_OK : rc;
    c.tty = !c.quiet && !c.json && isatty(STDERR_FILENO);
    struct tt_err err = {{0}};
    struct tt_store *st = NULL;
    if (tt_store_open(tt_cli_store_dir(c.store), TT_STORE_WRITE, &st, &err))
        return tt_cli_fail("ingest", "%s", err.msg);
    struct tt_sensors *sensors = calloc(1, sizeof *sensors);
    struct tt_ingest_opts o = {0};
    if (!sensors)
        rc = tt_cli_fail("ingest", "out of memory");
    if (rc == TT_EXIT_OK)
        rc = resolve_sensors(st, &c, sensors, &o.fixed_sensor);
    struct tt_enricher enrich = {0};
    if (rc == TT_EXIT_OK && tt_enricher_open(tt_store_dir(st), &enrich, &err))
        rc = tt_cli_fail("ingest", "%s", err.msg);
    if (rc == TT_EXIT_OK) {
        o.enrich = enrich.geo || enrich.asn ? &enrich : NULL;
        o.sensors = sensors;
        o.threads = c.threads;
        o.segment_records = c.segment_records;
        o.progress = c.tty ? progress : NULL;
        struct tt_json *j = c.json ? tt_json_new(stdout) : tt_json_null();
        tt_json_begin_object(j, NULL);
        if (tt_store_swept(st))
            tt_json_u64(j, "swept_files", tt_store_swept(st));
        rc = ingest_all(st, &c, &o, argc, argv, j);
        tt_json_end_object(j);
        tt_json_free(j);
    }
    tt_enricher_close(&enrich);
    free(sensors);
    tt_store_close(st);
    return rc;
}
