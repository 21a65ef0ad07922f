/* Names the commands print beside codes: countries (en/ja) and services.
 * Country names come from Debian's iso-codes; service names from the
 * store's copies of the IANA registry and the port annotation file
 * (STORE/enrich/, installed by `teiten services import`). Missing sources
 * leave codes unnamed; a damaged one is an error. */
#ifndef TT_CLI_NAMES_H
#define TT_CLI_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "common/lang.h"
#include "enrich/countries.h"
#include "enrich/services.h"

#define TT_NAMES_IANA "enrich/service-names-port-numbers.csv"
#define TT_NAMES_PORTS "enrich/ports.conf"

struct tt_cli_names {
    struct tt_countries *countries; /* NULL when iso-codes is not installed */
    struct tt_services *services;
    enum tt_lang lang;
    int opened;
};

/* Returns TT_EXIT_OK or a failure status (message printed, naming cmd). */
int tt_cli_names_open(struct tt_cli_names *n, const char *cmd, const char *store_dir,
                      enum tt_lang lang);
void tt_cli_names_close(struct tt_cli_names *n);
/* Country name in the chosen language ("ZZ" for codes with no name). */
const char *tt_cli_country(const struct tt_cli_names *n, uint32_t cc);
/* "6379/TCP (redis)" for TCP/UDP ports; buf of at least 96 bytes. */
void tt_cli_service(const struct tt_cli_names *n, uint8_t proto, uint16_t port, char *buf,
                    size_t size);

#endif
