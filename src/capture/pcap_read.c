/* Classic pcap 2.4 regular files: the file's bytes are read (pread(2)) in
 * chunks straight into the batch buffer, and one bounds-checked pass over
 * the record headers there hands out packets pointing into it. No libpcap,
 * no per-packet copy.
 *
 * Why read and not walk the mapped file: mapping costs a page-table entry
 * per 4 KiB page on first touch, and on the virtual machines these tests
 * and benchmarks run on that is most of the cost. Measured on the 1.6 GB
 * benchmark capture, reading each packet's first IPv4 byte: a walk over the
 * map 1.0-1.2 s (with MAP_POPULATE or MADV_POPULATE_READ ahead of the walk
 * the same), read(2) into a reused 1 MiB buffer then the same walk 0.19-0.22
 * s. The map stays for the content hash of a file read before (reader.c).
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
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "capture/reader_int.h"

#define READ_MIN ((size_t)64 << 10) /* bytes asked of one read at least */

/* What a walk over the bytes at hand stopped at; damage is < 0 (a TT_E*
 * code, the message in err). */
enum walk_stop { WALK_FULL = 0, WALK_MORE = 1, WALK_END = 2 };

/* Reads file bytes [at, at + want) into dst. The bytes read, short only at
 * the end of the file (or where it shrank). */
static ssize_t read_at(int fd, uint8_t *dst, size_t want, uint64_t at)
{
    size_t got = 0;
    while (got < want) {
        ssize_t k = pread(fd, dst + got, want - got, (off_t)(at + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        got += (size_t)k;
    }
    return (ssize_t)got;
}

/* Walks the complete records of buf[*off, have), where buf[0] is file
 * offset start and the file ends at file_len, adding packets to b. be and
 * nsec are constants at each call site, so the compiler builds four
 * specialised loops with no per-packet byte-order or precision tests. */
static inline __attribute__((always_inline)) int walk(struct tt_reader *r, struct tt_batch *b,
                                                      struct tt_err *err, const uint8_t *buf,
                                                      uint64_t start, size_t have, size_t *off,
                                                      const int be, const int nsec)
{
    const uint32_t bound = r->bound;
    const uint64_t file_len = r->file_end;
    struct tt_pkt *pk = b->pkts;
    uint32_t n = b->n;
    size_t at = *off;
    int stop = WALK_FULL;
    while (n < TT_BATCH_MAX) {
        uint64_t pos = start + at, left = file_len - pos;
        if (have - at < RD_REC_HDR) {
            if (left > have - at)
                stop = WALK_MORE;
            else
                stop = left ? rd_truncated(err, r->name, pos, left, 0) : WALK_END;
            break;
        }
        const uint8_t *h = buf + at;
        uint32_t sec = rd_get32(h, be), frac = rd_get32(h + 4, be);
        uint32_t cap = rd_get32(h + 8, be), wire = rd_get32(h + 12, be);
        if (cap > bound) {
            stop = rd_bad_caplen(err, r->name, pos, cap, r->snaplen);
            break;
        }
        if (cap > left - RD_REC_HDR) {
            stop = rd_truncated(err, r->name, pos, left, cap);
            break;
        }
        if (cap > have - at - RD_REC_HDR) {
            stop = WALK_MORE;
            break;
        }
        pk[n].ts_us = (uint64_t)sec * 1000000u + (nsec ? frac / 1000u : frac);
        pk[n].offset = pos;
        pk[n].data = h + RD_REC_HDR;
        pk[n].caplen = cap;
        pk[n].wirelen = wire < cap ? cap : wire;
        n++;
        at += RD_REC_HDR + cap;
    }
    b->n = n;
    *off = at;
    return stop;
}

static int walk_any(struct tt_reader *r, struct tt_batch *b, struct tt_err *err, const uint8_t *buf,
                    uint64_t start, size_t have, size_t *off)
{
    if (r->be)
        return r->nsec ? walk(r, b, err, buf, start, have, off, 1, 1)
                       : walk(r, b, err, buf, start, have, off, 1, 0);
    return r->nsec ? walk(r, b, err, buf, start, have, off, 0, 1)
                   : walk(r, b, err, buf, start, have, off, 0, 0);
}

/* Bytes to read next: what the packets still wanted take at the average
 * record size so far (a read past them is read again by the next batch),
 * at least READ_MIN, within the buffer's room and the file. */
static size_t next_read(const struct tt_reader *r, const struct tt_batch *b, uint64_t end,
                        size_t room)
{
    uint64_t avg = r->pos > RD_PCAP_HDR && r->records ? (r->pos - RD_PCAP_HDR) / r->records : 128;
    uint64_t want = (uint64_t)(TT_BATCH_MAX - b->n) * (avg + 1) + RD_REC_HDR;
    want = want < READ_MIN ? READ_MIN : want;
    want = want > room ? room : want;
    return (size_t)(want > r->file_end - end ? r->file_end - end : want);
}

int rd_classic_fill(struct tt_reader *r, struct tt_batch *b, struct tt_err *err)
{
    uint64_t start = r->pos;
    size_t have = 0, off = 0;
    int stop;
    for (;;) {
        size_t want = next_read(r, b, start + have, b->buf_cap - have);
        ssize_t got = want ? read_at(r->fd, b->buf + have, want, start + have) : 0;
        if (got < 0) {
            stop = tt_err_set(err, TT_EIO, "%s: offset %llu: read failed: %s", r->name,
                              (unsigned long long)(start + have), strerror(errno));
            break;
        }
        if ((size_t)got < want) /* the file shrank: it ends here now */
            r->file_end = start + have + (size_t)got;
        have += (size_t)got;
        stop = walk_any(r, b, err, b->buf, start, have, &off);
        if (stop != WALK_MORE || want == 0)
            break; /* done, or the buffer is full: the next batch goes on from here */
    }
    if (r->map_hash) /* the bytes consumed, while in cache */
        rd_hash_read(r, b->buf, off);
    r->pos = start + off;
    r->records += b->n;
    b->buf_used = off;
    /* cannot happen: a batch buffer (4 MiB) holds a whole record (16 + 262144) */
    if (stop == WALK_MORE && b->n == 0)
        return tt_err_set(err, TT_EFORMAT, "%s: offset %llu: record larger than the read buffer",
                          r->name, (unsigned long long)start);
    return stop < 0 ? stop : (int)b->n;
}
