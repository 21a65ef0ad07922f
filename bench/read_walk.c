/* Baseline: the file read(2) in 1 MiB chunks into one reused buffer and the
 * same bounds-checked walk as bench/mmap_walk.c over it (what teiten's
 * classic pcap reader does before decoding). Prints "packets seconds". */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "walk.h"

#define CHUNK ((size_t)1 << 20)
#define RECORD_MAX (16 + 262144) /* a record header and libpcap's largest snap length */

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int fd = open(argv[1], O_RDONLY);
    uint8_t *buf = malloc(CHUNK + RECORD_MAX);
    if (fd < 0 || !buf)
        return 1;
    uint8_t file_hdr[24];
    if (read(fd, file_hdr, sizeof file_hdr) != (ssize_t)sizeof file_hdr)
        return 1;
    size_t have = 0, off = 0;
    int eof = 0;
    unsigned long long n = 0, sum = 0;
    for (;;) {
        if (!eof && have - off < RECORD_MAX) { /* keep a whole record ahead */
            memmove(buf, buf + off, have - off);
            have -= off;
            off = 0;
            ssize_t k = read(fd, buf + have, CHUNK + RECORD_MAX - have);
            if (k < 0)
                return 1;
            eof = k == 0;
            have += (size_t)k;
        }
        if (!walk_record(buf, have, &off, &sum))
            break;
        n++;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%llu %.6f %llu\n", n, (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
           sum);
    free(buf);
    close(fd);
    return 0;
}
