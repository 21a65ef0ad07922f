/* Fuzz target for the capture readers (src/capture). Each input is read
 * twice to its end: as a regular file (memfd: mapped, the zero-copy walk for
 * classic pcap) and through a pipe (the libpcap stream path with the
 * decompressing, record-tracking cookie). For plain classic pcap both paths
 * must agree packet for packet, offsets and damage included; any difference
 * aborts. The mapped read hashes the file as it reads it
 * (tt_reader_hash_while_reading), and the hash must be that of its bytes,
 * however far the read got. Reads stop after FUZZ_MAX_BYTES of packets so
 * compressed bombs cannot stall the fuzzer. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include "capture/reader.h"

#define FUZZ_MAX_FILLS 64
#define FUZZ_MAX_BYTES (64u << 20)
#define FUZZ_PIPE_SIZE (1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct result {
    int open_rc, rc, ended;
    uint64_t n, digest, digest_ts;
};

/* Opens, fills to the end (or the cap) and asks for size, pos and hash;
 * whole (NULL for a pipe): the file's bytes, which a reader hashing them
 * as it reads must hash to the same as in one go. */
static void read_input(const char *path, const uint8_t *whole, size_t whole_len, struct result *res)
{
    static struct tt_batch *b;
    if (!b && !(b = tt_batch_new()))
        abort();
    memset(res, 0, sizeof *res);
    struct tt_reader *r = NULL;
    struct tt_err err;
    res->open_rc = tt_reader_open(path, &r, &err);
    if (res->open_rc)
        return;
    int as_read = whole ? tt_reader_hash_while_reading(r) : 0;
    if (as_read < 0)
        abort();
    XXH64_state_t *h = XXH64_createState(), *t = XXH64_createState();
    XXH64_reset(h, 0);
    XXH64_reset(t, 0);
    uint64_t bytes = 0;
    for (int i = 0; i < FUZZ_MAX_FILLS && bytes < FUZZ_MAX_BYTES; i++) {
        int n = tt_reader_fill(r, b, &err);
        for (uint32_t k = 0; k < b->n; k++) {
            const struct tt_pkt *p = &b->pkts[k];
            uint64_t f[3] = {p->offset, p->caplen, p->wirelen};
            XXH64_update(h, f, sizeof f);
            XXH64_update(h, p->data, p->caplen); /* every byte must be readable */
            XXH64_update(t, &p->ts_us, sizeof p->ts_us);
            bytes += p->caplen;
        }
        res->n += b->n;
        if (n <= 0) {
            res->rc = n;
            res->ended = 1;
            break;
        }
    }
    res->digest = XXH64_digest(h);
    res->digest_ts = XXH64_digest(t);
    XXH64_freeState(h);
    XXH64_freeState(t);
    uint8_t hash[16];
    (void)tt_reader_size(r);
    (void)tt_reader_pos(r);
    int hash_rc = tt_reader_content_hash(r, hash);
    if (as_read) {
        XXH128_canonical_t c;
        XXH128_canonicalFromHash(&c, XXH3_128bits(whole, whole_len));
        if (hash_rc != 0 || memcmp(hash, c.digest, 16) != 0) {
            fprintf(stderr, "fuzz_pcap: the hash made while reading is not the file's\n");
            abort();
        }
    }
    tt_reader_close(r);
}

static int read_memfd(const uint8_t *data, size_t size, struct result *res)
{
    int fd = memfd_create("fuzz_pcap", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t at = 0;
    while (at < size) {
        ssize_t w = write(fd, data + at, size - at);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        at += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    read_input(path, data, size, res);
    close(fd);
    return 0;
}

static int read_pipe(const uint8_t *data, size_t size, struct result *res)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    int rc = -1;
    if (fcntl(p[1], F_SETPIPE_SZ, FUZZ_PIPE_SIZE) >= (int)size &&
        (size == 0 || write(p[1], data, size) == (ssize_t)size)) {
        close(p[1]);
        p[1] = -1;
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
        read_input(path, NULL, 0, res);
        rc = 0;
    }
    if (p[1] >= 0)
        close(p[1]);
    close(p[0]);
    return rc;
}

/* Plain classic pcap 2.4 of a link type libpcap passes through untouched. */
static int comparable(const uint8_t *d, size_t size, int *nsec)
{
    if (size < 24)
        return 0;
    uint32_t le =
        (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
    uint32_t be =
        (uint32_t)d[3] | (uint32_t)d[2] << 8 | (uint32_t)d[1] << 16 | (uint32_t)d[0] << 24;
    int big = be == 0xa1b2c3d4u || be == 0xa1b23c4du;
    if (!big && le != 0xa1b2c3d4u && le != 0xa1b23c4du)
        return 0;
    *nsec = (big ? be : le) == 0xa1b23c4du;
    const uint8_t *lt = d + 20;
    uint32_t link =
        big ? (uint32_t)lt[0] << 24 | (uint32_t)lt[1] << 16 | (uint32_t)lt[2] << 8 | lt[3]
            : (uint32_t)lt[3] << 24 | (uint32_t)lt[2] << 16 | (uint32_t)lt[1] << 8 | lt[0];
    link &= 0x03ffffffu;
    uint16_t major = big ? (uint16_t)(d[4] << 8 | d[5]) : (uint16_t)(d[5] << 8 | d[4]);
    uint16_t minor = big ? (uint16_t)(d[6] << 8 | d[7]) : (uint16_t)(d[7] << 8 | d[6]);
    return major == 2 && minor == 4 && (link == 1 || link == 101 || link == 228 || link == 229);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct result a, b;
    int nsec = 0;
    if (read_memfd(data, size, &a) != 0 || read_pipe(data, size, &b) != 0)
        return 0;
    if (!comparable(data, size, &nsec) || !a.ended || !b.ended)
        return 0;
    /* libpcap sign-extends nanosecond fields >= 2^31, so ns timestamps of
     * such (invalid) records differ; everything else must match */
    if (a.open_rc != b.open_rc || a.rc != b.rc || a.n != b.n || a.digest != b.digest ||
        (!nsec && a.digest_ts != b.digest_ts)) {
        fprintf(stderr,
                "fuzz_pcap: mapped and streamed reads differ: open %d/%d rc %d/%d n %llu/%llu\n",
                a.open_rc, b.open_rc, a.rc, b.rc, (unsigned long long)a.n, (unsigned long long)b.n);
        abort();
    }
    return 0;
}
