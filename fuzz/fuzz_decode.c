/* Fuzz target for the packet decoder and the ingest's source peek
 * (tt_decode_source_key). The first input byte picks a link type; the rest
 * is the frame, copied into an exactly-sized buffer so any over-read is
 * caught by ASan. Invariants of a decoded record abort. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int links[8] = {TT_LINK_NULL, TT_LINK_ETHERNET, TT_LINK_RAW,  TT_LINK_LOOP,
                                 TT_LINK_SLL,  TT_LINK_IPV4,     TT_LINK_IPV6, TT_LINK_SLL2};
    if (size < 1)
        return 0;
    size_t n = size - 1;
    uint8_t *frame = malloc(n ? n : 1);
    if (!frame)
        return 0;
    memcpy(frame, data + 1, n);
    struct tt_record r;
    uint32_t wire = (uint32_t)n + (data[0] >> 3) * 97u; /* sometimes longer on the wire */
    enum tt_decode_status st = tt_decode_frame(links[data[0] & 7], frame, (uint32_t)n, wire, 1, &r);
    if ((unsigned)st >= TT_DEC__COUNT)
        abort();
    if (st == TT_DEC_OK &&
        (r.payload_head_len > TT_PAYLOAD_HEAD || r.n_optkinds > TT_MAX_OPTKINDS ||
         (r.ipver != 4 && r.ipver != 6) || r.l4 > TT_L4_NONE))
        abort();
    /* a frame with no readable link header has no source to peek at */
    uint32_t key = tt_decode_source_key(links[data[0] & 7], frame, (uint32_t)n);
    if (key != 0 && (st == TT_DEC_UNKNOWN_LINK || st == TT_DEC_TRUNC_LINK || st == TT_DEC_NOT_IP))
        abort();
    free(frame);
    return 0;
}
