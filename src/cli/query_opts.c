#include "cli/query_opts.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "query/period.h"

static const struct option OPTS[] = {{"store", required_argument, NULL, 's'},
                                     {"from", required_argument, NULL, 'f'},
                                     {"to", required_argument, NULL, 't'},
                                     {"sensor", required_argument, NULL, 'S'},
                                     {"proto", required_argument, NULL, 'p'},
                                     {"port", required_argument, NULL, 'P'},
                                     {"csv", no_argument, NULL, 'c'},
                                     {"json", no_argument, NULL, 'j'},
                                     {"unattributed", no_argument, NULL, 'u'},
                                     {"step", required_argument, NULL, 'T'},
                                     {"by", required_argument, NULL, 'b'},
                                     {"threads", required_argument, NULL, 'x'},
                                     {"lang", required_argument, NULL, 'L'},
                                     {"help", no_argument, NULL, 'h'},
                                     {NULL, 0, NULL, 0}};

static int parse_proto(const char *text, int *out)
{
    static const struct {
        const char *name;
        int num;
    } names[] = {{"tcp", 6},     {"udp", 17}, {"icmp", 1}, {"icmp6", 58},
                 {"icmpv6", 58}, {"gre", 47}, {"esp", 50}, {"sctp", 132}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(text, names[i].name) == 0) {
            *out = names[i].num;
            return 0;
        }
    uint64_t v;
    if (tt_cli_number("--proto", text, 0, 255, &v))
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_args(struct query_cli *q, int argc, char **argv, const char *usage)
{
    int ch;
    uint64_t v;
    while ((ch = getopt_long(argc, argv, "n:h", OPTS, NULL)) != -1) {
        switch (ch) {
        case 's':
            q->store_dir = optarg;
            break;
        case 'f':
            q->from = optarg;
            break;
        case 't':
            q->to = optarg;
            break;
        case 'S':
            q->sensor_name = optarg;
            break;
        case 'p':
            q->proto_name = optarg;
            break;
        case 'P':
            q->port_text = optarg;
            break;
        case 'c':
            q->fmt = TT_OUT_CSV;
            break;
        case 'j':
            q->fmt = TT_OUT_JSON;
            break;
        case 'u':
            q->unattributed = 1;
            break;
        case 'T':
            q->step = optarg;
            break;
        case 'b':
            q->by = optarg;
            break;
        case 'L':
            q->lang_name = optarg;
            break;
        case 'x':
            if (tt_cli_number("--threads", optarg, 1, 256, &v))
                return TT_EXIT_USAGE;
            q->threads = (unsigned)v;
            break;
        case 'n':
            if (tt_cli_number("-n", optarg, 1, 1000000, &q->n))
                return TT_EXIT_USAGE;
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            return tt_cli_usage(q->cmd, "bad option");
        }
    }
    return TT_EXIT_OK;
}

/* --from/--to, or one PERIOD argument, into the filter's range. */
static int resolve_range(struct query_cli *q)
{
    struct tt_err err = {{0}};
    struct tt_filter *f = &q->filter;
    int rc = TT_OK;
    if (q->period && (q->from || q->to))
        return tt_cli_usage(q->cmd, "give a PERIOD or --from/--to, not both");
    if (q->period)
        rc = tt_period_parse(q->period, &f->from_us, &f->to_us, &err);
    else if (q->from || q->to)
        rc = tt_period_range(q->from, q->to, &f->from_us, &f->to_us, &err);
    if (rc)
        return tt_cli_usage(q->cmd, "%s", err.msg);
    q->ranged = q->period || q->from || q->to;
    /* open ends (and no range at all) stop at the store's first and last day */
    struct tt_store_totals t;
    if (tt_store_totals(q->store, &t, &err))
        return tt_cli_fail(q->cmd, "%s", err.msg);
    if (!q->ranged || (q->to && !q->from))
        f->from_us = t.first_day * TT_US_PER_DAY;
    if (!q->ranged || (q->from && !q->to))
        f->to_us = (t.last_day + 1) * TT_US_PER_DAY;
    if (f->from_us >= f->to_us)
        f->to_us = f->from_us + TT_US_PER_DAY; /* nothing stored in range: an empty day */
    q->ranged = q->period != NULL || (q->from && q->to);
    return TT_EXIT_OK;
}

static int resolve_filter(struct query_cli *q)
{
    struct tt_filter *f = &q->filter;
    f->unattributed = q->unattributed;
    if (q->sensor_name) {
        const struct tt_sensor *s = tt_sensors_by_name(q->sensors, q->sensor_name);
        if (!s)
            return tt_cli_usage(q->cmd, "--sensor %s: the store has no such sensor",
                                q->sensor_name);
        f->sensor = s->id;
    }
    if (q->proto_name && parse_proto(q->proto_name, &f->proto))
        return TT_EXIT_USAGE;
    uint64_t v;
    if (q->port_text) {
        /* "6379/tcp" gives the protocol too */
        char num[16];
        const char *slash = strchr(q->port_text, '/');
        size_t len = slash ? (size_t)(slash - q->port_text) : strlen(q->port_text);
        if (len >= sizeof num)
            return tt_cli_usage(q->cmd, "--port %s: a port number, or PORT/PROTO", q->port_text);
        memcpy(num, q->port_text, len);
        num[len] = '\0';
        if (tt_cli_number("--port", num, 0, 65535, &v) ||
            (slash && parse_proto(slash + 1, &f->proto)))
            return TT_EXIT_USAGE;
        f->port = (int)v;
    }
    if (q->lang_name && strcmp(q->lang_name, "en") == 0)
        q->lang = TT_LANG_EN;
    else if (q->lang_name && strcmp(q->lang_name, "ja") == 0)
        q->lang = TT_LANG_JA;
    else if (q->lang_name)
        return tt_cli_usage(q->cmd, "--lang %s: en or ja", q->lang_name);
    return resolve_range(q);
}

int query_cli_parse(struct query_cli *q, int argc, char **argv, const char *usage, int *rest_index)
{
    tt_filter_init(&q->filter);
    if (!q->n)
        q->n = 10;
    int rc = parse_args(q, argc, argv, usage);
    if (rc)
        return rc;
    *rest_index = optind;
    struct tt_err err = {{0}};
    if (tt_store_open(tt_cli_store_dir(q->store_dir), TT_STORE_READ, &q->store, &err))
        return tt_cli_fail(q->cmd, "%s", err.msg);
    q->sensors = calloc(1, sizeof *q->sensors);
    if (!q->sensors)
        return tt_cli_fail(q->cmd, "out of memory");
    if (tt_store_sensors(q->store, q->sensors, &err))
        return tt_cli_fail(q->cmd, "%s", err.msg);
    return TT_EXIT_OK;
}

/* Called by commands once they consumed their own positional words. */
int query_cli_finish(struct query_cli *q, int argc, char **argv, int index)
{
    if (index < argc)
        q->period = argv[index++];
    if (index < argc)
        return tt_cli_usage(q->cmd, "unexpected argument '%s'", argv[index]);
    return resolve_filter(q);
}

void query_cli_close(struct query_cli *q)
{
    tt_cli_names_close(&q->names);
    tt_store_close(q->store);
    free(q->sensors);
    q->store = NULL;
    q->sensors = NULL;
}

uint64_t query_cli_addresses(const struct query_cli *q)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < q->sensors->n; i++)
        if (q->filter.sensor == TT_ANY || q->filter.sensor == q->sensors->s[i].id)
            n += q->sensors->s[i].addresses;
    return n;
}

const char *query_cli_sensor_name(const struct query_cli *q, uint16_t id)
{
    if (id == TT_SENSOR_NONE)
        return "(unattributed)";
    const struct tt_sensor *s = tt_sensors_by_id(q->sensors, id);
    return s ? s->name : "(unknown)";
}

const char *query_cli_proto_name(uint8_t proto, char buf[8])
{
    switch (proto) {
    case 6:
        return "tcp";
    case 17:
        return "udp";
    case 1:
        return "icmp";
    case 58:
        return "icmp6";
    case 47:
        return "gre";
    default:
        snprintf(buf, 8, "%u", proto);
        return buf;
    }
}

const char *query_cli_port_label(uint8_t kind, uint16_t port, char buf[16])
{
    if (kind == TT_PK_PORT)
        snprintf(buf, 16, "%u", port);
    else if (kind == TT_PK_ICMP)
        snprintf(buf, 16, "%u/%u", (unsigned)(port >> 8), (unsigned)(port & 0xff));
    else
        snprintf(buf, 16, "-");
    return buf;
}

void query_cli_prev_rank(int rank, int have_previous, uint64_t n, char *buf, size_t size)
{
    if (rank)
        snprintf(buf, size, "%d", rank);
    else if (have_previous)
        snprintf(buf, size, "out of top %llu", (unsigned long long)n);
    else
        snprintf(buf, size, "-");
}
