/* teiten gen: a deterministic darknet capture with its truth. The traffic
 * model is in docs/generator.md; every frame's fate (stored, unattributed,
 * not IP, malformed by reason) is decided here and written to the ledger. */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "gen/gen_frames.h"
#include "gen/gen_int.h"

#define FRAME_MAX (14 + 60 + 60 + GEN_PAYLOAD_MAX)
#define US_DAY 86400000000ull

static const char *const SENSOR_NAMES[8] = {"tokyo-1",    "osaka-1",    "fukuoka-1",  "sapporo-1",
                                            "cloud-us-1", "cloud-eu-1", "cloud-sg-1", "nagoya-1"};
static const char SENSOR_CC[8][3] = {"JP", "JP", "JP", "JP", "US", "DE", "SG", "JP"};
static const uint16_t COMMON_PORTS[] = {
    22,   80,   443,   8080, 3389, 445, 1433, 3306, 6379, 8728, 5900, 25,  21,  110,  143, 8443,
    8888, 9200, 27017, 5432, 2375, 81,  7547, 9000, 5555, 8081, 111,  135, 139, 1723, 993, 995};
#define NCOMMON (sizeof COMMON_PORTS / sizeof COMMON_PORTS[0])

void gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) { /* splitmix64 */
        uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        r->s[i] = z ^ (z >> 31);
    }
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t gen_rng_next(struct gen_rng *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

void tt_gen_defaults(struct tt_gen_opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->packets = 1000000;
    o->days = 92;
    o->start_day = 18809; /* 2021-07-01 */
    o->sensors = 8;
}

struct gen {
    const struct tt_gen_opts *o;
    struct gen_rng rng;
    struct tt_sensors *sensors;
    struct gen_host *hosts;
    size_t nhosts;
    double *cum; /* cumulative weights of the day's active hosts */
    uint32_t *active;
    size_t nactive;
    struct gen_ledger *ledger;
    uint8_t *buf; /* the day's frames */
    size_t buflen, bufcap;
    struct gen_frame *frames;
    size_t nframes, capframes;
    uint32_t outage_sensor, outage_first, day;
    int outage;
};

static void make_sensors(struct gen *g)
{
    struct tt_sensors *s = g->sensors;
    s->n = g->o->sensors;
    for (uint32_t i = 0; i < s->n; i++) {
        struct tt_sensor *x = &s->s[i];
        x->id = (uint16_t)(i + 1);
        tt_strlcpy(x->name, SENSOR_NAMES[i], sizeof x->name);
        memcpy(x->country, SENSOR_CC[i], 3);
        tt_strlcpy(x->region, i < 4 || i == 7 ? "Japan" : "overseas", sizeof x->region);
        tt_strlcpy(x->network, i >= 4 && i < 7 ? "cloud provider" : "research network",
                   sizeof x->network);
        x->domestic = SENSOR_CC[i][0] == 'J';
        x->addresses = 1024;
        x->n_prefixes = 2;
        x->prefixes[0] =
            (struct tt_prefix){.ipver = 4, .len = 22, .v4 = 0xC6120000u + (i * 4u << 8)};
        x->prefixes[1] = (struct tt_prefix){
            .ipver = 6, .len = 48, .v6 = {0x20, 0x01, 0x0d, 0xb8, 0, (uint8_t)(i + 1)}};
    }
}

static uint32_t public_addr(struct gen_rng *r)
{
    for (;;) {
        uint32_t a = (uint32_t)gen_rng_next(r);
        uint8_t o = (uint8_t)(a >> 24);
        if (o != 0 && o != 10 && o != 127 && o < 224 && (a >> 17) != (0xC612u >> 1) &&
            (a >> 16) != 0xC0A8 && (a >> 20) != 0xAC1)
            return a;
    }
}

/* Tool mix by host count; packet shares follow from the weights below. */
static uint8_t pick_tool(struct gen_rng *r)
{
    static const uint8_t table[100] = {[0 ... 49] = TOOL_MIRAI, [50 ... 59] = TOOL_MASSCAN,
                                       [60 ... 66] = TOOL_ZMAP, [67 ... 78] = TOOL_STACK,
                                       [79 ... 86] = TOOL_UDP,  [87 ... 94] = TOOL_BACKSCATTER,
                                       [95 ... 98] = TOOL_PING, [99] = TOOL_V6};
    return table[gen_below(r, 100)];
}

static int make_hosts(struct gen *g)
{
    uint64_t n = g->o->packets / 25 + 200;
    g->nhosts = n > 4000000 ? 4000000 : n;
    g->hosts = calloc(g->nhosts, sizeof *g->hosts);
    g->cum = calloc(g->nhosts, sizeof *g->cum);
    g->active = calloc(g->nhosts, sizeof *g->active);
    if (!g->hosts || !g->cum || !g->active)
        return TT_ENOMEM;
    uint32_t days = g->o->days;
    for (size_t i = 0; i < g->nhosts; i++) {
        struct gen_host *h = &g->hosts[i];
        h->tool = i < 3 ? TOOL_SURVEY : pick_tool(&g->rng);
        h->addr = public_addr(&g->rng);
        h->sport = (uint16_t)(1024 + gen_below(&g->rng, 64000));
        h->win = (uint16_t)gen_rng_next(&g->rng);
        h->ipid = (uint16_t)gen_rng_next(&g->rng);
        static const uint8_t initial_ttl[] = {64, 128, 255};
        uint8_t init = h->tool == TOOL_MASSCAN || h->tool == TOOL_ZMAP ? 255
                       : h->tool == TOOL_MIRAI                         ? 64
                                               : initial_ttl[gen_below(&g->rng, 3)];
        h->ttl = (uint8_t)(init - 5 - gen_below(&g->rng, 20));
        h->port = COMMON_PORTS[gen_below(&g->rng, NCOMMON)];
        uint32_t len = 1 + gen_below(&g->rng, days < 30 ? days : 30);
        h->first_day = gen_below(&g->rng, days);
        h->last_day = h->first_day + len > days ? days - 1 : h->first_day + len - 1;
        if (h->tool == TOOL_SURVEY) {
            h->first_day = 0;
            h->last_day = days - 1;
        }
    }
    return TT_OK;
}

/* Heavy-tailed activity: most hosts send little, a few send a lot. */
static double host_weight(const struct gen_host *h, size_t i)
{
    if (h->tool == TOOL_SURVEY)
        return -1; /* fixed share, see day_hosts */
    uint64_t x = (i * 0x9e3779b97f4a7c15ull) >> 40;
    double u = (double)(x + 1) / (double)(1ull << 24);
    double w = 1.0 / (u * u * u);
    return w > 2000 ? 2000 : w;
}

static void day_hosts(struct gen *g)
{
    double total = 0, survey_total = 0;
    g->nactive = 0;
    for (size_t i = 0; i < g->nhosts; i++) {
        const struct gen_host *h = &g->hosts[i];
        if (g->day < h->first_day || g->day > h->last_day || h->tool == TOOL_SURVEY)
            continue;
        total += host_weight(h, i);
        g->cum[g->nactive] = total;
        g->active[g->nactive++] = (uint32_t)i;
    }
    survey_total = total * 0.06 / 0.94; /* three survey scanners: 6% of packets */
    for (size_t i = 0; i < 3 && i < g->nhosts; i++) {
        total += survey_total / 3;
        g->cum[g->nactive] = total;
        g->active[g->nactive++] = (uint32_t)i;
    }
}

static struct gen_host *pick_host(struct gen *g)
{
    double x = (double)(gen_rng_next(&g->rng) >> 11) / 9007199254740992.0 * g->cum[g->nactive - 1];
    size_t lo = 0, hi = g->nactive - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g->cum[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return &g->hosts[g->active[lo]];
}

static const uint8_t DNS_QUERY[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0,   0,   0,   0,   0,
                                    0,    3,    'w',  'w',  'w',  7,    'e', 'x', 'a', 'm', 'p',
                                    'l',  'e',  3,    'c',  'o',  'm',  0,   0,   1,   0,   1};
static const uint8_t NTP_MONLIST[] = {0x17, 0x00, 0x03, 0x2a, 0, 0, 0, 0};
static const uint8_t SSDP[] = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "
                              "\"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n";
static const uint8_t SIP[] =
    "OPTIONS sip:100@198.18.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060\r\n\r\n";
static const uint8_t MEMCACHED[] = {0, 1, 0, 0, 0, 1, 0, 0, 's', 't', 'a', 't', 's', '\r', '\n'};
static uint8_t ZEROS[GEN_PAYLOAD_MAX];

static uint8_t *frame_slot(struct gen *g, uint64_t ts)
{
    if (tt_grow(&g->frames, &g->capframes, g->nframes, sizeof *g->frames, 65536))
        return NULL;
    if (g->buflen + FRAME_MAX > g->bufcap) {
        size_t cap = g->bufcap ? g->bufcap * 2 : (size_t)8 << 20;
        uint8_t *n = realloc(g->buf, cap);
        if (!n)
            return NULL;
        g->buf = n;
        g->bufcap = cap;
    }
    g->frames[g->nframes].ts_us = ts;
    g->frames[g->nframes].off = (uint32_t)g->buflen;
    return g->buf + g->buflen;
}

static void commit_frame(struct gen *g, unsigned len)
{
    g->frames[g->nframes++].len = (uint16_t)len;
    g->buflen += len;
}

static void udp_probe(struct gen *g, struct gen_pkt *k)
{
    static const struct {
        uint16_t port;
        const uint8_t *p;
        uint16_t len;
    } probes[] = {{53, DNS_QUERY, sizeof DNS_QUERY},    {123, NTP_MONLIST, sizeof NTP_MONLIST},
                  {1900, SSDP, sizeof SSDP - 1},        {5060, SIP, sizeof SIP - 1},
                  {11211, MEMCACHED, sizeof MEMCACHED}, {161, ZEROS, 40}};
    unsigned i = gen_below(&g->rng, 6);
    k->proto = 17;
    k->dport = probes[i].port;
    k->payload = probes[i].p;
    k->payload_len = probes[i].len;
}

static void backscatter(struct gen *g, const struct gen_host *h, struct gen_pkt *k)
{
    static const uint16_t services[] = {80, 443, 22, 25, 53, 8080};
    unsigned r = gen_below(&g->rng, 100);
    if (r < 15) { /* ICMP port unreachable quoting the spoofed probe */
        k->proto = 1;
        k->sport = 3;
        k->dport = 3;
        k->inner_len = 28;
        k->inner_src4 = k->dst4;
        k->inner_dst4 = h->addr;
        k->inner_sport = (uint16_t)gen_rng_next(&g->rng);
        k->inner_dport = 53;
        return;
    }
    k->proto = 6;
    k->sport = services[h->port % 6];
    k->dport = (uint16_t)(1024 + gen_below(&g->rng, 64512));
    k->ack = (uint32_t)gen_rng_next(&g->rng);
    k->flags = r < 75 ? 0x12 : 0x14;
    k->win = k->flags == 0x12 ? 29200 : 0;
}

/* Fills a packet from host h to dst4 on the current day. */
static void tool_packet(struct gen *g, struct gen_host *h, struct gen_pkt *k, int surge)
{
    struct gen_rng *r = &g->rng;
    k->ttl = h->ttl;
    k->ip_id = (uint16_t)gen_rng_next(r);
    k->seq = (uint32_t)gen_rng_next(r);
    k->sport = (uint16_t)(32768 + gen_below(r, 28000));
    k->proto = 6;
    k->flags = 0x02;
    switch (h->tool) {
    case TOOL_MIRAI:
        k->dport = surge ? 37215 : gen_below(r, 10) ? 23 : 2323;
        k->sport = h->sport;
        k->win = h->win;
        k->seq = k->dst4;
        break;
    case TOOL_MASSCAN:
        k->dport = COMMON_PORTS[(h->port + gen_below(r, 3)) % NCOMMON];
        k->sport = h->sport;
        k->win = 1024;
        k->ip_id = (uint16_t)(k->dst4 ^ k->dport ^ k->seq);
        break;
    case TOOL_ZMAP:
        k->dport = h->port;
        k->win = 65535;
        k->ip_id = 54321;
        k->optlen = 4;
        break;
    case TOOL_STACK:
    case TOOL_SURVEY:
        k->dport = h->tool == TOOL_SURVEY
                       ? COMMON_PORTS[gen_below(r, NCOMMON)] + (uint16_t)(gen_below(r, 2) * 10000)
                       : COMMON_PORTS[(h->port + gen_below(r, 2)) % NCOMMON];
        k->win = h->tool == TOOL_SURVEY ? 29200 : 64240;
        k->ip_id = h->ipid++;
        k->optlen = 20;
        break;
    case TOOL_UDP:
        udp_probe(g, k);
        break;
    case TOOL_BACKSCATTER:
        backscatter(g, h, k);
        break;
    default: /* TOOL_PING */
        k->proto = 1;
        k->sport = 8;
        k->dport = 0;
        k->payload = ZEROS;
        k->payload_len = 32;
        break;
    }
}

static uint16_t fact_port(const struct gen_pkt *k, uint8_t *kind)
{
    if (k->fragment || (k->proto != 6 && k->proto != 17 && k->proto != 1 && k->proto != 58)) {
        *kind = 2;
        return 0;
    }
    if (k->proto == 1 || k->proto == 58) {
        *kind = 1;
        return (uint16_t)(k->sport << 8 | k->dport);
    }
    *kind = 0;
    return k->dport;
}

static int record_stored(struct gen *g, struct gen_host *h, const struct gen_pkt *k,
                         uint16_t sensor, uint64_t ts, unsigned frame_len, size_t host_index)
{
    struct gen_fact f;
    memset(&f, 0, sizeof f);
    f.sensor = sensor;
    f.proto = k->proto;
    f.port = fact_port(k, &f.kind);
    f.hour = (uint8_t)(ts % US_DAY / 3600000000ull);
    f.cls = k->proto == 6 ? 0 : k->proto == 17 ? 1 : (k->proto == 1 || k->proto == 58) ? 2 : 3;
    f.ip_len = (uint16_t)(frame_len - 14);
    f.src = h->tool == TOOL_V6 ? ((uint64_t)1 << 32) + host_index : h->addr;
    h->packets++;
    gen_ledger_note(g->ledger, h->tool == TOOL_V6, k->fragment);
    return gen_ledger_stored(g->ledger, g->day, &f);
}

/* Malformed frames, each built so that exactly one reason applies and the
 * captured length equals the wire length. */
static unsigned malformed(struct gen *g, uint8_t *f, uint32_t dst, const char **reason)
{
    static const char *const reasons[] = {
        "bad-ihl",        "bad-total-length", "bad-tcp-data-offset",
        "bad-udp-length", "truncated-ip",     "bad-version"};
    unsigned which = gen_below(&g->rng, 6);
    struct gen_pkt k;
    memset(&k, 0, sizeof k);
    k.proto = which == 3 ? 17 : 6;
    k.ttl = 50;
    k.src4 = public_addr(&g->rng);
    k.dst4 = dst;
    k.dport = 23;
    k.flags = 2;
    unsigned len = gen_ipv4(f, &k);
    uint8_t *ip = f + 14;
    *reason = reasons[which];
    switch (which) {
    case 0:
        ip[0] = 0x44;
        break; /* IHL 4 */
    case 1:
        ip[2] = 0x03;
        ip[3] = 0xe8;
        break; /* total length 1000 > frame */
    case 2:
        ip[20 + 12] = 0x30;
        break; /* data offset 3 */
    case 3:
        ip[20 + 4] = 0;
        ip[20 + 5] = 4;
        break; /* UDP length 4 */
    case 4:
        len = 14 + 10;
        break; /* 10 bytes of IPv4 header */
    default:
        ip[0] = 0x55;
        break; /* version 5 */
    }
    return len;
}

static unsigned arp(uint8_t *f, uint32_t dst)
{
    static const uint8_t head[22] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0,
                                     9,    0x08, 0x06, 0,    1,    0x08, 0,    6, 4, 0, 1};
    memset(f, 0, 60);
    memcpy(f, head, 22);
    f[38] = (uint8_t)(dst >> 24);
    f[39] = (uint8_t)(dst >> 16);
    f[40] = (uint8_t)(dst >> 8);
    f[41] = (uint8_t)dst;
    return 60;
}

/* Which sensor receives the packet: uniform over sensors up today. */
static uint32_t pick_sensor(struct gen *g)
{
    for (;;) {
        uint32_t s = gen_below(&g->rng, g->o->sensors);
        if (!(g->outage && s == g->outage_sensor && g->day >= g->outage_first &&
              g->day < g->outage_first + 2))
            return s;
    }
}

static void v6_packet(struct gen *g, size_t hi, uint32_t sensor, struct gen_pkt *k)
{
    memcpy(k->src6, (uint8_t[]){0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff}, 6);
    k->src6[12] = (uint8_t)(hi >> 24);
    k->src6[13] = (uint8_t)(hi >> 16);
    k->src6[14] = (uint8_t)(hi >> 8);
    k->src6[15] = (uint8_t)hi;
    memcpy(k->dst6, g->sensors->s[sensor].prefixes[1].v6, 6);
    uint64_t low = gen_rng_next(&g->rng);
    memcpy(k->dst6 + 8, &low, 8);
    k->ttl = 57;
    if (gen_below(&g->rng, 10) < 7) {
        static const uint16_t ports[] = {22, 80, 443};
        k->proto = 6;
        k->flags = 2;
        k->dport = ports[gen_below(&g->rng, 3)];
        k->sport = (uint16_t)(32768 + gen_below(&g->rng, 28000));
        k->seq = (uint32_t)gen_rng_next(&g->rng);
        k->win = 64800;
        k->optlen = 20;
    } else {
        k->proto = 58;
        k->sport = 128;
        k->payload = ZEROS;
        k->payload_len = 16;
    }
}

/* Odd IPv4 shapes: fragments (first and non-first) and GRE. */
static void odd_packet(struct gen *g, struct gen_pkt *k)
{
    unsigned r = gen_below(&g->rng, 10);
    if (r < 4) { /* first fragment of a 2000-byte UDP datagram */
        k->proto = 17;
        k->frag = 0x2000;
        k->dport = 53;
        k->udp_len = 2008;
        k->payload = ZEROS;
        k->payload_len = 1472;
    } else if (r < 8) { /* its second, last fragment */
        k->proto = 17;
        k->fragment = 1;
        k->frag = 185;
        k->payload = ZEROS;
        k->payload_len = 528;
    } else {
        k->proto = 47;
        k->payload = ZEROS;
        k->payload_len = 24;
    }
}

static int one_frame(struct gen *g, uint64_t day_us)
{
    uint64_t ts = day_us + gen_rng_next(&g->rng) % US_DAY;
    uint8_t *f = frame_slot(g, ts);
    if (!f)
        return TT_ENOMEM;
    uint32_t roll = gen_below(&g->rng, 100000), sensor = pick_sensor(g);
    uint32_t dst = g->sensors->s[sensor].prefixes[0].v4 + gen_below(&g->rng, 1024);
    if (roll < 30) { /* 0.03 % malformed */
        const char *reason;
        commit_frame(g, malformed(g, f, dst, &reason));
        gen_ledger_other(g->ledger, FATE_MALFORMED, reason);
        return TT_OK;
    }
    if (roll < 130) { /* 0.1 % ARP */
        commit_frame(g, arp(f, dst));
        gen_ledger_other(g->ledger, FATE_NOT_IP, NULL);
        return TT_OK;
    }
    struct gen_host *h = pick_host(g);
    size_t hi = (size_t)(h - g->hosts);
    struct gen_pkt k;
    memset(&k, 0, sizeof k);
    int unattributed = roll < 630; /* 0.5 %: to addresses no sensor owns */
    k.src4 = h->addr;
    k.dst4 = unattributed ? 0xC6138000u + gen_below(&g->rng, 32768) : dst;
    uint32_t surge_day = g->o->days * 2 / 3, single_day = g->o->days / 4;
    int surge = g->day >= surge_day && g->day < surge_day + 3 && gen_below(&g->rng, 2);
    if (h->tool == TOOL_V6 && !unattributed) {
        v6_packet(g, hi, sensor, &k);
    } else if (roll < 930 && !unattributed) {
        odd_packet(g, &k);
        k.ttl = h->ttl;
        k.ip_id = (uint16_t)gen_rng_next(&g->rng);
    } else {
        if (h->tool == TOOL_V6) /* its IPv4 twin, for the unattributed share */
            h = &g->hosts[3 + hi % (g->nhosts - 3)];
        k.src4 = h->addr;
        tool_packet(g, h, &k, surge && h->tool == TOOL_MIRAI);
        if (!unattributed && sensor == 0 && g->day >= single_day && g->day < single_day + 2 &&
            h->tool == TOOL_MIRAI && gen_below(&g->rng, 3) == 0)
            k.dport = 5555; /* a surge seen by one sensor only */
    }
    unsigned len = k.src6[0] ? gen_ipv6(f, &k) : gen_ipv4(f, &k);
    commit_frame(g, len);
    if (unattributed) {
        gen_ledger_other(g->ledger, FATE_UNATTRIBUTED, NULL);
        return TT_OK;
    }
    return record_stored(g, h, &k, (uint16_t)(sensor + 1), ts, len, hi);
}

static int cmp_frames(const void *a, const void *b)
{
    const struct gen_frame *x = a, *y = b;
    if (x->ts_us != y->ts_us)
        return x->ts_us < y->ts_us ? -1 : 1;
    return (x->off > y->off) - (x->off < y->off);
}

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static int write_day(struct gen *g, FILE *out)
{
    qsort(g->frames, g->nframes, sizeof *g->frames, cmp_frames);
    for (size_t i = 0; i < g->nframes; i++) {
        const struct gen_frame *fr = &g->frames[i];
        uint8_t rec[16];
        le32(rec, (uint32_t)(fr->ts_us / 1000000));
        le32(rec + 4, (uint32_t)(fr->ts_us % 1000000));
        le32(rec + 8, fr->len);
        le32(rec + 12, fr->len);
        if (fwrite(rec, 16, 1, out) != 1 || fwrite(g->buf + fr->off, fr->len, 1, out) != 1)
            return TT_EIO;
    }
    gen_ledger_frames(g->ledger, g->nframes);
    g->nframes = 0;
    g->buflen = 0;
    return TT_OK;
}

/* Frames for one day: the average with a weekly rhythm and some noise. */
static uint64_t day_budget(struct gen *g)
{
    double avg = (double)g->o->packets / g->o->days;
    int64_t weekday = (g->o->start_day + g->day + 3) % 7; /* 0 = Monday */
    double f = weekday >= 5 ? 0.9 : 1.04;
    f *= 0.9 + 0.2 * (double)gen_below(&g->rng, 1000) / 1000.0;
    return (uint64_t)(avg * f);
}

static int run_days(struct gen *g, FILE *out)
{
    static const uint8_t header[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2,    0,    4, 0, 0, 0, 0, 0,
                                       0,    0,    0,    0,    0xff, 0xff, 0, 0, 1, 0, 0, 0};
    if (fwrite(header, sizeof header, 1, out) != 1)
        return TT_EIO;
    for (g->day = 0; g->day < g->o->days; g->day++) {
        day_hosts(g);
        uint64_t day_us = (uint64_t)(g->o->start_day + g->day) * US_DAY, n = day_budget(g);
        int rc = TT_OK;
        for (uint64_t i = 0; rc == TT_OK && i < n; i++)
            rc = one_frame(g, day_us);
        if (rc == TT_OK)
            rc = gen_ledger_end_day(g->ledger, g->day);
        if (rc == TT_OK)
            rc = write_day(g, out);
        if (rc)
            return rc;
    }
    return TT_OK;
}

static int check_opts(const struct tt_gen_opts *o, struct tt_err *err)
{
    if (!o->pcap_path || !o->expected_path || !o->sensors_path)
        return tt_err_set(err, TT_EINVAL, "gen: output paths missing");
    if (o->sensors < 1 || o->sensors > 8 || o->days < 1 || o->days > 3660 || o->packets < 1)
        return tt_err_set(err, TT_EINVAL, "gen: 1..8 sensors, 1..3660 days, at least one packet");
    return TT_OK;
}

static void gen_free(struct gen *g)
{
    free(g->sensors);
    free(g->hosts);
    free(g->cum);
    free(g->active);
    free(g->buf);
    free(g->frames);
    gen_ledger_free(g->ledger);
}

int tt_gen_run(const struct tt_gen_opts *o, struct tt_err *err)
{
    int rc = check_opts(o, err);
    if (rc)
        return rc;
    struct gen g;
    memset(&g, 0, sizeof g);
    g.o = o;
    gen_rng_seed(&g.rng, o->seed);
    g.sensors = calloc(1, sizeof *g.sensors);
    g.ledger = gen_ledger_new(o->days, o->sensors);
    if (!g.sensors || !g.ledger || make_hosts(&g)) {
        gen_free(&g);
        return tt_err_set(err, TT_ENOMEM, "gen: out of memory");
    }
    make_sensors(&g);
    g.outage = o->sensors >= 2 && o->days >= 6;
    g.outage_sensor = 1;
    g.outage_first = o->days / 2;
    for (uint32_t d = 0; g.outage && d < 2; d++)
        gen_ledger_outage(g.ledger, g.outage_sensor, g.outage_first + d);
    FILE *out = fopen(o->pcap_path, "wb");
    if (!out) {
        gen_free(&g);
        return tt_err_set(err, TT_EIO, "%s: cannot write", o->pcap_path);
    }
    setvbuf(out, NULL, _IOFBF, (size_t)4 << 20);
    rc = run_days(&g, out);
    if (fclose(out) != 0 && rc == TT_OK)
        rc = TT_EIO;
    if (rc)
        rc = tt_err_set(err, rc, "%s: %s", o->pcap_path, tt_strerror(rc));
    if (rc == TT_OK)
        rc = tt_sensors_write(g.sensors, o->sensors_path, err);
    if (rc == TT_OK)
        rc = gen_ledger_write(g.ledger, o, g.sensors, g.hosts, g.nhosts, err);
    gen_free(&g);
    return rc;
}
