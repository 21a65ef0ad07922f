/* Baseline: a bare bounds-checked walk over the mapped classic pcap file
 * (little-endian, µs), reading each packet's first IPv4 header byte.
 * Prints "packets seconds". */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "walk.h"

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 24)
        return 1;
    size_t len = (size_t)st.st_size;
    const uint8_t *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED)
        return 1;
    madvise((void *)m, len, MADV_SEQUENTIAL);
    unsigned long long n = 0, sum = 0;
    size_t off = 24;
    while (walk_record(m, len, &off, &sum))
        n++;
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%llu %.6f %llu\n", n, (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
           sum);
    munmap((void *)m, len);
    close(fd);
    return 0;
}
