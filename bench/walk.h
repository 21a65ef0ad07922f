/* The record step both bare walks share (mmap_walk.c, read_walk.c). */
#ifndef TT_BENCH_WALK_H
#define TT_BENCH_WALK_H

#include <stdint.h>
#include <string.h>

/* The little-endian classic pcap record at buf[*off] (have bytes in buf):
 * 0 when it is not whole there; else adds its first IPv4 header byte to
 * *sum (Ethernet) and moves *off past it. */
static inline int walk_record(const uint8_t *buf, size_t have, size_t *off, unsigned long long *sum)
{
    if (have - *off < 16)
        return 0;
    uint32_t cap;
    memcpy(&cap, buf + *off + 8, 4);
    if (cap > have - *off - 16)
        return 0;
    if (cap > 14)
        *sum += buf[*off + 16 + 14];
    *off += 16 + cap;
    return 1;
}

#endif
