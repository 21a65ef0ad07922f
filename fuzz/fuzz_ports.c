/* Fuzz target for the service-name parsers. A first byte 'I' feeds the
 * rest as an IANA registry CSV (libcsv), anything else as an annotation
 * file (teiten-ports(5)); the text is copied into an exactly-sized buffer so
 * an over-read is caught by ASan. Accepted input must give bounded strings;
 * refused input must leave a message naming the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/services.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_port(const struct tt_services *s, uint8_t proto, uint16_t port)
{
    struct tt_service sv;
    char label[96];
    if (tt_service_lookup(s, proto, port, &sv) == TT_OK &&
        (strlen(sv.name) >= TT_SERVICE_NAME_MAX || strlen(sv.desc) >= TT_SERVICE_DESC_MAX ||
         strlen(sv.ref) >= 512 || (sv.annotated && (!sv.name[0] || !sv.ref[0]))))
        abort();
    tt_service_label(s, proto, port, TT_LANG_EN, label, sizeof label);
    if (strlen(label) >= sizeof label - 1)
        abort(); /* the longest label fits with room to spare */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t protos[5] = {6, 17, 132, 33, 1};
    if (size < 1)
        return 0;
    size_t n = size - 1;
    char *text = malloc(n ? n : 1);
    struct tt_services *s = tt_services_new();
    if (!text || !s)
        goto out;
    memcpy(text, data + 1, n);
    struct tt_err err = {{0}};
    int rc = data[0] == 'I' ? tt_services_parse_iana(s, text, n, "fuzz", &err)
                            : tt_services_parse_annotations(s, text, n, "fuzz", &err);
    if (rc != TT_OK && strncmp(err.msg, "fuzz", 4) != 0)
        abort();
    for (uint32_t port = 0; port < 100; port++)
        check_port(s, protos[port % 5], (uint16_t)port);
    for (size_t i = 0; i + 1 < n && i < 128; i += 2) /* ports the input may name */
        for (int p = 0; p < 5; p++)
            check_port(s, protos[p], (uint16_t)(data[1 + i] << 8 | data[2 + i]));
out:
    tt_services_free(s);
    free(text);
    return 0;
}
