/* Capture reader front: opens the input, maps regular files, recognises the
 * format by its magic bytes and hands classic pcap 2.4 files to the chunked
 * reader (pcap_read.c) and everything else to libpcap (pcap_stream.c).
 *
 * Regular files are always mapped read-only (MAP_PRIVATE), followed by a
 * PROT_NONE guard page, so a reader bug that runs past the end faults instead
 * of reading stray memory. The map serves the sniffing and the content hash
 * of a file hashed before it is read; the readers read the descriptor. A
 * file that shrinks while it is mapped may raise SIGBUS there: do not read
 * captures that another program is still writing. */
#include "capture/reader_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

struct tt_batch *tt_batch_new(void)
{
    struct tt_batch *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->buf = malloc(TT_BATCH_BUF); /* untouched pages cost no memory */
    if (!b->buf) {
        free(b);
        return NULL;
    }
    b->buf_cap = TT_BATCH_BUF;
    return b;
}

void tt_batch_free(struct tt_batch *b)
{
    if (!b)
        return;
    free(b->buf);
    free(b);
}

int rd_bad_caplen(struct tt_err *err, const char *name, uint64_t off, uint32_t caplen,
                  uint32_t snaplen)
{
    if (caplen > RD_CAPLEN_MAX)
        return tt_err_set(err, TT_EFORMAT, "%s: offset %llu: packet length %u beyond maximum %u",
                          name, (unsigned long long)off, caplen, RD_CAPLEN_MAX);
    return tt_err_set(err, TT_EFORMAT, "%s: offset %llu: packet length %u beyond snap length %u",
                      name, (unsigned long long)off, caplen, snaplen);
}

int rd_truncated(struct tt_err *err, const char *name, uint64_t off, uint64_t left, uint32_t caplen)
{
    if (left < RD_REC_HDR)
        return tt_err_set(err, TT_ETRUNC,
                          "%s: offset %llu: truncated record header (%llu of %u bytes)", name,
                          (unsigned long long)off, (unsigned long long)left, RD_REC_HDR);
    return tt_err_set(err, TT_ETRUNC,
                      "%s: offset %llu: truncated last packet (length %u, %llu bytes left)", name,
                      (unsigned long long)off, caplen, (unsigned long long)(left - RD_REC_HDR));
}

static int sys_error(struct tt_err *err, const char *name, const char *what, int e)
{
    char buf[128];
    const char *msg = strerror_r(e, buf, sizeof buf);
    return tt_err_set(err, e == ENOENT ? TT_ENOTFOUND : TT_EIO, "%s: %s: %s", name, what, msg);
}

/* Maps the whole file followed by an inaccessible guard page. */
static int map_file(struct tt_reader *r, size_t len, struct tt_err *err)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t span = (len + page - 1) / page * page + page;
    void *base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return sys_error(err, r->name, "cannot map", errno);
    void *m = mmap(base, len, PROT_READ, MAP_PRIVATE | MAP_FIXED, r->fd, 0);
    if (m == MAP_FAILED) {
        int e = errno;
        munmap(base, span);
        return sys_error(err, r->name, "cannot map", e);
    }
    madvise(m, len, MADV_SEQUENTIAL);
    r->map = m;
    r->map_len = len;
    r->map_span = span;
    return TT_OK;
}

/* Classic pcap 2.4 goes to the chunked reader; other versions, which libpcap
 * reads with swapped length fields, go to libpcap. */
static int open_classic(struct tt_reader *r, struct tt_err *err)
{
    if (r->map_len < RD_PCAP_HDR)
        return tt_err_set(err, TT_ETRUNC, "%s: truncated pcap file header (%zu of %u bytes)",
                          r->name, r->map_len, RD_PCAP_HDR);
    const uint8_t *h = r->map;
    int be = rd_get32(h, 1) == RD_MAGIC_US || rd_get32(h, 1) == RD_MAGIC_NS;
    if (rd_get16(h + 4, be) != 2 || rd_get16(h + 6, be) != 4)
        return rd_stream_open(r, r->fd, err);
    r->kind = RD_CLASSIC;
    r->be = be;
    r->nsec = rd_get32(h, be) == RD_MAGIC_NS;
    r->snaplen = rd_get32(h + 16, be);
    r->bound = rd_caplen_bound(r->snaplen);
    r->linktype = (int)(rd_get32(h + 20, be) & 0x03ffffffu); /* upper bits: FCS info */
    r->pos = RD_PCAP_HDR;
    r->file_end = r->map_len;
    return TT_OK;
}

int rd_sniff(const uint8_t *p, size_t n)
{
    if (n < 4)
        return RD_SNIFF_UNKNOWN;
    uint32_t le = rd_get32(p, 0), be = rd_get32(p, 1);
    if (le == RD_MAGIC_US || le == RD_MAGIC_NS || be == RD_MAGIC_US || be == RD_MAGIC_NS)
        return RD_SNIFF_PCAP;
    if (le == RD_MAGIC_NG)
        return RD_SNIFF_PCAPNG;
    if (p[0] == 0x1f && p[1] == 0x8b)
        return RD_SNIFF_GZIP;
    if (be == 0x28b52ffdu)
        return RD_SNIFF_ZSTD;
    return RD_SNIFF_UNKNOWN;
}

int rd_not_capture(struct tt_err *err, const char *name, const uint8_t *p, size_t n,
                   const char *inside)
{
    if (n == 0)
        return tt_err_set(err, TT_EFORMAT, "%s: not a pcap or pcapng file (empty%s)", name, inside);
    if (n < 4)
        return tt_err_set(err, TT_EFORMAT, "%s: not a pcap or pcapng file (only %zu bytes%s)", name,
                          n, inside);
    const char *hint = "";
    if (n >= 6 && memcmp(p,
                         "\xfd"
                         "7zXZ\0",
                         6) == 0)
        hint = "; xz compression is not supported, only gzip and zstd";
    else if (memcmp(p, "BZh", 3) == 0)
        hint = "; bzip2 compression is not supported, only gzip and zstd";
    return tt_err_set(err, TT_EFORMAT, "%s: not a pcap or pcapng file (magic 0x%08x%s)%s", name,
                      rd_get32(p, 1), inside, hint);
}

static int open_regular(struct tt_reader *r, size_t len, struct tt_err *err)
{
    if (len == 0)
        return rd_not_capture(err, r->name, NULL, 0, "");
    int rc = map_file(r, len, err);
    if (rc)
        return rc;
    switch (rd_sniff(r->map, len)) {
    case RD_SNIFF_PCAP:
        return open_classic(r, err);
    case RD_SNIFF_PCAPNG:
    case RD_SNIFF_GZIP:
    case RD_SNIFF_ZSTD:
        return rd_stream_open(r, r->fd, err);
    default:
        return rd_not_capture(err, r->name, r->map, len, "");
    }
}

int tt_reader_open(const char *path, struct tt_reader **out, struct tt_err *err)
{
    *out = NULL;
    int is_stdin = strcmp(path, "-") == 0;
    struct tt_reader *r = calloc(1, sizeof *r);
    if (!r)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", path);
    r->fd = -1;
    r->name = strdup(is_stdin ? "stdin" : path);
    int rc = TT_OK;
    if (!r->name) {
        rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    if (is_stdin) {
        rc = rd_stream_open(r, 0, err);
        goto out;
    }
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        rc = sys_error(err, r->name, "cannot open", errno);
        goto out;
    }
    struct stat st;
    if (fstat(r->fd, &st) != 0) {
        rc = sys_error(err, r->name, "cannot stat", errno);
        goto out;
    }
    if (S_ISDIR(st.st_mode))
        rc = tt_err_set(err, TT_EINVAL, "%s: is a directory", r->name);
    else if (S_ISREG(st.st_mode))
        rc = open_regular(r, (size_t)st.st_size, err);
    else
        rc = rd_stream_open(r, r->fd, err); /* pipe, FIFO, character device */
out:
    if (rc) {
        tt_reader_close(r);
        return rc;
    }
    *out = r;
    return TT_OK;
}

void tt_reader_close(struct tt_reader *r)
{
    if (!r)
        return;
    rd_stream_close(r->st);
    XXH3_freeState(r->map_hash);
    if (r->map)
        munmap((void *)r->map, r->map_span);
    if (r->fd >= 0)
        close(r->fd);
    free(r->name);
    free(r);
}

int tt_reader_linktype(const struct tt_reader *r)
{
    return r->linktype;
}

int tt_reader_fill(struct tt_reader *r, struct tt_batch *b, struct tt_err *err)
{
    b->n = 0;
    b->buf_used = 0;
    b->linktype = r->linktype;
    if (r->state > 0)
        return 0;
    if (r->state < 0) {
        if (err)
            *err = r->damage;
        return r->state;
    }
    int rc = r->kind == RD_CLASSIC ? rd_classic_fill(r, b, &r->damage)
                                   : rd_stream_fill(r, b, &r->damage);
    if (rc < 0) {
        r->state = rc;
        if (err)
            *err = r->damage;
    } else if (rc == 0) {
        r->state = 1;
    }
    return rc;
}

uint64_t tt_reader_size(const struct tt_reader *r)
{
    return r->map ? r->map_len : 0;
}

uint64_t tt_reader_pos(const struct tt_reader *r)
{
    return r->kind == RD_CLASSIC ? r->pos : rd_stream_pos(r->st);
}

void rd_hash_read(struct tt_reader *r, const uint8_t *p, size_t n)
{
    if (r->map_hashed < r->pos) /* started after some reads: the map has them */
        XXH3_128bits_update(r->map_hash, r->map + r->map_hashed, r->pos - r->map_hashed);
    XXH3_128bits_update(r->map_hash, p, n);
    r->map_hashed = r->pos + n;
}

int tt_reader_hash_while_reading(struct tt_reader *r)
{
    if (r->kind == RD_STREAM && r->map && !r->have_hash)
        return 1; /* a stream hashes every byte it reads */
    if (r->kind != RD_CLASSIC || !r->map || r->have_hash || r->map_hash)
        return 0; /* the hash covers [0, pos) at each fill, so any point will do */
    if (!(r->map_hash = XXH3_createState()))
        return TT_ENOMEM;
    XXH3_128bits_reset(r->map_hash);
    r->map_hashed = 0;
    return 1;
}

int tt_reader_content_hash(struct tt_reader *r, uint8_t out[16])
{
    if (!r->have_hash && r->map_hash) { /* what reading left: damage, a partial read */
        XXH3_128bits_update(r->map_hash, r->map + r->map_hashed, r->map_len - r->map_hashed);
        XXH128_canonical_t c;
        XXH128_canonicalFromHash(&c, XXH3_128bits_digest(r->map_hash));
        memcpy(r->hash, c.digest, 16);
        r->have_hash = 1;
        XXH3_freeState(r->map_hash);
        r->map_hash = NULL;
    }
    /* a regular file: over the map before it is read (to skip it unread),
     * else as the stream read it */
    if (!r->have_hash && r->map && (r->kind == RD_CLASSIC || r->state == 0)) {
        XXH128_canonical_t c;
        XXH128_canonicalFromHash(&c, XXH3_128bits(r->map, r->map_len));
        memcpy(r->hash, c.digest, 16);
        r->have_hash = 1;
    }
    if (!r->have_hash) {
        if (r->state == 0)
            return TT_EINVAL; /* a stream is known only at its end */
        int rc = rd_stream_hash(r, r->hash);
        if (rc)
            return rc;
        r->have_hash = 1;
    }
    memcpy(out, r->hash, 16);
    return TT_OK;
}
