/* Capture file readers. Classic pcap files are read in chunks into the
 * batch buffer and walked there, bounds-checked, without libpcap; pcapng,
 * stdin and compressed files (.gz, .zst) go through libpcap. Both hand out
 * packets in batches so the ingest workers never care which reader
 * produced them. */
#ifndef TT_READER_H
#define TT_READER_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define TT_BATCH_MAX 4096       /* packets per batch */
#define TT_BATCH_BUF (4u << 20) /* bytes of copied packet data per batch */

struct tt_pkt {
    uint64_t ts_us;
    uint64_t offset;     /* byte offset of the record header in the (decompressed) input */
    const uint8_t *data; /* caplen readable bytes, in the batch buffer */
    uint32_t caplen, wirelen;
};

/* Filled by tt_reader_fill. The buffer is owned by the batch (allocate with
 * tt_batch_new) and used only by readers that must copy packet bytes. */
struct tt_batch {
    uint32_t n;
    int linktype;
    struct tt_pkt pkts[TT_BATCH_MAX];
    uint8_t *buf;
    size_t buf_used, buf_cap;
};

struct tt_batch *tt_batch_new(void);
void tt_batch_free(struct tt_batch *b);

struct tt_reader;

/* Opens path ("-" = stdin). Recognises classic pcap (both byte orders, µs and
 * ns), pcapng, and gzip/zstd-compressed forms of both by their magic bytes.
 * Errors name the file: "x.pcap: not a pcap or pcapng file (magic 0x...)". */
int tt_reader_open(const char *path, struct tt_reader **out, struct tt_err *err);
void tt_reader_close(struct tt_reader *r);

/* Link type of the packets (pcap LINKTYPE_*). For pcapng with several
 * interfaces of different link types, each batch's linktype is set per batch
 * (a batch never mixes link types). */
int tt_reader_linktype(const struct tt_reader *r);

/* Fills b with up to TT_BATCH_MAX packets. Returns the number of packets (>0),
 * 0 at a clean end of file, or a negative TT_E* code when the file is damaged;
 * then err names the file and byte offset ("x.pcap: offset 1234: packet
 * length 70000 beyond snap length 65535"), and the packets already returned
 * (including those in b, b->n may be > 0 on error) are good. Packet data stays
 * valid until the next call with the same batch or tt_reader_close. */
int tt_reader_fill(struct tt_reader *r, struct tt_batch *b, struct tt_err *err);

/* Size of the input in bytes if known (for progress/ETA), else 0, and the
 * offset reached so far. */
uint64_t tt_reader_size(const struct tt_reader *r);
uint64_t tt_reader_pos(const struct tt_reader *r);

/* A 128-bit content hash of the whole input (XXH3-128), the identity used to
 * skip a file ingested before. For a regular file it is computed on the
 * first call (over the whole file if nothing was read yet); for other
 * input it is known only after the last packet was read (returns TT_EINVAL
 * before that). */
int tt_reader_content_hash(struct tt_reader *r, uint8_t out[16]);
/* Hashes a regular file as its packets are read instead of in one
 * pass first, so that a file new to the store is read once (a file larger
 * than the page cache, twice from disk otherwise). tt_reader_content_hash
 * then hashes what reading left and returns the same hash. 1 when set,
 * 0 when the reader cannot (other kinds, or the hash is known), TT_ENOMEM. */
int tt_reader_hash_while_reading(struct tt_reader *r);

#endif
