/* teiten stats | top | series: the analyst's questions, as tables. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json.h"
#include "cli/query_opts.h"
#include "query/period.h"

#define QUERY_OPTIONS                                                                              \
    "  PERIOD           2021-10-05, 2021-10, 2021Q4, 2021-W40, 2021, @UNIXSECONDS\n"               \
    "  --from T --to T  a range instead (each end a day, hour, timestamp or period;\n"             \
    "                   --to includes its whole period); default: the whole store\n"               \
    "  --sensor NAME    one sensor         --proto tcp|udp|icmp|icmp6|N\n"                         \
    "  --port N[/PROTO] destination port (ICMP: type); 6379/tcp sets --proto too\n"                \
    "  --lang en|ja     language of country and service names (default en)\n"                      \
    "  --unattributed   include packets to no sensor's prefix\n"                                   \
    "  --csv, --json    machine-readable output (default: an aligned table)\n"                     \
    "  --store DIR      the store (default $TEITEN_STORE, else ./teiten-store)\n"

static const char STATS_USAGE[] =
    "usage: teiten stats [PERIOD] [OPTIONS]\n\n"
    "Totals of the period (packets, bytes, unique sources, malformed by reason,\n"
    "unattributed), then per day: packets, bytes, unique sources (all, TCP, UDP,\n"
    "ICMP), then per sensor: packets, packets per observed address, unique sources.\n"
    "Unique sources count whole UTC days. --csv prints the per-day table.\n\n" QUERY_OPTIONS;

static const char TOP_USAGE[] =
    "usage: teiten top ports|sources|countries|asns [PERIOD] [OPTIONS] [-n N]\n\n"
    "ports: destination ports by packets (ICMP as type/code, '-' for packets with\n"
    "no transport header), with the share of packets, packets per observed address,\n"
    "the rank each had in the previous period of the same kind (month before a\n"
    "month, quarter before a quarter, else the same length just before) and the\n"
    "service name (IANA registry and port annotations: teiten services import).\n"
    "sources: source addresses by packets, with distinct ports and sensors; read\n"
    "from the raw records.\n"
    "countries, asns: source countries or ASes (as enriched at ingest) by packets,\n"
    "with exact unique sources, share and previous rank. Countries come from the\n"
    "roll-ups for whole days without --port; otherwise, and for ASes, from a raw scan.\n"
    "Ties rank by code (AS number) ascending, unknown first.\n\n"
    "  -n N             rows (default 10)\n" QUERY_OPTIONS
    "  --threads N      scan threads for raw scans (default: one per CPU)\n";

static const char SERIES_USAGE[] =
    "usage: teiten series [PERIOD] [--step day|hour]\n"
    "                     [--by total|port|sensor|proto|country|asn] [OPTIONS]\n\n"
    "Packets and bytes per day or hour, in total or split by destination port,\n"
    "sensor, protocol, source country (roll-ups; --proto tcp|udp, no --port; per\n"
    "whole day with the country's unique sources) or source AS (a raw scan; per\n"
    "day). Periods without packets are listed with 0 when --by total.\n\n" QUERY_OPTIONS;

static void day_label(int64_t day, char buf[16])
{
    tt_day_format(day, buf);
}

static int print_table(struct tt_table *t, enum tt_out_format fmt)
{
    int rc = tt_table_print(t, stdout, fmt);
    tt_table_free(t);
    return rc ? TT_EXIT_FAIL : TT_EXIT_OK;
}

static struct tt_table *days_table(const struct tt_stats *st)
{
    static const char *const names[] = {"day",      "packets",  "bytes",    "uniq_all",
                                        "uniq_tcp", "uniq_udp", "uniq_icmp"};
    static const enum tt_col_kind kinds[] = {TT_COL_TEXT, TT_COL_INT, TT_COL_INT, TT_COL_INT,
                                             TT_COL_INT,  TT_COL_INT, TT_COL_INT};
    struct tt_table *t = tt_table_new(7, names, kinds);
    for (size_t i = 0; t && i < st->ndays; i++) {
        const struct tt_day_stats *d = &st->days[i];
        char day[16];
        day_label(d->day, day);
        size_t r = tt_table_add_row(t);
        tt_table_set_text(t, r, 0, day);
        tt_table_set_int(t, r, 1, (int64_t)d->packets);
        tt_table_set_int(t, r, 2, (int64_t)d->bytes);
        tt_table_set_int(t, r, 3, (int64_t)d->uniq[TT_CLASS__COUNT]);
        tt_table_set_int(t, r, 4, (int64_t)d->uniq[TT_CLASS_TCP]);
        tt_table_set_int(t, r, 5, (int64_t)d->uniq[TT_CLASS_UDP]);
        tt_table_set_int(t, r, 6, (int64_t)d->uniq[TT_CLASS_ICMP]);
    }
    return t;
}

static struct tt_table *sensors_table(const struct query_cli *q, const struct tt_stats *st)
{
    static const char *const names[] = {"sensor", "packets", "per_address", "uniq"};
    static const enum tt_col_kind kinds[] = {TT_COL_TEXT, TT_COL_INT, TT_COL_FLOAT, TT_COL_INT};
    struct tt_table *t = tt_table_new(4, names, kinds);
    for (size_t i = 0; t && i < st->nsensors; i++) {
        const struct tt_sensor_stats *s = &st->sensors[i];
        const struct tt_sensor *decl = tt_sensors_by_id(q->sensors, s->sensor);
        size_t r = tt_table_add_row(t);
        tt_table_set_text(t, r, 0, query_cli_sensor_name(q, s->sensor));
        tt_table_set_int(t, r, 1, (int64_t)s->packets);
        if (decl && decl->addresses)
            tt_table_set_float(t, r, 2, (double)s->packets / (double)decl->addresses, 2);
        tt_table_set_int(t, r, 3, (int64_t)s->uniq);
    }
    return t;
}

static void stats_header(const struct query_cli *q, const struct tt_stats *st)
{
    char label[64], a[32], b[32], c[32], d[32], e[32];
    tt_period_label(q->filter.from_us, q->filter.to_us, label, sizeof label);
    uint64_t malformed = 0;
    for (int r = TT_DEC_UNKNOWN_LINK; r < TT_DEC__COUNT; r++)
        malformed += st->refused[r];
    uint64_t addrs = query_cli_addresses(q);
    printf("period %s: %s packets, %s bytes, %s unique sources", label,
           tt_cli_grouped(st->packets, a), tt_cli_grouped(st->bytes, b),
           tt_cli_grouped(st->uniq_all, c));
    if (addrs)
        printf(", %.2f packets per observed address (%llu addresses)",
               (double)st->packets / (double)addrs, (unsigned long long)addrs);
    printf("\nunattributed %s, not IP %s, malformed %s", tt_cli_grouped(st->unattributed, d),
           tt_cli_grouped(st->refused[TT_DEC_NOT_IP], e), tt_cli_grouped(malformed, a));
    const char *sep = " (";
    for (int r = TT_DEC_UNKNOWN_LINK; r < TT_DEC__COUNT; r++)
        if (st->refused[r]) {
            printf("%s%s %llu", sep, tt_decode_reason_name((enum tt_decode_status)r),
                   (unsigned long long)st->refused[r]);
            sep = ", ";
        }
    printf("%s\n\n", malformed ? ")" : "");
}

static void stats_json(const struct query_cli *q, const struct tt_stats *st)
{
    char label[64];
    tt_period_label(q->filter.from_us, q->filter.to_us, label, sizeof label);
    printf("{\"period\":");
    tt_json_quote(stdout, label);
    printf(
        ",\"packets\":%llu,\"bytes\":%llu,\"uniq_all\":%llu,\"unattributed\":%llu,\"not_ip\":%llu,"
        "\"malformed\":{",
        (unsigned long long)st->packets, (unsigned long long)st->bytes,
        (unsigned long long)st->uniq_all, (unsigned long long)st->unattributed,
        (unsigned long long)st->refused[TT_DEC_NOT_IP]);
    const char *sep = "";
    for (int r = TT_DEC_UNKNOWN_LINK; r < TT_DEC__COUNT; r++)
        if (st->refused[r]) {
            printf("%s\"%s\":%llu", sep, tt_decode_reason_name((enum tt_decode_status)r),
                   (unsigned long long)st->refused[r]);
            sep = ",";
        }
    printf("},\"days\":");
    fflush(stdout);
    print_table(days_table(st), TT_OUT_JSON_INLINE);
    printf(",\"sensors\":");
    fflush(stdout);
    print_table(sensors_table(q, st), TT_OUT_JSON_INLINE);
    printf("}\n");
}

int tt_cmd_stats(int argc, char **argv)
{
    struct query_cli q = {.cmd = "stats"};
    int idx, rc = query_cli_parse(&q, argc, argv, STATS_USAGE, &idx);
    if (rc == TT_EXIT_OK)
        rc = query_cli_finish(&q, argc, argv, idx);
    struct tt_stats st;
    struct tt_err err = {{0}};
    if (rc == TT_EXIT_OK && tt_query_stats(q.store, &q.filter, &st, &err))
        rc = tt_cli_fail("stats", "%s", err.msg);
    if (rc == TT_EXIT_OK) {
        if (q.fmt == TT_OUT_JSON) {
            stats_json(&q, &st);
        } else if (q.fmt == TT_OUT_CSV) {
            rc = print_table(days_table(&st), TT_OUT_CSV);
        } else {
            stats_header(&q, &st);
            rc = print_table(days_table(&st), TT_OUT_TABLE);
            printf("\n");
            if (rc == TT_EXIT_OK)
                rc = print_table(sensors_table(&q, &st), TT_OUT_TABLE);
        }
        tt_stats_free(&st);
    }
    query_cli_close(&q);
    return rc < 0 ? TT_EXIT_OK : rc;
}

static int top_ports(struct query_cli *q)
{
    int64_t pf = 0, pt = 0;
    if (q->ranged)
        tt_period_previous(q->filter.from_us, q->filter.to_us, &pf, &pt);
    struct tt_port_row *rows = NULL;
    size_t n = 0;
    struct tt_err err = {{0}};
    uint64_t total = 0;
    if (tt_query_top_ports(q->store, &q->filter, pf, pt, q->n, &rows, &n, &total, &err))
        return tt_cli_fail("top", "%s", err.msg);
    /* the share's denominator is every port under the same filter: with
     * --port, from the counters of all ports (no source sets) */
    struct tt_filter all = q->filter;
    all.port = TT_ANY;
    struct tt_series_point *pts = NULL;
    size_t npts = 0;
    if (q->filter.port != TT_ANY) {
        total = 0;
        if (tt_query_series(q->store, &all, TT_STEP_DAY, TT_BY_TOTAL, &pts, &npts, &err) == TT_OK)
            for (size_t i = 0; i < npts; i++)
                total += pts[i].packets;
    }
    free(pts);
    static const char *const names[] = {"rank",      "proto",       "port",      "packets",
                                        "share_pct", "per_address", "prev_rank", "service"};
    static const enum tt_col_kind kinds[] = {TT_COL_INT,   TT_COL_TEXT,  TT_COL_TEXT, TT_COL_INT,
                                             TT_COL_FLOAT, TT_COL_FLOAT, TT_COL_TEXT, TT_COL_TEXT};
    int nrc = tt_cli_names_open(&q->names, "top", tt_store_dir(q->store), q->lang);
    if (nrc) {
        free(rows);
        return nrc;
    }
    struct tt_table *t = tt_table_new(8, names, kinds);
    uint64_t addrs = query_cli_addresses(q);
    for (size_t i = 0; t && i < n; i++) {
        char proto[8], port[16], prev[32];
        size_t r = tt_table_add_row(t);
        tt_table_set_int(t, r, 0, (int64_t)i + 1);
        tt_table_set_text(t, r, 1, query_cli_proto_name(rows[i].proto, proto));
        tt_table_set_text(t, r, 2, query_cli_port_label(rows[i].kind, rows[i].port, port));
        tt_table_set_int(t, r, 3, (int64_t)rows[i].packets);
        if (total)
            tt_table_set_float(t, r, 4, 100.0 * (double)rows[i].packets / (double)total, 2);
        if (addrs)
            tt_table_set_float(t, r, 5, (double)rows[i].packets / (double)addrs, 2);
        query_cli_prev_rank(rows[i].prev_rank, pf < pt, q->n, prev, sizeof prev);
        tt_table_set_text(t, r, 6, prev);
        char svc[128] = "ICMP";
        if (rows[i].kind == TT_PK_PORT)
            tt_cli_service(&q->names, rows[i].proto, rows[i].port, svc, sizeof svc);
        else if (rows[i].kind == TT_PK_NONE)
            snprintf(svc, sizeof svc, "-");
        tt_table_set_text(t, r, 7, svc);
    }
    free(rows);
    if (t && q->fmt == TT_OUT_TABLE) {
        char cur[64], before[64], title[256];
        tt_period_label(q->filter.from_us, q->filter.to_us, cur, sizeof cur);
        if (pf < pt)
            tt_period_label(pf, pt, before, sizeof before);
        snprintf(title, sizeof title, "top %llu destination ports, %s (previous: %s)",
                 (unsigned long long)q->n, cur, pf < pt ? before : "none");
        tt_table_set_title(t, title);
    }
    return t ? print_table(t, q->fmt) : tt_cli_fail("top", "out of memory");
}

static void source_label(const struct tt_source_row *r, char buf[48])
{
    if (r->ipver == 4) {
        snprintf(buf, 48, "%u.%u.%u.%u", r->src4 >> 24, r->src4 >> 16 & 255, r->src4 >> 8 & 255,
                 r->src4 & 255);
        return;
    }
    if (!inet_ntop(AF_INET6, r->src6, buf, 48))
        snprintf(buf, 48, "?");
}

static int top_sources(struct query_cli *q)
{
    struct tt_source_row *rows = NULL;
    size_t n = 0;
    struct tt_scan_stats ss;
    struct tt_err err = {{0}};
    if (tt_query_top_sources(q->store, &q->filter, q->n, q->threads, &rows, &n, &ss, &err))
        return tt_cli_fail("top", "%s", err.msg);
    static const char *const names[] = {"rank", "source", "packets", "ports", "sensors"};
    static const enum tt_col_kind kinds[] = {TT_COL_INT, TT_COL_TEXT, TT_COL_INT, TT_COL_INT,
                                             TT_COL_INT};
    struct tt_table *t = tt_table_new(5, names, kinds);
    for (size_t i = 0; t && i < n; i++) {
        char src[48];
        source_label(&rows[i], src);
        size_t r = tt_table_add_row(t);
        tt_table_set_int(t, r, 0, (int64_t)i + 1);
        tt_table_set_text(t, r, 1, src);
        tt_table_set_int(t, r, 2, (int64_t)rows[i].packets);
        tt_table_set_int(t, r, 3, rows[i].ports);
        tt_table_set_int(t, r, 4, rows[i].sensors);
    }
    free(rows);
    if (t && q->fmt == TT_OUT_TABLE) {
        char title[160];
        snprintf(title, sizeof title, "top %llu sources (%llu records scanned in %.3f s)",
                 (unsigned long long)q->n, (unsigned long long)ss.scanned, ss.seconds);
        tt_table_set_title(t, title);
    }
    return t ? print_table(t, q->fmt) : tt_cli_fail("top", "out of memory");
}

int tt_cmd_top(int argc, char **argv)
{
    struct query_cli q = {.cmd = "top"};
    int idx, rc = query_cli_parse(&q, argc, argv, TOP_USAGE, &idx);
    const char *what = rc == TT_EXIT_OK && idx < argc ? argv[idx++] : NULL;
    static const char *const whats[] = {"ports", "sources", "countries", "asns"};
    int which = -1;
    for (int i = 0; what && i < 4; i++)
        if (strcmp(what, whats[i]) == 0)
            which = i;
    if (rc == TT_EXIT_OK && which < 0)
        rc = tt_cli_usage("top", "say 'top ports', 'top sources', 'top countries' or 'top asns'");
    if (rc == TT_EXIT_OK)
        rc = query_cli_finish(&q, argc, argv, idx);
    if (rc == TT_EXIT_OK)
        rc = which == 0   ? top_ports(&q)
             : which == 1 ? top_sources(&q)
                          : query_cli_top_groups(&q, which == 2 ? TT_GROUP_COUNTRY : TT_GROUP_ASN);
    query_cli_close(&q);
    return rc < 0 ? TT_EXIT_OK : rc;
}

static int series_options(struct query_cli *q, enum tt_series_step *step, enum tt_series_by *by)
{
    *step = TT_STEP_DAY;
    *by = TT_BY_TOTAL;
    if (q->step && strcmp(q->step, "hour") == 0)
        *step = TT_STEP_HOUR;
    else if (q->step && strcmp(q->step, "day") != 0)
        return tt_cli_usage("series", "--step %s: day or hour", q->step);
    static const char *const bys[] = {"total", "sensor", "port", "proto", "country", "asn"};
    for (int i = 0; q->by && i < 6; i++)
        if (strcmp(q->by, bys[i]) == 0) {
            *by = (enum tt_series_by)i;
            return TT_EXIT_OK;
        }
    return q->by ? tt_cli_usage("series", "--by %s: total, sensor, port, proto, country or asn",
                                q->by)
                 : TT_EXIT_OK;
}

static void group_label(const struct query_cli *q, enum tt_series_by by, uint32_t g, char buf[128])
{
    char a[8], b[16];
    if (by == TT_BY_SENSOR)
        snprintf(buf, 128, "%s", query_cli_sensor_name(q, (uint16_t)g));
    else if (by == TT_BY_PORT && (g >> 16 & 0xff) == TT_PK_PORT)
        tt_cli_service(&q->names, (uint8_t)(g >> 24), (uint16_t)g, buf, 128);
    else if (by == TT_BY_PORT)
        snprintf(buf, 128, "%s/%s", query_cli_proto_name((uint8_t)(g >> 24), a),
                 query_cli_port_label((uint8_t)(g >> 16), (uint16_t)g, b));
    else if (by == TT_BY_PROTO)
        snprintf(buf, 128, "%s", query_cli_proto_name((uint8_t)g, a));
    else if (by == TT_BY_COUNTRY)
        snprintf(buf, 128, "%s", tt_cli_country(&q->names, g));
    else if (by == TT_BY_ASN)
        snprintf(buf, 128, g ? "AS%u" : "unknown", g);
    else
        snprintf(buf, 128, "all");
}

/* With --by total, every day or hour of the range gets a row, zeros included. */
static struct tt_table *series_table(const struct query_cli *q, enum tt_series_step step,
                                     enum tt_series_by by, const struct tt_series_point *p,
                                     size_t n)
{
    static const char *const names[] = {"time", "group", "packets", "bytes", "sources"};
    static const enum tt_col_kind kinds[] = {TT_COL_TEXT, TT_COL_TEXT, TT_COL_INT, TT_COL_INT,
                                             TT_COL_INT};
    /* unique sources per day and country come with the country series */
    int with_sources = by == TT_BY_COUNTRY && step == TT_STEP_DAY &&
                       q->filter.from_us % TT_US_PER_DAY == 0 &&
                       q->filter.to_us % TT_US_PER_DAY == 0;
    struct tt_table *t = tt_table_new(with_sources ? 5 : 4, names, kinds);
    int64_t unit = step == TT_STEP_HOUR ? 3600000000ll : 86400000000ll;
    int64_t first = q->filter.from_us / unit, last = (q->filter.to_us - 1) / unit;
    size_t i = 0;
    for (int64_t tm = by == TT_BY_TOTAL ? first : INT64_MIN;
         t && (by == TT_BY_TOTAL ? tm <= last : i < n);) {
        int64_t at = by == TT_BY_TOTAL ? tm : p[i].t;
        uint64_t pk = 0, by_ = 0, src = 0;
        char label[128], when[24];
        uint32_t group = i < n ? p[i].group : 0;
        if (i < n && p[i].t == at) {
            pk = p[i].packets;
            by_ = p[i].bytes;
            src = p[i].sources;
            i++;
        }
        if (step == TT_STEP_HOUR)
            tt_hour_format(at, when);
        else
            tt_day_format(at, when);
        group_label(q, by, group, label);
        size_t r = tt_table_add_row(t);
        tt_table_set_text(t, r, 0, when);
        tt_table_set_text(t, r, 1, label);
        tt_table_set_int(t, r, 2, (int64_t)pk);
        tt_table_set_int(t, r, 3, (int64_t)by_);
        if (with_sources)
            tt_table_set_int(t, r, 4, (int64_t)src);
        if (by == TT_BY_TOTAL)
            tm++;
    }
    return t;
}

int tt_cmd_series(int argc, char **argv)
{
    struct query_cli q = {.cmd = "series"};
    int idx, rc = query_cli_parse(&q, argc, argv, SERIES_USAGE, &idx);
    enum tt_series_step step = TT_STEP_DAY;
    enum tt_series_by by = TT_BY_TOTAL;
    if (rc == TT_EXIT_OK)
        rc = query_cli_finish(&q, argc, argv, idx);
    if (rc == TT_EXIT_OK)
        rc = series_options(&q, &step, &by);
    if (rc == TT_EXIT_OK && (by == TT_BY_COUNTRY || by == TT_BY_PORT))
        rc = tt_cli_names_open(&q.names, "series", tt_store_dir(q.store), q.lang);
    struct tt_series_point *pts = NULL;
    size_t n = 0;
    struct tt_err err = {{0}};
    if (rc == TT_EXIT_OK && tt_query_series(q.store, &q.filter, step, by, &pts, &n, &err))
        rc = tt_cli_fail("series", "%s", err.msg);
    if (rc == TT_EXIT_OK) {
        struct tt_table *t = series_table(&q, step, by, pts, n);
        rc = t ? print_table(t, q.fmt) : tt_cli_fail("series", "out of memory");
    }
    free(pts);
    query_cli_close(&q);
    return rc < 0 ? TT_EXIT_OK : rc;
}

static const char SCAN_USAGE[] =
    "usage: teiten scan [PERIOD] [OPTIONS] [--threads N]\n\n"
    "Counts the raw records that match the filters by reading the segments (all\n"
    "threads in parallel), not the roll-ups: a check of the roll-ups, and the\n"
    "drill-down speed (records scanned per second).\n\n" QUERY_OPTIONS
    "  --threads N      scan threads (default: one per CPU)\n";

int tt_cmd_scan(int argc, char **argv)
{
    struct query_cli q = {.cmd = "scan"};
    int idx, rc = query_cli_parse(&q, argc, argv, SCAN_USAGE, &idx);
    if (rc == TT_EXIT_OK)
        rc = query_cli_finish(&q, argc, argv, idx);
    struct tt_scan_stats ss;
    struct tt_err err = {{0}};
    if (rc == TT_EXIT_OK && tt_query_count_raw(q.store, &q.filter, q.threads, &ss, &err))
        rc = tt_cli_fail("scan", "%s", err.msg);
    if (rc == TT_EXIT_OK) {
        double rate = ss.seconds > 0 ? (double)ss.scanned / ss.seconds : 0;
        if (q.fmt == TT_OUT_JSON) {
            printf("{\"matched\":%llu,\"scanned\":%llu,\"segments\":%llu,\"seconds\":%.6f,"
                   "\"records_per_second\":%.0f}\n",
                   (unsigned long long)ss.matched, (unsigned long long)ss.scanned,
                   (unsigned long long)ss.segments, ss.seconds, rate);
        } else if (q.fmt == TT_OUT_CSV) {
            printf(
                "matched,scanned,segments,seconds,records_per_second\n%llu,%llu,%llu,%.6f,%.0f\n",
                (unsigned long long)ss.matched, (unsigned long long)ss.scanned,
                (unsigned long long)ss.segments, ss.seconds, rate);
        } else {
            char a[32], b[32];
            printf("%s matching records; %s scanned in %llu segments, %.3f s (%.1f M records/s)\n",
                   tt_cli_grouped(ss.matched, a), tt_cli_grouped(ss.scanned, b),
                   (unsigned long long)ss.segments, ss.seconds, rate / 1e6);
        }
    }
    query_cli_close(&q);
    return rc < 0 ? TT_EXIT_OK : rc;
}
