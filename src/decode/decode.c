/* Packet decoder. Link layer (Ethernet with 802.1Q/802.1ad tags, Linux SLL
 * and SLL2, raw, BSD/OpenBSD loopback), IPv4 (RFC 791) with options and
 * fragments, IPv6 (RFC 8200) with its extension-header chain, TCP (RFC
 * 9293), UDP (RFC 768), ICMP (RFC 792) and ICMPv6 (RFC 4443) with the quoted
 * header of error messages. Every read is checked against the captured
 * length; claimed lengths (IP total length, UDP length, data offset) are
 * checked against both what the headers allow and what was captured. */
#include "decode/decode.h"

#include <string.h>

#define MAX_VLAN_TAGS 8
#define MAX_V6_EXT 16

static inline uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

const char *tt_decode_reason_name(enum tt_decode_status s)
{
    static const char *const names[TT_DEC__COUNT] = {"ok",
                                                     "not-ip",
                                                     "unknown-link",
                                                     "truncated-link",
                                                     "truncated-ip",
                                                     "bad-version",
                                                     "bad-ihl",
                                                     "truncated-ip-options",
                                                     "bad-total-length",
                                                     "truncated-ipv6-ext",
                                                     "bad-ipv6-ext",
                                                     "truncated-tcp",
                                                     "bad-tcp-data-offset",
                                                     "truncated-udp",
                                                     "bad-udp-length",
                                                     "truncated-icmp",
                                                     "bad-fragment"};
    return (unsigned)s < TT_DEC__COUNT ? names[s] : "unknown";
}

int tt_decode_linktype_known(int linktype)
{
    switch (linktype) {
    case TT_LINK_NULL:
    case TT_LINK_ETHERNET:
    case TT_LINK_RAW:
    case TT_LINK_LOOP:
    case TT_LINK_SLL:
    case TT_LINK_IPV4:
    case TT_LINK_IPV6:
    case TT_LINK_SLL2:
        return 1;
    default:
        return 0;
    }
}

/* IP version carried by a link header: 4, 6, 0 (not IP) or -1 (truncated). */
enum { NET_NONE = 0, NET_ANY = 1, NET_TRUNC = -1, NET_UNKNOWN = -2 };

static int ethertype_version(uint16_t type)
{
    return type == 0x0800 ? 4 : type == 0x86DD ? 6 : NET_NONE;
}

static int loopback_version(uint32_t af)
{
    return af == 2 ? 4 : (af == 24 || af == 28 || af == 30) ? 6 : NET_NONE;
}

/* Finds the network header: sets *off and returns 4, 6, NET_ANY (version
 * from the first nibble), NET_NONE, NET_TRUNC or NET_UNKNOWN. */
static int link_header(int linktype, const uint8_t *p, uint32_t len, uint32_t *off)
{
    switch (linktype) {
    case TT_LINK_ETHERNET: {
        if (len < 14)
            return NET_TRUNC;
        uint32_t o = 12;
        uint16_t type = be16(p + o);
        for (int tags = 0; type == 0x8100 || type == 0x88A8 || type == 0x9100; tags++) {
            if (tags == MAX_VLAN_TAGS)
                return NET_NONE;
            o += 4;
            if (len < o + 2)
                return NET_TRUNC;
            type = be16(p + o);
        }
        *off = o + 2;
        return ethertype_version(type);
    }
    case TT_LINK_SLL:
        if (len < 16)
            return NET_TRUNC;
        *off = 16;
        return ethertype_version(be16(p + 14));
    case TT_LINK_SLL2:
        if (len < 20)
            return NET_TRUNC;
        *off = 20;
        return ethertype_version(be16(p));
    case TT_LINK_NULL: {
        if (len < 4)
            return NET_TRUNC;
        *off = 4;
        int v = loopback_version(le32(p));
        return v ? v : loopback_version(be32(p));
    }
    case TT_LINK_LOOP:
        if (len < 4)
            return NET_TRUNC;
        *off = 4;
        return loopback_version(be32(p));
    case TT_LINK_RAW:
        *off = 0;
        return NET_ANY;
    case TT_LINK_IPV4:
        *off = 0;
        return 4;
    case TT_LINK_IPV6:
        *off = 0;
        return 6;
    default:
        return NET_UNKNOWN;
    }
}

/* Transport payload: keep its length and the first captured bytes. */
static void payload(struct tt_record *r, const uint8_t *p, uint32_t cap, uint32_t claimed)
{
    r->payload_len = (uint16_t)(claimed > 65535 ? 65535 : claimed);
    uint32_t n = cap < claimed ? cap : claimed;
    n = n < TT_PAYLOAD_HEAD ? n : TT_PAYLOAD_HEAD;
    r->payload_head_len = (uint8_t)n;
    memcpy(r->payload, p, n);
}

static void tcp_options(struct tt_record *r, const uint8_t *o, uint32_t len)
{
    for (uint32_t i = 0; i < len && r->n_optkinds < TT_MAX_OPTKINDS;) {
        uint8_t kind = o[i];
        r->optkinds[r->n_optkinds++] = kind;
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= len || o[i + 1] < 2)
            break; /* a bad option length ends the walk, not the packet */
        i += o[i + 1];
    }
}

/* p: cap captured bytes of a transport header whose IP payload claims
 * `claimed` bytes. */
static enum tt_decode_status tcp(struct tt_record *r, const uint8_t *p, uint32_t cap,
                                 uint32_t claimed)
{
    uint32_t avail = cap < claimed ? cap : claimed;
    if (avail < 20)
        return claimed < 20 && cap >= claimed ? TT_DEC_BAD_TCP_DOFF : TT_DEC_TRUNC_TCP;
    uint32_t doff = (uint32_t)(p[12] >> 4) * 4;
    if (doff < 20 || doff > claimed)
        return TT_DEC_BAD_TCP_DOFF;
    if (doff > cap)
        return TT_DEC_TRUNC_TCP;
    r->sport = be16(p);
    r->dport = be16(p + 2);
    r->seq = be32(p + 4);
    r->ack = be32(p + 8);
    r->tcp_flags2 = p[12] & 0x0f;
    r->tcp_flags = p[13];
    r->win = be16(p + 14);
    r->tcp_optlen = (uint8_t)(doff - 20);
    tcp_options(r, p + 20, doff - 20);
    payload(r, p + doff, cap - doff, claimed - doff);
    return TT_DEC_OK;
}

/* A first fragment (MF set) carries only part of the datagram its UDP
 * length describes, so only there may that length exceed the IP payload. */
static enum tt_decode_status udp(struct tt_record *r, const uint8_t *p, uint32_t cap,
                                 uint32_t claimed)
{
    int first_fragment = (r->frag & TT_FRAG_MF) != 0;
    if (claimed < 8)
        return TT_DEC_BAD_UDP_LEN;
    if (cap < 8)
        return TT_DEC_TRUNC_UDP;
    uint32_t ulen = be16(p + 4);
    if (ulen < 8 || (ulen > claimed && !first_fragment))
        return TT_DEC_BAD_UDP_LEN;
    r->sport = be16(p);
    r->dport = be16(p + 2);
    payload(r, p + 8, cap - 8, ulen - 8);
    return TT_DEC_OK;
}

static void inner_header(struct tt_record *r, const uint8_t *p, uint32_t cap);

static int icmp_is_error(uint8_t proto, uint8_t type)
{
    if (proto == 1)
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    return type >= 1 && type <= 4;
}

static enum tt_decode_status icmp(struct tt_record *r, const uint8_t *p, uint32_t cap,
                                  uint32_t claimed)
{
    if (cap < 8 || claimed < 8)
        return TT_DEC_TRUNC_ICMP;
    r->sport = p[0];
    r->dport = p[1];
    uint32_t avail = cap < claimed ? cap : claimed;
    if (icmp_is_error(r->proto, p[0]))
        inner_header(r, p + 8, avail - 8);
    payload(r, p + 8, cap - 8, claimed - 8);
    return TT_DEC_OK;
}

/* The quoted header of an ICMP error: best effort, never damage. */
static void inner_header(struct tt_record *r, const uint8_t *p, uint32_t cap)
{
    uint32_t hl;
    uint8_t proto;
    if (cap >= 20 && p[0] >> 4 == 4 && (p[0] & 15) >= 5) {
        hl = (uint32_t)(p[0] & 15) * 4;
        proto = p[9];
        r->inner_src4 = be32(p + 12);
        r->inner_dst4 = be32(p + 16);
    } else if (cap >= 40 && p[0] >> 4 == 6) {
        hl = 40;
        proto = p[6];
        memcpy(r->inner_src6, p + 8, 16);
        memcpy(r->inner_dst6, p + 24, 16);
    } else {
        return;
    }
    r->inner_proto = proto;
    if (cap >= hl + 4 && (proto == 6 || proto == 17 || proto == 132)) {
        r->inner_sport = be16(p + hl);
        r->inner_dport = be16(p + hl + 2);
    } else if (cap >= hl + 2 && (proto == 1 || proto == 58)) {
        r->inner_sport = p[hl];
        r->inner_dport = p[hl + 1];
    }
}

static enum tt_decode_status transport(struct tt_record *r, const uint8_t *p, uint32_t cap,
                                       uint32_t claimed)
{
    switch (r->proto) {
    case 6:
        return tcp(r, p, cap, claimed);
    case 17:
        return udp(r, p, cap, claimed);
    case 1:
    case 58:
        return icmp(r, p, cap, claimed);
    default:
        r->l4 = TT_L4_NONE;
        payload(r, p, cap, claimed);
        return TT_DEC_OK;
    }
}

/* p: cap captured bytes from the IPv4 header; wire: bytes on the wire from it. */
static enum tt_decode_status ipv4(struct tt_record *r, const uint8_t *p, uint32_t cap,
                                  uint32_t wire)
{
    if (cap < 20)
        return TT_DEC_TRUNC_IP;
    if (p[0] >> 4 != 4)
        return TT_DEC_BAD_VERSION;
    uint32_t hl = (uint32_t)(p[0] & 15) * 4;
    if (hl < 20)
        return TT_DEC_BAD_IHL;
    if (hl > cap)
        return TT_DEC_TRUNC_IP_OPTS;
    uint32_t tot = be16(p + 2);
    if (tot < hl || tot > wire)
        return TT_DEC_BAD_TOTLEN;
    uint16_t frag = be16(p + 6);
    if ((uint32_t)(frag & TT_FRAG_OFFSET) * 8 + (tot - hl) > 65535)
        return TT_DEC_BAD_FRAG;
    r->ipver = 4;
    r->ip_hlen = (uint8_t)hl;
    r->ip_len = (uint16_t)tot;
    r->ip_id = be16(p + 4);
    r->frag = frag;
    r->ttl = p[8];
    r->proto = p[9];
    r->src4 = be32(p + 12);
    r->dst4 = be32(p + 16);
    uint32_t ipcap = cap < tot ? cap : tot;
    if (frag & TT_FRAG_OFFSET) {
        r->l4 = TT_L4_FRAGMENT;
        payload(r, p + hl, ipcap - hl, tot - hl);
        return TT_DEC_OK;
    }
    return transport(r, p + hl, ipcap - hl, tot - hl);
}

static int v6_ext(uint8_t nh)
{
    return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51 || nh == 135 || nh == 139 ||
           nh == 140;
}

static enum tt_decode_status ipv6(struct tt_record *r, const uint8_t *p, uint32_t cap,
                                  uint32_t wire)
{
    if (cap < 40)
        return TT_DEC_TRUNC_IP;
    if (p[0] >> 4 != 6)
        return TT_DEC_BAD_VERSION;
    uint32_t plen = be16(p + 4);
    if (plen + 40 > wire)
        return TT_DEC_BAD_TOTLEN;
    r->ipver = 6;
    r->ttl = p[7];
    r->ip_len = (uint16_t)(plen + 40 > 65535 ? 65535 : plen + 40);
    memcpy(r->src6, p + 8, 16);
    memcpy(r->dst6, p + 24, 16);
    uint8_t nh = p[6];
    uint32_t off = 40, end = 40 + plen, ipcap = cap < end ? cap : end;
    for (int n = 0; v6_ext(nh); n++) {
        if (n == MAX_V6_EXT)
            return TT_DEC_BAD_IPV6_EXT;
        if (off + 8 > end)
            return TT_DEC_BAD_IPV6_EXT;
        if (off + 8 > ipcap)
            return TT_DEC_TRUNC_IPV6_EXT;
        uint32_t len = nh == 44   ? 8
                       : nh == 51 ? ((uint32_t)p[off + 1] + 2) * 4
                                  : ((uint32_t)p[off + 1] + 1) * 8;
        if (off + len > end)
            return TT_DEC_BAD_IPV6_EXT;
        if (nh == 44) {
            uint16_t fo = be16(p + off + 2);
            r->frag = (uint16_t)(TT_FRAG_V6HDR | (fo >> 3) | ((fo & 1) ? TT_FRAG_MF : 0));
            r->ip_id = (uint16_t)be32(p + off + 4);
        }
        nh = p[off];
        off += len;
    }
    if (off > ipcap) /* the last extension header is cut off by the capture */
        return TT_DEC_TRUNC_IPV6_EXT;
    r->ip_hlen = (uint8_t)(off > 255 ? 255 : off);
    r->proto = nh;
    if (r->frag & TT_FRAG_OFFSET) {
        r->l4 = TT_L4_FRAGMENT;
        payload(r, p + off, ipcap - off, end - off);
        return TT_DEC_OK;
    }
    if (nh == 59) { /* no next header */
        r->l4 = TT_L4_NONE;
        payload(r, p + off, ipcap - off, end - off);
        return TT_DEC_OK;
    }
    return transport(r, p + off, ipcap - off, end - off);
}

enum tt_decode_status tt_decode_frame(int linktype, const uint8_t *pkt, uint32_t caplen,
                                      uint32_t wirelen, uint64_t ts_us, struct tt_record *out)
{
    uint32_t off = 0;
    int v = link_header(linktype, pkt, caplen, &off);
    if (v == NET_UNKNOWN)
        return TT_DEC_UNKNOWN_LINK;
    if (v == NET_TRUNC)
        return TT_DEC_TRUNC_LINK;
    if (v == NET_NONE)
        return TT_DEC_NOT_IP;
    if (wirelen < caplen)
        wirelen = caplen;
    const uint8_t *p = pkt + off;
    uint32_t cap = caplen - off, wire = wirelen - off;
    if (v == NET_ANY) {
        if (cap < 1)
            return TT_DEC_TRUNC_IP;
        v = p[0] >> 4 == 6 ? 6 : 4;
    }
    memset(out, 0, sizeof *out);
    out->ts_us = ts_us;
    return v == 4 ? ipv4(out, p, cap, wire) : ipv6(out, p, cap, wire);
}

/* The murmur3 finaliser: every address bit moves every key bit, so that the
 * addresses of one /24 spread over the workers. */
static uint32_t mix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}

uint32_t tt_decode_source_key(int linktype, const uint8_t *pkt, uint32_t caplen)
{
    uint32_t off = 0;
    int v = link_header(linktype, pkt, caplen, &off);
    if (v != 4 && v != 6 && v != NET_ANY)
        return 0;
    const uint8_t *p = pkt + off;
    uint32_t cap = caplen - off;
    if (v == NET_ANY)
        v = cap && p[0] >> 4 == 6 ? 6 : 4;
    if (v == 4)
        return cap >= 16 ? mix32(be32(p + 12)) : 0;
    if (cap < 24)
        return 0;
    uint32_t h = 0;
    for (int i = 8; i < 24; i += 4)
        h = mix32(h ^ be32(p + i));
    return h;
}
