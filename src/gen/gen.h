/* Sample traffic generator: a deterministic (seeded) multi-sensor darknet
 * capture with the exact counts it put in, so tests and benchmarks compare
 * the store's answers with a truth that does not come from the store. */
#ifndef TT_GEN_H
#define TT_GEN_H

#include <stdint.h>

#include "common/err.h"

struct tt_gen_opts {
    uint64_t seed;             /* same seed + options => byte-identical output */
    uint64_t packets;          /* approximate number of frames to write */
    uint32_t days;             /* days covered, >= 1 */
    int64_t start_day;         /* first day, as days since 1970-01-01 (UTC) */
    uint32_t sensors;          /* number of sensors, 1..8 */
    const char *pcap_path;     /* capture to write (classic pcap, Ethernet) */
    const char *expected_path; /* expected counts (docs/generator.md format) */
    const char *sensors_path;  /* sensors file describing the generated sensors */
};

/* Fills opts with the documented defaults (seed 1, 1,000,000 packets, 92
 * days from 2021-07-01, 8 sensors) and NULL paths. */
void tt_gen_defaults(struct tt_gen_opts *opts);

int tt_gen_run(const struct tt_gen_opts *opts, struct tt_err *err);

#endif
