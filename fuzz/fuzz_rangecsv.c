/* Fuzz target for the range CSV parsers and the prefix-to-AS parser (from
 * memory). The first byte picks country CSV, AS CSV or pfx2as; the rest is
 * the file. Aborts when a success leaves a bad range or name, or a refusal
 * leaves records or no message behind. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_set(const struct tt_range_set *s)
{
    for (size_t i = 0; i < s->n4; i++)
        if (s->v4[i].lo > s->v4[i].hi || !s->v4[i].value)
            abort();
    for (size_t i = 0; i < s->n6; i++)
        if (memcmp(s->v6[i].lo, s->v6[i].hi, 16) > 0 || !s->v6[i].value)
            abort();
    for (size_t i = 0; i < s->nnames; i++)
        if (!s->names[i].asn || memchr(s->names[i].name, '\0', TT_ASNAME_MAX) == NULL)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t n = size - 1;
    char *text = malloc(n ? n : 1); /* exactly sized: over-reads fault */
    if (!text)
        return 0;
    memcpy(text, data + 1, n);
    struct tt_range_set s = {0};
    struct tt_err err = {{0}};
    uint64_t multi = 0;
    int rc;
    switch (data[0] % 3) {
    case 0:
        rc = tt_rangecsv_parse_country_mem(text, n, "fuzz", &s, &err);
        break;
    case 1:
        rc = tt_rangecsv_parse_asn_mem(text, n, "fuzz", &s, &err);
        break;
    default:
        rc = tt_pfx2as_parse_mem(text, n, "fuzz", &s, &multi, &err);
        break;
    }
    if (rc < 0) {
        if (!err.msg[0] || s.n4 || s.n6 || s.nnames || s.skipped || s.nfiles || multi)
            abort();
    } else {
        if (rc != 0 || multi > s.n4 + s.n6 + s.skipped)
            abort();
        check_set(&s);
        uint64_t conflicts = 0;
        if (tt_range_finalize(&s, NULL, NULL, &conflicts, &err) == 0)
            check_set(&s);
    }
    tt_range_set_free(&s);
    free(text);
    return 0;
}
