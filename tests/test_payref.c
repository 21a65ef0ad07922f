/* Payload heads coded against their service's recent heads
 * (store/segment_payref.h): what the encoder emits, and the decoder
 * following it back, for repeats, alternation, eviction past the list's
 * depth, equal bytes of another length, ICMP types, and services sharing a
 * slot; references the lists cannot hold are refused. */
#include <stdint.h>

#include "harness.h"
#include "store/segment_payref.h"

static struct tt_record service(uint8_t proto, uint16_t sport, uint16_t dport)
{
    struct tt_record r;
    memset(&r, 0, sizeof r);
    r.proto = proto;
    r.sport = sport;
    r.dport = dport;
    return r;
}

/* Codes head on enc and takes it back on dec (the same lists, as encoder
 * and decoder keep them): the reference byte, after checking the decoder
 * gives the head back. */
static uint8_t code_and_take(struct seg_payref *enc, struct seg_payref *dec,
                             const struct tt_record *r, const uint8_t *head, uint8_t len)
{
    uint8_t ref = seg_payref_code(enc, r, head, len), out[TT_PAYLOAD_HEAD];
    CHECK_EQ_U64(seg_payref_take(dec, r, ref, ref == SEG_PAYREF_NEW ? head : NULL, len, out), 0);
    CHECK(memcmp(out, head, len) == 0);
    return ref;
}

static struct seg_payref *fresh(void)
{
    struct seg_payref *t = malloc(sizeof *t);
    seg_payref_reset(t);
    return t;
}

static void test_repeats_and_order(void)
{
    struct seg_payref *enc = fresh(), *dec = fresh();
    struct tt_record dns = service(17, 40000, 53), ssdp = service(17, 40001, 1900);
    const uint8_t *a = (const uint8_t *)"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www";
    const uint8_t *b =
        (const uint8_t *)"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00";
    const uint8_t *m = (const uint8_t *)"M-SEARCH * HTTP/";
    CHECK_EQ_U64(code_and_take(enc, dec, &dns, a, 16), SEG_PAYREF_NEW);
    CHECK_EQ_U64(code_and_take(enc, dec, &dns, a, 16), 0);
    /* another service's list is its own */
    CHECK_EQ_U64(code_and_take(enc, dec, &ssdp, a, 16), SEG_PAYREF_NEW);
    CHECK_EQ_U64(code_and_take(enc, dec, &ssdp, m, 16), SEG_PAYREF_NEW);
    CHECK_EQ_U64(code_and_take(enc, dec, &ssdp, a, 16), 1);
    /* alternation: each head one place back */
    CHECK_EQ_U64(code_and_take(enc, dec, &dns, b, 16), SEG_PAYREF_NEW);
    CHECK_EQ_U64(code_and_take(enc, dec, &dns, a, 16), 1);
    CHECK_EQ_U64(code_and_take(enc, dec, &dns, b, 16), 1);
    CHECK_EQ_U64(code_and_take(enc, dec, &dns, b, 16), 0);
    /* the same first bytes, shorter (a snap length cut it): another head */
    CHECK_EQ_U64(code_and_take(enc, dec, &dns, a, 8), SEG_PAYREF_NEW);
    CHECK_EQ_U64(code_and_take(enc, dec, &dns, a, 16), 2);
    CHECK_EQ_U64(code_and_take(enc, dec, &dns, a, 8), 1);
    /* ICMP: the type is part of the service, not only the code */
    struct tt_record unreach = service(1, 3, 3), other = service(1, 11, 3);
    CHECK_EQ_U64(code_and_take(enc, dec, &unreach, m, 16), SEG_PAYREF_NEW);
    CHECK_EQ_U64(code_and_take(enc, dec, &other, m, 16), SEG_PAYREF_NEW);
    CHECK_EQ_U64(code_and_take(enc, dec, &unreach, m, 16), 0);
    free(enc);
    free(dec);
}

/* DEPTH + 1 heads in a cycle: each has left the list by its next turn. */
static void test_eviction(void)
{
    struct seg_payref *enc = fresh(), *dec = fresh();
    struct tt_record sip = service(17, 5060, 5060);
    uint8_t head[SEG_PAYREF_DEPTH + 1][4];
    for (unsigned i = 0; i <= SEG_PAYREF_DEPTH; i++)
        memcpy(head[i], (uint8_t[]){'h', (uint8_t)i, 0, 1}, 4);
    unsigned fresh_refs = 0;
    for (unsigned round = 0; round < 3; round++)
        for (unsigned i = 0; i <= SEG_PAYREF_DEPTH; i++)
            fresh_refs += code_and_take(enc, dec, &sip, head[i], 4) == SEG_PAYREF_NEW;
    CHECK_EQ_U64(fresh_refs, 3 * (SEG_PAYREF_DEPTH + 1));
    /* DEPTH heads in a cycle: new in the first round (each new one pushes
     * out the next one due), then found at the last place */
    unsigned last_place = 0;
    fresh_refs = 0;
    for (unsigned round = 0; round < 3; round++)
        for (unsigned i = 0; i < SEG_PAYREF_DEPTH; i++) {
            uint8_t ref = code_and_take(enc, dec, &sip, head[i], 4);
            fresh_refs += ref == SEG_PAYREF_NEW;
            last_place += ref == SEG_PAYREF_DEPTH - 1;
        }
    CHECK_EQ_U64(fresh_refs, SEG_PAYREF_DEPTH);
    CHECK_EQ_U64(last_place, 2 * SEG_PAYREF_DEPTH);
    free(enc);
    free(dec);
}

/* More services than slots, coded in turn and then in reverse: services
 * sharing a slot push each other out (only the last one of each slot is
 * still there for the reverse pass), and the decoder follows exactly. */
static void test_slot_sharing(void)
{
    enum { PORTS = 3 * SEG_PAYREF_SLOTS };
    struct seg_payref *enc = fresh(), *dec = fresh();
    unsigned kept = 0;
    for (unsigned round = 0; round < 2; round++)
        for (unsigned p = 0; p < PORTS; p++) {
            unsigned q = round ? PORTS - 1 - p : p;
            struct tt_record r = service(17, 1, (uint16_t)(1000 + q));
            uint8_t head[2] = {(uint8_t)q, (uint8_t)(q >> 8)};
            kept += code_and_take(enc, dec, &r, head, 2) == 0;
        }
    CHECK(kept <= SEG_PAYREF_SLOTS);
    CHECK(kept > 0);
    free(enc);
    free(dec);
}

/* References the decoder's lists cannot satisfy. */
static void test_refused(void)
{
    struct seg_payref *t = fresh();
    struct tt_record r = service(17, 1, 53);
    uint8_t out[TT_PAYLOAD_HEAD];
    CHECK(seg_payref_take(t, &r, 0, NULL, 4, out) == -1); /* empty list */
    CHECK_EQ_U64(seg_payref_take(t, &r, SEG_PAYREF_NEW, (const uint8_t *)"abcd", 4, out), 0);
    CHECK(seg_payref_take(t, &r, 1, NULL, 4, out) == -1);   /* past the list */
    CHECK(seg_payref_take(t, &r, 0, NULL, 5, out) == -1);   /* another length */
    CHECK(seg_payref_take(t, &r, 200, NULL, 4, out) == -1); /* past the depth */
    CHECK_EQ_U64(seg_payref_take(t, &r, 0, NULL, 4, out), 0);
    CHECK(memcmp(out, "abcd", 4) == 0);
    free(t);
}

TT_TESTS(test_repeats_and_order, test_eviction, test_slot_sharing, test_refused)
