/* IPv4 country lookups: teiten's compiled table against libmaxminddb on
 * the same MaxMind DB. Builds the table with tt_ipdb_from_mmdb, finalises
 * and writes it to a temporary file, opens it, then times N lookups of the
 * same pseudo-random addresses both ways (libmaxminddb's answer is
 * MMDB_lookup_sockaddr plus reading country_code), checks that the answers
 * agree, and prints "teiten_lookups_per_s mmdb_lookups_per_s ratio".
 *
 * Build (after `make`) and run:
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Isrc $(pkg-config --cflags libmaxminddb) \
 *      bench/lookup_bench.c build/libteiten.a -o build/bench/lookup_bench \
 *      -lmaxminddb -lxxhash -lpthread -lm
 *   build/bench/lookup_bench ../shared/data/geo/geo-whois-asn-country-ipv4.mmdb [N]
 */
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "enrich/ipdb.h"

#define N_DEFAULT 10000000u

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint32_t mmdb_cc(const MMDB_s *mm, uint32_t a)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    sin.sin_addr.s_addr = htonl(a);
    int merr = 0;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(mm, (const struct sockaddr *)&sin, &merr);
    MMDB_entry_data_s d;
    if (merr != MMDB_SUCCESS || !r.found_entry ||
        MMDB_get_value(&r.entry, &d, "country_code", NULL) != MMDB_SUCCESS || !d.has_data ||
        d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size != 2)
        return 0;
    return TT_CC(d.utf8_string[0], d.utf8_string[1]);
}

static int build(const char *mmdb, const char *out, struct tt_ipdb **db)
{
    struct tt_range_set s = {0};
    struct tt_ipdb_meta m = {.kind = TT_IPDB_COUNTRY};
    struct tt_err err = {{0}};
    int rc = tt_ipdb_from_mmdb(mmdb, TT_IPDB_COUNTRY, &s, &err);
    if (rc == 0)
        rc = tt_range_finalize(&s, NULL, NULL, NULL, &err);
    if (rc == 0)
        rc = tt_ipdb_write(out, &s, &m, &err);
    if (rc == 0)
        rc = tt_ipdb_open(out, db, &err);
    if (rc)
        fprintf(stderr, "lookup_bench: %s\n", err.msg);
    tt_range_set_free(&s);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: lookup_bench FILE.mmdb [N]\n");
        return 2;
    }
    unsigned long n = argc == 3 ? strtoul(argv[2], NULL, 10) : N_DEFAULT;
    char tmp[] = "/tmp/lookup_bench-XXXXXX";
    int fd = mkstemp(tmp);
    struct tt_ipdb *db = NULL;
    MMDB_s mm;
    uint32_t *addr = malloc((n ? n : 1) * sizeof *addr);
    uint32_t *want = malloc((n ? n : 1) * sizeof *want);
    if (fd < 0 || !addr || !want || n == 0 || build(argv[1], tmp, &db) != 0 ||
        MMDB_open(argv[1], MMDB_MODE_MMAP, &mm) != MMDB_SUCCESS) {
        fprintf(stderr, "lookup_bench: setup failed\n");
        return 1;
    }
    close(fd);
    unlink(tmp); /* the mapping stays valid */
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (unsigned long i = 0; i < n; i++) { /* xorshift64* */
        x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
        addr[i] = (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
    }
    double t0 = now();
    for (unsigned long i = 0; i < n; i++)
        want[i] = mmdb_cc(&mm, addr[i]);
    double t1 = now();
    unsigned long differ = 0, sum = 0;
    for (unsigned long i = 0; i < n; i++) {
        uint32_t v = tt_ipdb_lookup4(db, addr[i]);
        sum += v;
        differ += v != want[i];
    }
    double t2 = now();
    double mm_rate = (double)n / (t1 - t0), tt_rate = (double)n / (t2 - t1);
    fprintf(stderr, "lookups %lu, differ %lu, checksum %lu\n", n, differ, sum);
    printf("%.0f %.0f %.2f\n", tt_rate, mm_rate, tt_rate / mm_rate);
    tt_ipdb_close(db);
    MMDB_close(&mm);
    free(addr);
    free(want);
    return differ ? 1 : 0;
}
