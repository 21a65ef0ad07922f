/* Sensors file parser and destination-prefix attribution. The format (see
 * man/teiten-sensors.5): '#' comments, "[sensor NAME]" sections, and
 * "key = value" lines: id, prefix (repeatable), country, region, network,
 * domestic (yes/no), addresses. Strict: unknown keys, bad values, duplicate
 * ids or names and prefixes owned by two sensors are refused with the file
 * and line. */
#include "config/sensors.h"
#include "common/record.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"

#define LINE_MAX_LEN 1024
#define FILE_MAX_BYTES ((size_t)16 << 20)

int tt_prefix_parse(const char *text, struct tt_prefix *p)
{
    char addr[64];
    const char *slash = strchr(text, '/');
    size_t alen = slash ? (size_t)(slash - text) : strlen(text);
    if (alen == 0 || alen >= sizeof addr)
        return TT_EINVAL;
    memcpy(addr, text, alen);
    addr[alen] = '\0';
    memset(p, 0, sizeof *p);
    unsigned max;
    uint8_t v4[4];
    if (inet_pton(AF_INET, addr, v4) == 1) {
        p->ipver = 4;
        max = 32;
    } else if (inet_pton(AF_INET6, addr, p->v6) == 1) {
        p->ipver = 6;
        max = 128;
    } else {
        return TT_EINVAL;
    }
    unsigned len = max;
    if (slash) {
        const char *d = slash + 1;
        if (!*d || strlen(d) > 3)
            return TT_EINVAL;
        len = 0;
        for (; *d; d++) {
            if (!isdigit((unsigned char)*d))
                return TT_EINVAL;
            len = len * 10 + (unsigned)(*d - '0');
        }
        if (len > max)
            return TT_ELIMIT;
    }
    p->len = (uint8_t)len;
    if (p->ipver == 4) {
        p->v4 = (uint32_t)v4[0] << 24 | (uint32_t)v4[1] << 16 | (uint32_t)v4[2] << 8 | v4[3];
        uint32_t mask = len ? ~0u << (32 - len) : 0;
        return (p->v4 & ~mask) ? TT_EFORMAT : TT_OK;
    }
    for (unsigned bit = len; bit < 128; bit++)
        if (p->v6[bit / 8] & (0x80 >> (bit % 8)))
            return TT_EFORMAT;
    return TT_OK;
}

void tt_prefix_format(const struct tt_prefix *p, char *buf, size_t size)
{
    char a[INET6_ADDRSTRLEN] = "?";
    if (p->ipver == 4) {
        uint8_t b[4] = {(uint8_t)(p->v4 >> 24), (uint8_t)(p->v4 >> 16), (uint8_t)(p->v4 >> 8),
                        (uint8_t)p->v4};
        inet_ntop(AF_INET, b, a, sizeof a);
    } else {
        inet_ntop(AF_INET6, p->v6, a, sizeof a);
    }
    snprintf(buf, size, "%s/%u", a, p->len);
}

const struct tt_sensor *tt_sensors_by_name(const struct tt_sensors *s, const char *name)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (strcmp(s->s[i].name, name) == 0)
            return &s->s[i];
    return NULL;
}

const struct tt_sensor *tt_sensors_by_id(const struct tt_sensors *s, uint16_t id)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (s->s[i].id == id)
            return &s->s[i];
    return NULL;
}

static int overlap(const struct tt_prefix *a, const struct tt_prefix *b)
{
    if (a->ipver != b->ipver)
        return 0;
    unsigned len = a->len < b->len ? a->len : b->len;
    if (a->ipver == 4)
        return len == 0 || ((a->v4 ^ b->v4) >> (32 - len)) == 0;
    for (unsigned bit = 0; bit < len; bit++)
        if ((a->v6[bit / 8] ^ b->v6[bit / 8]) & (0x80 >> (bit % 8)))
            return 0;
    return 1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int valid_name(const char *n)
{
    if (!*n || strlen(n) >= TT_SENSOR_NAME_MAX)
        return 0;
    for (; *n; n++)
        if (!isalnum((unsigned char)*n) && *n != '.' && *n != '_' && *n != '-')
            return 0;
    return 1;
}

static int parse_u64(const char *v, uint64_t max, uint64_t *out)
{
    uint64_t n = 0;
    if (!*v)
        return -1;
    for (; *v; v++) {
        if (!isdigit((unsigned char)*v) || n > (max - (uint64_t)(*v - '0')) / 10)
            return -1;
        n = n * 10 + (uint64_t)(*v - '0');
    }
    *out = n;
    return 0;
}

#define FAIL(...) tt_err_set(err, TT_EINVAL, __VA_ARGS__)

static int set_key(struct tt_sensor *s, const char *key, const char *val, const char *name,
                   unsigned line, int *have_id, int *have_addresses, struct tt_err *err)
{
    uint64_t n;
    if (strcmp(key, "id") == 0) {
        if (parse_u64(val, TT_SENSOR_MAX, &n) || n == 0)
            return FAIL("%s:%u: id '%s': expected 1..%u", name, line, val, TT_SENSOR_MAX);
        s->id = (uint16_t)n;
        *have_id = 1;
    } else if (strcmp(key, "prefix") == 0) {
        if (s->n_prefixes == TT_SENSOR_PREFIXES_MAX)
            return FAIL("%s:%u: more than %d prefixes", name, line, TT_SENSOR_PREFIXES_MAX);
        int rc = tt_prefix_parse(val, &s->prefixes[s->n_prefixes]);
        if (rc)
            return FAIL("%s:%u: prefix '%s': %s", name, line, val,
                        rc == TT_ELIMIT    ? "length beyond the address size"
                        : rc == TT_EFORMAT ? "host bits set"
                                           : "not an address/length");
        s->n_prefixes++;
    } else if (strcmp(key, "country") == 0) {
        if (strlen(val) != 2 || !isupper((unsigned char)val[0]) || !isupper((unsigned char)val[1]))
            return FAIL("%s:%u: country '%s': expected two capital letters (ISO 3166-1)", name,
                        line, val);
        memcpy(s->country, val, 3);
    } else if (strcmp(key, "region") == 0 || strcmp(key, "network") == 0) {
        char *dst = key[0] == 'r' ? s->region : s->network;
        if (tt_strlcpy(dst, val, TT_SENSOR_TEXT_MAX))
            return FAIL("%s:%u: %s longer than %d bytes", name, line, key, TT_SENSOR_TEXT_MAX - 1);
    } else if (strcmp(key, "domestic") == 0) {
        if (strcmp(val, "yes") && strcmp(val, "no"))
            return FAIL("%s:%u: domestic '%s': yes or no", name, line, val);
        s->domestic = strcmp(val, "yes") == 0;
    } else if (strcmp(key, "addresses") == 0) {
        if (parse_u64(val, UINT64_MAX / 2, &n))
            return FAIL("%s:%u: addresses '%s': expected a whole number", name, line, val);
        s->addresses = n;
        *have_addresses = 1;
    } else {
        return FAIL("%s:%u: unknown key '%s'", name, line, key);
    }
    return TT_OK;
}

/* Checks a finished section and fills defaults. */
static int finish(struct tt_sensors *out, int have_id, int have_addresses, const char *name,
                  unsigned line, struct tt_err *err)
{
    struct tt_sensor *s = &out->s[out->n - 1];
    if (!have_id)
        return FAIL("%s:%u: sensor %s has no id", name, line, s->name);
    if (!have_addresses) {
        uint64_t n = 0;
        for (uint32_t i = 0; i < s->n_prefixes; i++)
            if (s->prefixes[i].ipver == 4)
                n += (uint64_t)1 << (32 - s->prefixes[i].len);
        s->addresses = n;
    }
    for (uint32_t i = 0; i + 1 < out->n; i++) {
        const struct tt_sensor *o = &out->s[i];
        if (o->id == s->id || strcmp(o->name, s->name) == 0)
            return FAIL("%s:%u: sensor %s (id %u) repeats the id or name of sensor %s (id %u)",
                        name, line, s->name, s->id, o->name, o->id);
        for (uint32_t a = 0; a < o->n_prefixes; a++)
            for (uint32_t b = 0; b < s->n_prefixes; b++)
                if (overlap(&o->prefixes[a], &s->prefixes[b])) {
                    char pa[64], pb[64];
                    tt_prefix_format(&o->prefixes[a], pa, sizeof pa);
                    tt_prefix_format(&s->prefixes[b], pb, sizeof pb);
                    return FAIL("%s:%u: sensor %s's prefix %s overlaps sensor %s's %s", name, line,
                                s->name, pb, o->name, pa);
                }
    }
    return TT_OK;
}

static int section(char *l, struct tt_sensors *out, const char *name, unsigned line,
                   struct tt_err *err)
{
    size_t n = strlen(l);
    if (l[n - 1] != ']' || strncmp(l, "[sensor ", 8) != 0)
        return FAIL("%s:%u: expected [sensor NAME]", name, line);
    l[n - 1] = '\0';
    char *sn = trim(l + 8);
    if (!valid_name(sn))
        return FAIL("%s:%u: sensor name '%s': use letters, digits, '.', '_' and '-'", name, line,
                    sn);
    if (out->n == TT_SENSORS_MAX)
        return FAIL("%s:%u: more than %d sensors", name, line, TT_SENSORS_MAX);
    struct tt_sensor *s = &out->s[out->n++];
    memset(s, 0, sizeof *s);
    tt_strlcpy(s->name, sn, sizeof s->name);
    return TT_OK;
}

int tt_sensors_parse(const char *text, size_t len, const char *name, struct tt_sensors *out,
                     struct tt_err *err)
{
    memset(out, 0, sizeof *out);
    int have_id = 0, have_addresses = 0, rc = TT_OK;
    unsigned line = 0;
    for (size_t pos = 0; rc == TT_OK && pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - text) - pos : len - pos;
        char buf[LINE_MAX_LEN];
        line++;
        if (ll >= sizeof buf)
            return FAIL("%s:%u: line longer than %d bytes", name, line, LINE_MAX_LEN - 1);
        memcpy(buf, text + pos, ll);
        buf[ll] = '\0';
        pos += ll + 1;
        if (memchr(buf, '\0', ll))
            return FAIL("%s:%u: NUL byte", name, line);
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = '\0';
        char *l = trim(buf);
        if (!*l)
            continue;
        if (*l == '[') {
            if (out->n && (rc = finish(out, have_id, have_addresses, name, line, err)))
                return rc;
            have_id = have_addresses = 0;
            rc = section(l, out, name, line, err);
            continue;
        }
        char *eq = strchr(l, '=');
        if (!eq)
            return FAIL("%s:%u: expected 'key = value'", name, line);
        if (!out->n)
            return FAIL("%s:%u: '%s' outside a [sensor NAME] section", name, line, l);
        *eq = '\0';
        rc = set_key(&out->s[out->n - 1], trim(l), trim(eq + 1), name, line, &have_id,
                     &have_addresses, err);
    }
    if (rc == TT_OK && out->n)
        rc = finish(out, have_id, have_addresses, name, line, err);
    return rc;
}

int tt_sensors_load(const char *path, struct tt_sensors *out, struct tt_err *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = tt_file_read(path, FILE_MAX_BYTES, &data, &len, err);
    if (rc == TT_OK)
        rc = tt_sensors_parse((const char *)data, len, path, out, err);
    free(data);
    return rc;
}

int tt_sensors_write(const struct tt_sensors *s, const char *path, struct tt_err *err)
{
    size_t cap = 4096 + (size_t)s->n * (512 + 64 * TT_SENSOR_PREFIXES_MAX), n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", path);
    n += (size_t)snprintf(buf + n, cap - n, "# teiten sensors (see teiten-sensors(5))\n");
    for (uint32_t i = 0; i < s->n; i++) {
        const struct tt_sensor *x = &s->s[i];
        n += (size_t)snprintf(buf + n, cap - n, "\n[sensor %s]\nid = %u\n", x->name, x->id);
        for (uint32_t k = 0; k < x->n_prefixes; k++) {
            char p[64];
            tt_prefix_format(&x->prefixes[k], p, sizeof p);
            n += (size_t)snprintf(buf + n, cap - n, "prefix = %s\n", p);
        }
        if (x->country[0])
            n += (size_t)snprintf(buf + n, cap - n, "country = %s\n", x->country);
        if (x->region[0])
            n += (size_t)snprintf(buf + n, cap - n, "region = %s\n", x->region);
        if (x->network[0])
            n += (size_t)snprintf(buf + n, cap - n, "network = %s\n", x->network);
        n += (size_t)snprintf(buf + n, cap - n, "domestic = %s\naddresses = %llu\n",
                              x->domestic ? "yes" : "no", (unsigned long long)x->addresses);
    }
    int rc = tt_file_write_atomic(path, buf, n, err);
    free(buf);
    return rc;
}
