/* Payload heads coded against the recent heads of the same service
 * (docs/format.md, block PAYREF): a scanner sends the same probe bytes to
 * every address (an SSDP M-SEARCH, an NTP monlist, a DNS query), so a
 * record's head is most often one of the last few seen in the segment for
 * its protocol and destination port (ICMP: type and code). Each record that
 * keeps head bytes stores one byte: the head's place in that service's
 * move-to-front list, or SEG_PAYREF_NEW when its bytes follow in PAYLOAD.
 * The encoder and the decoder keep the same lists, in record order. */
#ifndef TT_SEGMENT_PAYREF_H
#define TT_SEGMENT_PAYREF_H

#include <stdint.h>

#include "common/record.h"

#define SEG_PAYREF_DEPTH 8    /* heads remembered per service */
#define SEG_PAYREF_SLOTS 1024 /* services remembered at once (direct-mapped) */
#define SEG_PAYREF_NEW 255    /* the head's bytes follow in PAYLOAD */

struct seg_payref_slot {
    uint64_t key; /* the service: protocol, ICMP type, port or code */
    uint8_t n;    /* heads in the list, most recent first */
    uint8_t len[SEG_PAYREF_DEPTH];
    uint8_t head[SEG_PAYREF_DEPTH][TT_PAYLOAD_HEAD];
};

struct seg_payref {
    struct seg_payref_slot slot[SEG_PAYREF_SLOTS];
};

/* Forgets every head: a segment starts with empty lists. */
void seg_payref_reset(struct seg_payref *t);

/* Encoder: the reference byte for r's head (its len bytes at head, len >=
 * 1): the head's place in its service's list, or SEG_PAYREF_NEW. Either
 * way the head moves to the front of the list. */
uint8_t seg_payref_code(struct seg_payref *t, const struct tt_record *r, const uint8_t *head,
                        uint8_t len);

/* Decoder: the head that reference byte ref names for r, whose head keeps
 * len bytes (>= 1): copies it into out and moves it to the front. For
 * SEG_PAYREF_NEW the caller passes the bytes read from PAYLOAD as lit.
 * Returns 0, or -1 when ref names no head of that length (corrupt). */
int seg_payref_take(struct seg_payref *t, const struct tt_record *r, uint8_t ref,
                    const uint8_t *lit, uint8_t len, uint8_t *out);

#endif
