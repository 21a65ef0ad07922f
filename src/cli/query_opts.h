/* Options the query commands share: store, time range, filters, output. */
#ifndef TT_QUERY_OPTS_H
#define TT_QUERY_OPTS_H

#include "cli/names.h"
#include "cli/table.h"
#include "query/query.h"
#include "store/store.h"

struct query_cli {
    const char *cmd; /* for messages */
    const char *store_dir;
    const char *from, *to, *period;
    const char *sensor_name, *proto_name;
    const char *port_text;
    uint64_t n; /* -n */
    int unattributed;
    enum tt_out_format fmt;
    const char *step, *by; /* series */
    unsigned threads;
    const char *lang_name; /* --lang */
    /* resolved */
    enum tt_lang lang;
    struct tt_cli_names names; /* opened by the commands that print names */
    struct tt_store *store;
    struct tt_sensors *sensors;
    struct tt_filter filter;
    int ranged; /* a range was given */
};

/* Parses argv (options and at most one PERIOD argument; extra positional
 * arguments are returned through rest), opens the store and resolves the
 * filter. Returns TT_EXIT_OK, -1 after --help, or an exit status. */
int query_cli_parse(struct query_cli *q, int argc, char **argv, const char *usage, int *rest_index);
/* Takes an optional PERIOD at argv[index], refuses anything after it, and
 * resolves the filter (sensor name, protocol, port, range). */
int query_cli_finish(struct query_cli *q, int argc, char **argv, int index);
void query_cli_close(struct query_cli *q);

/* Observed addresses of the sensors the filter covers (for per-address rates). */
uint64_t query_cli_addresses(const struct query_cli *q);
const char *query_cli_sensor_name(const struct query_cli *q, uint16_t id);
const char *query_cli_proto_name(uint8_t proto, char buf[8]);
/* "23", "8/0" (ICMP type/code) or "-" (no transport header). */
const char *query_cli_port_label(uint8_t kind, uint16_t port, char buf[16]);

/* The previous-rank cell: "3", "out of top 10", or "-" with no previous period. */
void query_cli_prev_rank(int rank, int have_previous, uint64_t n, char *buf, size_t size);

/* top countries / top asns (cmd_top_geo.c). */
int query_cli_top_groups(struct query_cli *q, enum tt_group_by by);

#endif
