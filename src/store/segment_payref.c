/* Move-to-front lists of payload heads per service (segment_payref.h). */
#include "store/segment_payref.h"

#include <string.h>

void seg_payref_reset(struct seg_payref *t)
{
    memset(t->slot, 0, sizeof t->slot);
}

/* The service a head belongs to: the protocol and destination port, or for
 * ICMP and ICMPv6 (whose "ports" are the type and code) both. */
static uint64_t service_key(const struct tt_record *r)
{
    uint64_t type = r->proto == 1 || r->proto == 58 ? r->sport : 0;
    return (uint64_t)r->proto << 32 | type << 16 | r->dport;
}

/* The slot of r's service, emptied first when another service held it. */
static struct seg_payref_slot *slot_of(struct seg_payref *t, const struct tt_record *r)
{
    uint64_t key = service_key(r);
    struct seg_payref_slot *s =
        &t->slot[(key * 0x9e3779b97f4a7c15ull) >> (64 - 10)]; /* 2^10 = SEG_PAYREF_SLOTS */
    if (s->key != key) {
        s->key = key;
        s->n = 0;
    }
    return s;
}

/* Puts the len bytes at head in front of the list, after moving entries
 * 0..at-1 one place down (at = s->n, or the last place when full, for a
 * new head; else the place it was found). */
static void to_front(struct seg_payref_slot *s, unsigned at, const uint8_t *head, uint8_t len)
{
    uint8_t keep[TT_PAYLOAD_HEAD];
    memcpy(keep, head, len); /* head may point into the list */
    memmove(&s->len[1], &s->len[0], at);
    memmove(&s->head[1], &s->head[0], (size_t)at * TT_PAYLOAD_HEAD);
    s->len[0] = len;
    memcpy(s->head[0], keep, len);
}

static unsigned new_place(struct seg_payref_slot *s)
{
    if (s->n < SEG_PAYREF_DEPTH)
        return s->n++;
    return SEG_PAYREF_DEPTH - 1;
}

uint8_t seg_payref_code(struct seg_payref *t, const struct tt_record *r, const uint8_t *head,
                        uint8_t len)
{
    struct seg_payref_slot *s = slot_of(t, r);
    for (unsigned i = 0; i < s->n; i++)
        if (s->len[i] == len && memcmp(s->head[i], head, len) == 0) {
            to_front(s, i, s->head[i], len);
            return (uint8_t)i;
        }
    to_front(s, new_place(s), head, len);
    return SEG_PAYREF_NEW;
}

int seg_payref_take(struct seg_payref *t, const struct tt_record *r, uint8_t ref,
                    const uint8_t *lit, uint8_t len, uint8_t *out)
{
    struct seg_payref_slot *s = slot_of(t, r);
    if (ref == SEG_PAYREF_NEW) {
        to_front(s, new_place(s), lit, len);
    } else {
        if (ref >= s->n || s->len[ref] != len)
            return -1;
        to_front(s, ref, s->head[ref], len);
    }
    memcpy(out, s->head[0], len);
    return 0;
}
