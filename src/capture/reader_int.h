/* Internal contract between the capture reader's files: reader.c (open,
 * sniffing, batches, content hash), pcap_read.c (classic pcap read in
 * chunks into the batch buffer and walked there) and pcap_stream.c
 * (libpcap fed through a decompressing, hashing, offset-tracking stdio
 * cookie). */
#ifndef TT_READER_INT_H
#define TT_READER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "capture/reader.h"

/* libpcap's MAXIMUM_SNAPLEN: no packet we hand out is longer, whatever the
 * file's snap length says, so one packet always fits an empty batch buffer. */
#define RD_CAPLEN_MAX 262144u
#define RD_PCAP_HDR 24u /* classic pcap file header */
#define RD_REC_HDR 16u  /* classic pcap record header */

#define RD_MAGIC_US 0xa1b2c3d4u
#define RD_MAGIC_NS 0xa1b23c4du
#define RD_MAGIC_NG 0x0a0d0d0au

enum rd_kind { RD_CLASSIC, RD_STREAM };

struct rd_stream;

struct tt_reader {
    enum rd_kind kind;
    char *name;           /* as given; "stdin" for "-" */
    int fd;               /* owned descriptor, or -1 */
    const uint8_t *map;   /* the whole regular file, or NULL */
    size_t map_len;       /* file size */
    size_t map_span;      /* mapped bytes including the guard page */
    int linktype;         /* LINKTYPE_* */
    int state;            /* 0 reading, 1 clean end, < 0 sticky damage code */
    struct tt_err damage; /* message for a sticky damage code */
    int have_hash;
    uint8_t hash[16];
    void *map_hash;    /* XXH3_state_t: the map hashed as it is read, or NULL */
    size_t map_hashed; /* bytes of the map hashed so far */

    /* classic pcap read from a regular file (kind RD_CLASSIC) */
    size_t pos;        /* next record header */
    uint64_t file_end; /* the file's size, less if it shrank while read */
    uint64_t records;  /* records handed out so far */
    uint32_t snaplen, bound;
    int be, nsec;

    struct rd_stream *st; /* kind RD_STREAM */
};

/* Largest caplen a file with this header snap length may hold. */
static inline uint32_t rd_caplen_bound(uint32_t snaplen)
{
    return snaplen == 0 || snaplen > RD_CAPLEN_MAX ? RD_CAPLEN_MAX : snaplen;
}

static inline uint32_t rd_get32(const uint8_t *p, int be)
{
    return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
              : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline uint16_t rd_get16(const uint8_t *p, int be)
{
    return (uint16_t)(be ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0]);
}

enum rd_sniff { RD_SNIFF_UNKNOWN, RD_SNIFF_PCAP, RD_SNIFF_PCAPNG, RD_SNIFF_GZIP, RD_SNIFF_ZSTD };

/* Classifies an input by its first bytes (n of them available). */
int rd_sniff(const uint8_t *p, size_t n);
/* "x: not a pcap or pcapng file (magic 0x...)"; inside is "" or a note such
 * as " inside gzip data". */
int rd_not_capture(struct tt_err *err, const char *name, const uint8_t *p, size_t n,
                   const char *inside);

/* The damage message shared by both classic pcap paths: records whose
 * caplen is beyond the bound, cut-off record headers and cut-off packets. */
int rd_bad_caplen(struct tt_err *err, const char *name, uint64_t off, uint32_t caplen,
                  uint32_t snaplen);
int rd_truncated(struct tt_err *err, const char *name, uint64_t off, uint64_t left,
                 uint32_t caplen);

/* pcap_read.c: fills b with records read from the file into b's buffer;
 * returns as tt_reader_fill. */
int rd_classic_fill(struct tt_reader *r, struct tt_batch *b, struct tt_err *err);
/* reader.c: adds the n bytes at p, the next ones read after r->pos (and
 * any of the file before them not yet hashed), to r->map_hash. */
void rd_hash_read(struct tt_reader *r, const uint8_t *p, size_t n);

/* pcap_stream.c. The input is fd, read from where it stands (r->fd, or fd
 * 0 for stdin, not owned). */
int rd_stream_open(struct tt_reader *r, int fd, struct tt_err *err);
int rd_stream_fill(struct tt_reader *r, struct tt_batch *b, struct tt_err *err);
void rd_stream_close(struct rd_stream *st);
uint64_t rd_stream_pos(const struct rd_stream *st);
/* After the end or damage: reads what is left of the input into the
 * hash and returns it; TT_EINVAL while packets remain, TT_EIO when a read
 * failed. */
int rd_stream_hash(struct tt_reader *r, uint8_t out[16]);

#endif
