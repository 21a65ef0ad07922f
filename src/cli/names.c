#include "cli/names.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "common/fileio.h"

static int present(const char *dir, const char *rel, char *path, size_t size)
{
    struct stat st;
    return tt_path(path, size, "%s/%s", dir, rel) == 0 && stat(path, &st) == 0;
}

int tt_cli_names_open(struct tt_cli_names *n, const char *cmd, const char *store_dir,
                      enum tt_lang lang)
{
    struct tt_err err = {{0}};
    struct stat st;
    char path[TT_PATH_MAX];
    memset(n, 0, sizeof *n);
    n->lang = lang;
    n->opened = 1;
    if (stat(TT_ISO_CODES_JSON, &st) == 0 &&
        tt_countries_load(NULL, NULL, &n->countries, &err) != TT_OK)
        return tt_cli_fail(cmd, "%s", err.msg);
    if (!(n->services = tt_services_new()))
        return tt_cli_fail(cmd, "out of memory");
    if (present(store_dir, TT_NAMES_IANA, path, sizeof path) &&
        tt_services_load_iana(n->services, path, &err) != TT_OK)
        return tt_cli_fail(cmd, "%s", err.msg);
    if (present(store_dir, TT_NAMES_PORTS, path, sizeof path) &&
        tt_services_load_annotations(n->services, path, &err) != TT_OK)
        return tt_cli_fail(cmd, "%s", err.msg);
    return TT_EXIT_OK;
}

void tt_cli_names_close(struct tt_cli_names *n)
{
    if (!n->opened)
        return;
    tt_countries_free(n->countries);
    tt_services_free(n->services);
    memset(n, 0, sizeof *n);
}

const char *tt_cli_country(const struct tt_cli_names *n, uint32_t cc)
{
    static char code[3];
    if (n->countries)
        return tt_country_name(n->countries, cc, n->lang);
    tt_cc_format(cc, code);
    return code;
}

void tt_cli_service(const struct tt_cli_names *n, uint8_t proto, uint16_t port, char *buf,
                    size_t size)
{
    if (n->services)
        tt_service_label(n->services, proto, port, n->lang, buf, size);
    else
        snprintf(buf, size, "%u/%s", port, proto == 6 ? "TCP" : "UDP");
}
