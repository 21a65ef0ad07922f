/* The line source every range parser reads through (plain or gzip file, or
 * memory), then the RIR delegated statistics format: "version" header,
 * summary lines and records (standard and extended, APNIC's
 * rir-statistics-exchange-format). Strict: any bad line refuses the whole
 * file, since a region table built from half a file is silently wrong. */
#include "enrich/range.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SRC_CHUNK ((size_t)64 << 10) /* bytes read at once */
#define SRC_GZBUF (128u << 10)       /* zlib's own input buffer */

struct tt_range_src {
    struct tt_range_set *set;
    gzFile gz; /* NULL: reading mem */
    const char *mem;
    size_t memlen, mempos;
    uint16_t file;
    uint32_t lineno;
    int eof;
    size_t start, end; /* unread bytes are buf[start, end) */
    /* the set's sizes at open, restored when the parse fails */
    size_t m4, m6, mnames;
    uint64_t mskipped;
    char buf[SRC_CHUNK + TT_RANGE_LINE_MAX + 2];
};

static int src_new(struct tt_range_set *set, const char *name, struct tt_range_src **out,
                   struct tt_err *err)
{
    *out = NULL;
    if (!set || !name)
        return tt_err_set(err, TT_EINVAL, "range source: no set or name");
    struct tt_range_src *s = calloc(1, sizeof *s);
    if (!s)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", name);
    int idx = tt_range_add_file(set, name);
    if (idx < 0) {
        free(s);
        return tt_err_set(err, idx, "%s: cannot register file (at most %d per set)", name,
                          TT_RANGE_FILES_MAX);
    }
    s->set = set;
    s->file = (uint16_t)idx;
    s->m4 = set->n4;
    s->m6 = set->n6;
    s->mnames = set->nnames;
    s->mskipped = set->skipped;
    *out = s;
    return TT_OK;
}

int tt_range_src_open(struct tt_range_set *set, const char *path, struct tt_range_src **out,
                      struct tt_err *err)
{
    int rc = src_new(set, path, out, err);
    if (rc)
        return rc;
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        int e = errno;
        rc = tt_err_set(err, TT_EIO, "%s: cannot open: %s", path, e ? strerror(e) : "zlib");
        tt_range_src_close(*out, rc);
        *out = NULL;
        return rc;
    }
    gzbuffer(gz, SRC_GZBUF);
    (*out)->gz = gz;
    return TT_OK;
}

int tt_range_src_open_mem(struct tt_range_set *set, const char *text, size_t len, const char *name,
                          struct tt_range_src **out, struct tt_err *err)
{
    if (!text && len)
        return tt_err_set(err, TT_EINVAL, "range source: no text");
    int rc = src_new(set, name, out, err);
    if (rc)
        return rc;
    (*out)->mem = text;
    (*out)->memlen = len;
    return TT_OK;
}

uint32_t tt_range_src_lineno(const struct tt_range_src *src)
{
    return src->lineno;
}
uint16_t tt_range_src_file(const struct tt_range_src *src)
{
    return src->file;
}
const char *tt_range_src_name(const struct tt_range_src *src)
{
    return src->set->files[src->file];
}

int tt_range_src_close(struct tt_range_src *src, int rc)
{
    if (!src)
        return rc;
    if (src->gz)
        gzclose(src->gz);
    struct tt_range_set *s = src->set;
    if (rc < 0) {
        s->n4 = src->m4;
        s->n6 = src->m6;
        s->nnames = src->mnames;
        s->skipped = src->mskipped;
        if (s->nfiles == (unsigned)src->file + 1) {
            free(s->files[src->file]);
            s->files[src->file] = NULL;
            s->nfiles--;
        }
    }
    free(src);
    return rc;
}

/* Moves the unread bytes to the front and appends more input. A gzip
 * stream that ends early is an error, not a short file. */
static int src_fill(struct tt_range_src *s, struct tt_err *err)
{
    size_t left = s->end - s->start;
    memmove(s->buf, s->buf + s->start, left);
    s->start = 0;
    s->end = left;
    size_t room = sizeof s->buf - 1 - s->end; /* keep one byte for a final NUL */
    if (room > SRC_CHUNK)
        room = SRC_CHUNK;
    if (!s->gz) {
        size_t n = s->memlen - s->mempos < room ? s->memlen - s->mempos : room;
        memcpy(s->buf + s->end, s->mem + s->mempos, n);
        s->mempos += n;
        s->end += n;
        s->eof = n == 0;
        return TT_OK;
    }
    int n = gzread(s->gz, s->buf + s->end, (unsigned)room);
    int zerr = Z_OK;
    const char *zmsg = gzerror(s->gz, &zerr);
    if (n < 0 || (zerr != Z_OK && zerr != Z_BUF_ERROR) || (n == 0 && zerr == Z_BUF_ERROR))
        return tt_err_set(err, zerr == Z_BUF_ERROR ? TT_ETRUNC : TT_EIO,
                          "%s: after line %u: read failed: %s", tt_range_src_name(s), s->lineno,
                          zerr == Z_ERRNO ? strerror(errno) : zmsg);
    s->end += (size_t)n;
    s->eof = n == 0;
    return TT_OK;
}

int tt_range_src_line(struct tt_range_src *s, char **line, size_t *len, struct tt_err *err)
{
    for (;;) {
        char *p = s->buf + s->start;
        size_t avail = s->end - s->start;
        char *nl = memchr(p, '\n', avail);
        if (!nl && !s->eof && avail <= TT_RANGE_LINE_MAX) {
            int rc = src_fill(s, err);
            if (rc)
                return rc;
            continue;
        }
        if (!nl && s->eof && avail == 0)
            return 0;
        if (s->lineno == UINT32_MAX)
            return tt_err_set(err, TT_ELIMIT, "%s: more than %u lines", tt_range_src_name(s),
                              UINT32_MAX);
        s->lineno++;
        size_t n = nl ? (size_t)(nl - p) : avail;
        if (n > TT_RANGE_LINE_MAX)
            return tt_err_set(err, TT_ELIMIT, "%s:%u: line longer than %d bytes",
                              tt_range_src_name(s), s->lineno, TT_RANGE_LINE_MAX);
        s->start += nl ? n + 1 : n;
        if (n && p[n - 1] == '\r')
            n--;
        p[n] = '\0';
        if (memchr(p, '\0', n))
            return tt_err_set(err, TT_EFORMAT, "%s:%u: NUL byte in line", tt_range_src_name(s),
                              s->lineno);
        *line = p;
        *len = n;
        return 1;
    }
}

/* ---- RIR delegated statistics ---- */

#define RIR_FIELDS_MAX 16 /* 7 standard, 8 extended, IANA has 9 */

enum { T_IPV4, T_IPV6, T_ASN, T_N };
static const char *const type_names[T_N] = {"ipv4", "ipv6", "asn"};

struct rir {
    struct tt_range_src *src;
    struct tt_rir_stats *st;
    struct tt_err *err;
    int have_version;
    uint64_t seen[T_N], summary[T_N];
    uint32_t summary_line[T_N]; /* 0: no summary line for the type */
};

#define RIR_FAIL(r, code, fmt, ...)                                                                \
    tt_err_set((r)->err, code, "%s:%u: " fmt, tt_range_src_name((r)->src),                         \
               tt_range_src_lineno((r)->src), __VA_ARGS__)

/* Splits line at '|' in place; returns the field count, or max + 1 when
 * there are more than max fields. */
static size_t split(char *line, char **f, size_t max)
{
    size_t n = 0;
    for (char *p = line;;) {
        if (n == max)
            return max + 1;
        f[n++] = p;
        char *bar = strchr(p, '|');
        if (!bar)
            return n;
        *bar = '\0';
        p = bar + 1;
    }
}

/* Decimal digits only (no sign, no space), at most max. */
static int parse_u64(const char *s, uint64_t max, uint64_t *v)
{
    uint64_t x = 0;
    if (!*s)
        return TT_EFORMAT;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return TT_EFORMAT;
        unsigned d = (unsigned)(*s - '0');
        if (x > (max - d) / 10)
            return TT_ELIMIT;
        x = x * 10 + d;
    }
    *v = x;
    return TT_OK;
}

static int all_digits(const char *s, size_t minlen, size_t maxlen)
{
    size_t n = strlen(s);
    if (n < minlen || n > maxlen)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* "2", "2.3": the version line is the only line whose first field is a
 * number (registry names are letters). */
static int is_version(const char *s)
{
    const char *dot = strchr(s, '.');
    if (!dot)
        return all_digits(s, 1, 8);
    size_t n = (size_t)(dot - s);
    if (n == 0 || n > 8)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return all_digits(dot + 1, 1, 8);
}

static int type_of(const char *s)
{
    for (int t = 0; t < T_N; t++)
        if (strcmp(s, type_names[t]) == 0)
            return t;
    return -1;
}

static int rir_version(struct rir *r, char **f, size_t n)
{
    if (r->have_version)
        return RIR_FAIL(r, TT_EFORMAT, "%s", "second version line");
    if (r->st->records || r->summary_line[0] || r->summary_line[1] || r->summary_line[2])
        return RIR_FAIL(r, TT_EFORMAT, "%s", "version line after the first record");
    if (n != 7)
        return RIR_FAIL(r, TT_EFORMAT, "version line has %zu fields, want 7", n);
    if (!f[1][0] || tt_strlcpy(r->st->registry, f[1], sizeof r->st->registry))
        return RIR_FAIL(r, TT_EFORMAT, "bad registry '%.32s' in version line", f[1]);
    if (!all_digits(f[2], 1, sizeof r->st->serial - 1))
        return RIR_FAIL(r, TT_EFORMAT, "bad serial '%.32s' in version line", f[2]);
    tt_strlcpy(r->st->serial, f[2], sizeof r->st->serial);
    if (!all_digits(f[3], 1, 19))
        return RIR_FAIL(r, TT_EFORMAT, "bad record count '%.32s' in version line", f[3]);
    r->have_version = 1;
    return TT_OK;
}

static int rir_summary(struct rir *r, char **f)
{
    int t = type_of(f[2]);
    uint64_t count;
    if (strcmp(f[1], "*") != 0 || strcmp(f[3], "*") != 0 || t < 0)
        return RIR_FAIL(r, TT_EFORMAT, "bad summary line for '%.32s'", f[2]);
    if (parse_u64(f[4], UINT64_MAX / 2, &count))
        return RIR_FAIL(r, TT_EFORMAT, "bad summary count '%.32s'", f[4]);
    if (r->summary_line[t])
        return RIR_FAIL(r, TT_EFORMAT, "second summary line for %s (first on line %u)",
                        type_names[t], r->summary_line[t]);
    r->summary[t] = count;
    r->summary_line[t] = tt_range_src_lineno(r->src);
    return TT_OK;
}

/* The IPv4 record [start, start + count - 1]; counts need not be powers of
 * two (LACNIC and AFRINIC have 768, 1536, ...). */
static int rir_ipv4(struct rir *r, const char *start, const char *value, uint32_t cc)
{
    uint8_t a[4];
    uint64_t count;
    if (inet_pton(AF_INET, start, a) != 1)
        return RIR_FAIL(r, TT_EFORMAT, "bad IPv4 address '%.48s'", start);
    if (parse_u64(value, (uint64_t)1 << 32, &count) || count == 0)
        return RIR_FAIL(r, TT_EFORMAT, "bad IPv4 address count '%.32s'", value);
    uint32_t lo = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    if ((uint64_t)lo + count - 1 > UINT32_MAX)
        return RIR_FAIL(r, TT_EFORMAT, "%s + %llu addresses runs past 255.255.255.255", start,
                        (unsigned long long)count);
    if (!cc)
        return TT_OK;
    int rc = tt_range_add4(r->src->set, lo, (uint32_t)(lo + (count - 1)), cc,
                           tt_range_src_file(r->src), tt_range_src_lineno(r->src));
    return rc ? RIR_FAIL(r, rc, "cannot add range: %s", tt_strerror(rc)) : TT_OK;
}

static int rir_ipv6(struct rir *r, const char *start, const char *value, uint32_t cc)
{
    uint8_t lo[16], hi[16];
    uint64_t len;
    if (inet_pton(AF_INET6, start, lo) != 1)
        return RIR_FAIL(r, TT_EFORMAT, "bad IPv6 address '%.48s'", start);
    if (parse_u64(value, 128, &len))
        return RIR_FAIL(r, TT_EFORMAT, "bad IPv6 prefix length '%.32s'", value);
    for (unsigned i = 0; i < 16; i++) {
        unsigned bits = len >= 8 * (i + 1) ? 8 : len > 8 * i ? (unsigned)(len - 8 * i) : 0;
        uint8_t host = (uint8_t)(0xffu >> bits);
        if (lo[i] & host)
            return RIR_FAIL(r, TT_EFORMAT, "%s/%u has host bits set", start, (unsigned)len);
        hi[i] = lo[i] | host;
    }
    if (!cc)
        return TT_OK;
    int rc = tt_range_add6(r->src->set, lo, hi, cc, tt_range_src_file(r->src),
                           tt_range_src_lineno(r->src));
    return rc ? RIR_FAIL(r, rc, "cannot add range: %s", tt_strerror(rc)) : TT_OK;
}

static int rir_asn(struct rir *r, const char *start, const char *value)
{
    uint64_t first, count;
    if (parse_u64(start, UINT32_MAX, &first))
        return RIR_FAIL(r, TT_EFORMAT, "bad AS number '%.32s'", start);
    if (parse_u64(value, (uint64_t)1 << 32, &count) || count == 0 || first + count - 1 > UINT32_MAX)
        return RIR_FAIL(r, TT_EFORMAT, "bad AS count '%.32s'", value);
    return TT_OK;
}

/* Country of a record: TT_CC, or 0 for "not mapped" (status available or
 * reserved, no country, or ZZ). */
static int rir_country(struct rir *r, const char *cc, const char *status, uint32_t *out)
{
    int deleg = strcmp(status, "allocated") == 0 || strcmp(status, "assigned") == 0;
    if (!deleg && strcmp(status, "available") != 0 && strcmp(status, "reserved") != 0)
        return RIR_FAIL(r, TT_EFORMAT, "unknown status '%.32s'", status);
    size_t n = strlen(cc);
    if (n != 0 && (n != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z'))
        return RIR_FAIL(r, TT_EFORMAT, "bad country code '%.32s'", cc);
    *out = deleg && n == 2 && strcmp(cc, "ZZ") != 0 ? TT_CC(cc[0], cc[1]) : 0;
    return TT_OK;
}

/* registry|cc|type|start|value|date|status[|opaque-id[|extensions...]] */
static int rir_record(struct rir *r, char **f, size_t n)
{
    if (!r->have_version)
        return RIR_FAIL(r, TT_EFORMAT, "%s", "record before the version line");
    if (n > RIR_FIELDS_MAX)
        return RIR_FAIL(r, TT_EFORMAT, "more than %d fields", RIR_FIELDS_MAX);
    if (n < 7)
        return RIR_FAIL(r, TT_EFORMAT, "%zu fields, a record has 7 to %d", n, RIR_FIELDS_MAX);
    if (!f[0][0])
        return RIR_FAIL(r, TT_EFORMAT, "%s", "empty registry");
    int t = type_of(f[2]);
    if (t < 0)
        return RIR_FAIL(r, TT_EFORMAT, "unknown type '%.32s'", f[2]);
    if (f[5][0] && !all_digits(f[5], 8, 8))
        return RIR_FAIL(r, TT_EFORMAT, "bad date '%.32s'", f[5]);
    uint32_t cc = 0;
    int rc = rir_country(r, f[1], f[6], &cc);
    if (rc)
        return rc;
    if (t == T_IPV4)
        rc = rir_ipv4(r, f[3], f[4], cc);
    else if (t == T_IPV6)
        rc = rir_ipv6(r, f[3], f[4], cc);
    else
        rc = rir_asn(r, f[3], f[4]);
    if (rc)
        return rc;
    r->seen[t]++;
    r->st->records++;
    if (t == T_ASN) {
        r->st->asn++;
        return TT_OK;
    }
    if (t == T_IPV4)
        r->st->ipv4++;
    else
        r->st->ipv6++;
    if (cc) {
        r->st->mapped++;
    } else {
        r->st->unmapped++;
        r->src->set->skipped++;
    }
    return TT_OK;
}

static int rir_line(struct rir *r, char *line)
{
    char *f[RIR_FIELDS_MAX + 1];
    if (line[0] == '#' || line[0] == '\0')
        return TT_OK;
    size_t n = split(line, f, RIR_FIELDS_MAX);
    if (is_version(f[0]))
        return rir_version(r, f, n);
    if (n == 6 && strcmp(f[5], "summary") == 0) {
        if (!r->have_version)
            return RIR_FAIL(r, TT_EFORMAT, "%s", "summary before the version line");
        return rir_summary(r, f);
    }
    return rir_record(r, f, n);
}

/* Summary lines come first, so a file cut short has fewer records than
 * they announce. More is tolerated: edited extracts (IANA's, the NRO test
 * data) do not keep the counts exact. */
static int rir_check_summary(struct rir *r)
{
    if (!r->have_version)
        return tt_err_set(r->err, TT_EFORMAT, "%s: no version line (not RIR statistics)",
                          tt_range_src_name(r->src));
    for (int t = 0; t < T_N; t++)
        if (r->summary_line[t] && r->seen[t] < r->summary[t])
            return tt_err_set(
                r->err, TT_ETRUNC, "%s:%u: summary announces %llu %s records, the file has %llu",
                tt_range_src_name(r->src), r->summary_line[t], (unsigned long long)r->summary[t],
                type_names[t], (unsigned long long)r->seen[t]);
    return TT_OK;
}

static int rir_run(struct tt_range_src *src, struct tt_rir_stats *st, struct tt_err *err)
{
    struct tt_rir_stats local = {0};
    if (!st)
        st = &local;
    struct rir r = {.src = src, .st = st, .err = err};
    char *line;
    size_t len;
    int rc;
    while ((rc = tt_range_src_line(src, &line, &len, err)) == 1)
        if ((rc = rir_line(&r, line)) != 0)
            goto out;
    if (rc == 0)
        rc = rir_check_summary(&r);
out:
    return tt_range_src_close(src, rc);
}

int tt_rir_parse(const char *path, struct tt_range_set *out, struct tt_rir_stats *st,
                 struct tt_err *err)
{
    if (st)
        memset(st, 0, sizeof *st);
    struct tt_range_src *src = NULL;
    int rc = tt_range_src_open(out, path, &src, err);
    return rc ? rc : rir_run(src, st, err);
}

int tt_rir_parse_mem(const char *text, size_t len, const char *name, struct tt_range_set *out,
                     struct tt_rir_stats *st, struct tt_err *err)
{
    if (st)
        memset(st, 0, sizeof *st);
    struct tt_range_src *src = NULL;
    int rc = tt_range_src_open_mem(out, text, len, name, &src, err);
    return rc ? rc : rir_run(src, st, err);
}
