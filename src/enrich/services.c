/* Service names for destination ports: the IANA registry CSV read with
 * libcsv, overlaid by an annotation file (man/teiten-ports.5).
 *
 * Storage: one record array (name, description and reference as offsets
 * into one string pool) and, per transport protocol, a two-level index of
 * record numbers (0 = none): 256 pages of 256 ports, a page allocated when
 * a port in it is first named. A lookup is three array reads and never
 * allocates; a protocol with a few named ports costs a few pages. Each load is
 * parsed into a separate layer that is merged into the table only when the
 * whole input was accepted: a refused file changes nothing. */
#include "enrich/services.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"

#define PROTOS 4
#define PORTS 65536
#define PAGE_BITS 8
#define PAGE (1u << PAGE_BITS)
#define PAGES (PORTS / PAGE)
#define REF_MAX 512                         /* bytes of a reference, with its NUL */
#define RECS_MAX ((uint32_t)PROTOS * PORTS) /* a record is only kept if it names a port */
#define POOL_MAX ((size_t)64 << 20)         /* bytes of all strings together */
#define IANA_FILE_MAX ((size_t)64 << 20)    /* the 2024 registry is 1.1 MB */
#define ANNOT_FILE_MAX ((size_t)1 << 20)
#define ANNOT_LINE_MAX 1024 /* bytes of an annotation line, with its NUL */
#define CSV_COLS_MAX 64
#define PORT_TEXT_MAX 16 /* "65535-65535" and room to spare */
#define PROTO_TEXT_MAX 8

struct rec {
    uint32_t name, desc, ref; /* pool offsets; 0 is "" */
    uint32_t line;            /* where it came from, for duplicate messages */
    uint8_t annotated;
};

struct tt_services {
    uint32_t *page[PROTOS][PAGES]; /* record number + 1 per port; NULL: none in the page */
    struct rec *recs;
    uint32_t nrecs, caprecs;
    char *pool;
    size_t pool_len, pool_cap;
};

static const uint8_t proto_num[PROTOS] = {6, 17, 132, 33};
static const char *const proto_lower[PROTOS] = {"tcp", "udp", "sctp", "dccp"};
static const char *const proto_upper[PROTOS] = {"TCP", "UDP", "SCTP", "DCCP"};

static int proto_slot(uint8_t proto)
{
    for (int i = 0; i < PROTOS; i++)
        if (proto_num[i] == proto)
            return i;
    return -1;
}

static int proto_by_name(const char *t, size_t len)
{
    for (int i = 0; i < PROTOS; i++)
        if (strlen(proto_lower[i]) == len && memcmp(proto_lower[i], t, len) == 0)
            return i;
    return -1;
}

struct tt_services *tt_services_new(void)
{
    struct tt_services *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->pool = malloc(4096);
    if (!s->pool) {
        free(s);
        return NULL;
    }
    s->pool[0] = '\0'; /* offset 0: the shared empty string */
    s->pool_len = 1;
    s->pool_cap = 4096;
    return s;
}

void tt_services_free(struct tt_services *s)
{
    if (!s)
        return;
    for (int i = 0; i < PROTOS; i++)
        for (uint32_t k = 0; k < PAGES; k++)
            free(s->page[i][k]);
    free(s->recs);
    free(s->pool);
    free(s);
}

static int reserve_pool(struct tt_services *s, size_t more)
{
    if (more > POOL_MAX - s->pool_len)
        return TT_ELIMIT;
    if (s->pool_len + more <= s->pool_cap)
        return TT_OK;
    size_t cap = s->pool_cap;
    while (cap < s->pool_len + more)
        cap *= 2;
    char *p = realloc(s->pool, cap);
    if (!p)
        return TT_ENOMEM;
    s->pool = p;
    s->pool_cap = cap;
    return TT_OK;
}

static int reserve_recs(struct tt_services *s, uint32_t more)
{
    if (more > RECS_MAX - s->nrecs)
        return TT_ELIMIT;
    if (s->nrecs + more <= s->caprecs)
        return TT_OK;
    uint32_t cap = s->caprecs ? s->caprecs : 1024;
    while (cap < s->nrecs + more)
        cap *= 2;
    struct rec *r = realloc(s->recs, (size_t)cap * sizeof *r);
    if (!r)
        return TT_ENOMEM;
    s->recs = r;
    s->caprecs = cap;
    return TT_OK;
}

static uint32_t get_id(const struct tt_services *s, int slot, uint32_t port)
{
    const uint32_t *pg = s->page[slot][port >> PAGE_BITS];
    return pg ? pg[port & (PAGE - 1)] : 0;
}

static int reserve_page(struct tt_services *s, int slot, uint32_t port)
{
    uint32_t **pg = &s->page[slot][port >> PAGE_BITS];
    if (!*pg && !(*pg = calloc(PAGE, sizeof **pg)))
        return TT_ENOMEM;
    return TT_OK;
}

/* The page was reserved. */
static void set_id(struct tt_services *s, int slot, uint32_t port, uint32_t id)
{
    s->page[slot][port >> PAGE_BITS][port & (PAGE - 1)] = id;
}

/* Appends a NUL-terminated string; "" shares offset 0. Room was reserved. */
static uint32_t pool_put(struct tt_services *s, const char *str)
{
    size_t n = strlen(str);
    if (n == 0)
        return 0;
    uint32_t off = (uint32_t)s->pool_len;
    memcpy(s->pool + off, str, n + 1);
    s->pool_len += n + 1;
    return off;
}

/* Adds a record; *id is its number + 1. An IANA record equal to the
 * previous one is shared (IANA lists tcp and udp of a service one after the
 * other); annotation records keep their own line for duplicate messages. */
static int rec_add(struct tt_services *s, const char *name, const char *desc, const char *ref,
                   unsigned line, int annotated, uint32_t *id)
{
    if (s->nrecs && !annotated) {
        const struct rec *p = &s->recs[s->nrecs - 1];
        if (p->annotated == annotated && strcmp(s->pool + p->name, name) == 0 &&
            strcmp(s->pool + p->desc, desc) == 0 && strcmp(s->pool + p->ref, ref) == 0) {
            *id = s->nrecs;
            return TT_OK;
        }
    }
    int rc = reserve_recs(s, 1);
    if (rc == TT_OK)
        rc = reserve_pool(s, strlen(name) + strlen(desc) + strlen(ref) + 3);
    if (rc)
        return rc;
    struct rec *r = &s->recs[s->nrecs++];
    r->name = pool_put(s, name);
    r->desc = pool_put(s, desc);
    r->ref = pool_put(s, ref);
    r->line = line;
    r->annotated = (uint8_t)annotated;
    *id = s->nrecs;
    return TT_OK;
}

/* Merges a finished layer: annotations replace what is there, IANA fills
 * only free ports. Everything is reserved first, so it cannot half-fail. */
static int merge(struct tt_services *s, const struct tt_services *l, int replace)
{
    int rc = reserve_recs(s, l->nrecs);
    if (rc == TT_OK)
        rc = reserve_pool(s, l->pool_len);
    for (int p = 0; rc == TT_OK && p < PROTOS; p++)
        for (uint32_t k = 0; rc == TT_OK && k < PAGES; k++)
            if (l->page[p][k])
                rc = reserve_page(s, p, k << PAGE_BITS); /* an empty page changes nothing */
    uint32_t *map = rc == TT_OK ? calloc((size_t)l->nrecs + 1, sizeof *map) : NULL;
    if (rc == TT_OK && !map)
        rc = TT_ENOMEM;
    for (uint32_t key = 0; rc == TT_OK && key < (uint32_t)PROTOS * PORTS; key++) {
        int p = (int)(key / PORTS);
        uint32_t port = key % PORTS, id;
        if (!l->page[p][port >> PAGE_BITS]) {
            key |= PAGE - 1; /* skip the empty page */
            continue;
        }
        if (!(id = get_id(l, p, port)) || (!replace && get_id(s, p, port)))
            continue;
        if (!map[id]) {
            const struct rec *r = &l->recs[id - 1];
            struct rec *n = &s->recs[s->nrecs++];
            n->name = pool_put(s, l->pool + r->name);
            n->desc = pool_put(s, l->pool + r->desc);
            n->ref = pool_put(s, l->pool + r->ref);
            n->line = r->line;
            n->annotated = r->annotated;
            map[id] = s->nrecs;
        }
        set_id(s, p, port, map[id]);
    }
    free(map);
    return rc;
}

int tt_service_lookup(const struct tt_services *s, uint8_t proto, uint16_t port,
                      struct tt_service *out)
{
    int slot = s ? proto_slot(proto) : -1;
    uint32_t id = slot < 0 ? 0 : get_id(s, slot, port);
    if (!id)
        return TT_ENOTFOUND;
    const struct rec *r = &s->recs[id - 1];
    out->name = s->pool + r->name;
    out->desc = s->pool + r->desc;
    out->ref = s->pool + r->ref;
    out->annotated = r->annotated;
    return TT_OK;
}

/* Unknown protocol numbers come out as "PORT/PROTO-N". */
void tt_service_label(const struct tt_services *s, uint8_t proto, uint16_t port, enum tt_lang lang,
                      char *buf, size_t size)
{
    (void)lang;
    if (!buf || size == 0)
        return;
    int slot = proto_slot(proto);
    char pn[16];
    if (slot >= 0)
        snprintf(pn, sizeof pn, "%s", proto_upper[slot]);
    else
        snprintf(pn, sizeof pn, "PROTO-%u", proto);
    struct tt_service sv;
    if (tt_service_lookup(s, proto, port, &sv) == TT_OK && sv.name[0])
        snprintf(buf, size, "%u/%s (%s)", port, pn, sv.name);
    else
        snprintf(buf, size, "%u/%s", port, pn);
}

/* ---- text helpers ---- */

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Copies registry text into dst[cap] for one-line reports: a run of blanks
 * that holds a line break (IANA wraps long descriptions and indents the
 * continuation) becomes one space, other control bytes become spaces, the
 * ends are trimmed. Too long: cut at a UTF-8 character boundary, *cut = 1. */
static void clean_text(char *dst, size_t cap, const char *src, size_t len, int *cut)
{
    size_t n = 0, i = 0;
    *cut = 0;
    while (i < len && is_blank(src[i]))
        i++;
    while (i < len) {
        char c = src[i];
        if (is_blank(c)) {
            size_t j = i;
            int nl = 0;
            for (; j < len && is_blank(src[j]); j++)
                if (src[j] == '\n' || src[j] == '\r')
                    nl = 1;
            if (j == len)
                break; /* trailing blanks */
            if (nl) {
                c = ' ';
                i = j - 1;
            }
        }
        if ((unsigned char)c < 0x20 || c == 0x7f)
            c = ' ';
        if (n + 1 >= cap) {
            *cut = 1;
            if (((unsigned char)c & 0xC0) == 0x80) { /* drop the split character */
                while (n > 0 && ((unsigned char)dst[n - 1] & 0xC0) == 0x80)
                    n--;
                if (n > 0 && ((unsigned char)dst[n - 1] & 0xC0) == 0xC0)
                    n--;
            }
            break;
        }
        dst[n++] = c;
        i++;
    }
    dst[n] = '\0';
}

/* 1 when [p, p+len) is well-formed UTF-8 (no overlongs, surrogates or
 * values beyond U+10FFFF). */
static int utf8_valid(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned c = p[i], need, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            need = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            need = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            need = 3, min = 0x10000, c &= 0x07;
        } else {
            return 0;
        }
        if (len - i - 1 < need)
            return 0;
        for (unsigned k = 1; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
            c = c << 6 | (p[i + k] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return 0;
        i += need + 1;
    }
    return 1;
}

/* "N" with 1..5 digits and N <= 65535. */
static int parse_port(const char *t, size_t len, uint32_t *out)
{
    uint32_t n = 0;
    if (len == 0 || len > 5)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (t[i] < '0' || t[i] > '9')
            return -1;
        n = n * 10 + (uint32_t)(t[i] - '0');
    }
    if (n >= PORTS)
        return -1;
    *out = n;
    return 0;
}

/* ---- IANA registry CSV ---- */

enum { C_NAME, C_PORT, C_PROTO, C_DESC, C_REF, C__N };
static const char *const col_names[C__N] = {"Service Name", "Port Number", "Transport Protocol",
                                            "Description", "Reference"};
static const size_t col_caps[C__N] = {TT_SERVICE_NAME_MAX, PORT_TEXT_MAX, PROTO_TEXT_MAX,
                                      TT_SERVICE_DESC_MAX, REF_MAX};
_Static_assert(REF_MAX >= TT_SERVICE_DESC_MAX && REF_MAX >= TT_SERVICE_NAME_MAX, "field buffer");

struct iana {
    struct tt_services *layer;
    const char *name;
    struct tt_err *err;
    int rc;            /* first error: later callbacks do nothing */
    unsigned line;     /* physical line being fed to libcsv */
    unsigned rec_line; /* physical line where the current record began */
    int between;       /* no record is open */
    int header_done;
    unsigned col, ncols;
    int col_at[C__N];         /* header position of each column we use, -1 if absent */
    char text[C__N][REF_MAX]; /* the fields of the current record, cut to col_caps */
    int cut[C__N];
};

#define IFAIL(x, code, ...) ((x)->rc = tt_err_set((x)->err, code, __VA_ARGS__))

static void iana_header_field(struct iana *x, const char *f, size_t len)
{
    for (int c = 0; c < C__N; c++)
        if (x->col_at[c] < 0 && strlen(col_names[c]) == len && memcmp(col_names[c], f, len) == 0)
            x->col_at[c] = (int)x->col;
}

static void iana_field(void *field, size_t len, void *data)
{
    struct iana *x = data;
    if (x->rc)
        return;
    if (x->between) { /* a record that begins after a bare CR inside a line */
        x->between = 0;
        x->rec_line = x->line;
    }
    if (x->col >= CSV_COLS_MAX) {
        IFAIL(x, TT_ELIMIT, "%s:%u: more than %d fields", x->name, x->rec_line, CSV_COLS_MAX);
        return;
    }
    const char *f = field ? field : "";
    if (!x->header_done)
        iana_header_field(x, f, len);
    else
        for (int c = 0; c < C__N; c++)
            if (x->col_at[c] == (int)x->col)
                clean_text(x->text[c], col_caps[c], f, len, &x->cut[c]);
    x->col++;
}

static void iana_header_end(struct iana *x)
{
    for (int c = 0; c < C__N; c++)
        if (x->col_at[c] < 0) {
            IFAIL(x, TT_EFORMAT, "%s:%u: not the IANA port registry: no '%s' column", x->name,
                  x->rec_line, col_names[c]);
            return;
        }
    x->ncols = x->col;
    x->header_done = 1;
}

/* Checks the record's fields and names its port(s). */
static void iana_record(struct iana *x)
{
    const char *name = x->text[C_NAME], *port = x->text[C_PORT], *proto = x->text[C_PROTO];
    if (x->col != x->ncols) {
        IFAIL(x, TT_EFORMAT, "%s:%u: %u fields, the header has %u", x->name, x->rec_line, x->col,
              x->ncols);
        return;
    }
    if (!name[0] || !port[0] || !proto[0])
        return; /* unassigned, reserved or a service without a port */
    for (int c = C_NAME; c <= C_PROTO; c++)
        if (x->cut[c]) {
            IFAIL(x, TT_ELIMIT, "%s:%u: %s longer than %zu bytes", x->name, x->rec_line,
                  col_names[c], col_caps[c] - 1);
            return;
        }
    const char *dash = strchr(port, '-');
    size_t alen = dash ? (size_t)(dash - port) : strlen(port);
    uint32_t lo = 0, hi = 0;
    int bad = parse_port(port, alen, &lo);
    if (!bad && dash)
        bad = parse_port(dash + 1, strlen(dash + 1), &hi) || hi < lo;
    else
        hi = lo;
    if (bad) {
        IFAIL(x, TT_EFORMAT, "%s:%u: port '%s': expected N or N-M within 0..65535", x->name,
              x->rec_line, port);
        return;
    }
    int slot = proto_by_name(proto, strlen(proto));
    if (slot < 0) {
        IFAIL(x, TT_EFORMAT, "%s:%u: transport protocol '%s': expected tcp, udp, sctp or dccp",
              x->name, x->rec_line, proto);
        return;
    }
    struct tt_services *l = x->layer;
    uint32_t p = lo, id = 0;
    while (p <= hi && get_id(l, slot, p))
        p++; /* the first record for a port wins */
    int rc = p <= hi ? rec_add(l, name, x->text[C_DESC], x->text[C_REF], x->rec_line, 0, &id) : 0;
    for (; rc == TT_OK && p <= hi; p++)
        if (!get_id(l, slot, p) && (rc = reserve_page(l, slot, p)) == TT_OK)
            set_id(l, slot, p, id);
    if (rc)
        IFAIL(x, rc, "%s:%u: %s", x->name, x->rec_line,
              rc == TT_ENOMEM ? "out of memory" : "too many services");
}

static void iana_row(int term, void *data)
{
    struct iana *x = data;
    (void)term;
    if (x->rc)
        return;
    if (x->between)
        x->rec_line = x->line;
    if (!x->header_done)
        iana_header_end(x);
    else
        iana_record(x);
    x->col = 0;
    x->between = 1;
    memset(x->cut, 0, sizeof x->cut);
    for (int c = 0; c < C__N; c++)
        x->text[c][0] = '\0';
}

static int line_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return 0;
    return 1;
}

/* Feeds libcsv one physical line at a time so records know their line:
 * libcsv skips blank lines between records, so a record begins on the
 * first non-blank line fed while none is open. */
static int iana_feed(struct csv_parser *cp, struct iana *x, const char *text, size_t len)
{
    for (size_t pos = 0; pos < len && !x->rc;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) + 1 : len - pos;
        x->line++;
        if (x->between && !line_blank(text + pos, n)) {
            x->between = 0;
            x->rec_line = x->line;
        }
        if (csv_parse(cp, text + pos, n, iana_field, iana_row, x) != n && !x->rc) {
            int e = csv_error(cp);
            IFAIL(x, e == CSV_ENOMEM ? TT_ENOMEM : TT_EFORMAT, "%s:%u: %s", x->name, x->line,
                  e == CSV_EPARSE ? "bad CSV quoting (a quote inside an unquoted field, "
                                    "or text after a closing quote)"
                                  : csv_strerror(e));
        }
        pos += n;
    }
    if (!x->rc && csv_fini(cp, iana_field, iana_row, x) != 0 && !x->rc)
        IFAIL(x, TT_ETRUNC, "%s:%u: quoted field not closed at the end of the file", x->name,
              x->rec_line);
    if (!x->rc && !x->header_done)
        IFAIL(x, TT_EFORMAT, "%s: not the IANA port registry: no header", x->name);
    return x->rc;
}

int tt_services_parse_iana(struct tt_services *s, const char *text, size_t len, const char *name,
                           struct tt_err *err)
{
    struct iana *x = calloc(1, sizeof *x);
    struct tt_services *layer = tt_services_new();
    struct csv_parser cp;
    int have_cp = 0, rc = TT_OK;
    if (!x || !layer) {
        rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory", name);
        goto out;
    }
    if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory", name);
        goto out;
    }
    have_cp = 1;
    x->layer = layer;
    x->name = name;
    x->err = err;
    x->between = 1;
    for (int c = 0; c < C__N; c++)
        x->col_at[c] = -1;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { /* a UTF-8 byte-order mark */
        text += 3;
        len -= 3;
    }
    rc = iana_feed(&cp, x, text, len);
    if (rc == TT_OK && (rc = merge(s, layer, 0)))
        tt_err_set(err, rc, "%s: %s", name,
                   rc == TT_ENOMEM ? "out of memory" : "too many services");
out:
    if (have_cp)
        csv_free(&cp);
    tt_services_free(layer);
    free(x);
    return rc;
}

static int load_file(struct tt_services *s, const char *path, size_t max, struct tt_err *err,
                     int (*parse)(struct tt_services *, const char *, size_t, const char *,
                                  struct tt_err *))
{
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = tt_file_read(path, max, &data, &len, err);
    if (rc == TT_OK)
        rc = parse(s, (const char *)data, len, path, err);
    free(data);
    return rc;
}

int tt_services_load_iana(struct tt_services *s, const char *path, struct tt_err *err)
{
    return load_file(s, path, IANA_FILE_MAX, err, tt_services_parse_iana);
}

/* ---- annotation file ---- */

#define AFAIL(...) tt_err_set(err, TT_EINVAL, __VA_ARGS__)

struct annot {
    const char *name;
    unsigned line;
    struct tt_err *err;
};

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static size_t token_len(const char *p)
{
    size_t n = 0;
    while (p[n] && p[n] != ' ' && p[n] != '\t')
        n++;
    return n;
}

static int valid_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '+';
}

/* PORT/PROTO -> *slot, *port. */
static int annot_key(const char *t, size_t n, const struct annot *a, int *slot, uint32_t *port)
{
    struct tt_err *err = a->err;
    const char *slash = memchr(t, '/', n);
    if (!slash)
        return AFAIL("%s:%u: '%.*s': expected PORT/PROTO, e.g. 8728/tcp", a->name, a->line, (int)n,
                     t);
    size_t pl = (size_t)(slash - t);
    if (parse_port(t, pl, port))
        return AFAIL("%s:%u: port '%.*s': expected 0..65535", a->name, a->line, (int)pl, t);
    *slot = proto_by_name(slash + 1, n - pl - 1);
    if (*slot < 0)
        return AFAIL("%s:%u: protocol '%.*s': expected tcp, udp, sctp or dccp", a->name, a->line,
                     (int)(n - pl - 1), slash + 1);
    return TT_OK;
}

static int annot_name(const char *t, size_t n, const struct annot *a, char *out)
{
    struct tt_err *err = a->err;
    if (n == 0)
        return AFAIL("%s:%u: missing service name", a->name, a->line);
    if (n >= TT_SERVICE_NAME_MAX)
        return AFAIL("%s:%u: service name longer than %d bytes", a->name, a->line,
                     TT_SERVICE_NAME_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if (!valid_name_char(t[i]))
            return AFAIL("%s:%u: service name '%.*s': use letters, digits, '.', '_', '+' and "
                         "'-'",
                         a->name, a->line, (int)n, t);
    memcpy(out, t, n);
    out[n] = '\0';
    return TT_OK;
}

/* "DESCRIPTION" at *pp; leaves *pp after the closing quote. */
static int annot_desc(const char **pp, const struct annot *a, char *out)
{
    struct tt_err *err = a->err;
    const char *p = *pp;
    if (*p != '"')
        return AFAIL("%s:%u: expected a quoted \"DESCRIPTION\" after the name", a->name, a->line);
    const char *end = strchr(p + 1, '"');
    if (!end)
        return AFAIL("%s:%u: description has no closing quote", a->name, a->line);
    size_t n = (size_t)(end - p - 1);
    if (n >= TT_SERVICE_DESC_MAX)
        return AFAIL("%s:%u: description longer than %d bytes", a->name, a->line,
                     TT_SERVICE_DESC_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[1 + i] < 0x20 || p[1 + i] == 0x7f)
            return AFAIL("%s:%u: control character in the description", a->name, a->line);
    if (!utf8_valid((const unsigned char *)p + 1, n))
        return AFAIL("%s:%u: description is not valid UTF-8", a->name, a->line);
    if (end[1] && end[1] != ' ' && end[1] != '\t')
        return AFAIL("%s:%u: expected a blank after the description", a->name, a->line);
    memcpy(out, p + 1, n);
    out[n] = '\0';
    *pp = end + 1;
    return TT_OK;
}

static int annot_ref(const char *t, size_t n, const struct annot *a, char *out)
{
    struct tt_err *err = a->err;
    if (n == 0)
        return AFAIL("%s:%u: missing reference URL", a->name, a->line);
    size_t scheme = strncmp(t, "https://", 8) == 0 ? 8 : strncmp(t, "http://", 7) == 0 ? 7 : 0;
    if (!scheme || n == scheme)
        return AFAIL("%s:%u: reference '%.*s': expected an http:// or https:// URL", a->name,
                     a->line, (int)n, t);
    if (n >= REF_MAX)
        return AFAIL("%s:%u: reference longer than %d bytes", a->name, a->line, REF_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
            return AFAIL("%s:%u: reference: only printable ASCII", a->name, a->line);
    memcpy(out, t, n);
    out[n] = '\0';
    return TT_OK;
}

/* One entry line: PORT/PROTO NAME "DESCRIPTION" REFERENCE-URL. */
static int annot_line(struct tt_services *l, const char *p, const struct annot *a)
{
    struct tt_err *err = a->err;
    char name[TT_SERVICE_NAME_MAX], desc[TT_SERVICE_DESC_MAX], ref[REF_MAX];
    int slot = 0;
    uint32_t port = 0, id = 0;
    size_t n = token_len(p);
    int rc = annot_key(p, n, a, &slot, &port);
    if (rc)
        return rc;
    p = skip_blanks(p + n);
    n = *p == '"' ? 0 : token_len(p);
    if ((rc = annot_name(p, n, a, name)))
        return rc;
    p = skip_blanks(p + n);
    if ((rc = annot_desc(&p, a, desc)))
        return rc;
    p = skip_blanks(p);
    n = token_len(p);
    if ((rc = annot_ref(p, n, a, ref)))
        return rc;
    p = skip_blanks(p + n);
    if (*p)
        return AFAIL("%s:%u: unexpected text after the reference: '%s'", a->name, a->line, p);
    if ((id = get_id(l, slot, port)))
        return AFAIL("%s:%u: %u/%s is already on line %u", a->name, a->line, port,
                     proto_lower[slot], l->recs[id - 1].line);
    if ((rc = reserve_page(l, slot, port)))
        return tt_err_set(err, rc, "%s:%u: out of memory", a->name, a->line);
    if ((rc = rec_add(l, name, desc, ref, a->line, 1, &id)))
        return tt_err_set(err, rc, "%s:%u: %s", a->name, a->line,
                          rc == TT_ENOMEM ? "out of memory" : "too many services");
    set_id(l, slot, port, id);
    return TT_OK;
}

static int annot_all(struct tt_services *l, const char *text, size_t len, struct annot *a)
{
    struct tt_err *err = a->err;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
        char buf[ANNOT_LINE_MAX];
        a->line++;
        if (ll >= sizeof buf)
            return AFAIL("%s:%u: line longer than %d bytes", a->name, a->line, ANNOT_LINE_MAX - 1);
        memcpy(buf, text + pos, ll);
        buf[ll] = '\0';
        pos += ll + 1;
        if (memchr(buf, '\0', ll))
            return AFAIL("%s:%u: NUL byte", a->name, a->line);
        while (ll > 0 && is_blank(buf[ll - 1]))
            buf[--ll] = '\0';
        const char *p = skip_blanks(buf);
        if (!*p || *p == '#')
            continue;
        int rc = annot_line(l, p, a);
        if (rc)
            return rc;
    }
    return TT_OK;
}

int tt_services_parse_annotations(struct tt_services *s, const char *text, size_t len,
                                  const char *name, struct tt_err *err)
{
    struct annot a = {name, 0, err};
    struct tt_services *layer = tt_services_new();
    int rc = TT_OK;
    if (!layer) {
        rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory", name);
        goto out;
    }
    rc = annot_all(layer, text, len, &a);
    if (rc == TT_OK && (rc = merge(s, layer, 1)))
        tt_err_set(err, rc, "%s: %s", name,
                   rc == TT_ENOMEM ? "out of memory" : "too many services");
out:
    tt_services_free(layer);
    return rc;
}

int tt_services_load_annotations(struct tt_services *s, const char *path, struct tt_err *err)
{
    return load_file(s, path, ANNOT_FILE_MAX, err, tt_services_parse_annotations);
}
