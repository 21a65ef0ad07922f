/* Generator internals: the seeded PRNG, the traffic population, frame
 * builders and the expected-counts ledger (docs/generator.md). */
#ifndef TT_GEN_INT_H
#define TT_GEN_INT_H

#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "config/sensors.h"
#include "gen/gen.h"

/* xoshiro256** seeded by splitmix64: fast, and the same on every machine. */
struct gen_rng {
    uint64_t s[4];
};
void gen_rng_seed(struct gen_rng *r, uint64_t seed);
uint64_t gen_rng_next(struct gen_rng *r);
static inline uint32_t gen_below(struct gen_rng *r, uint32_t n)
{
    return (uint32_t)(((gen_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

enum gen_tool {
    TOOL_MIRAI,
    TOOL_MASSCAN,
    TOOL_ZMAP,
    TOOL_STACK,
    TOOL_SURVEY,
    TOOL_UDP,
    TOOL_BACKSCATTER,
    TOOL_PING,
    TOOL_V6,
    TOOL__COUNT
};

struct gen_host {
    uint32_t addr; /* IPv4 source; IPv6 hosts use 2001:db8:ffff::/48 + index */
    uint8_t tool, ttl;
    uint16_t sport, win, ipid, port;
    uint32_t first_day, last_day; /* active days, relative to the start */
    uint64_t packets;             /* stored packets, for the expected top sources */
};

/* One stored (or refused) frame of the day being generated. */
struct gen_frame {
    uint64_t ts_us;
    uint32_t off; /* into the day's byte buffer */
    uint16_t len;
};

/* What a frame counts as; every frame is exactly one of these. */
enum gen_fate { FATE_STORED, FATE_UNATTRIBUTED, FATE_NOT_IP, FATE_MALFORMED };

/* Facts about one stored packet, recorded for the expected counts. */
struct gen_fact {
    uint16_t sensor, port; /* port: TCP/UDP dport, ICMP type<<8|code */
    uint8_t proto, kind;   /* kind 0 port, 1 icmp, 2 none */
    uint8_t hour, cls;     /* cls: 0 tcp 1 udp 2 icmp 3 other */
    uint16_t ip_len;
    uint64_t src; /* IPv4 address, or 2^32 + IPv6 host index */
};

struct gen_ledger;
struct gen_ledger *gen_ledger_new(uint32_t days, uint32_t sensors);
void gen_ledger_free(struct gen_ledger *l);
int gen_ledger_stored(struct gen_ledger *l, uint32_t day, const struct gen_fact *f);
void gen_ledger_other(struct gen_ledger *l, enum gen_fate fate, const char *reason);
/* A stored packet was IPv6 and/or a non-first fragment. */
void gen_ledger_note(struct gen_ledger *l, int ipv6, int fragment);
/* Ends a day: unique sources per class from the day's facts. */
int gen_ledger_end_day(struct gen_ledger *l, uint32_t day);
void gen_ledger_frames(struct gen_ledger *l, uint64_t frames);
void gen_ledger_outage(struct gen_ledger *l, uint32_t sensor, uint32_t day);
int gen_ledger_write(struct gen_ledger *l, const struct tt_gen_opts *o, const struct tt_sensors *s,
                     const struct gen_host *hosts, size_t nhosts, struct tt_err *err);

#endif
