/* `teiten lookup IP...`: what the store's databases say of addresses, and
 * `teiten services import`: the service-name sources the queries use. */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/names.h"
#include "cli/table.h"
#include "common/fileio.h"
#include "enrich/enrich.h"
#include "store/store.h"

#define SERVICES_FILE_MAX ((size_t)64 << 20)

static const char LOOKUP_USAGE[] =
    "usage: teiten lookup [--store DIR] [--lang en|ja] [--csv|--json] IP...\n\n"
    "Country (code and name), AS number and name, and the sensor owning each\n"
    "address (a darknet address), from the store's databases and sensors.\n";

static const char SERVICES_USAGE[] =
    "usage: teiten services import [--store DIR] [--iana FILE] [--ports FILE]\n\n"
    "Copies the IANA service-name registry CSV and a port annotation file\n"
    "(teiten-ports(5), e.g. etc/ports.conf) into the store; port outputs name\n"
    "their services from them.\n";

struct lookup_cli {
    const char *store, *lang, *iana, *ports;
    enum tt_out_format fmt;
};

static int parse(struct lookup_cli *c, const char *cmd, const char *usage, int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, NULL, 's'}, {"lang", required_argument, NULL, 'L'},
        {"iana", required_argument, NULL, 'i'},  {"ports", required_argument, NULL, 'p'},
        {"csv", no_argument, NULL, 'c'},         {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 's')
            c->store = optarg;
        else if (ch == 'L')
            c->lang = optarg;
        else if (ch == 'i')
            c->iana = optarg;
        else if (ch == 'p')
            c->ports = optarg;
        else if (ch == 'c')
            c->fmt = TT_OUT_CSV;
        else if (ch == 'j')
            c->fmt = TT_OUT_JSON;
        else if (ch == 'h') {
            fputs(usage, stdout);
            return -1;
        } else
            return tt_cli_usage(cmd, "bad option");
    }
    if (c->lang && strcmp(c->lang, "en") && strcmp(c->lang, "ja"))
        return tt_cli_usage(cmd, "--lang %s: en or ja", c->lang);
    return TT_EXIT_OK;
}

static void lookup_row(struct tt_table *t, const char *text, const struct tt_enricher *e,
                       const struct tt_sensor_map *map, const struct tt_sensors *sensors,
                       const struct tt_cli_names *names)
{
    uint8_t a6[16];
    struct in_addr a4;
    uint32_t cc = 0, asn = 0;
    uint16_t sensor = TT_SENSOR_NONE;
    size_t r = tt_table_add_row(t);
    tt_table_set_text(t, r, 0, text);
    if (inet_pton(AF_INET, text, &a4) == 1) {
        uint32_t v = ntohl(a4.s_addr);
        cc = e->geo ? tt_ipdb_lookup4(e->geo, v) : 0;
        asn = e->asn ? tt_ipdb_lookup4(e->asn, v) : 0;
        sensor = map ? tt_sensor_map_v4(map, v) : TT_SENSOR_NONE;
    } else if (inet_pton(AF_INET6, text, a6) == 1) {
        cc = e->geo ? tt_ipdb_lookup6(e->geo, a6) : 0;
        asn = e->asn ? tt_ipdb_lookup6(e->asn, a6) : 0;
        sensor = map ? tt_sensor_map_v6(map, a6) : TT_SENSOR_NONE;
    } else {
        tt_table_set_text(t, r, 1, "not an address");
        return;
    }
    char code[3], as[16];
    tt_cc_format(cc, code);
    tt_table_set_text(t, r, 1, cc ? code : "--");
    tt_table_set_text(t, r, 2, tt_cli_country(names, cc));
    snprintf(as, sizeof as, asn ? "AS%u" : "-", asn);
    tt_table_set_text(t, r, 3, as);
    const char *asname = asn && e->asn ? tt_ipdb_asname(e->asn, asn) : NULL;
    tt_table_set_text(t, r, 4, asname ? asname : "");
    const struct tt_sensor *s = sensor ? tt_sensors_by_id(sensors, sensor) : NULL;
    tt_table_set_text(t, r, 5, s ? s->name : "-");
}

int tt_cmd_lookup(int argc, char **argv)
{
    struct lookup_cli c = {0};
    int rc = parse(&c, "lookup", LOOKUP_USAGE, argc, argv);
    if (rc)
        return rc < 0 ? TT_EXIT_OK : rc;
    if (optind >= argc)
        return tt_cli_usage("lookup", "name at least one address");
    const char *dir = tt_cli_store_dir(c.store);
    struct tt_err err = {{0}};
    struct tt_enricher e = {0};
    struct tt_store *st = NULL;
    struct tt_sensors *sensors = calloc(1, sizeof *sensors);
    struct tt_sensor_map *map = NULL;
    struct tt_cli_names names = {0};
    if (!sensors)
        return tt_cli_fail("lookup", "out of memory");
    if (tt_store_open(dir, TT_STORE_READ, &st, &err) || tt_store_sensors(st, sensors, &err) ||
        tt_enricher_open(dir, &e, &err) || (sensors->n && tt_sensor_map_build(sensors, &map)))
        rc = tt_cli_fail("lookup", "%s", err.msg[0] ? err.msg : "out of memory");
    if (rc == TT_EXIT_OK)
        rc = tt_cli_names_open(&names, "lookup", dir,
                               c.lang && strcmp(c.lang, "ja") == 0 ? TT_LANG_JA : TT_LANG_EN);
    static const char *const cols[] = {"address", "country", "name", "asn", "as_name", "sensor"};
    static const enum tt_col_kind kinds[] = {TT_COL_TEXT, TT_COL_TEXT, TT_COL_TEXT,
                                             TT_COL_TEXT, TT_COL_TEXT, TT_COL_TEXT};
    struct tt_table *t = rc == TT_EXIT_OK ? tt_table_new(6, cols, kinds) : NULL;
    for (int i = optind; t && i < argc; i++)
        lookup_row(t, argv[i], &e, map, sensors, &names);
    if (t)
        rc = tt_table_print(t, stdout, c.fmt) ? TT_EXIT_FAIL : TT_EXIT_OK;
    else if (rc == TT_EXIT_OK)
        rc = tt_cli_fail("lookup", "out of memory");
    tt_table_free(t);
    tt_cli_names_close(&names);
    tt_sensor_map_free(map);
    tt_enricher_close(&e);
    tt_store_close(st);
    free(sensors);
    return rc;
}

/* Checks a source by loading it, then copies it into the store. */
static int import_one(const char *dir, const char *from, const char *rel, int iana)
{
    struct tt_err err = {{0}};
    struct tt_services *s = tt_services_new();
    uint8_t *data = NULL;
    size_t len = 0;
    char path[TT_PATH_MAX];
    int rc = s ? TT_OK : TT_ENOMEM;
    if (rc == TT_OK)
        rc = iana ? tt_services_load_iana(s, from, &err)
                  : tt_services_load_annotations(s, from, &err);
    if (rc == TT_OK)
        rc = tt_file_read(from, SERVICES_FILE_MAX, &data, &len, &err);
    if (rc == TT_OK && tt_path(path, sizeof path, "%s/%s", dir, rel))
        rc = tt_err_set(&err, TT_ELIMIT, "%s: path too long", dir);
    if (rc == TT_OK)
        rc = tt_file_write_atomic(path, data, len, &err);
    free(data);
    tt_services_free(s);
    return rc ? tt_cli_fail("services", "%s", err.msg[0] ? err.msg : "out of memory") : TT_EXIT_OK;
}

int tt_cmd_services(int argc, char **argv)
{
    struct lookup_cli c = {0};
    if (argc < 2 || strcmp(argv[1], "import") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            fputs(SERVICES_USAGE, stdout);
            return TT_EXIT_OK;
        }
        return tt_cli_usage("services", "say 'services import'");
    }
    int rc = parse(&c, "services", SERVICES_USAGE, argc - 1, argv + 1);
    if (rc)
        return rc < 0 ? TT_EXIT_OK : rc;
    if (!c.iana && !c.ports)
        return tt_cli_usage("services", "give --iana FILE and/or --ports FILE");
    const char *dir = tt_cli_store_dir(c.store);
    struct tt_err err = {{0}};
    struct tt_store *st = NULL;
    char edir[TT_PATH_MAX];
    if (tt_store_open(dir, TT_STORE_WRITE, &st, &err) ||
        tt_path(edir, sizeof edir, "%s/enrich", dir) || tt_mkdirs(edir, &err)) {
        tt_store_close(st);
        return tt_cli_fail("services", "%s", err.msg[0] ? err.msg : "path too long");
    }
    if (c.iana)
        rc = import_one(dir, c.iana, TT_NAMES_IANA, 1);
    if (rc == TT_EXIT_OK && c.ports)
        rc = import_one(dir, c.ports, TT_NAMES_PORTS, 0);
    tt_store_close(st);
    return rc;
}
