/* Country names in English and Japanese: ISO 3166-1 from Debian's iso-codes
 * (the JSON table and the ja gettext catalogue of domain iso_3166-1), with a
 * small table of the short names reports use (米国 rather than アメリカ合衆国).
 * Codes with no ISO name (EU, AP, ZZ, XK, anything unknown) are shown as the
 * code itself, never dropped. */
#ifndef TT_COUNTRIES_H
#define TT_COUNTRIES_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/lang.h"

#define TT_ISO_CODES_JSON "/usr/share/iso-codes/json/iso_3166-1.json"
#define TT_ISO_CODES_LOCALEDIR "/usr/share/locale"

struct tt_countries;

/* Loads the English names from json_path (NULL: TT_ISO_CODES_JSON) and the
 * Japanese ones from the catalogue under localedir (NULL:
 * TT_ISO_CODES_LOCALEDIR). A missing Japanese catalogue is not an error
 * (English names then stand in); a missing or bad JSON file is, naming it. */
int tt_countries_load(const char *json_path, const char *localedir, struct tt_countries **out,
                      struct tt_err *err);
void tt_countries_free(struct tt_countries *c);

/* The English half of tt_countries_load from a JSON text in memory (name
 * labels the messages): no gettext and no locale change, so the Japanese
 * names are the short-name table's or the English ones. For the fuzz target. */
int tt_countries_parse_json(const char *name, const char *data, size_t len,
                            struct tt_countries **out, struct tt_err *err);
/* How many ISO 3166-1 codes were loaded. */
uint32_t tt_countries_count(const struct tt_countries *c);

/* The short name reports use for cc (a TT_CC value), in lang; for a code
 * with no name, the two letters of the code ("ZZ"); for 0, "unknown" (en)
 * or "不明" (ja). Never NULL; valid until tt_countries_free. */
const char *tt_country_name(const struct tt_countries *c, uint32_t cc, enum tt_lang lang);

/* Parses "US" / "us" into a TT_CC value; 0 if not two ASCII letters. */
uint32_t tt_cc_parse(const char *text);
/* Writes the two letters (and a NUL) of cc into buf[3]; "--" for 0. */
void tt_cc_format(uint32_t cc, char buf[3]);

#endif
