/* Baseline: a bare libpcap pcap_next_ex loop reading each packet's first
 * IPv4 header byte (after a 14-byte Ethernet header). Prints "packets seconds". */
#include <pcap/pcap.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
    char eb[PCAP_ERRBUF_SIZE];
    if (argc != 2)
        return 2;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pcap_t *p = pcap_open_offline(argv[1], eb);
    if (!p) {
        fprintf(stderr, "%s\n", eb);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    unsigned long long n = 0, sum = 0;
    while (pcap_next_ex(p, &h, &d) == 1) {
        n++;
        if (h->caplen > 14)
            sum += d[14];
    }
    pcap_close(p);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%llu %.6f %llu\n", n, (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
           sum);
    return 0;
}
