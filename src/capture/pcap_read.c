/* Classic pcap 2.4 read straight out of the mapped file: one bounds-checked,
 * zero-copy pass over the record headers, packets pointing into the map.
 *
 * Rules (the same the libpcap path applies to classic pcap streams):
 * - caplen must be <= the header's snap length, and never above 262144
 *   (libpcap's MAXIMUM_SNAPLEN); a snap length of 0 or above 262144 means
 *   262144. A record that breaks this is damage: "x: offset N: packet length
 *   L beyond snap length S".
 * - A record header or packet cut off by the end of the file is damage:
 *   "x: offset N: truncated record header (k of 16 bytes)" or "... truncated
 *   last packet (length L, k bytes left)".
 * - wirelen < caplen (an impossible record) is reported as wirelen = caplen.
 * - Timestamps are unsigned 32-bit seconds; nanosecond files are cut to
 *   microseconds by integer division; a fraction >= 10^6 (10^9) is not
 *   normalised, it simply adds up. */
#include "capture/reader_int.h"

/* be and nsec are constants at each call site, so the compiler builds four
 * specialised loops with no per-packet byte-order or precision tests. */
static inline __attribute__((always_inline)) int
walk(struct tt_reader *r, struct tt_batch *b, struct tt_err *err, const int be, const int nsec)
{
    const uint8_t *map = r->map;
    const size_t len = r->map_len;
    const uint32_t bound = r->bound;
    size_t pos = r->pos;
    struct tt_pkt *pk = b->pkts;
    uint32_t n = 0;
    int rc = 0;
    while (n < TT_BATCH_MAX) {
        size_t left = len - pos;
        if (left < RD_REC_HDR) {
            if (left)
                rc = rd_truncated(err, r->name, pos, left, 0);
            break;
        }
        const uint8_t *h = map + pos;
        uint32_t sec = rd_get32(h, be), frac = rd_get32(h + 4, be);
        uint32_t cap = rd_get32(h + 8, be), wire = rd_get32(h + 12, be);
        if (cap > bound) {
            rc = rd_bad_caplen(err, r->name, pos, cap, r->snaplen);
            break;
        }
        if (cap > left - RD_REC_HDR) {
            rc = rd_truncated(err, r->name, pos, left, cap);
            break;
        }
        pk[n].ts_us = (uint64_t)sec * 1000000u + (nsec ? frac / 1000u : frac);
        pk[n].offset = pos;
        pk[n].data = h + RD_REC_HDR;
        pk[n].caplen = cap;
        pk[n].wirelen = wire < cap ? cap : wire;
        n++;
        pos += RD_REC_HDR + cap;
    }
    r->pos = pos;
    b->n = n;
    return rc ? rc : (int)n;
}

int rd_map_fill(struct tt_reader *r, struct tt_batch *b, struct tt_err *err)
{
    if (r->be)
        return r->nsec ? walk(r, b, err, 1, 1) : walk(r, b, err, 1, 0);
    return r->nsec ? walk(r, b, err, 0, 1) : walk(r, b, err, 0, 0);
}
