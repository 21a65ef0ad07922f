/* Helpers shared by the range-source tests (test_rir.c, test_rangecsv.c). */
#ifndef TT_TEST_RANGE_UTIL_H
#define TT_TEST_RANGE_UTIL_H

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>

#include "enrich/range.h"
#include "harness.h"

static inline void shared_path(char *buf, size_t size, const char *rel)
{
    snprintf(buf, size, "%s/%s", tt_test_shared(), rel);
}

static inline uint32_t ip4(const char *s)
{
    uint8_t a[4] = {0};
    if (inet_pton(AF_INET, s, a) != 1)
        fprintf(stderr, "bad test address %s\n", s);
    return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

static inline const struct tt_range4 *find4_line(const struct tt_range_set *s, uint32_t line)
{
    for (size_t i = 0; i < s->n4; i++)
        if (s->v4[i].line == line)
            return &s->v4[i];
    return NULL;
}

static inline uint64_t sum4(const struct tt_range_set *s, uint32_t value)
{
    uint64_t n = 0;
    for (size_t i = 0; i < s->n4; i++)
        if (s->v4[i].value == value)
            n += (uint64_t)s->v4[i].hi - s->v4[i].lo + 1;
    return n;
}

#endif
