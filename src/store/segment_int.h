/* Segment file layout shared by the encoder and decoder (docs/format.md). */
#ifndef TT_SEGMENT_INT_H
#define TT_SEGMENT_INT_H

#include <stdint.h>

#include "common/record.h"

#define SEG_MAGIC "TTSEGMT1"
#define SEG_HDR_LEN 40u     /* counts, day, time range (see blockfile.h) */
#define SEG_ESCAPE_LEN 255u /* prefix-table entry holding full addresses */

/* Column ids; stored in the directory, so never renumber. */
enum seg_col {
    C_SRC4,    /* distinct IPv4 sources, ascending: u32 gaps as 4 byte planes */
    C_SRC6,    /* distinct IPv6 sources, 16 bytes each */
    C_RUNS,    /* records per source run, varint (IPv4 runs, then IPv6) */
    C_TS,      /* zigzag u64 as 8 byte planes: run start - day start, else - previous */
    C_PFXTAB,  /* destination prefix table: sensor u16, ipver, len, base */
    C_PFX,     /* varint index into the prefix table per record */
    C_DSTOFF,  /* bits: IPv4 destination - prefix base, seg_offset_bits wide */
    C_DST6,    /* 16-byte IPv6 destinations */
    C_PROTO,   /* u8 */
    C_L4,      /* u8 enum tt_l4state */
    C_SPORT,   /* u16, XOR previous in run */
    C_DPORT,   /* u16, rank coded */
    C_SEQ,     /* u32, seq XOR destination (low 32 bits for IPv6) */
    C_ACK,     /* u32 */
    C_IPID8,   /* int8 IP ID residuals of the narrow runs' later records */
    C_IPID,    /* u16 residual against the run's predictor */
    C_TTL,     /* u8, XOR previous in run */
    C_WIN,     /* u16, rank coded */
    C_IPLEN,   /* u16, rank coded */
    C_PAYLEN,  /* zigzag varint: payload length - (ip_len - headers) */
    C_HLEN,    /* u8 */
    C_FRAG,    /* u16, XOR previous in run */
    C_FLAGS,   /* u8 */
    C_FLAGS2,  /* u8 */
    C_SIGTAB,  /* TCP option signatures: optlen, n, kinds */
    C_OPTSIG,  /* u32 index into the signature table */
    C_PHLEN,   /* u8 payload bytes kept, XOR what the payload length implies */
    C_PAYLOAD, /* payload heads not in their service's recent list, concatenated */
    C_INNER,   /* sparse ICMP quoted headers */
    C_CC,      /* u16 per run: the source's country */
    C_ASN,     /* u32 per run: the source's AS number, as 4 byte planes */
    C_RUNKIND, /* run kinds: table, then an index per run (segment_kinds.h) */
    C_PAYREF,  /* u8 per record keeping head bytes: its place in the recent list */
    C__COUNT
};

/* Bits of an IPv4 destination offset inside a prefix-table entry of
 * length len: the host bits, or the whole address for an escape entry (and
 * for length 0, where the base is 0). */
static inline unsigned seg_offset_bits(uint8_t len)
{
    return len == SEG_ESCAPE_LEN || len == 0 ? 32 : 32u - len;
}

/* What a record's TCP sequence number is stored as the XOR of: its
 * destination (the low 32 bits for IPv6), which Mirai and its kin use as
 * the sequence number; 0 for a record with no TCP header, whose seq the
 * decoder leaves 0 (its run then squeezes away: SEG_ALL_ZERO). */
static inline uint32_t seg_seq_base(const struct tt_record *r)
{
    if (r->proto != 6 || r->l4 != TT_L4_OK)
        return 0;
    if (r->ipver != 6)
        return r->dst4;
    return (uint32_t)r->dst6[12] << 24 | (uint32_t)r->dst6[13] << 16 | (uint32_t)r->dst6[14] << 8 |
           r->dst6[15];
}

/* d = a XOR b over 16 bytes (IPv6 addresses). */
static inline void seg_xor16(uint8_t *d, const uint8_t *a, const uint8_t *b)
{
    for (int i = 0; i < 16; i++)
        d[i] = a[i] ^ b[i];
}

/* Timestamps are stored grouped by their run's size class: a source's
 * gaps scale with how many packets it sent that day (about a day over its
 * count), so each class's byte planes get statistics of their own. Runs of
 * 1, 2..7, 8..63 and 64 or more records. */
#define SEG_TS_CLASSES 4
static inline unsigned seg_ts_class(uint32_t run_len)
{
    return run_len < 2 ? 0 : run_len < 8 ? 1 : run_len < 64 ? 2 : 3;
}

/* Where each class's values start in the TS column (in values, of n) and
 * how many it has, from the run lengths. */
struct seg_ts_layout {
    uint32_t start[SEG_TS_CLASSES], count[SEG_TS_CLASSES];
};
static inline void seg_ts_layout(struct seg_ts_layout *l, const uint32_t *runlen, uint32_t nruns)
{
    uint32_t at = 0;
    for (unsigned c = 0; c < SEG_TS_CLASSES; c++)
        l->count[c] = 0;
    for (uint32_t i = 0; i < nruns; i++)
        l->count[seg_ts_class(runlen[i])] += runlen[i];
    for (unsigned c = 0; c < SEG_TS_CLASSES; c++) {
        l->start[c] = at;
        at += l->count[c];
    }
}

/* The payload bytes a record keeps when the capture held them all: the
 * stored head length is the XOR of this (0 but for a short snap length). */
static inline uint8_t seg_payload_head_len(uint16_t payload_len)
{
    return payload_len < TT_PAYLOAD_HEAD ? (uint8_t)payload_len : TT_PAYLOAD_HEAD;
}

/* Transport header bytes implied by a record: the payload length is stored
 * as its difference from ip_len minus these and the IP header. */
static inline int32_t seg_l4_header_len(const struct tt_record *r)
{
    if (r->l4 != TT_L4_OK)
        return 0;
    if (r->proto == 6)
        return 20 + r->tcp_optlen;
    if (r->proto == 17 || r->proto == 1 || r->proto == 58)
        return 8;
    return 0;
}

#endif
