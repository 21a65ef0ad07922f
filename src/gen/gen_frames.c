/* Frame builders: Ethernet + IPv4/IPv6 + TCP/UDP/ICMP written byte by
 * byte in network order, the way the tools put them on the wire. */
#include <string.h>

#include "gen/gen_frames.h"

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static void ethernet(uint8_t *p, uint16_t type)
{
    static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};
    memcpy(p, macs, 12);
    put16(p + 12, type);
}

static void ip_checksum(uint8_t *h, unsigned len)
{
    uint32_t sum = 0;
    h[10] = h[11] = 0;
    for (unsigned i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    put16(h + 10, (uint16_t)~sum);
}

unsigned gen_ipv4(uint8_t *f, const struct gen_pkt *k)
{
    ethernet(f, 0x0800);
    uint8_t *h = f + 14;
    unsigned l4len = gen_l4_len(k);
    unsigned tot = 20 + l4len + k->payload_len;
    memset(h, 0, 20);
    h[0] = 0x45;
    put16(h + 2, (uint16_t)tot);
    put16(h + 4, k->ip_id);
    put16(h + 6, k->frag);
    h[8] = k->ttl;
    h[9] = k->proto;
    put32(h + 12, k->src4);
    put32(h + 16, k->dst4);
    ip_checksum(h, 20);
    gen_l4(h + 20, k);
    return 14 + tot;
}

unsigned gen_ipv6(uint8_t *f, const struct gen_pkt *k)
{
    ethernet(f, 0x86DD);
    uint8_t *h = f + 14;
    unsigned plen = gen_l4_len(k) + k->payload_len;
    memset(h, 0, 40);
    h[0] = 0x60;
    put16(h + 4, (uint16_t)plen);
    h[6] = k->proto;
    h[7] = k->ttl;
    memcpy(h + 8, k->src6, 16);
    memcpy(h + 24, k->dst6, 16);
    gen_l4(h + 40, k);
    return 14 + 40 + plen;
}

unsigned gen_l4_len(const struct gen_pkt *k)
{
    if (k->fragment)
        return 0;
    switch (k->proto) {
    case 6:
        return 20 + k->optlen;
    case 17:
        return 8;
    case 1:
    case 58:
        return 8 + k->inner_len;
    default:
        return 0;
    }
}

static void tcp_options(uint8_t *o, const struct gen_pkt *k)
{
    if (k->optlen == 4) { /* MSS */
        o[0] = 2;
        o[1] = 4;
        put16(o + 2, 1460);
    } else if (k->optlen == 20) { /* Linux: MSS, SACK permitted, timestamps, NOP, window scale */
        static const uint8_t linux_opts[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
                                               0, 0, 0,    0,    0, 0, 1, 3,  3, 7};
        memcpy(o, linux_opts, 20);
        put32(o + 8, k->seq ^ 0x5a5a5a5au); /* TSval */
    }
}

void gen_l4(uint8_t *p, const struct gen_pkt *k)
{
    unsigned l4 = gen_l4_len(k);
    if (k->fragment) {
        memset(p, 0xab, k->payload_len);
        return;
    }
    if (k->proto == 6) {
        memset(p, 0, 20);
        put16(p, k->sport);
        put16(p + 2, k->dport);
        put32(p + 4, k->seq);
        put32(p + 8, k->ack);
        p[12] = (uint8_t)(((20 + k->optlen) / 4) << 4);
        p[13] = k->flags;
        put16(p + 14, k->win);
        tcp_options(p + 20, k);
    } else if (k->proto == 17) {
        put16(p, k->sport);
        put16(p + 2, k->dport);
        put16(p + 4, k->udp_len ? k->udp_len : (uint16_t)(8 + k->payload_len));
        put16(p + 6, 0);
    } else if (k->proto == 1 || k->proto == 58) {
        p[0] = (uint8_t)k->sport; /* type */
        p[1] = (uint8_t)k->dport; /* code */
        put16(p + 2, 0);
        put32(p + 4, k->seq);
        if (k->inner_len) /* quoted IPv4 + UDP header of the packet that failed */
            gen_inner(p + 8, k);
    }
    if (k->payload_len)
        memcpy(p + l4, k->payload, k->payload_len);
}

void gen_inner(uint8_t *q, const struct gen_pkt *k)
{
    memset(q, 0, 28);
    q[0] = 0x45;
    put16(q + 2, 60);
    q[8] = 50;
    q[9] = 17;
    put32(q + 12, k->inner_src4);
    put32(q + 16, k->inner_dst4);
    put16(q + 20, k->inner_sport);
    put16(q + 22, k->inner_dport);
    put16(q + 24, 40);
}
