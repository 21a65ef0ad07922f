/* Frame builders used by the generator: a packet description in, wire
 * bytes (Ethernet + IP + transport) out. */
#ifndef TT_GEN_FRAMES_H
#define TT_GEN_FRAMES_H

#include <stdint.h>

#define GEN_PAYLOAD_MAX 1500

struct gen_pkt {
    uint8_t proto, ttl, flags, optlen, fragment, inner_len;
    uint16_t sport, dport, win, ip_id, frag, payload_len, udp_len;
    uint32_t src4, dst4, seq, ack;
    uint8_t src6[16], dst6[16];
    uint32_t inner_src4, inner_dst4;
    uint16_t inner_sport, inner_dport;
    const uint8_t *payload;
};

/* Write the frame at f (room for 14 + 60 + 60 + GEN_PAYLOAD_MAX); return its length. */
unsigned gen_ipv4(uint8_t *f, const struct gen_pkt *k);
unsigned gen_ipv6(uint8_t *f, const struct gen_pkt *k);
unsigned gen_l4_len(const struct gen_pkt *k);
void gen_l4(uint8_t *p, const struct gen_pkt *k);
void gen_inner(uint8_t *q, const struct gen_pkt *k);

#endif
