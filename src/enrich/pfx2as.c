/* Prefix-to-AS tables: CAIDA RouteViews pfx2as (`prefix<TAB>length<TAB>asn`)
 * and pyasn (`prefix/len<TAB>asn`, `;` comments). The format is told per
 * line by its field count. An origin of several ASes (multi-origin `a_b`,
 * AS set `a,b`) maps to the first and is counted in *multi. */
#include "enrich/range.h"

#include <arpa/inet.h>
#include <string.h>

#define PFX_FIELDS_MAX 3
#define ASN_TEXT_MAX 256 /* bytes of an origin field such as 1_2_3,4 */

#define PFX_FAIL(src, err, code, fmt, ...)                                                         \
    tt_err_set(err, code, "%s:%u: " fmt, tt_range_src_name(src), tt_range_src_lineno(src),         \
               __VA_ARGS__)

/* Splits at runs of tabs or spaces; returns the count, max + 1 when more. */
static size_t split_ws(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        p += strspn(p, " \t");
        if (!*p)
            return n;
        if (n == max)
            return max + 1;
        f[n++] = p;
        p += strcspn(p, " \t");
        if (*p)
            *p++ = '\0';
    }
}

/* Decimal digits [s, e) as a 32-bit number. */
static int parse_u32n(const char *s, const char *e, uint32_t *v)
{
    uint64_t x = 0;
    if (s == e || e - s > 10)
        return TT_EFORMAT;
    for (; s < e; s++) {
        if (*s < '0' || *s > '9')
            return TT_EFORMAT;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    if (x > UINT32_MAX)
        return TT_ELIMIT;
    *v = (uint32_t)x;
    return TT_OK;
}

/* `a`, `a_b_c`, `a,b` or mixed: every AS must be a number; returns the
 * first in *asn and whether there were several in *several. */
static int parse_origin(const char *s, uint32_t *asn, int *several)
{
    if (strlen(s) > ASN_TEXT_MAX)
        return TT_ELIMIT;
    *several = 0;
    for (int first = 1;; first = 0) {
        const char *e = s + strcspn(s, "_,");
        uint32_t v;
        int rc = parse_u32n(s, e, &v);
        if (rc)
            return rc;
        if (first)
            *asn = v;
        if (!*e)
            return TT_OK;
        *several = 1;
        s = e + 1;
    }
}

/* addr and len into lo/hi; host bits must be clear. Returns 4, 6 or a
 * negative code. */
static int prefix_range(const char *addr, const char *lenstr, uint8_t lo[16], uint8_t hi[16])
{
    int fam = inet_pton(AF_INET, addr, lo) == 1 ? 4 : inet_pton(AF_INET6, addr, lo) == 1 ? 6 : 0;
    uint32_t len;
    if (!fam)
        return TT_EFORMAT;
    unsigned bytes = fam == 4 ? 4 : 16;
    if (parse_u32n(lenstr, lenstr + strlen(lenstr), &len) || len > 8 * bytes)
        return TT_ELIMIT;
    for (unsigned i = 0; i < bytes; i++) {
        unsigned bits = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;
        uint8_t host = (uint8_t)(0xffu >> bits);
        if (lo[i] & host)
            return TT_ECORRUPT;
        hi[i] = lo[i] | host;
    }
    return fam;
}

static int pfx_line(struct tt_range_set *set, struct tt_range_src *src, char *line, uint64_t *multi,
                    struct tt_err *err)
{
    char *f[PFX_FIELDS_MAX + 1];
    line += strspn(line, " \t");
    if (!*line || *line == ';')
        return TT_OK;
    size_t n = split_ws(line, f, PFX_FIELDS_MAX);
    const char *addr = f[0], *len, *origin;
    char *slash = strchr(f[0], '/');
    if (n == 2 && slash) { /* pyasn */
        *slash = '\0';
        len = slash + 1;
        origin = f[1];
    } else if (n == 3 && !slash) { /* CAIDA */
        len = f[1];
        origin = f[2];
    } else {
        return PFX_FAIL(src, err, TT_EFORMAT, "%zu fields, want prefix/len ASN or prefix len ASN",
                        n);
    }
    uint8_t lo[16], hi[16];
    int fam = prefix_range(addr, len, lo, hi);
    if (fam == TT_EFORMAT)
        return PFX_FAIL(src, err, TT_EFORMAT, "bad address '%.48s'", addr);
    if (fam == TT_ELIMIT)
        return PFX_FAIL(src, err, TT_EFORMAT, "bad prefix length '%.32s'", len);
    if (fam < 0)
        return PFX_FAIL(src, err, TT_EFORMAT, "%s/%s has host bits set", addr, len);
    uint32_t asn;
    int several;
    if (parse_origin(origin, &asn, &several))
        return PFX_FAIL(src, err, TT_EFORMAT, "bad origin AS '%.48s'", origin);
    *multi += (uint64_t)several;
    if (!asn) {
        set->skipped++; /* AS 0 (RFC 7607) originates nothing */
        return TT_OK;
    }
    uint16_t file = tt_range_src_file(src);
    uint32_t lineno = tt_range_src_lineno(src);
    int rc =
        fam == 4
            ? tt_range_add4(
                  set, (uint32_t)lo[0] << 24 | (uint32_t)lo[1] << 16 | (uint32_t)lo[2] << 8 | lo[3],
                  (uint32_t)hi[0] << 24 | (uint32_t)hi[1] << 16 | (uint32_t)hi[2] << 8 | hi[3], asn,
                  file, lineno)
            : tt_range_add6(set, lo, hi, asn, file, lineno);
    return rc ? PFX_FAIL(src, err, rc, "cannot add range: %s", tt_strerror(rc)) : TT_OK;
}

static int pfx_run(struct tt_range_set *set, struct tt_range_src *src, uint64_t *multi,
                   struct tt_err *err)
{
    uint64_t local = 0, m0;
    if (!multi)
        multi = &local;
    m0 = *multi;
    char *line;
    size_t len;
    int rc;
    while ((rc = tt_range_src_line(src, &line, &len, err)) == 1)
        if ((rc = pfx_line(set, src, line, multi, err)) != 0)
            break;
    if (rc < 0)
        *multi = m0; /* the file's records are rolled back: so is its count */
    return tt_range_src_close(src, rc);
}

int tt_pfx2as_parse(const char *path, struct tt_range_set *out, uint64_t *multi, struct tt_err *err)
{
    struct tt_range_src *src = NULL;
    int rc = tt_range_src_open(out, path, &src, err);
    return rc ? rc : pfx_run(out, src, multi, err);
}

int tt_pfx2as_parse_mem(const char *text, size_t len, const char *name, struct tt_range_set *out,
                        uint64_t *multi, struct tt_err *err)
{
    struct tt_range_src *src = NULL;
    int rc = tt_range_src_open_mem(out, text, len, name, &src, err);
    return rc ? rc : pfx_run(out, src, multi, err);
}
