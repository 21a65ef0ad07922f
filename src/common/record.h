/* The observation record: one per captured IP packet, decoded into host order.
 * It keeps every header field a detection rule may need later (see
 * docs/record.md): a rule written next year still runs over last year. */
#ifndef TT_RECORD_H
#define TT_RECORD_H

#include <stdint.h>

#define TT_US_PER_DAY 86400000000ll /* record timestamps are microseconds */
#define TT_PAYLOAD_HEAD 16          /* payload bytes kept: DNS header, "HTTP/1.1 200", NTP mode */
#define TT_MAX_OPTKINDS 12          /* TCP option kinds kept in order (NOPs included) */
#define TT_SENSOR_NONE 0            /* packet matched no sensor prefix: "unattributed" */
#define TT_SENSOR_MAX 65535

/* What the decoder could read above the IP layer. */
enum tt_l4state {
    TT_L4_OK = 0,       /* transport header decoded */
    TT_L4_FRAGMENT = 1, /* non-first fragment: no transport header by design */
    TT_L4_NONE = 2,     /* protocol with no decoded header (GRE, ESP, ...) */
};

/* IP fragment field in IPv4 layout for both versions: RF 0x8000, DF 0x4000,
 * MF 0x2000, offset (8-byte units) 0x1fff. IPv6 has no RF/DF bits, so for
 * IPv6 the RF position marks "a fragment header was present" (TT_FRAG_V6HDR)
 * and ip_id holds the low 16 bits of its identification. */
#define TT_FRAG_RF 0x8000u
#define TT_FRAG_V6HDR 0x8000u
#define TT_FRAG_DF 0x4000u
#define TT_FRAG_MF 0x2000u
#define TT_FRAG_OFFSET 0x1fffu

/* TCP flags as in the header's low byte; NS is kept separately in flags2. */
#define TT_TCP_FIN 0x01u
#define TT_TCP_SYN 0x02u
#define TT_TCP_RST 0x04u
#define TT_TCP_PSH 0x08u
#define TT_TCP_ACK 0x10u
#define TT_TCP_URG 0x20u
#define TT_TCP_ECE 0x40u
#define TT_TCP_CWR 0x80u

struct tt_record {
    uint64_t ts_us;        /* capture time, microseconds since 1970 UTC */
    uint32_t src4, dst4;   /* IPv4 addresses, host order; 0 for IPv6 */
    uint32_t seq, ack;     /* TCP; 0 otherwise */
    uint16_t sensor;       /* sensor id; TT_SENSOR_NONE when unattributed */
    uint16_t sport, dport; /* TCP/UDP ports; ICMP: sport = type, dport = code */
    uint16_t ip_id;        /* IPv4 id; IPv6: low 16 bits of fragment id, else 0 */
    uint16_t ip_len;       /* IPv4 total length; IPv6 payload length + 40 */
    uint16_t frag;         /* see TT_FRAG_* */
    uint16_t win;          /* TCP window */
    uint16_t payload_len;  /* transport payload length as the headers claim it */
    uint8_t ipver;         /* 4 or 6 */
    uint8_t proto;         /* upper-layer protocol after IPv6 extension headers */
    uint8_t ttl;           /* TTL / hop limit */
    uint8_t tcp_flags;     /* TT_TCP_* */
    uint8_t tcp_flags2;    /* reserved bits and NS: data-offset byte & 0x0f */
    uint8_t ip_hlen;       /* IP header length in bytes incl. options / ext headers */
    uint8_t tcp_optlen;    /* TCP option bytes (data offset * 4 - 20) */
    uint8_t n_optkinds;    /* kinds stored in optkinds (<= TT_MAX_OPTKINDS) */
    uint8_t optkinds[TT_MAX_OPTKINDS];
    uint8_t l4;               /* enum tt_l4state */
    uint8_t payload_head_len; /* bytes valid in payload[] (captured, <= TT_PAYLOAD_HEAD) */
    uint8_t payload[TT_PAYLOAD_HEAD];
    /* ICMP/ICMPv6 error messages (dest unreachable, time exceeded, ...):
     * the quoted packet's header. inner_proto == 0 when absent. */
    uint8_t inner_proto;
    uint16_t inner_sport, inner_dport;
    uint32_t inner_src4, inner_dst4;
    uint8_t inner_src6[16], inner_dst6[16];
    uint8_t src6[16], dst6[16]; /* valid when ipver == 6 */
    /* Enrichment of the source, decided at ingest (src/enrich/enrich.h) and
     * stored with the record, so a later database update never shifts past
     * figures: country code (TT_CC, 0 unknown) and AS number (0 unknown). */
    uint16_t cc;
    uint32_t asn;
};

#endif
