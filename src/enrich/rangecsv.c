/* Inclusive-range CSV tables: `start_ip,end_ip,cc` and
 * `start_ip,end_ip,asn[,name]` (ip-location-db, DB-IP lite), IPv4 or IPv6,
 * with or without a header row. Lines come from the shared range source
 * and are fed to libcsv (strict mode) one at a time, so every row knows the
 * line it started on, even when a quoted name spans lines. */
#include "enrich/range.h"

#include <arpa/inet.h>
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#define CSV_FIELDS_MAX 4                    /* start, end, value, name */
#define CSV_FIELD_MAX 1024                  /* bytes of one field */
#define CSV_ROW_MAX (4 * TT_RANGE_LINE_MAX) /* bytes of one row, quoted newlines included */
#define NAMES_SEEN_MAX ((size_t)1 << 24)    /* slots of the name de-duplication table */

/* asn -> hash of the name last given to tt_range_add_name, so a table that
 * repeats an AS's name on every row adds it once per change, not per row. */
struct seen {
    struct seen_slot {
        uint32_t asn; /* 0: empty (asn 0 never gets a name) */
        uint64_t hash;
    } * v;
    size_t cap, n;
};

struct csvrow {
    struct tt_range_set *set;
    struct tt_range_src *src;
    struct tt_err *err;
    int asn_mode;
    int rc;           /* first error; later callbacks do nothing */
    uint64_t rows;    /* rows seen, header included */
    uint32_t line;    /* first line of the current row */
    int in_row;       /* a non-blank line of the current row has been fed */
    size_t row_bytes; /* bytes fed since the row began */
    size_t nf;        /* fields of the current row (may exceed CSV_FIELDS_MAX) */
    size_t flen[CSV_FIELDS_MAX];
    char f[CSV_FIELDS_MAX][CSV_FIELD_MAX + 1];
    struct seen seen;
};

#define ROW_FAIL(r, code, fmt, ...)                                                                \
    ((r)->rc = tt_err_set((r)->err, code, "%s:%u: " fmt, tt_range_src_name((r)->src), (r)->line,   \
                          __VA_ARGS__))

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

static struct seen_slot *seen_find(struct seen *t, uint32_t asn)
{
    size_t i = (asn * 2654435761u) & (t->cap - 1);
    while (t->v[i].asn && t->v[i].asn != asn)
        i = (i + 1) & (t->cap - 1);
    return &t->v[i];
}

static int seen_grow(struct seen *t)
{
    size_t ncap = t->cap ? t->cap * 2 : 4096;
    if (ncap > NAMES_SEEN_MAX)
        return TT_ELIMIT;
    struct seen old = *t;
    t->v = calloc(ncap, sizeof *t->v);
    if (!t->v) {
        *t = old;
        return TT_ENOMEM;
    }
    t->cap = ncap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.v[i].asn)
            *seen_find(t, old.v[i].asn) = old.v[i];
    free(old.v);
    return TT_OK;
}

/* Adds the name unless it is the one this AS already has from this file. */
static int add_name(struct csvrow *r, uint32_t asn, const char *name)
{
    struct seen *t = &r->seen;
    if (t->n + 1 > t->cap / 2) {
        int rc = seen_grow(t);
        if (rc)
            return rc;
    }
    uint64_t h = hash_name(name);
    struct seen_slot *s = seen_find(t, asn);
    if (s->asn && s->hash == h)
        return TT_OK;
    if (!s->asn)
        t->n++;
    s->asn = asn;
    s->hash = h;
    return tt_range_add_name(r->set, asn, name);
}

static int parse_u32(const char *s, uint32_t *v)
{
    uint64_t x = 0;
    if (!*s || strlen(s) > 10)
        return TT_EFORMAT;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return TT_EFORMAT;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    if (x > UINT32_MAX)
        return TT_ELIMIT;
    *v = (uint32_t)x;
    return TT_OK;
}

/* 4 or 6, or 0 when s is not an address. */
static int parse_addr(const char *s, uint8_t a[16])
{
    if (inet_pton(AF_INET, s, a) == 1)
        return 4;
    if (inet_pton(AF_INET6, s, a) == 1)
        return 6;
    return 0;
}

/* The row's value: a country (TT_CC) or an AS number; 0 = not routed. */
static int row_value(struct csvrow *r, uint32_t *value)
{
    const char *v = r->f[2];
    if (!r->asn_mode) {
        char a = (char)(v[0] & ~0x20), b = (char)(v[1] & ~0x20); /* ASCII upper case */
        if (r->flen[2] != 2 || a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
            return ROW_FAIL(r, TT_EFORMAT, "bad country code '%.32s'", v);
        *value = TT_CC(a, b);
        return TT_OK;
    }
    if (parse_u32(v, value))
        return ROW_FAIL(r, TT_EFORMAT, "bad AS number '%.32s'", v);
    return TT_OK;
}

static uint32_t be32(const uint8_t a[4])
{
    return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

static int row_add(struct csvrow *r)
{
    uint8_t lo[16], hi[16];
    int fam = parse_addr(r->f[0], lo);
    if (r->rows++ == 0 && !fam)
        return TT_OK; /* a header */
    if (r->asn_mode ? r->nf != 3 && r->nf != 4 : r->nf != 3)
        return ROW_FAIL(r, TT_EFORMAT, "%zu fields, want %s", r->nf,
                        r->asn_mode ? "start_ip,end_ip,asn[,name]" : "start_ip,end_ip,cc");
    if (!fam)
        return ROW_FAIL(r, TT_EFORMAT, "bad address '%.48s'", r->f[0]);
    int fam2 = parse_addr(r->f[1], hi);
    if (!fam2)
        return ROW_FAIL(r, TT_EFORMAT, "bad address '%.48s'", r->f[1]);
    if (fam != fam2 || memcmp(lo, hi, fam == 4 ? 4 : 16) > 0)
        return ROW_FAIL(r, TT_EFORMAT, "%.48s-%.48s is not a range", r->f[0], r->f[1]);
    uint32_t value = 0;
    int rc = row_value(r, &value);
    if (rc)
        return rc;
    if (!value) {
        r->set->skipped++; /* AS 0: not routed */
        return TT_OK;
    }
    uint16_t file = tt_range_src_file(r->src);
    if (fam == 4)
        rc = tt_range_add4(r->set, be32(lo), be32(hi), value, file, r->line);
    else
        rc = tt_range_add6(r->set, lo, hi, value, file, r->line);
    if (!rc && r->asn_mode && r->nf == 4 && r->f[3][0])
        rc = add_name(r, value, r->f[3]);
    return rc ? ROW_FAIL(r, rc, "cannot add: %s", tt_strerror(rc)) : TT_OK;
}

static void row_end(int c, void *data)
{
    struct csvrow *r = data;
    (void)c;
    if (!r->rc && r->nf && !(r->nf == 1 && r->flen[0] == 0)) /* skip blank rows */
        row_add(r);
    r->nf = 0;
    r->in_row = 0;
}

static void field_end(void *field, size_t len, void *data)
{
    struct csvrow *r = data;
    size_t i = r->nf++;
    if (r->rc || i >= CSV_FIELDS_MAX)
        return; /* too many fields: row_end refuses the count */
    if (len > CSV_FIELD_MAX) {
        ROW_FAIL(r, TT_ELIMIT, "field %zu longer than %d bytes", i + 1, CSV_FIELD_MAX);
        return;
    }
    if (len && memchr(field, '\0', len)) {
        ROW_FAIL(r, TT_EFORMAT, "NUL byte in field %zu", i + 1);
        return;
    }
    if (len)
        memcpy(r->f[i], field, len);
    r->f[i][len] = '\0';
    r->flen[i] = len;
}

/* Feeds one line (and its newline) to libcsv. */
static int feed(struct csvrow *r, struct csv_parser *p, const char *line, size_t len)
{
    if (!r->in_row) {
        r->line = tt_range_src_lineno(r->src);
        r->row_bytes = 0;
        r->in_row = strspn(line, " \t") < len;
    }
    r->row_bytes += len + 1;
    if (r->row_bytes > CSV_ROW_MAX)
        return ROW_FAIL(r, TT_ELIMIT, "row longer than %d bytes (unterminated quote?)",
                        CSV_ROW_MAX);
    if (csv_parse(p, line, len, field_end, row_end, r) != len ||
        (!r->rc && csv_parse(p, "\n", 1, field_end, row_end, r) != 1))
        if (!r->rc)
            return ROW_FAIL(r, TT_EFORMAT, "%s", csv_strerror(csv_error(p)));
    return r->rc;
}

static int csv_run(struct tt_range_set *set, struct tt_range_src *src, int asn_mode,
                   struct tt_err *err)
{
    struct csv_parser p;
    struct csvrow *r = calloc(1, sizeof *r);
    int rc = TT_ENOMEM, inited = 0;
    if (!r) {
        rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory", tt_range_src_name(src));
        goto out;
    }
    *r = (struct csvrow){.set = set, .src = src, .err = err, .asn_mode = asn_mode};
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        rc = tt_err_set(err, TT_ENOMEM, "%s: cannot start the CSV parser", tt_range_src_name(src));
        goto out;
    }
    inited = 1;
    char *line;
    size_t len;
    while ((rc = tt_range_src_line(src, &line, &len, err)) == 1)
        if ((rc = feed(r, &p, line, len)) != 0)
            goto out;
    if (rc == 0 && csv_fini(&p, field_end, row_end, r) != 0 && !r->rc)
        rc = ROW_FAIL(r, TT_ETRUNC, "%s", "quoted field not closed at the end of the file");
    if (rc == 0)
        rc = r->rc;
out:
    if (inited)
        csv_free(&p);
    if (r)
        free(r->seen.v);
    free(r);
    return tt_range_src_close(src, rc);
}

int tt_rangecsv_parse_country(const char *path, struct tt_range_set *out, struct tt_err *err)
{
    struct tt_range_src *src = NULL;
    int rc = tt_range_src_open(out, path, &src, err);
    return rc ? rc : csv_run(out, src, 0, err);
}

int tt_rangecsv_parse_asn(const char *path, struct tt_range_set *out, struct tt_err *err)
{
    struct tt_range_src *src = NULL;
    int rc = tt_range_src_open(out, path, &src, err);
    return rc ? rc : csv_run(out, src, 1, err);
}

int tt_rangecsv_parse_country_mem(const char *text, size_t len, const char *name,
                                  struct tt_range_set *out, struct tt_err *err)
{
    struct tt_range_src *src = NULL;
    int rc = tt_range_src_open_mem(out, text, len, name, &src, err);
    return rc ? rc : csv_run(out, src, 0, err);
}

int tt_rangecsv_parse_asn_mem(const char *text, size_t len, const char *name,
                              struct tt_range_set *out, struct tt_err *err)
{
    struct tt_range_src *src = NULL;
    int rc = tt_range_src_open_mem(out, text, len, name, &src, err);
    return rc ? rc : csv_run(out, src, 1, err);
}
