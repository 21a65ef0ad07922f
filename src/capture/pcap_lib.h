/* The libpcap functions the capture reader calls, loaded on first use
 * (dlopen) instead of at every start: no query needs libpcap, and loading
 * it with the D-Bus and systemd libraries Debian builds it against took
 * 3.5-4.4 ms of each command's start on the shared VMs (a C program
 * linked with teiten's libraries, median of 21 starts: 15.6 ms, without
 * libpcap 12.2 ms), where the summary queries have 50 ms in all. */
#ifndef TT_PCAP_LIB_H
#define TT_PCAP_LIB_H

#include <pcap/pcap.h>
#include <stdio.h>

#include "common/err.h"

#define RD_PCAP_SONAME "libpcap.so.0.8" /* Debian's libpcap0.8, which libpcap-dev pulls in */

struct rd_pcap_lib {
    pcap_t *(*fopen_offline_with_tstamp_precision)(FILE *fp, u_int precision, char *errbuf);
    int (*next_ex)(pcap_t *p, struct pcap_pkthdr **h, const u_char **data);
    int (*datalink)(pcap_t *p);
    char *(*geterr)(pcap_t *p);
    void (*close)(pcap_t *p);
};

/* The library ($TEITEN_LIBPCAP, else RD_PCAP_SONAME), loaded once for the
 * process (thread-safe); NULL when it cannot be, with err naming the
 * input that needed it and the reason ("x.pcapng: cannot load libpcap:
 * ..."). */
const struct rd_pcap_lib *rd_pcap_lib(const char *input, struct tt_err *err);

#endif
