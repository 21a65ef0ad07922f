/* The ingest's split of a batch over workers (ingest_split): every packet
 * goes to exactly one worker, in batch order; a source's packets go to one
 * worker; a flooding source is spread so that no worker gets more than
 * half as much again as its share. */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "ingest/ingest_int.h"

static uint64_t rng = 0x510e527fade682d1ull;
static struct tt_batch batch;
static uint8_t frames[TT_BATCH_MAX][64];
static uint32_t idx[TT_BATCH_MAX], start[TT_INGEST_THREADS_MAX + 1];
static uint32_t source_of[TT_BATCH_MAX];

/* Ethernet + IPv4 (or IPv6 when v6) from src, or an ARP frame for src 0. */
static void put_frame(uint32_t i, uint32_t src, int v6)
{
    uint8_t *f = frames[i];
    memset(f, 0, sizeof frames[i]);
    f[12] = src == 0 ? 0x08 : v6 ? 0x86 : 0x08;
    f[13] = src == 0 ? 0x06 : v6 ? 0xdd : 0x00;
    if (v6) {
        f[14] = 0x60;
        f[14 + 8] = 0x20; /* 2001:db8::src */
        f[14 + 9] = 0x01;
        f[14 + 10] = 0x0d;
        f[14 + 11] = 0xb8;
        for (int k = 0; k < 4; k++)
            f[14 + 20 + k] = (uint8_t)(src >> (24 - 8 * k));
    } else {
        f[14] = 0x45;
        for (int k = 0; k < 4; k++)
            f[14 + 12 + k] = (uint8_t)(src >> (24 - 8 * k));
    }
    batch.pkts[i].data = f;
    batch.pkts[i].caplen = batch.pkts[i].wirelen = 64;
    source_of[i] = src | (v6 ? 0x80000000u : 0);
}

/* Each packet once, each worker's packets ascending; returns the largest
 * worker's count. */
static uint32_t check_partition(unsigned nw)
{
    static uint8_t seen[TT_BATCH_MAX];
    memset(seen, 0, sizeof seen);
    uint32_t most = 0, bad = 0;
    CHECK_EQ_U64(start[0], 0);
    CHECK_EQ_U64(start[nw], batch.n);
    for (unsigned w = 0; w < nw; w++) {
        CHECK(start[w] <= start[w + 1]);
        most = start[w + 1] - start[w] > most ? start[w + 1] - start[w] : most;
        for (uint32_t k = start[w]; k < start[w + 1]; k++) {
            bad += idx[k] >= batch.n || seen[idx[k]]++;
            bad += k > start[w] && idx[k] <= idx[k - 1];
        }
    }
    CHECK_EQ_U64(bad, 0);
    return most;
}

/* How many workers the packets of source src went to. */
static unsigned workers_of(uint32_t src, unsigned nw)
{
    unsigned n = 0;
    for (unsigned w = 0; w < nw; w++)
        for (uint32_t k = start[w]; k < start[w + 1]; k++)
            if (source_of[idx[k]] == src) {
                n++;
                break;
            }
    return n;
}

static void test_one_worker(void)
{
    batch.n = 100;
    for (uint32_t i = 0; i < batch.n; i++)
        put_frame(i, 0x0a000000u + i % 7, 0);
    ingest_split(&batch, 1, idx, start);
    CHECK_EQ_U64(check_partition(1), 100);
    CHECK_EQ_U64(idx[57], 57);
}

/* 800 sources (IPv4 and IPv6) and some ARP: each source's packets on one
 * worker, the workers near even. */
static void test_sources_stay_together(void)
{
    batch.n = TT_BATCH_MAX;
    batch.linktype = 1;
    for (uint32_t i = 0; i < batch.n; i++) {
        uint32_t s = tt_test_rand(&rng) % 800;
        put_frame(i, s < 10 ? 0 : 0xc6336400u + s * 7919u, s % 9 == 0);
    }
    for (unsigned nw = 2; nw <= 16; nw *= 2) {
        ingest_split(&batch, nw, idx, start);
        uint32_t most = check_partition(nw);
        CHECK(most <= batch.n / nw + batch.n / (2 * nw) + 1);
        unsigned split_sources = 0;
        for (uint32_t s = 10; s < 800; s++) {
            uint32_t src = (0xc6336400u + s * 7919u) | (s % 9 == 0 ? 0x80000000u : 0);
            split_sources += workers_of(src, nw) > 1;
        }
        CHECK_EQ_U64(split_sources, 0);
        CHECK_EQ_U64(workers_of(0, nw), 1); /* no source: key 0, one worker */
    }
}

/* One source sends 3/4 of the batch: it spills over to other workers and
 * no worker is over its cap. */
static void test_flood_spreads(void)
{
    batch.n = TT_BATCH_MAX;
    for (uint32_t i = 0; i < batch.n; i++)
        put_frame(i, i % 4 ? 0xcb007101u : 0x0a000000u + tt_test_rand(&rng) % 300, 0);
    unsigned nw = 4;
    ingest_split(&batch, nw, idx, start);
    uint32_t most = check_partition(nw);
    CHECK_EQ_U64(most, batch.n / nw + batch.n / (2 * nw) + 1);
    CHECK(workers_of(0xcb007101u, nw) >= 2);
    ingest_split(&batch, nw, idx, start); /* the batch alone decides */
    CHECK_EQ_U64(check_partition(nw), most);
}

TT_TESTS(test_one_worker, test_sources_stay_together, test_flood_spreads)
