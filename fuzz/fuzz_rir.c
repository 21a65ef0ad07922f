/* Fuzz target for the RIR delegated statistics parser (from memory), then
 * the range finaliser. Aborts when a success breaks the counting rules or
 * leaves a bad range, or a refusal leaves records or no message behind. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ranges(const struct tt_range_set *s)
{
    for (size_t i = 0; i < s->n4; i++)
        if (s->v4[i].lo > s->v4[i].hi || !s->v4[i].value || s->v4[i].file >= s->nfiles ||
            (i && s->v4[i].lo <= s->v4[i - 1].hi))
            abort();
    for (size_t i = 0; i < s->n6; i++)
        if (memcmp(s->v6[i].lo, s->v6[i].hi, 16) > 0 || !s->v6[i].value ||
            (i && memcmp(s->v6[i].lo, s->v6[i - 1].hi, 16) <= 0))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1); /* exactly sized: over-reads fault */
    if (!text)
        return 0;
    memcpy(text, data, size);
    struct tt_range_set s = {0};
    struct tt_rir_stats st;
    struct tt_err err = {{0}};
    int rc = tt_rir_parse_mem(text, size, "fuzz", &s, &st, &err);
    if (rc < 0) {
        if (!err.msg[0] || s.n4 || s.n6 || s.skipped || s.nfiles)
            abort();
    } else {
        if (rc != 0 || st.records != st.ipv4 + st.ipv6 + st.asn ||
            st.mapped + st.unmapped != st.ipv4 + st.ipv6 || s.n4 + s.n6 != st.mapped ||
            s.skipped != st.unmapped || !st.registry[0] || !st.serial[0])
            abort();
        for (size_t i = 0; i < s.n4; i++) {
            uint32_t a = s.v4[i].value >> 8, b = s.v4[i].value & 0xff;
            if (s.v4[i].lo > s.v4[i].hi || a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
                abort();
        }
        uint64_t conflicts = 0;
        if (tt_range_finalize(&s, NULL, NULL, &conflicts, &err) == 0)
            check_ranges(&s);
    }
    tt_range_set_free(&s);
    free(text);
    return 0;
}
