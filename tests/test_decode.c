/* Decoder: hand-built frames of every link type and protocol, every
 * malformed reason, every prefix of every frame placed before a no-access
 * page, and the real captures under shared/data. Expected values come from
 * how each frame was built. TT_DECODE_CORPUS=DIR also writes each frame as
 * a fuzz seed (link-type selector byte + frame). */
#include <pcap/pcap.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decode/decode.h"
#include "harness.h"

struct frame {
    uint8_t b[256];
    unsigned len;
};

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

/* Ethernet (+ tags) + IPv4 header; returns offset of the IP header. */
static unsigned eth_ipv4(struct frame *f, unsigned tags, uint8_t proto, unsigned ihl,
                         unsigned l4len)
{
    memset(f, 0, sizeof *f);
    unsigned o = 12;
    for (unsigned t = 0; t < tags; t++, o += 4)
        put16(f->b + o, t ? 0x8100 : 0x88A8);
    put16(f->b + o, 0x0800);
    uint8_t *ip = f->b + o + 2;
    ip[0] = (uint8_t)(0x40 | ihl);
    put16(ip + 2, ihl * 4 + l4len);
    put16(ip + 4, 0x1234);
    ip[8] = 51;
    ip[9] = proto;
    put32(ip + 12, 0xC0000201); /* 192.0.2.1 */
    put32(ip + 16, 0xC6336402); /* 198.51.100.2 */
    f->len = o + 2 + ihl * 4 + l4len;
    return o + 2;
}

static void tcp_syn(uint8_t *t, unsigned optlen)
{
    put16(t, 40000);
    put16(t + 2, 23);
    put32(t + 4, 0xC6336402);
    t[12] = (uint8_t)(((20 + optlen) / 4) << 4);
    t[13] = 0x02;
    put16(t + 14, 14600);
}

static const char *corpus_dir(void)
{
    const char *d = getenv("TT_DECODE_CORPUS");
    return d && *d ? d : NULL;
}

static void seed(int link_index, const struct frame *f, const char *name)
{
    const char *dir = corpus_dir();
    if (!dir)
        return;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *o = fopen(path, "wb");
    if (!o)
        return;
    uint8_t sel = (uint8_t)link_index;
    fwrite(&sel, 1, 1, o);
    fwrite(f->b, 1, f->len, o);
    fclose(o);
}

/* Decodes every prefix of the frame from just before a PROT_NONE page. */
static unsigned guard_page_prefixes(int link, const struct frame *f)
{
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *m =
        mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 0;
    mprotect(m + page, (size_t)page, PROT_NONE);
    unsigned ok = 0;
    for (unsigned n = 0; n <= f->len; n++) {
        uint8_t *p = m + page - n;
        memcpy(p, f->b, n);
        struct tt_record r;
        enum tt_decode_status st = tt_decode_frame(link, p, n, f->len, 0, &r);
        ok += (unsigned)st < TT_DEC__COUNT;
    }
    munmap(m, (size_t)page * 2);
    return ok;
}

static enum tt_decode_status dec(int link, const struct frame *f, struct tt_record *r)
{
    CHECK_EQ_U64(guard_page_prefixes(link, f), f->len + 1);
    return tt_decode_frame(link, f->b, f->len, f->len, 42, r);
}

static void test_ethernet_tcp(void)
{
    struct frame f;
    unsigned ip = eth_ipv4(&f, 2, 6, 5, 40); /* QinQ, TCP with 20 option bytes */
    tcp_syn(f.b + ip + 20, 20);
    static const uint8_t opts[20] = {2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0,
                                     0, 1, 0, 0,    0, 0, 1, 3,  3, 7};
    memcpy(f.b + ip + 40, opts, 20);
    seed(1, &f, "eth_qinq_tcp_opts");
    struct tt_record r;
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_OK);
    CHECK_EQ_U64(r.src4, 0xC0000201);
    CHECK_EQ_U64(r.dst4, 0xC6336402);
    CHECK_EQ_U64(r.seq, r.dst4);
    CHECK_EQ_U64(r.dport, 23);
    CHECK_EQ_U64(r.tcp_flags, TT_TCP_SYN);
    CHECK_EQ_U64(r.win, 14600);
    CHECK_EQ_U64(r.ttl, 51);
    CHECK_EQ_U64(r.ip_id, 0x1234);
    CHECK_EQ_U64(r.ip_len, 60);
    CHECK_EQ_U64(r.tcp_optlen, 20);
    CHECK_EQ_U64(r.n_optkinds, 5);
    CHECK(memcmp(r.optkinds, (uint8_t[]){2, 4, 8, 1, 3}, 5) == 0);
    CHECK_EQ_U64(r.payload_len, 0);
}

static void test_udp_payload_and_links(void)
{
    struct frame f;
    unsigned ip = eth_ipv4(&f, 0, 17, 6, 8 + 12); /* one option word */
    uint8_t *u = f.b + ip + 24;
    put16(u, 5353);
    put16(u + 2, 53);
    put16(u + 4, 20);
    memcpy(u + 8, "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
    seed(1, &f, "eth_udp_dns");
    struct tt_record r;
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_OK);
    CHECK_EQ_U64(r.ip_hlen, 24);
    CHECK_EQ_U64(r.dport, 53);
    CHECK_EQ_U64(r.payload_len, 12);
    CHECK_EQ_U64(r.payload_head_len, 12);
    CHECK_EQ_U64(r.payload[0], 0x12);
    /* the same IP packet under the other link types */
    struct frame g;
    static const struct {
        int link, idx;
        unsigned hdr;
        uint8_t h[20];
    } links[] = {{TT_LINK_SLL, 4, 16, {0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0}},
                 {TT_LINK_SLL2, 7, 20, {0x08, 0}},
                 {TT_LINK_NULL, 0, 4, {2, 0, 0, 0}},
                 {TT_LINK_LOOP, 3, 4, {0, 0, 0, 2}},
                 {TT_LINK_RAW, 2, 0, {0}},
                 {TT_LINK_IPV4, 5, 0, {0}}};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        memset(&g, 0, sizeof g);
        memcpy(g.b, links[i].h, links[i].hdr);
        memcpy(g.b + links[i].hdr, f.b + ip, f.len - ip);
        g.len = links[i].hdr + f.len - ip;
        char name[32];
        snprintf(name, sizeof name, "link_%d_udp", links[i].link);
        seed(links[i].idx, &g, name);
        CHECK_EQ_U64(dec(links[i].link, &g, &r), TT_DEC_OK);
        CHECK_EQ_U64(r.dport, 53);
    }
    CHECK_EQ_U64(tt_decode_frame(147, g.b, g.len, g.len, 0, &r), TT_DEC_UNKNOWN_LINK);
}

static void test_icmp_error_and_fragments(void)
{
    struct frame f;
    unsigned ip = eth_ipv4(&f, 1, 1, 5, 8 + 28);
    uint8_t *ic = f.b + ip + 20;
    ic[0] = 3;
    ic[1] = 3;
    uint8_t *q = ic + 8; /* quoted IPv4 + UDP */
    q[0] = 0x45;
    q[9] = 17;
    put32(q + 12, 0xC6336402);
    put32(q + 16, 0xCB007105);
    put16(q + 20, 33000);
    put16(q + 22, 53);
    seed(1, &f, "eth_icmp_unreach");
    struct tt_record r;
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_OK);
    CHECK(r.sport == 3 && r.dport == 3);
    CHECK_EQ_U64(r.inner_proto, 17);
    CHECK_EQ_U64(r.inner_dst4, 0xCB007105);
    CHECK_EQ_U64(r.inner_dport, 53);
    /* non-first fragment: no transport header */
    ip = eth_ipv4(&f, 0, 6, 5, 100);
    put16(f.b + ip + 6, 185);
    seed(1, &f, "eth_fragment");
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_OK);
    CHECK_EQ_U64(r.l4, TT_L4_FRAGMENT);
    CHECK_EQ_U64(r.payload_len, 100);
    CHECK_EQ_U64(r.frag, 185);
    /* first fragment of a UDP datagram longer than this packet */
    ip = eth_ipv4(&f, 0, 17, 5, 100);
    put16(f.b + ip + 6, 0x2000);
    put16(f.b + ip + 20 + 4, 1000);
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_OK);
    CHECK_EQ_U64(r.payload_len, 992);
    /* other protocol */
    eth_ipv4(&f, 0, 47, 5, 8);
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_OK);
    CHECK(r.l4 == TT_L4_NONE && r.proto == 47 && r.payload_len == 8);
}

static void test_ipv6(void)
{
    struct frame f;
    memset(&f, 0, sizeof f);
    put16(f.b + 12, 0x86DD);
    uint8_t *ip = f.b + 14;
    ip[0] = 0x60;
    put16(ip + 4, 8 + 8 + 8); /* hop-by-hop, fragment header, ICMPv6 echo */
    ip[6] = 0;
    ip[7] = 60;
    ip[8] = 0x20;
    ip[39] = 1;
    uint8_t *hbh = ip + 40;
    hbh[0] = 44; /* next: fragment */
    uint8_t *fr = hbh + 8;
    fr[0] = 58;
    put32(fr + 4, 0xabcd1234);
    uint8_t *ic = fr + 8;
    ic[0] = 128;
    f.len = 14 + 40 + 24;
    seed(1, &f, "eth_v6_ext_icmp6");
    struct tt_record r;
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_OK);
    CHECK_EQ_U64(r.ipver, 6);
    CHECK_EQ_U64(r.proto, 58);
    CHECK_EQ_U64(r.sport, 128);
    CHECK_EQ_U64(r.ip_hlen, 56);
    CHECK_EQ_U64(r.ip_len, 64);
    CHECK_EQ_U64(r.ip_id, 0x1234);
    CHECK(r.frag & TT_FRAG_V6HDR);
    CHECK_EQ_U64(r.src6[0], 0x20);
    /* an extension header longer than the payload */
    hbh[1] = 4;
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_BAD_IPV6_EXT);
}

/* Each malformed reason from one frame built to have exactly it. */
static void test_malformed(void)
{
    struct frame f;
    struct tt_record r;
    unsigned ip;
    ip = eth_ipv4(&f, 0, 6, 5, 20);
    f.b[ip] = 0x44;
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_BAD_IHL);
    ip = eth_ipv4(&f, 0, 6, 5, 20);
    f.b[ip] = 0x55;
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_BAD_VERSION);
    ip = eth_ipv4(&f, 0, 6, 5, 20);
    put16(f.b + ip + 2, 1000);
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_BAD_TOTLEN);
    ip = eth_ipv4(&f, 0, 6, 5, 20);
    tcp_syn(f.b + ip + 20, 0);
    f.b[ip + 20 + 12] = 0x30;
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_BAD_TCP_DOFF);
    ip = eth_ipv4(&f, 0, 17, 5, 8);
    put16(f.b + ip + 24, 4);
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_BAD_UDP_LEN);
    ip = eth_ipv4(&f, 0, 6, 5, 20);
    f.len = ip + 10;
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_TRUNC_IP);
    ip = eth_ipv4(&f, 0, 6, 8, 20); /* options cut off */
    f.len = ip + 24;
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_TRUNC_IP_OPTS);
    ip = eth_ipv4(&f, 0, 6, 5, 20); /* snap length cut inside the TCP header */
    f.len = ip + 30;
    CHECK_EQ_U64(tt_decode_frame(TT_LINK_ETHERNET, f.b, f.len, ip + 40, 0, &r), TT_DEC_TRUNC_TCP);
    ip = eth_ipv4(&f, 0, 1, 5, 4);
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_TRUNC_ICMP);
    ip = eth_ipv4(&f, 0, 6, 5, 20);
    put16(f.b + ip + 6, 0x1fff);
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_BAD_FRAG);
    f.len = 13;
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_TRUNC_LINK);
    put16(f.b + 12, 0x0806);
    f.len = 60;
    CHECK_EQ_U64(dec(TT_LINK_ETHERNET, &f, &r), TT_DEC_NOT_IP);
    CHECK_EQ_STR(tt_decode_reason_name(TT_DEC_BAD_TCP_DOFF), "bad-tcp-data-offset");
    CHECK_EQ_STR(tt_decode_reason_name((enum tt_decode_status)99), "unknown");
}

/* The real captures: every frame decodes to some status, and most are IP. */
static void test_shared_captures(void)
{
    static const char *const files[] = {"pcap/esnet/tcp_0_1000_20190821.pcap"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512], eb[PCAP_ERRBUF_SIZE];
        snprintf(path, sizeof path, "%s/%s", tt_test_shared(), files[i]);
        pcap_t *p = pcap_open_offline(path, eb);
        CHECK(p != NULL);
        if (!p)
            continue;
        struct pcap_pkthdr *h;
        const u_char *d;
        uint64_t n = 0, ok = 0, syn = 0;
        while (pcap_next_ex(p, &h, &d) == 1) {
            struct tt_record r;
            enum tt_decode_status st =
                tt_decode_frame(pcap_datalink(p), d, h->caplen, h->len, 0, &r);
            n++;
            ok += st == TT_DEC_OK;
            syn += st == TT_DEC_OK && r.proto == 6 && r.tcp_flags == TT_TCP_SYN;
        }
        pcap_close(p);
        CHECK(n > 0);
        CHECK_EQ_U64(ok, n); /* detection.md: 1001 masscan SYNs behind VLAN tags */
        CHECK_EQ_U64(syn, 1001);
    }
}

TT_TESTS(test_ethernet_tcp, test_udp_payload_and_links, test_icmp_error_and_fragments, test_ipv6,
         test_malformed, test_shared_captures)
