/* Fuzz target for the iso-codes JSON reader (tt_countries_parse_json): the
 * input is the file's text, copied into an exactly-sized buffer so any
 * over-read is caught by ASan. On success every code must have a short,
 * printable name in both languages; a refusal must leave a message and no
 * table. Also feeds the first bytes to tt_cc_parse / tt_cc_format. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/countries.h"
#include "enrich/range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_names(const struct tt_countries *c)
{
    uint32_t named = 0;
    for (char a = 'A'; a <= 'Z'; a++)
        for (char b = 'A'; b <= 'Z'; b++) {
            const char *en = tt_country_name(c, TT_CC(a, b), TT_LANG_EN);
            const char *ja = tt_country_name(c, TT_CC(a, b), TT_LANG_JA);
            if (!en || !ja || !*en || !*ja || strlen(en) > 255 || strlen(ja) > 255)
                abort();
            named += !(en[0] == a && en[1] == b && en[2] == '\0');
        }
    if (named > tt_countries_count(c) || tt_countries_count(c) == 0)
        abort();
}

static void check_cc(const uint8_t *data, size_t size)
{
    char text[3] = {0}, back[3];
    memcpy(text, data, size < 2 ? size : 2);
    uint32_t cc = tt_cc_parse(text);
    tt_cc_format(cc, back);
    if (cc && tt_cc_parse(back) != cc)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    struct tt_err err = {{0}};
    struct tt_countries *c = NULL;
    int rc = tt_countries_parse_json("fuzz", text, size, &c, &err);
    if (rc == 0)
        check_names(c);
    else if (c || strncmp(err.msg, "fuzz", 4) != 0)
        abort();
    tt_countries_free(c);
    check_cc(data, size);
    free(text);
    return 0;
}
