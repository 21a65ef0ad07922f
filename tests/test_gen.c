/* Generator: deterministic output, an expected-counts file that adds up,
 * and counts that an independent parse of the capture (libpcap plus a few
 * lines here, not teiten's decoder) agrees with. */
#include <pcap/pcap.h>

#include "gen/gen.h"
#include "harness.h"

static void run(uint64_t seed, const char *tag, char pcap[512], char exp[512])
{
    struct tt_gen_opts o;
    tt_gen_defaults(&o);
    o.seed = seed;
    o.packets = 60000;
    o.days = 10;
    char sensors[512];
    snprintf(pcap, 512, "%s/%s.pcap", tt_test_tmpdir(), tag);
    snprintf(exp, 512, "%s/%s.txt", tt_test_tmpdir(), tag);
    snprintf(sensors, sizeof sensors, "%s/%s.conf", tt_test_tmpdir(), tag);
    o.pcap_path = pcap;
    o.expected_path = exp;
    o.sensors_path = sensors;
    struct tt_err err = {{0}};
    CHECK_EQ_U64(tt_gen_run(&o, &err), TT_OK);
}

static int same_file(const char *a, const char *b)
{
    FILE *x = fopen(a, "rb"), *y = fopen(b, "rb");
    int same = x && y;
    while (same) {
        int c = fgetc(x), d = fgetc(y);
        same = c == d;
        if (c == EOF || d == EOF)
            break;
    }
    if (x)
        fclose(x);
    if (y)
        fclose(y);
    return same;
}

/* Sum of the values of lines whose words before the number match prefix
 * and have `words` words in all. */
static uint64_t sum_lines(const char *path, const char *prefix, int words)
{
    FILE *f = fopen(path, "r");
    char line[256];
    uint64_t sum = 0;
    while (f && fgets(line, sizeof line, f)) {
        int n = 0;
        for (char *p = line; *p; p++)
            n += (p == line || p[-1] == ' ') && *p != ' ' && *p != '\n';
        if (n == words && strncmp(line, prefix, strlen(prefix)) == 0)
            sum += strtoull(strrchr(line, ' ') + 1, NULL, 10);
    }
    if (f)
        fclose(f);
    return sum;
}

static void test_deterministic(void)
{
    char p1[512], e1[512], p2[512], e2[512], p3[512], e3[512];
    run(5, "a", p1, e1);
    run(5, "b", p2, e2);
    run(6, "c", p3, e3);
    CHECK(same_file(p1, p2));
    CHECK(same_file(e1, e2));
    CHECK(!same_file(p1, p3));
}

static void test_consistent(void)
{
    char p[512], e[512];
    run(9, "d", p, e);
    uint64_t stored = sum_lines(e, "stored ", 2), frames = sum_lines(e, "frames ", 2);
    CHECK(stored > 50000);
    uint64_t day_packets = 0, sensor_packets = sum_lines(e, "sensor ", 4),
             proto = sum_lines(e, "proto ", 4);
    FILE *f = fopen(e, "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "day ", 4) == 0 && strstr(line, " packets "))
            day_packets += strtoull(strrchr(line, ' ') + 1, NULL, 10);
    if (f)
        fclose(f);
    CHECK_EQ_U64(day_packets, stored);
    CHECK_EQ_U64(sensor_packets, stored);
    CHECK_EQ_U64(proto, stored);
    CHECK_EQ_U64(frames, stored + sum_lines(e, "unattributed ", 2) + sum_lines(e, "not_ip ", 2) +
                             sum_lines(e, "malformed ", 3));
    /* the outage sensor has no packets on its outage days */
    CHECK_EQ_U64(sum_lines(e, "sensor osaka-1 day 2021-07-06 packets", 6) +
                     sum_lines(e, "sensor osaka-1 day 2021-07-07 packets", 6),
                 0);
    CHECK(sum_lines(e, "sensor osaka-1 day 2021-07-05 packets", 6) > 0);
    /* an independent recount with libpcap: frames, and stored IPv4 TCP to port 23 */
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(p, eb);
    CHECK(pc != NULL);
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t n = 0, telnet = 0;
    while (pc && pcap_next_ex(pc, &h, &d) == 1) {
        n++;
        if (h->caplen < 54 || d[12] != 0x08 || d[13] != 0 || d[14] != 0x45 || d[23] != 6)
            continue;
        const u_char *ip = d + 14, *t = ip + 20;
        unsigned tot = (unsigned)(ip[2] << 8 | ip[3]);
        uint32_t dst =
            (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 | (uint32_t)ip[18] << 8 | ip[19];
        if (tot != h->caplen - 14 || (ip[6] & 0x1f) || ip[7] || (t[12] >> 4) < 5)
            continue;
        if ((dst >> 13) == (0xC6120000u >> 13) && (t[2] << 8 | t[3]) == 23)
            telnet++;
    }
    if (pc)
        pcap_close(pc);
    CHECK_EQ_U64(n, frames);
    CHECK_EQ_U64(telnet, sum_lines(e, "port tcp 23 packets", 5));
}

TT_TESTS(test_deterministic, test_consistent)
