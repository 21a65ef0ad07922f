/* `teiten geo build|info`, `teiten asn build|info`: compile an IP database
 * from its sources into the store (STORE/enrich/KIND.ttdb, recorded in the
 * catalog with its version), and show what is installed. Overlapping source
 * records with different values are reported, one line each, and resolved
 * by the documented rule (the narrower range wins). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/json.h"
#include "common/fileio.h"
#include "enrich/enrich.h"
#include "enrich/ipdb.h"
#include "enrich/range.h"
#include "store/store.h"

#define GEO_SOURCES_MAX TT_RANGE_FILES_MAX

static const char GEO_USAGE[] =
    "usage: teiten geo build [--store DIR] (--rir FILE... | --mmdb FILE | --csv FILE...)\n"
    "                        [--licence TEXT] [--date YYYY-MM-DD] [--quiet]\n"
    "       teiten geo info  [--store DIR] [--json]\n\n"
    "Builds the store's region database (source address -> country) from the RIRs'\n"
    "delegated-*-extended-latest files, a MaxMind-format country database, or CSV\n"
    "tables of inclusive ranges start_ip,end_ip,cc. Packets ingested afterwards are\n"
    "enriched with it; packets stored before keep the country they were given.\n";

static const char ASN_USAGE[] =
    "usage: teiten asn build [--store DIR] (--pfx2as FILE... | --csv FILE... | --mmdb FILE)\n"
    "                        [--licence TEXT] [--date YYYY-MM-DD] [--quiet]\n"
    "       teiten asn info  [--store DIR] [--json]\n\n"
    "Builds the store's AS database from CAIDA RouteViews pfx2as (or pyasn) files,\n"
    "CSV tables start,end,asn,name, or a MaxMind-format ASN database.\n";

struct build_cli {
    const char *cmd, *store, *licence, *date;
    int kind; /* 'r' rir, 'm' mmdb, 'c' csv, 'p' pfx2as */
    const char *files[GEO_SOURCES_MAX];
    unsigned nfiles;
    int quiet, json;
};

static void report_conflict(void *ctx, const struct tt_range_conflict *c)
{
    const struct build_cli *b = ctx;
    char va[16], vb[16];
    if (b->quiet)
        return;
    if (strcmp(b->cmd, "geo") == 0) {
        snprintf(va, sizeof va, "%c%c", (char)(c->value_a >> 8), (char)c->value_a);
        snprintf(vb, sizeof vb, "%c%c", (char)(c->value_b >> 8), (char)c->value_b);
    } else {
        snprintf(va, sizeof va, "AS%u", c->value_a);
        snprintf(vb, sizeof vb, "AS%u", c->value_b);
    }
    fprintf(stderr, "teiten %s: overlap %s-%s: %s:%u says %s, %s:%u says %s; kept %s (narrower)\n",
            b->cmd, c->lo, c->hi, c->file_a, c->line_a, va, c->file_b, c->line_b, vb, vb);
}

static int read_sources(struct build_cli *b, struct tt_range_set *set, char *source, size_t size,
                        struct tt_err *err)
{
    static const char *const what[] = {"rir", "mmdb", "csv", "pfx2as"};
    const char *label = what[b->kind == 'r' ? 0 : b->kind == 'm' ? 1 : b->kind == 'c' ? 2 : 3];
    size_t used = (size_t)snprintf(source, size, "%s", label);
    int rc = TT_OK;
    for (unsigned i = 0; rc == TT_OK && i < b->nfiles; i++) {
        const char *f = b->files[i];
        const char *base = strrchr(f, '/') ? strrchr(f, '/') + 1 : f;
        if (used < size)
            used += (size_t)snprintf(source + used, size - used, " %s", base);
        struct tt_rir_stats st;
        uint64_t multi = 0;
        enum tt_ipdb_kind k = strcmp(b->cmd, "geo") == 0 ? TT_IPDB_COUNTRY : TT_IPDB_ASN;
        if (b->kind == 'r')
            rc = tt_rir_parse(f, set, &st, err);
        else if (b->kind == 'm')
            rc = tt_ipdb_from_mmdb(f, k, set, err);
        else if (b->kind == 'p')
            rc = tt_pfx2as_parse(f, set, &multi, err);
        else if (k == TT_IPDB_COUNTRY)
            rc = tt_rangecsv_parse_country(f, set, err);
        else
            rc = tt_rangecsv_parse_asn(f, set, err);
    }
    return rc;
}

static int install(struct build_cli *b, struct tt_range_set *set, const char *source)
{
    struct tt_err err = {{0}};
    struct tt_store *st = NULL;
    int geo = strcmp(b->cmd, "geo") == 0;
    struct tt_ipdb_meta m;
    memset(&m, 0, sizeof m);
    m.kind = geo ? TT_IPDB_COUNTRY : TT_IPDB_ASN;
    tt_strlcpy(m.source, source, sizeof m.source);
    tt_strlcpy(m.licence, b->licence ? b->licence : "", sizeof m.licence);
    tt_strlcpy(m.data_date, b->date ? b->date : "", sizeof m.data_date);
    m.built_at = (int64_t)time(NULL);
    char dir[TT_PATH_MAX], path[TT_PATH_MAX];
    const char *sd = tt_cli_store_dir(b->store);
    int rc = tt_store_open(sd, TT_STORE_WRITE, &st, &err);
    if (rc == TT_OK &&
        (tt_path(dir, sizeof dir, "%s/enrich", sd) ||
         tt_path(path, sizeof path, "%s/%s", sd, geo ? TT_ENRICH_COUNTRY_DB : TT_ENRICH_ASN_DB)))
        rc = tt_err_set(&err, TT_ELIMIT, "%s: path too long", sd);
    if (rc == TT_OK)
        rc = tt_mkdirs(dir, &err);
    if (rc == TT_OK)
        rc = tt_ipdb_write(path, set, &m, &err);
    struct tt_store_db d;
    memset(&d, 0, sizeof d);
    tt_strlcpy(d.kind, geo ? "country" : "asn", sizeof d.kind);
    d.version = m.version;
    tt_strlcpy(d.source, m.source, sizeof d.source);
    tt_strlcpy(d.licence, m.licence, sizeof d.licence);
    tt_strlcpy(d.data_date, m.data_date, sizeof d.data_date);
    d.built_at = m.built_at;
    d.entries = m.n4 + m.n6;
    if (rc == TT_OK)
        rc = tt_store_put_database(st, &d, &err);
    tt_store_close(st);
    if (rc)
        return tt_cli_fail(b->cmd, "%s", err.msg);
    if (!b->quiet)
        printf("%s database %016llx: %llu IPv4 ranges (%llu addresses), %llu IPv6 ranges, "
               "%llu names, from %s\n",
               geo ? "region" : "AS", (unsigned long long)m.version, (unsigned long long)m.n4,
               (unsigned long long)m.addresses4, (unsigned long long)m.n6,
               (unsigned long long)m.nnames, source);
    return TT_EXIT_OK;
}

static int build(struct build_cli *b)
{
    struct tt_range_set set;
    memset(&set, 0, sizeof set);
    struct tt_err err = {{0}};
    char source[TT_STORE_DB_TEXT];
    uint64_t conflicts = 0;
    int rc = read_sources(b, &set, source, sizeof source, &err);
    if (rc == TT_OK)
        rc = tt_range_finalize(&set, report_conflict, b, &conflicts, &err);
    if (rc) {
        tt_range_set_free(&set);
        return tt_cli_fail(b->cmd, "%s", err.msg);
    }
    if (conflicts && !b->quiet)
        fprintf(stderr,
                "teiten %s: %llu overlapping records with different values (the narrower "
                "range kept in each)\n",
                b->cmd, (unsigned long long)conflicts);
    rc = install(b, &set, source);
    tt_range_set_free(&set);
    return rc;
}

static int parse_build(struct build_cli *b, int argc, char **argv, const char *usage)
{
    static const struct option opts[] = {{"store", required_argument, NULL, 's'},
                                         {"rir", required_argument, NULL, 'r'},
                                         {"mmdb", required_argument, NULL, 'm'},
                                         {"csv", required_argument, NULL, 'c'},
                                         {"pfx2as", required_argument, NULL, 'p'},
                                         {"licence", required_argument, NULL, 'l'},
                                         {"date", required_argument, NULL, 'd'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int ch, geo = strcmp(b->cmd, "geo") == 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (ch == 'r' || ch == 'm' || ch == 'c' || ch == 'p') {
            if ((ch == 'r' && !geo) || (ch == 'p' && geo))
                return tt_cli_usage(b->cmd, "that source does not fit this database");
            if ((b->kind && b->kind != ch) || (ch == 'm' && b->nfiles))
                return tt_cli_usage(b->cmd, "give one kind of source (and one --mmdb)");
            if (b->nfiles == GEO_SOURCES_MAX)
                return tt_cli_usage(b->cmd, "at most %d source files", GEO_SOURCES_MAX);
            b->kind = ch;
            b->files[b->nfiles++] = optarg;
        } else if (ch == 's') {
            b->store = optarg;
        } else if (ch == 'l') {
            b->licence = optarg;
        } else if (ch == 'd') {
            b->date = optarg;
        } else if (ch == 'q') {
            b->quiet = 1;
        } else if (ch == 'j') {
            b->json = 1;
        } else if (ch == 'h') {
            fputs(usage, stdout);
            return -1;
        } else {
            return tt_cli_usage(b->cmd, "bad option");
        }
    }
    return optind < argc ? tt_cli_usage(b->cmd, "unexpected argument '%s'", argv[optind])
                         : TT_EXIT_OK;
}

static void print_db_json(const struct tt_store_db *d, int first)
{
    printf("%s{\"kind\":\"%s\",\"version\":\"%016llx\",\"data_date\":\"%s\",\"built_at\":%lld,"
           "\"ranges\":%llu,\"inputs\":%llu,\"source\":",
           first ? "" : ",", d->kind, (unsigned long long)d->version, d->data_date,
           (long long)d->built_at, (unsigned long long)d->entries, (unsigned long long)d->inputs);
    tt_json_quote(stdout, d->source);
    printf(",\"licence\":");
    tt_json_quote(stdout, d->licence);
    printf("}");
}

static int info(struct build_cli *b)
{
    struct tt_err err = {{0}};
    struct tt_store *st = NULL;
    struct tt_store_db *dbs = NULL;
    size_t n = 0;
    const char *kind = strcmp(b->cmd, "geo") == 0 ? "country" : "asn";
    if (tt_store_open(tt_cli_store_dir(b->store), TT_STORE_READ, &st, &err) ||
        tt_store_databases(st, &dbs, &n, &err)) {
        tt_store_close(st);
        return tt_cli_fail(b->cmd, "%s", err.msg);
    }
    tt_store_close(st);
    int shown = 0;
    if (b->json)
        printf("[");
    for (size_t i = 0; i < n; i++) {
        if (strcmp(dbs[i].kind, kind) != 0)
            continue;
        if (b->json) {
            print_db_json(&dbs[i], !shown);
        } else {
            char when[32];
            time_t t = (time_t)dbs[i].built_at;
            struct tm tm;
            strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime_r(&t, &tm));
            printf("%s%016llx  %s database%s\n  source   %s\n  data of  %s\n  built    %s\n"
                   "  ranges   %llu\n  inputs   %llu enriched with it\n  licence  %s\n",
                   shown ? "\n" : "", (unsigned long long)dbs[i].version, kind,
                   shown ? " (earlier version)" : " (current)", dbs[i].source,
                   dbs[i].data_date[0] ? dbs[i].data_date : "(not given)", when,
                   (unsigned long long)dbs[i].entries, (unsigned long long)dbs[i].inputs,
                   dbs[i].licence[0] ? dbs[i].licence : "(not given)");
        }
        shown++;
    }
    if (b->json)
        printf("]\n");
    else if (!shown)
        printf("no %s database in this store (teiten %s build)\n", kind, b->cmd);
    free(dbs);
    return TT_EXIT_OK;
}

static int geo_or_asn(const char *cmd, const char *usage, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? TT_EXIT_USAGE : TT_EXIT_OK;
    }
    struct build_cli b = {.cmd = cmd};
    int build_cmd = strcmp(argv[1], "build") == 0;
    if (!build_cmd && strcmp(argv[1], "info") != 0)
        return tt_cli_usage(cmd, "say '%s build' or '%s info'", cmd, cmd);
    int rc = parse_build(&b, argc - 1, argv + 1, usage);
    if (rc)
        return rc < 0 ? TT_EXIT_OK : rc;
    if (build_cmd && !b.nfiles)
        return tt_cli_usage(cmd, "name the source files");
    return build_cmd ? build(&b) : info(&b);
}

int tt_cmd_geo(int argc, char **argv)
{
    return geo_or_asn("geo", GEO_USAGE, argc, argv);
}

int tt_cmd_asn(int argc, char **argv)
{
    return geo_or_asn("asn", ASN_USAGE, argc, argv);
}
