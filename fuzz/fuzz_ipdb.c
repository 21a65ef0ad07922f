/* Fuzz target for the IP database reader. Each input is opened twice: as
 * it is, and with its content hash and checksum recomputed (from the
 * layout in docs/enrich.md), so that mutations get past the checksums and
 * reach the structural checks. Whatever opens must answer lookups without
 * faults; a lookup that contradicts an empty table aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "enrich/ipdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void wr64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t sect(uint64_t at, uint64_t n, uint64_t size)
{
    return (at + n * size + 7) & ~(uint64_t)7;
}

/* Recomputes the two hashes when the counts are small enough to lay out. */
static void fix_hashes(uint8_t *b, size_t size)
{
    if (size < 136 || memcmp(b, "TTIPDB01", 8) != 0)
        return;
    uint64_t n4 = rd64(b + 40), n6 = rd64(b + 48), nn = rd64(b + 56), pool = rd64(b + 64);
    if (n4 > size || n6 > size || nn > size || pool > size)
        return;
    uint64_t at = 128;
    at = sect(sect(sect(at, n4, 4), n4, 4), n4, 4);
    at = sect(sect(sect(at, n6, 16), n6, 16), n6, 4);
    at = sect(sect(sect(at, nn, 4), nn, 4), pool, 1);
    if (at <= size - 8) {
        uint32_t kind =
            (uint32_t)b[12] | (uint32_t)b[13] << 8 | (uint32_t)b[14] << 16 | (uint32_t)b[15] << 24;
        wr64(b + 24, XXH3_64bits_withSeed(b + 128, (size_t)(at - 128), kind));
    }
    wr64(b + size - 8, XXH3_64bits(b, size - 8));
}

static void exercise(const struct tt_ipdb *db, const uint8_t *data, size_t size)
{
    const struct tt_ipdb_meta *m = tt_ipdb_meta(db);
    uint32_t probes[] = {0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, UINT32_MAX};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        if (tt_ipdb_lookup4(db, probes[i]) && !m->n4)
            abort();
    for (size_t i = 0; i + 4 <= size && i < 4096; i += 4) {
        uint32_t a = (uint32_t)data[i] << 24 | (uint32_t)data[i + 1] << 16 |
                     (uint32_t)data[i + 2] << 8 | data[i + 3];
        if (tt_ipdb_lookup4(db, a) && !m->n4)
            abort();
        (void)tt_ipdb_asname(db, a);
    }
    for (size_t i = 0; i + 16 <= size && i < 4096; i += 16)
        if (tt_ipdb_lookup6(db, data + i) && !m->n6)
            abort();
    if (strlen(m->source) >= TT_IPDB_TEXT_MAX || strlen(m->data_date) >= sizeof m->data_date)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tt_err err;
    struct tt_ipdb *db = NULL;
    if (tt_ipdb_open_mem(data, size, "fuzz", &db, &err) == 0) {
        exercise(db, data, size);
        tt_ipdb_close(db);
    }
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    fix_hashes(copy, size);
    if (tt_ipdb_open_mem(copy, size, "fuzz", &db, &err) == 0) {
        exercise(db, copy, size);
        tt_ipdb_close(db);
    }
    free(copy);
    return 0;
}
