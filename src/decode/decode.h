/* Packet decoder: the only code that reads packet bytes. Link layer, IPv4/IPv6,
 * TCP/UDP/ICMP/ICMPv6, into a struct tt_record. Every read goes through a
 * bounds-checked cursor; nothing here allocates or can crash on any input. */
#ifndef TT_DECODE_H
#define TT_DECODE_H

#include <stdint.h>

#include "common/record.h"

/* pcap LINKTYPE_* values this decoder understands. */
enum tt_linktype {
    TT_LINK_NULL = 0,     /* BSD loopback: 4-byte AF in host order of the writer */
    TT_LINK_ETHERNET = 1, /* with 802.1Q / 802.1ad (QinQ) tags */
    TT_LINK_RAW = 101,    /* raw IPv4 or IPv6 */
    TT_LINK_LOOP = 108,   /* OpenBSD loopback: 4-byte AF, network order */
    TT_LINK_SLL = 113,    /* Linux cooked v1 */
    TT_LINK_IPV4 = 228,
    TT_LINK_IPV6 = 229,
    TT_LINK_SLL2 = 276, /* Linux cooked v2 */
};

/* Outcome of decoding one frame. OK and NOT_IP are not damage; everything
 * from TRUNC_LINK on is a malformed packet, counted by reason. "trunc_*"
 * means the capture ends inside a header; "bad_*" means a header field is
 * impossible. Keep tt_decode_reason_name() and docs/record.md in step. */
enum tt_decode_status {
    TT_DEC_OK = 0,
    TT_DEC_NOT_IP,         /* ARP, LLDP, ...: not an IP packet, not damage */
    TT_DEC_UNKNOWN_LINK,   /* link type this decoder does not know */
    TT_DEC_TRUNC_LINK,     /* frame shorter than its link header / VLAN tags */
    TT_DEC_TRUNC_IP,       /* shorter than the fixed IPv4/IPv6 header */
    TT_DEC_BAD_VERSION,    /* IP version nibble not 4/6 (or not matching link) */
    TT_DEC_BAD_IHL,        /* IPv4 IHL < 5 */
    TT_DEC_TRUNC_IP_OPTS,  /* IPv4 options extend beyond the capture */
    TT_DEC_BAD_TOTLEN,     /* IP length < header, or more than the frame holds */
    TT_DEC_TRUNC_IPV6_EXT, /* IPv6 extension header chain cut off */
    TT_DEC_BAD_IPV6_EXT,   /* extension header length beyond the payload */
    TT_DEC_TRUNC_TCP,
    TT_DEC_BAD_TCP_DOFF, /* data offset < 5 or beyond the IP payload */
    TT_DEC_TRUNC_UDP,
    TT_DEC_BAD_UDP_LEN, /* UDP length < 8 or beyond the IP payload */
    TT_DEC_TRUNC_ICMP,
    TT_DEC_BAD_FRAG, /* fragment offset + length beyond 65535 */
    TT_DEC__COUNT
};

/* Stable short name ("truncated-tcp", "bad-ihl", ...) for reports and JSON. */
const char *tt_decode_reason_name(enum tt_decode_status s);

/* Decodes one frame of the given pcap link type. caplen bytes are readable at
 * pkt; wirelen is the frame's length on the wire (>= caplen). On TT_DEC_OK,
 * *out is filled completely (every field written, sensor = TT_SENSOR_NONE);
 * on any other status *out is unspecified. Never reads outside [pkt, pkt+caplen). */
enum tt_decode_status tt_decode_frame(int linktype, const uint8_t *pkt, uint32_t caplen,
                                      uint32_t wirelen, uint64_t ts_us, struct tt_record *out);

/* A 32-bit hash of the frame's IP source address, found by the same link
 * layer rules as tt_decode_frame and reading nothing above the address; 0
 * when the frame has no readable source (not IP, truncated, unknown link
 * type). The ingest gives each source's packets to one worker by it. */
uint32_t tt_decode_source_key(int linktype, const uint8_t *pkt, uint32_t caplen);

/* Whether a link type is one tt_decode_frame understands. */
int tt_decode_linktype_known(int linktype);

#endif
