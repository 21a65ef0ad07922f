/* Everything that is not a classic pcap 2.4 file: pcapng, stdin, pipes,
 * gzip and zstd input, and classic pcap of other versions. libpcap parses
 * it, reading through a stdio cookie stream that
 *
 * - reads raw bytes from the descriptor (regular files too: on the shared
 *   VMs a first touch of a mapped page costs more than copying it, see
 *   pcap_read.c),
 * - hashes them as they are read (XXH3-128),
 * - decompresses gzip (zlib inflate, concatenated members allowed, trailing
 *   non-gzip bytes ignored as gzip(1) does) or zstd (any number of frames),
 * - and follows the record (classic) or block (pcapng) boundaries of the
 *   decompressed bytes. The cookie never hands stdio more than the rest of
 *   the current unit, so the unit libpcap is reading is always the last one
 *   whose header the tracker saw: that gives each packet's offset, the offset
 *   of damage, and for classic pcap the caplen stored in the file, so records
 *   beyond the snap length (which libpcap silently cuts) become the same
 *   damage error as on the mapped path. (An unbuffered stream would do the
 *   same, but glibc reads those one byte per call.)
 *
 * Packets are copied into the batch buffer. libpcap (1.10) refuses a pcapng
 * interface whose link type or snap length differs from the first one's, so
 * pcap_datalink never changes within an input; such a file reads as damage at
 * that interface block, after the packets before it. */
#include "capture/pcap_lib.h"
#include "capture/reader_int.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>
#include <zstd.h>

#define RAW_CHUNK (256u << 10) /* raw bytes read or fed to the decoder at a time */
#define DEC_BUF (256u << 10)   /* decompressed bytes produced at a time */
#define HEAD_MAX 24u           /* decompressed bytes looked at before libpcap */
#define STDIO_BUF (64u << 10)

enum dec { DEC_NONE, DEC_GZIP, DEC_ZSTD };
enum fmt { FMT_PCAP, FMT_PCAPNG };

/* Follows units (classic records, pcapng blocks) through the decompressed
 * stream: next is where the next unit header starts, cur the unit whose
 * header was seen last. */
struct tracker {
    enum fmt fmt;
    int on; /* in step with the input; off after a header libpcap rejects */
    int be;
    int len_field; /* classic: where the stored caplen is, see stored_caplen */
    uint32_t snaplen, bound;
    uint64_t next, cur;
    uint8_t hdr[RD_REC_HDR];
    unsigned have, need;
    uint32_t cur_len; /* classic: stored caplen of cur */
    int cur_bad;      /* classic: cur_len beyond bound */
    uint64_t pkt;     /* pcapng: the last packet block (EPB, SPB, PB) */
    int linktype;     /* pcapng: of the first interface block, else -1 */
};

struct rd_stream {
    const char *name;
    /* raw input: a descriptor read into rbuf */
    int fd;
    uint8_t *rbuf;
    const uint8_t *rp, *re; /* raw bytes not yet decoded */
    uint64_t raw_pos;       /* raw bytes taken from the input */
    int raw_eof;
    XXH3_state_t *xs; /* descriptor input only */

    enum dec dec;
    z_stream z;
    int z_ready, z_member_end;
    ZSTD_DStream *zs;
    size_t zs_hint; /* 0 when the last zstd frame is complete */
    int dec_eof;
    uint8_t *dbuf;
    const uint8_t *dp, *de; /* decoded bytes not yet handed to libpcap */
    uint8_t head[HEAD_MAX];
    unsigned head_len, head_pos;
    uint64_t out_pos; /* decoded bytes handed to libpcap */

    int fail; /* TT_E* code of a read or decode failure, sticky */
    char fail_msg[200];

    struct tracker tk;
    FILE *fp;
    pcap_t *pcap;
    const struct rd_pcap_lib *pl; /* set with pcap */
};

static int fail(struct rd_stream *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct rd_stream *s, int code, const char *fmt, ...)
{
    if (s->fail)
        return s->fail;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->fail_msg, sizeof s->fail_msg, fmt, ap);
    va_end(ap);
    s->fail = code;
    return code;
}

static unsigned long long raw_used(const struct rd_stream *s)
{
    return (unsigned long long)(s->raw_pos - (uint64_t)(s->re - s->rp));
}

/* Reads into rbuf after what it holds; 1 read, 0 end, < 0 failure. */
static int raw_read(struct rd_stream *s)
{
    uint8_t *end = (uint8_t *)s->re;
    for (;;) {
        ssize_t k = read(s->fd, end, RAW_CHUNK - (size_t)(end - s->rbuf));
        if (k > 0) {
            XXH3_128bits_update(s->xs, end, (size_t)k);
            s->re = end + k;
            s->raw_pos += (uint64_t)k;
            return 1;
        }
        if (k == 0) {
            s->raw_eof = 1;
            return 0;
        }
        if (errno != EINTR) {
            char buf[128];
            return fail(s, TT_EIO, "read error: %s", strerror_r(errno, buf, sizeof buf));
        }
    }
}

/* Makes raw bytes available when none are; 1 yes, 0 end, < 0 failure. */
static int raw_next(struct rd_stream *s)
{
    if (s->rp < s->re)
        return 1;
    if (s->raw_eof)
        return 0;
    s->rp = s->re = s->rbuf;
    return raw_read(s);
}

/* Gets at least want raw bytes in view (fewer at the end); for sniffing. */
static int raw_peek(struct rd_stream *s, size_t want)
{
    int rc = raw_next(s);
    while (rc > 0 && (size_t)(s->re - s->rp) < want)
        rc = raw_read(s);
    return rc < 0 ? rc : 0;
}

static int gzip_produce(struct rd_stream *s)
{
    for (;;) {
        if (s->z_member_end) {
            int rc = raw_next(s);
            if (rc <= 0)
                return rc;
            if (*s->rp != 0x1f) { /* trailing bytes after the last member */
                s->dec_eof = 1;
                return 0;
            }
            inflateReset(&s->z);
            s->z_member_end = 0;
        }
        s->z.next_in = (Bytef *)s->rp;
        s->z.avail_in = (uInt)(s->re - s->rp);
        s->z.next_out = s->dbuf;
        s->z.avail_out = DEC_BUF;
        int zr = inflate(&s->z, Z_NO_FLUSH);
        s->rp = s->z.next_in;
        size_t got = DEC_BUF - s->z.avail_out;
        if (zr == Z_STREAM_END)
            s->z_member_end = 1;
        else if (zr == Z_MEM_ERROR)
            return fail(s, TT_ENOMEM, "out of memory in gzip decoder");
        else if (zr != Z_OK && zr != Z_BUF_ERROR)
            return fail(s, TT_ECORRUPT, "corrupt gzip data at compressed byte %llu: %s",
                        raw_used(s), s->z.msg ? s->z.msg : "error");
        if (got) {
            s->dp = s->dbuf;
            s->de = s->dbuf + got;
            return 1;
        }
        if (!s->z_member_end && s->rp == s->re) {
            int rc = raw_next(s);
            if (rc < 0)
                return rc;
            if (rc == 0)
                return fail(s, TT_ETRUNC, "truncated gzip data (input ends at byte %llu)",
                            raw_used(s));
        }
    }
}

static int zstd_produce(struct rd_stream *s)
{
    for (;;) {
        ZSTD_inBuffer in = {s->rp, (size_t)(s->re - s->rp), 0};
        ZSTD_outBuffer out = {s->dbuf, DEC_BUF, 0};
        size_t ret = ZSTD_decompressStream(s->zs, &out, &in);
        s->rp += in.pos;
        if (ZSTD_isError(ret))
            return fail(s, TT_ECORRUPT, "corrupt zstd data at compressed byte %llu: %s",
                        raw_used(s), ZSTD_getErrorName(ret));
        if (in.pos || out.pos) /* an idle call asks for the next frame's header */
            s->zs_hint = ret;
        if (out.pos) {
            s->dp = s->dbuf;
            s->de = s->dbuf + out.pos;
            return 1;
        }
        if (s->rp == s->re) {
            int rc = raw_next(s);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                if (s->zs_hint)
                    return fail(s, TT_ETRUNC, "truncated zstd data (input ends at byte %llu)",
                                raw_used(s));
                return 0;
            }
        }
    }
}

/* Makes decoded bytes available; 1 yes, 0 clean end, < 0 failure. */
static int produce(struct rd_stream *s)
{
    if (s->fail)
        return s->fail;
    if (s->dec_eof)
        return 0;
    int rc;
    if (s->dec == DEC_GZIP) {
        rc = gzip_produce(s);
    } else if (s->dec == DEC_ZSTD) {
        rc = zstd_produce(s);
    } else {
        rc = raw_next(s);
        if (rc > 0) {
            s->dp = s->rp;
            s->de = s->re;
            s->rp = s->re;
        }
    }
    if (rc == 0)
        s->dec_eof = 1;
    return rc;
}

/* Classic record: the stored caplen is taken where libpcap takes it: the
 * caplen field for version 2.4, the len field for versions before 2.3 (and
 * DG/UX 543.0), whose writers swapped the two, the smaller one for 2.3. */
static uint32_t stored_caplen(const struct tracker *t, const uint8_t *h)
{
    uint32_t cap = rd_get32(h + 8, t->be), len = rd_get32(h + 12, t->be);
    if (t->len_field == 1)
        return len;
    return t->len_field == 2 && cap > len ? len : cap;
}

/* pcapng block header: its byte order (a section header sets its own) and
 * length; 0 for a header libpcap rejects. */
static uint32_t block_len(const struct tracker *t, const uint8_t *h, int *be)
{
    *be = t->be;
    if (rd_get32(h, 0) == RD_MAGIC_NG) {
        uint32_t bom = rd_get32(h + 8, 0);
        if (bom != 0x1a2b3c4du && bom != 0x4d3c2b1au)
            return 0;
        *be = bom != 0x1a2b3c4du;
    }
    uint32_t len = rd_get32(h + 4, *be);
    return len < 12 || len % 4 ? 0 : len;
}

/* The header of the unit at t->next is complete in t->hdr. */
static void track_unit(struct tracker *t)
{
    t->have = 0;
    if (t->fmt == FMT_PCAP) {
        uint32_t cap = stored_caplen(t, t->hdr);
        t->cur = t->next;
        t->cur_len = cap;
        t->cur_bad = cap > t->bound;
        t->next += RD_REC_HDR + (uint64_t)cap;
        return;
    }
    int be;
    uint32_t len = block_len(t, t->hdr, &be);
    t->cur = t->next;
    if (!len) { /* libpcap rejects it; we stop following */
        t->on = 0;
        return;
    }
    t->be = be;
    uint32_t type = rd_get32(t->hdr, be);
    if (type == 2 || type == 3 || type == 6)
        t->pkt = t->next;
    if (type == 1 && t->linktype < 0)
        t->linktype = rd_get16(t->hdr + 8, be);
    t->next += len;
}

/* Feeds the k bytes handed out at stream offset pos. */
static void track(struct tracker *t, const uint8_t *p, size_t k, uint64_t pos)
{
    uint64_t end = pos + k;
    while (t->on) {
        uint64_t from = t->next + t->have;
        if (from >= end || from < pos)
            return;
        size_t take = t->need - t->have;
        if (take > end - from)
            take = (size_t)(end - from);
        memcpy(t->hdr + t->have, p + (from - pos), take);
        t->have += (unsigned)take;
        if (t->have < t->need)
            return;
        track_unit(t);
    }
}

/* How many of the avail bytes at src (stream offset pos) may be handed out:
 * no more than the rest of the current unit, or of the next unit's header;
 * when that header is whole in view, the whole next unit. */
static size_t hand_limit(const struct tracker *t, uint64_t pos, const uint8_t *src, size_t avail)
{
    if (!t->on)
        return avail;
    uint64_t lim = t->next;
    if (pos >= t->next) {
        lim = t->next + t->need;
        if (t->have == 0 && avail >= t->need) {
            int be;
            uint64_t len = t->fmt == FMT_PCAP ? RD_REC_HDR + (uint64_t)stored_caplen(t, src)
                                              : block_len(t, src, &be);
            if (len)
                lim = t->next + len;
        }
    }
    return lim - pos < avail ? (size_t)(lim - pos) : avail;
}

/* One piece per call, never past the current unit (see the top). */
static ssize_t ck_read(void *cookie, char *buf, size_t n)
{
    struct rd_stream *s = cookie;
    const uint8_t *src;
    size_t avail;
    if (s->head_pos < s->head_len) {
        src = s->head + s->head_pos;
        avail = s->head_len - s->head_pos;
    } else {
        if (s->dp == s->de) {
            int rc = produce(s);
            if (rc == 0)
                return 0;
            if (rc < 0) {
                errno = EIO;
                return -1;
            }
        }
        src = s->dp;
        avail = (size_t)(s->de - s->dp);
    }
    size_t k = hand_limit(&s->tk, s->out_pos, src, avail < n ? avail : n);
    memcpy(buf, src, k);
    if (src == s->dp)
        s->dp += k;
    else
        s->head_pos += (unsigned)k;
    track(&s->tk, src, k, s->out_pos);
    s->out_pos += k;
    return (ssize_t)k;
}

static int ck_close(void *cookie)
{
    return 0; /* the reader owns the stream state */
}

/* Offset of the unit libpcap was reading when it stopped. */
static uint64_t fail_offset(const struct rd_stream *s)
{
    const struct tracker *t = &s->tk;
    if (!t->on)
        return t->cur;
    if (t->have) /* inside the next unit's header */
        return t->next;
    if (s->out_pos < t->next) /* inside the current unit */
        return t->cur;
    /* at a boundary: our stream failed at the next unit, or libpcap
     * refused the one it had read in full */
    return s->fail ? t->next : t->cur;
}

/* Turns a libpcap failure (or our cookie's) into the reader's message. */
static int report(struct rd_stream *s, struct tt_err *err, const char *pcap_msg)
{
    const struct tracker *t = &s->tk;
    unsigned long long off = fail_offset(s);
    if (s->fail)
        return tt_err_set(err, s->fail, "%s: offset %llu: %s", s->name, off, s->fail_msg);
    int inside = t->on && s->out_pos < t->next;
    if (t->fmt == FMT_PCAP && t->on) {
        if (inside && t->have == 0 && t->cur_bad)
            return rd_bad_caplen(err, s->name, t->cur, t->cur_len, t->snaplen);
        if (s->dec_eof && t->have)
            return rd_truncated(err, s->name, t->next, t->have, 0);
        if (s->dec_eof && inside)
            return rd_truncated(err, s->name, t->cur, s->out_pos - t->cur, t->cur_len);
    }
    int code = s->dec_eof && (t->have || inside) ? TT_ETRUNC : TT_EFORMAT;
    return tt_err_set(err, code, "%s: offset %llu: %s", s->name, off, pcap_msg);
}

static int start_decoder(struct rd_stream *s, int kind, struct tt_err *err)
{
    if (kind == RD_SNIFF_PCAP || kind == RD_SNIFF_PCAPNG)
        return TT_OK;
    if (kind != RD_SNIFF_GZIP && kind != RD_SNIFF_ZSTD)
        return rd_not_capture(err, s->name, s->rp, (size_t)(s->re - s->rp), "");
    s->dbuf = malloc(DEC_BUF);
    if (!s->dbuf)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", s->name);
    if (kind == RD_SNIFF_GZIP) {
        if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
            return tt_err_set(err, TT_ENOMEM, "%s: cannot start gzip decoder", s->name);
        s->z_ready = 1;
        s->dec = DEC_GZIP;
        return TT_OK;
    }
    s->zs = ZSTD_createDStream();
    if (!s->zs || ZSTD_isError(ZSTD_initDStream(s->zs)))
        return tt_err_set(err, TT_ENOMEM, "%s: cannot start zstd decoder", s->name);
    s->dec = DEC_ZSTD;
    return TT_OK;
}

/* Looks at the first decoded bytes and sets up the tracker. */
static int read_head(struct tt_reader *r, struct rd_stream *s, struct tt_err *err)
{
    while (s->head_len < HEAD_MAX) {
        if (s->dp == s->de) {
            int rc = produce(s);
            if (rc < 0)
                return tt_err_set(err, rc, "%s: %s", s->name, s->fail_msg);
            if (rc == 0)
                break;
        }
        size_t k = (size_t)(s->de - s->dp);
        k = k < HEAD_MAX - s->head_len ? k : HEAD_MAX - s->head_len;
        memcpy(s->head + s->head_len, s->dp, k);
        s->dp += k;
        s->head_len += (unsigned)k;
    }
    const char *inside = s->dec == DEC_GZIP   ? " inside gzip data"
                         : s->dec == DEC_ZSTD ? " inside zstd data"
                                              : "";
    struct tracker *t = &s->tk;
    t->on = 1;
    t->linktype = -1;
    int kind = rd_sniff(s->head, s->head_len);
    if (kind == RD_SNIFF_PCAPNG) {
        t->fmt = FMT_PCAPNG;
        t->need = 12; /* type, length and the first body word */
        return TT_OK;
    }
    if (kind != RD_SNIFF_PCAP)
        return rd_not_capture(err, s->name, s->head, s->head_len, inside);
    if (s->head_len < RD_PCAP_HDR)
        return tt_err_set(err, TT_ETRUNC, "%s: truncated pcap file header (%u of %u bytes%s)",
                          s->name, s->head_len, RD_PCAP_HDR, inside);
    t->fmt = FMT_PCAP;
    t->need = RD_REC_HDR;
    t->be = rd_get32(s->head, 1) == RD_MAGIC_US || rd_get32(s->head, 1) == RD_MAGIC_NS;
    unsigned major = rd_get16(s->head + 4, t->be), minor = rd_get16(s->head + 6, t->be);
    t->len_field = major == 2 && minor == 3 ? 2 : minor < 3 ? 1 : 0;
    t->snaplen = rd_get32(s->head + 16, t->be);
    t->bound = rd_caplen_bound(t->snaplen);
    t->next = RD_PCAP_HDR;
    r->linktype = (int)(rd_get32(s->head + 20, t->be) & 0x03ffffffu);
    return TT_OK;
}

static int start_pcap(struct tt_reader *r, struct rd_stream *s, struct tt_err *err)
{
    const struct rd_pcap_lib *pl = rd_pcap_lib(s->name, err);
    if (!pl)
        return TT_ENOTFOUND;
    cookie_io_functions_t io = {.read = ck_read, .close = ck_close};
    s->fp = fopencookie(s, "r", io);
    if (!s->fp)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", s->name);
    if (setvbuf(s->fp, NULL, _IOFBF, STDIO_BUF) != 0)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", s->name);
    char eb[PCAP_ERRBUF_SIZE];
    eb[0] = '\0';
    s->pcap = pl->fopen_offline_with_tstamp_precision(s->fp, PCAP_TSTAMP_PRECISION_MICRO, eb);
    s->pl = pl;
    if (!s->pcap) {
        fclose(s->fp);
        s->fp = NULL;
        if (s->tk.fmt == FMT_PCAP && !s->fail)
            return tt_err_set(err, TT_EFORMAT, "%s: %s", s->name, eb);
        return report(s, err, eb);
    }
    if (s->tk.fmt == FMT_PCAPNG)
        r->linktype = s->tk.linktype >= 0 ? s->tk.linktype : pl->datalink(s->pcap);
    return TT_OK;
}

int rd_stream_open(struct tt_reader *r, int fd, struct tt_err *err)
{
    struct rd_stream *s = calloc(1, sizeof *s);
    if (!s)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", r->name);
    r->st = s;
    r->kind = RD_STREAM;
    s->name = r->name;
    s->fd = fd;
    s->rbuf = malloc(RAW_CHUNK);
    s->xs = XXH3_createState();
    if (!s->rbuf || !s->xs)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", r->name);
    XXH3_128bits_reset(s->xs);
    s->rp = s->re = s->rbuf;
    int rc = raw_peek(s, 4);
    if (rc)
        return tt_err_set(err, rc, "%s: %s", s->name, s->fail_msg);
    rc = start_decoder(s, rd_sniff(s->rp, (size_t)(s->re - s->rp)), err);
    if (rc == TT_OK)
        rc = read_head(r, s, err);
    if (rc == TT_OK)
        rc = start_pcap(r, s, err);
    return rc;
}

void rd_stream_close(struct rd_stream *s)
{
    if (!s)
        return;
    if (s->pcap)
        s->pl->close(s->pcap); /* closes s->fp */
    if (s->z_ready)
        inflateEnd(&s->z);
    ZSTD_freeDStream(s->zs);
    XXH3_freeState(s->xs);
    free(s->dbuf);
    free(s->rbuf);
    free(s);
}

uint64_t rd_stream_pos(const struct rd_stream *s)
{
    return s->dec == DEC_NONE ? s->out_pos : raw_used(s);
}

static inline uint64_t ts_us(const struct rd_stream *s, const struct pcap_pkthdr *h)
{
    if (s->tk.fmt == FMT_PCAP) /* libpcap sign-extends the stored 32-bit fields */
        return (uint64_t)(uint32_t)h->ts.tv_sec * 1000000u + (uint32_t)h->ts.tv_usec;
    return (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
}

int rd_stream_fill(struct tt_reader *r, struct tt_batch *b, struct tt_err *err)
{
    struct rd_stream *s = r->st;
    const struct tracker *t = &s->tk;
    if (!b->buf || b->buf_cap < RD_CAPLEN_MAX)
        return tt_err_set(err, TT_EINVAL, "%s: batch without a buffer", s->name);
    uint32_t n = 0;
    int rc = 0;
    while (n < TT_BATCH_MAX && b->buf_cap - b->buf_used >= RD_CAPLEN_MAX) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int x = s->pl->next_ex(s->pcap, &h, &data);
        if (x == PCAP_ERROR_BREAK) { /* end of input */
            if (s->fail)
                rc = report(s, err, "");
            break;
        }
        if (x != 1) {
            rc = report(s, err, s->pl->geterr(s->pcap));
            break;
        }
        uint64_t off = t->fmt == FMT_PCAP ? t->cur : t->pkt;
        if (t->fmt == FMT_PCAP && t->cur_bad) {
            rc = rd_bad_caplen(err, s->name, t->cur, t->cur_len, t->snaplen);
            break;
        }
        if (h->caplen > RD_CAPLEN_MAX) {
            rc = rd_bad_caplen(err, s->name, off, h->caplen, RD_CAPLEN_MAX);
            break;
        }
        struct tt_pkt *pk = &b->pkts[n++];
        uint8_t *dst = b->buf + b->buf_used;
        memcpy(dst, data, h->caplen);
        b->buf_used += h->caplen;
        pk->ts_us = ts_us(s, h);
        pk->offset = off;
        pk->data = dst;
        pk->caplen = h->caplen;
        pk->wirelen = h->len < h->caplen ? h->caplen : h->len;
    }
    b->n = n;
    return rc ? rc : (int)n;
}

int rd_stream_hash(struct tt_reader *r, uint8_t out[16])
{
    struct rd_stream *s = r->st;
    if (!s || !s->xs)
        return TT_EINVAL;
    while (!s->raw_eof) { /* the rest of the input, past damage or trailing bytes */
        s->rp = s->re = s->rbuf;
        if (raw_read(s) < 0)
            return TT_EIO;
    }
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits_digest(s->xs));
    memcpy(out, c.digest, 16);
    return TT_OK;
}
