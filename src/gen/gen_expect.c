/* The expected-counts ledger: every figure counted as the generator makes
 * the packet, never by decoding its output. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/agg.h"
#include "gen/gen_int.h"
#include "query/period.h"

static const char *const REASONS[] = {"bad-ihl",        "bad-total-length", "bad-tcp-data-offset",
                                      "bad-udp-length", "truncated-ip",     "bad-version"};
#define NREASONS (sizeof REASONS / sizeof REASONS[0])

struct day_tot {
    uint64_t packets, bytes, uniq[5]; /* tcp udp icmp other all */
    uint64_t hours[24];
};

struct gen_ledger {
    uint32_t days, sensors;
    uint64_t frames, stored, unattributed, not_ip, ipv6, fragments, bytes;
    uint64_t malformed[NREASONS];
    struct day_tot *day;
    uint64_t *sensor_day; /* [sensor-1][day] */
    struct agg ports;     /* proto<<24|kind<<16|port -> packets */
    struct agg port_day;  /* (proto<<24|kind<<16|port)<<20|day -> packets */
    uint64_t *srcs;       /* today's (cls<<61 | src) keys */
    size_t nsrcs, capsrcs;
    uint32_t outage_sensor, outage_day[2];
    int have_outage;
};

struct gen_ledger *gen_ledger_new(uint32_t days, uint32_t sensors)
{
    struct gen_ledger *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->days = days;
    l->sensors = sensors;
    l->day = calloc(days, sizeof *l->day);
    l->sensor_day = calloc((size_t)days * sensors, sizeof *l->sensor_day);
    if (!l->day || !l->sensor_day) {
        gen_ledger_free(l);
        return NULL;
    }
    return l;
}

void gen_ledger_free(struct gen_ledger *l)
{
    if (!l)
        return;
    free(l->day);
    free(l->sensor_day);
    free(l->srcs);
    agg_free(&l->ports);
    agg_free(&l->port_day);
    free(l);
}

int gen_ledger_stored(struct gen_ledger *l, uint32_t day, const struct gen_fact *f)
{
    if (l->nsrcs == l->capsrcs) {
        size_t cap = l->capsrcs ? l->capsrcs * 2 : 65536;
        uint64_t *n = realloc(l->srcs, cap * sizeof *n);
        if (!n)
            return TT_ENOMEM;
        l->srcs = n;
        l->capsrcs = cap;
    }
    l->srcs[l->nsrcs++] = (uint64_t)f->cls << 61 | f->src;
    l->stored++;
    l->bytes += f->ip_len;
    l->day[day].packets++;
    l->day[day].bytes += f->ip_len;
    l->day[day].hours[f->hour]++;
    l->sensor_day[(size_t)(f->sensor - 1) * l->days + day]++;
    uint64_t key = (uint64_t)f->proto << 24 | (uint64_t)f->kind << 16 | f->port;
    struct agg_slot *a = agg_get(&l->ports, key), *b = agg_get(&l->port_day, key << 20 | day);
    if (!a || !b)
        return TT_ENOMEM;
    a->packets++;
    b->packets++;
    return TT_OK;
}

void gen_ledger_other(struct gen_ledger *l, enum gen_fate fate, const char *reason)
{
    if (fate == FATE_UNATTRIBUTED)
        l->unattributed++;
    else if (fate == FATE_NOT_IP)
        l->not_ip++;
    for (size_t i = 0; fate == FATE_MALFORMED && i < NREASONS; i++)
        if (strcmp(reason, REASONS[i]) == 0)
            l->malformed[i]++;
}

void gen_ledger_note(struct gen_ledger *l, int ipv6, int fragment)
{
    l->ipv6 += ipv6 != 0;
    l->fragments += fragment != 0;
}

void gen_ledger_frames(struct gen_ledger *l, uint64_t frames)
{
    l->frames += frames;
}

void gen_ledger_outage(struct gen_ledger *l, uint32_t sensor, uint32_t day)
{
    l->outage_day[l->have_outage ? 1 : 0] = day;
    l->outage_sensor = sensor;
    l->have_outage = 1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int gen_ledger_end_day(struct gen_ledger *l, uint32_t day)
{
    struct day_tot *d = &l->day[day];
    qsort(l->srcs, l->nsrcs, sizeof *l->srcs, cmp_u64);
    for (size_t i = 0; i < l->nsrcs; i++) /* sorted by class, then source */
        if (i == 0 || l->srcs[i] != l->srcs[i - 1])
            d->uniq[l->srcs[i] >> 61]++;
    const uint64_t mask = ((uint64_t)1 << 61) - 1;
    for (size_t i = 0; i < l->nsrcs; i++)
        l->srcs[i] &= mask;
    qsort(l->srcs, l->nsrcs, sizeof *l->srcs, cmp_u64);
    for (size_t i = 0; i < l->nsrcs; i++)
        if (i == 0 || l->srcs[i] != l->srcs[i - 1])
            d->uniq[4]++;
    l->nsrcs = 0;
    return TT_OK;
}

static const char *proto_word(uint8_t proto, uint8_t kind)
{
    if (kind == 1)
        return proto == 58 ? "icmp6" : "icmp";
    return proto == 6 ? "tcp" : "udp";
}

static void host_label(const struct gen_host *h, size_t idx, char buf[64])
{
    if (h->tool == TOOL_V6) {
        uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff};
        a[12] = (uint8_t)(idx >> 24);
        a[13] = (uint8_t)(idx >> 16);
        a[14] = (uint8_t)(idx >> 8);
        a[15] = (uint8_t)idx;
        inet_ntop(AF_INET6, a, buf, 64);
    } else {
        snprintf(buf, 64, "%u.%u.%u.%u", h->addr >> 24, h->addr >> 16 & 255, h->addr >> 8 & 255,
                 h->addr & 255);
    }
}

static void write_ports(FILE *f, struct gen_ledger *l, int64_t start)
{
    uint64_t per_proto[256] = {0};
    for (size_t i = 0; i < l->ports.cap; i++)
        if (l->ports.slots[i].key1)
            per_proto[((l->ports.slots[i].key1 - 1) >> 24) & 0xff] += l->ports.slots[i].packets;
    for (int p = 0; p < 256; p++)
        if (per_proto[p])
            fprintf(f, "proto %d packets %llu\n", p, (unsigned long long)per_proto[p]);
    for (size_t i = 0; i < l->ports.cap; i++) {
        const struct agg_slot *s = &l->ports.slots[i];
        if (!s->key1)
            continue;
        uint64_t k = s->key1 - 1;
        uint8_t proto = (uint8_t)(k >> 24), kind = (uint8_t)(k >> 16);
        uint16_t port = (uint16_t)k;
        if (kind == 0)
            fprintf(f, "port %s %u packets %llu\n", proto_word(proto, kind), port,
                    (unsigned long long)s->packets);
        else if (kind == 1)
            fprintf(f, "%s %u %u packets %llu\n", proto_word(proto, kind), (unsigned)(port >> 8),
                    (unsigned)(port & 255), (unsigned long long)s->packets);
    }
    for (size_t i = 0; i < l->port_day.cap; i++) {
        const struct agg_slot *s = &l->port_day.slots[i];
        if (!s->key1)
            continue;
        uint64_t k = (s->key1 - 1) >> 20, day = (s->key1 - 1) & 0xfffff;
        if ((k >> 16 & 0xff) != 0)
            continue;
        char d[16];
        tt_day_format(start + (int64_t)day, d);
        fprintf(f, "port %s %u day %s packets %llu\n", proto_word((uint8_t)(k >> 24), 0),
                (unsigned)(k & 0xffff), d, (unsigned long long)s->packets);
    }
}

static int cmp_hosts(const void *a, const void *b)
{
    const struct gen_host *const *x = a, *const *y = b;
    if ((*x)->packets != (*y)->packets)
        return (*x)->packets < (*y)->packets ? 1 : -1;
    return (*x < *y) ? -1 : (*x > *y);
}

static void write_sources(FILE *f, const struct gen_host *hosts, size_t n)
{
    const struct gen_host **order = malloc(n * sizeof *order);
    if (!order)
        return;
    for (size_t i = 0; i < n; i++)
        order[i] = &hosts[i];
    qsort(order, n, sizeof *order, cmp_hosts);
    for (size_t i = 0; i < n && i < 200 && order[i]->packets; i++) {
        char label[64];
        host_label(order[i], (size_t)(order[i] - hosts), label);
        fprintf(f, "source %s packets %llu\n", label, (unsigned long long)order[i]->packets);
    }
    free(order);
}

int gen_ledger_write(struct gen_ledger *l, const struct tt_gen_opts *o, const struct tt_sensors *s,
                     const struct gen_host *hosts, size_t nhosts, struct tt_err *err)
{
    FILE *f = fopen(o->expected_path, "w");
    if (!f)
        return tt_err_set(err, TT_EIO, "%s: cannot write", o->expected_path);
    fprintf(
        f,
        "# teiten gen expected counts (docs/generator.md)\nseed %llu\nframes %llu\nstored %llu\n"
        "unattributed %llu\nnot_ip %llu\nipv6 %llu\nfragments %llu\nbytes %llu\n",
        (unsigned long long)o->seed, (unsigned long long)l->frames, (unsigned long long)l->stored,
        (unsigned long long)l->unattributed, (unsigned long long)l->not_ip,
        (unsigned long long)l->ipv6, (unsigned long long)l->fragments,
        (unsigned long long)l->bytes);
    for (size_t i = 0; i < NREASONS; i++)
        fprintf(f, "malformed %s %llu\n", REASONS[i], (unsigned long long)l->malformed[i]);
    char d[16], h[16];
    for (int k = 0; l->have_outage && k < 2; k++) {
        tt_day_format(o->start_day + l->outage_day[k], d);
        fprintf(f, "outage %s %s\n", s->s[l->outage_sensor].name, d);
    }
    static const char *const cls[] = {"tcp", "udp", "icmp", "other", "all"};
    for (uint32_t i = 0; i < l->days; i++) {
        const struct day_tot *t = &l->day[i];
        if (!t->packets)
            continue;
        tt_day_format(o->start_day + i, d);
        fprintf(f, "day %s packets %llu\nday %s bytes %llu\n", d, (unsigned long long)t->packets, d,
                (unsigned long long)t->bytes);
        for (int c = 0; c < 5; c++)
            if (c != 3)
                fprintf(f, "day %s uniq %s %llu\n", d, cls[c], (unsigned long long)t->uniq[c]);
        for (int hr = 0; hr < 24; hr++)
            if (t->hours[hr]) {
                tt_hour_format((o->start_day + i) * 24 + hr, h);
                fprintf(f, "hour %s packets %llu\n", h, (unsigned long long)t->hours[hr]);
            }
    }
    for (uint32_t k = 0; k < l->sensors; k++) {
        uint64_t sum = 0;
        for (uint32_t i = 0; i < l->days; i++)
            sum += l->sensor_day[(size_t)k * l->days + i];
        fprintf(f, "sensor %s packets %llu\n", s->s[k].name, (unsigned long long)sum);
        for (uint32_t i = 0; i < l->days; i++) {
            tt_day_format(o->start_day + i, d);
            fprintf(f, "sensor %s day %s packets %llu\n", s->s[k].name, d,
                    (unsigned long long)l->sensor_day[(size_t)k * l->days + i]);
        }
    }
    write_ports(f, l, o->start_day);
    write_sources(f, hosts, nhosts);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return tt_err_set(err, TT_EIO, "%s: write failed", o->expected_path);
    return TT_OK;
}
