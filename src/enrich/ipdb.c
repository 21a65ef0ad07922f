/* The compiled IP database file: writer, validating reader, lookups. The
 * layout is derived from the header's counts alone (docs/enrich.md, "IP
 * database file"), so a reader checks one computed size against the real
 * one instead of trusting stored offsets. Arrays are little-endian and
 * 8-byte aligned, and are searched in place. */
#include "enrich/ipdb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/fileio.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the IP database arrays are read in place as little-endian"
#endif

#define MAGIC "TTIPDB01"
#define HDR_SIZE 128
#define SUM_SIZE 8
#define COUNT_MAX UINT32_MAX         /* ranges, names, pool bytes: u32 offsets */
#define FILE_MAX ((uint64_t)1 << 40) /* far above any real table */
#define DATE_MAX 32                  /* sizeof meta.data_date */
#define SLOTS 65536                  /* IPv4 index on the top 16 bits */

/* Header field offsets (all little-endian). */
enum {
    H_MAGIC = 0,
    H_FORMAT = 8,
    H_KIND = 12,
    H_SIZE = 16,
    H_VERSION = 24,
    H_BUILT = 32,
    H_N4 = 40,
    H_N6 = 48,
    H_NNAMES = 56,
    H_POOL = 64,
    H_ADDR4 = 72,
    H_LSOURCE = 80,
    H_LLICENCE = 84,
    H_LDATE = 88,
    H_HDRSIZE = 92,
    H_RESERVED = 96, /* to 128: zero */
};

/* Section offsets, computed from the counts. */
struct layout {
    uint64_t lo4, hi4, val4, lo6, hi6, val6, asn, noff, pool, data_end, text, sum, size;
};

struct tt_ipdb {
    const uint8_t *base;
    size_t size;
    int mapped;
    struct tt_ipdb_meta meta;
    const uint32_t *lo4, *hi4, *val4, *val6, *asn, *noff;
    const uint8_t *lo6, *hi6;
    const char *pool;
    uint32_t idx[SLOTS + 1]; /* idx[s]: first v4 range with hi >= s << 16 */
    uint32_t uni[SLOTS];     /* the value of a /16 one range covers whole; 0 otherwise */
};

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* *at = align8(*at + count * size), refusing anything past FILE_MAX. */
static int take(uint64_t *at, uint64_t *start, uint64_t count, uint64_t size)
{
    if (count > FILE_MAX / size)
        return -1;
    uint64_t end = *at + count * size;
    if (end > FILE_MAX)
        return -1;
    *start = *at;
    *at = (end + 7) & ~(uint64_t)7;
    return 0;
}

static int compute_layout(uint64_t n4, uint64_t n6, uint64_t nn, uint64_t pool, uint64_t text,
                          struct layout *l)
{
    uint64_t at = HDR_SIZE;
    if (n4 > COUNT_MAX || n6 > COUNT_MAX || nn > COUNT_MAX || pool > COUNT_MAX)
        return -1;
    if (take(&at, &l->lo4, n4, 4) || take(&at, &l->hi4, n4, 4) || take(&at, &l->val4, n4, 4) ||
        take(&at, &l->lo6, n6, 16) || take(&at, &l->hi6, n6, 16) || take(&at, &l->val6, n6, 4) ||
        take(&at, &l->asn, nn, 4) || take(&at, &l->noff, nn, 4) || take(&at, &l->pool, pool, 1))
        return -1;
    l->data_end = at;
    if (take(&at, &l->text, text, 1) || take(&at, &l->sum, 1, SUM_SIZE))
        return -1;
    l->size = at;
    return 0;
}

/* --- Writer --- */

/* The set must be what tt_range_finalize leaves: sorted, non-overlapping,
 * non-empty ranges with values, names by strictly increasing asn. */
static int check_set(const char *path, const struct tt_range_set *s, struct tt_err *err)
{
    for (size_t i = 0; i < s->n4; i++)
        if (s->v4[i].lo > s->v4[i].hi || !s->v4[i].value || (i && s->v4[i - 1].hi >= s->v4[i].lo))
            return tt_err_set(err, TT_EINVAL, "%s: IPv4 range %zu: set not finalised", path, i);
    for (size_t i = 0; i < s->n6; i++)
        if (memcmp(s->v6[i].lo, s->v6[i].hi, 16) > 0 || !s->v6[i].value ||
            (i && memcmp(s->v6[i - 1].hi, s->v6[i].lo, 16) >= 0))
            return tt_err_set(err, TT_EINVAL, "%s: IPv6 range %zu: set not finalised", path, i);
    for (size_t i = 0; i < s->nnames; i++)
        if ((i && s->names[i - 1].asn >= s->names[i].asn) ||
            !memchr(s->names[i].name, 0, TT_ASNAME_MAX))
            return tt_err_set(err, TT_EINVAL, "%s: AS name %zu: set not finalised", path, i);
    if (s->n4 > COUNT_MAX || s->n6 > COUNT_MAX || s->nnames > COUNT_MAX)
        return tt_err_set(err, TT_ELIMIT, "%s: too many ranges or names", path);
    return TT_OK;
}

static int meta_texts(const char *path, const struct tt_ipdb_meta *m, uint64_t len[3],
                      struct tt_err *err)
{
    len[0] = strnlen(m->source, TT_IPDB_TEXT_MAX);
    len[1] = strnlen(m->licence, TT_IPDB_TEXT_MAX);
    len[2] = strnlen(m->data_date, DATE_MAX);
    if (len[0] == TT_IPDB_TEXT_MAX || len[1] == TT_IPDB_TEXT_MAX || len[2] == DATE_MAX)
        return tt_err_set(err, TT_ELIMIT, "%s: metadata text not terminated", path);
    return TT_OK;
}

static void fill_data(uint8_t *b, const struct layout *l, const struct tt_range_set *s,
                      uint64_t *addr4)
{
    *addr4 = 0;
    for (size_t i = 0; i < s->n4; i++) {
        put32(b + l->lo4 + 4 * i, s->v4[i].lo);
        put32(b + l->hi4 + 4 * i, s->v4[i].hi);
        put32(b + l->val4 + 4 * i, s->v4[i].value);
        *addr4 += (uint64_t)s->v4[i].hi - s->v4[i].lo + 1;
    }
    for (size_t i = 0; i < s->n6; i++) {
        memcpy(b + l->lo6 + 16 * i, s->v6[i].lo, 16);
        memcpy(b + l->hi6 + 16 * i, s->v6[i].hi, 16);
        put32(b + l->val6 + 4 * i, s->v6[i].value);
    }
    uint64_t at = 0;
    for (size_t i = 0; i < s->nnames; i++) {
        size_t n = strlen(s->names[i].name) + 1;
        put32(b + l->asn + 4 * i, s->names[i].asn);
        put32(b + l->noff + 4 * i, (uint32_t)at);
        memcpy(b + l->pool + at, s->names[i].name, n);
        at += n;
    }
}

static void fill_header(uint8_t *b, const struct layout *l, const struct tt_ipdb_meta *m,
                        uint64_t pool, const uint64_t tl[3])
{
    memcpy(b + H_MAGIC, MAGIC, 8);
    put32(b + H_FORMAT, TT_IPDB_VERSION);
    put32(b + H_KIND, (uint32_t)m->kind);
    put64(b + H_SIZE, l->size);
    put64(b + H_VERSION, m->version);
    put64(b + H_BUILT, (uint64_t)m->built_at);
    put64(b + H_N4, m->n4);
    put64(b + H_N6, m->n6);
    put64(b + H_NNAMES, m->nnames);
    put64(b + H_POOL, pool);
    put64(b + H_ADDR4, m->addresses4);
    put32(b + H_LSOURCE, (uint32_t)tl[0]);
    put32(b + H_LLICENCE, (uint32_t)tl[1]);
    put32(b + H_LDATE, (uint32_t)tl[2]);
    put32(b + H_HDRSIZE, HDR_SIZE);
}

int tt_ipdb_write(const char *path, const struct tt_range_set *s, struct tt_ipdb_meta *meta,
                  struct tt_err *err)
{
    uint8_t *b = NULL;
    uint64_t tl[3] = {0, 0, 0}, pool = 0;
    struct layout l;
    if (!path || !s || !meta || (meta->kind != TT_IPDB_COUNTRY && meta->kind != TT_IPDB_ASN))
        return tt_err_set(err, TT_EINVAL, "%s: bad arguments", path ? path : "(null)");
    int rc = check_set(path, s, err);
    if (rc == TT_OK)
        rc = meta_texts(path, meta, tl, err);
    if (rc != TT_OK)
        goto out;
    for (size_t i = 0; i < s->nnames; i++)
        pool += strlen(s->names[i].name) + 1;
    if (compute_layout(s->n4, s->n6, s->nnames, pool, tl[0] + tl[1] + tl[2] + 3, &l) ||
        l.size > SIZE_MAX) {
        rc = tt_err_set(err, TT_ELIMIT, "%s: database too large", path);
        goto out;
    }
    b = calloc(1, (size_t)l.size);
    if (!b) {
        rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory (%llu bytes)", path,
                        (unsigned long long)l.size);
        goto out;
    }
    fill_data(b, &l, s, &meta->addresses4);
    memcpy(b + l.text, meta->source, tl[0]);
    memcpy(b + l.text + tl[0] + 1, meta->licence, tl[1]);
    memcpy(b + l.text + tl[0] + tl[1] + 2, meta->data_date, tl[2]);
    if (!meta->built_at)
        meta->built_at = (int64_t)time(NULL);
    meta->n4 = s->n4;
    meta->n6 = s->n6;
    meta->nnames = s->nnames;
    meta->version =
        XXH3_64bits_withSeed(b + HDR_SIZE, (size_t)(l.data_end - HDR_SIZE), (uint64_t)meta->kind);
    fill_header(b, &l, meta, pool, tl);
    put64(b + l.sum, XXH3_64bits(b, (size_t)l.sum));
    rc = tt_file_write_atomic(path, b, (size_t)l.size, err);
out:
    free(b);
    return rc;
}

/* --- Reader --- */

static int check_header(const struct tt_ipdb *db, const char *name, struct layout *l,
                        uint64_t tl[3], struct tt_err *err)
{
    const uint8_t *b = db->base;
    if (db->size < 8 || memcmp(b, MAGIC, 8) != 0)
        return tt_err_set(err, TT_EFORMAT, "%s: not a teiten IP database (bad magic)", name);
    if (db->size < HDR_SIZE + SUM_SIZE)
        return tt_err_set(err, TT_ECORRUPT, "%s: %zu bytes: truncated header", name, db->size);
    if (get32(b + H_FORMAT) != TT_IPDB_VERSION)
        return tt_err_set(err, TT_EVERSION, "%s: format version %u, this program reads %u", name,
                          get32(b + H_FORMAT), TT_IPDB_VERSION);
    if (get64(b + H_SIZE) != db->size)
        return tt_err_set(err, TT_ECORRUPT, "%s: file is %zu bytes, header says %llu (truncated?)",
                          name, db->size, (unsigned long long)get64(b + H_SIZE));
    if (get64(b + db->size - SUM_SIZE) != XXH3_64bits(b, db->size - SUM_SIZE))
        return tt_err_set(err, TT_ECORRUPT, "%s: checksum mismatch (file damaged)", name);
    for (size_t i = H_RESERVED; i < HDR_SIZE; i++)
        if (b[i])
            return tt_err_set(err, TT_ECORRUPT, "%s: offset %zu: reserved byte not zero", name, i);
    uint32_t kind = get32(b + H_KIND);
    if (get32(b + H_HDRSIZE) != HDR_SIZE || (kind != TT_IPDB_COUNTRY && kind != TT_IPDB_ASN))
        return tt_err_set(err, TT_ECORRUPT, "%s: bad header size or kind %u", name, kind);
    tl[0] = get32(b + H_LSOURCE);
    tl[1] = get32(b + H_LLICENCE);
    tl[2] = get32(b + H_LDATE);
    if (tl[0] >= TT_IPDB_TEXT_MAX || tl[1] >= TT_IPDB_TEXT_MAX || tl[2] >= DATE_MAX)
        return tt_err_set(err, TT_ECORRUPT, "%s: metadata text too long", name);
    if (compute_layout(get64(b + H_N4), get64(b + H_N6), get64(b + H_NNAMES), get64(b + H_POOL),
                       tl[0] + tl[1] + tl[2] + 3, l) ||
        l->size != db->size)
        return tt_err_set(err, TT_ECORRUPT, "%s: counts in the header do not fit the %zu bytes",
                          name, db->size);
    if (XXH3_64bits_withSeed(b + HDR_SIZE, (size_t)(l->data_end - HDR_SIZE), kind) !=
        get64(b + H_VERSION))
        return tt_err_set(err, TT_ECORRUPT, "%s: content hash does not match its version", name);
    return TT_OK;
}

/* Copies one NUL-terminated text of exactly len bytes at *at. */
static int take_text(const struct tt_ipdb *db, uint64_t *at, uint64_t len, char *dst,
                     const char *name, struct tt_err *err)
{
    const char *t = (const char *)db->base + *at;
    if (memchr(t, 0, (size_t)len) || t[len] != 0)
        return tt_err_set(err, TT_ECORRUPT, "%s: offset %llu: bad metadata text", name,
                          (unsigned long long)*at);
    memcpy(dst, t, (size_t)len + 1);
    *at += len + 1;
    return TT_OK;
}

static int check_v4(struct tt_ipdb *db, const char *name, struct tt_err *err)
{
    uint64_t addr = 0, n = db->meta.n4;
    for (uint64_t i = 0; i < n; i++) {
        if (db->lo4[i] > db->hi4[i] || !db->val4[i] || (i && db->hi4[i - 1] >= db->lo4[i]))
            return tt_err_set(err, TT_ECORRUPT,
                              "%s: IPv4 range %llu: empty, no value, or not sorted", name,
                              (unsigned long long)i);
        addr += (uint64_t)db->hi4[i] - db->lo4[i] + 1;
    }
    if (addr != db->meta.addresses4)
        return tt_err_set(err, TT_ECORRUPT, "%s: IPv4 address count %llu, header says %llu", name,
                          (unsigned long long)addr, (unsigned long long)db->meta.addresses4);
    uint64_t i = 0;
    for (uint32_t s = 0; s < SLOTS; s++) {
        while (i < n && db->hi4[i] < s << 16)
            i++;
        db->idx[s] = (uint32_t)i;
        /* most /16s lie inside one range: their lookup is one read */
        db->uni[s] =
            i < n && db->lo4[i] <= s << 16 && db->hi4[i] >= (s << 16 | 0xffff) ? db->val4[i] : 0;
    }
    db->idx[SLOTS] = (uint32_t)n;
    return TT_OK;
}

static int check_v6_names(const struct tt_ipdb *db, uint64_t pool, const char *name,
                          struct tt_err *err)
{
    for (uint64_t i = 0; i < db->meta.n6; i++) {
        const uint8_t *lo = db->lo6 + 16 * i, *hi = db->hi6 + 16 * i;
        if (memcmp(lo, hi, 16) > 0 || !db->val6[i] ||
            (i && memcmp(db->hi6 + 16 * (i - 1), lo, 16) >= 0))
            return tt_err_set(err, TT_ECORRUPT,
                              "%s: IPv6 range %llu: empty, no value, or not sorted", name,
                              (unsigned long long)i);
    }
    for (uint64_t i = 0; i < db->meta.nnames; i++) {
        uint32_t off = db->noff[i];
        if ((i && db->asn[i - 1] >= db->asn[i]) || off >= pool)
            return tt_err_set(err, TT_ECORRUPT, "%s: AS name %llu: not sorted or out of bounds",
                              name, (unsigned long long)i);
        size_t room = pool - off < TT_ASNAME_MAX ? (size_t)(pool - off) : TT_ASNAME_MAX;
        if (!memchr(db->pool + off, 0, room))
            return tt_err_set(err, TT_ECORRUPT, "%s: AS name %llu: not terminated", name,
                              (unsigned long long)i);
    }
    return TT_OK;
}

/* Checks everything and points the arrays into the bytes (8-aligned). */
static int validate(struct tt_ipdb *db, const char *name, struct tt_err *err)
{
    struct layout l;
    uint64_t tl[3] = {0, 0, 0};
    int rc = check_header(db, name, &l, tl, err);
    if (rc != TT_OK)
        return rc;
    const uint8_t *b = db->base;
    struct tt_ipdb_meta *m = &db->meta;
    m->kind = (enum tt_ipdb_kind)get32(b + H_KIND);
    m->version = get64(b + H_VERSION);
    m->built_at = (int64_t)get64(b + H_BUILT);
    m->n4 = get64(b + H_N4);
    m->n6 = get64(b + H_N6);
    m->nnames = get64(b + H_NNAMES);
    m->addresses4 = get64(b + H_ADDR4);
    uint64_t at = l.text;
    if ((rc = take_text(db, &at, tl[0], m->source, name, err)) != TT_OK ||
        (rc = take_text(db, &at, tl[1], m->licence, name, err)) != TT_OK ||
        (rc = take_text(db, &at, tl[2], m->data_date, name, err)) != TT_OK)
        return rc;
    db->lo4 = (const uint32_t *)(const void *)(b + l.lo4);
    db->hi4 = (const uint32_t *)(const void *)(b + l.hi4);
    db->val4 = (const uint32_t *)(const void *)(b + l.val4);
    db->lo6 = b + l.lo6;
    db->hi6 = b + l.hi6;
    db->val6 = (const uint32_t *)(const void *)(b + l.val6);
    db->asn = (const uint32_t *)(const void *)(b + l.asn);
    db->noff = (const uint32_t *)(const void *)(b + l.noff);
    db->pool = (const char *)b + l.pool;
    rc = check_v4(db, name, err);
    if (rc == TT_OK)
        rc = check_v6_names(db, get64(b + H_POOL), name, err);
    return rc;
}

/* A file too short to hold a header, or absurdly large: say which. */
static int bad_size(int fd, const char *path, uint64_t size, struct tt_err *err)
{
    uint8_t head[8];
    if (size < 8 || pread(fd, head, 8, 0) != 8 || memcmp(head, MAGIC, 8) != 0)
        return tt_err_set(err, TT_EFORMAT, "%s: not a teiten IP database (bad magic)", path);
    return tt_err_set(err, TT_ECORRUPT, "%s: %llu bytes: %s", path, (unsigned long long)size,
                      size > FILE_MAX ? "too large" : "truncated header");
}

int tt_ipdb_open(const char *path, struct tt_ipdb **out, struct tt_err *err)
{
    struct stat st;
    struct tt_ipdb *db = calloc(1, sizeof *db);
    int rc = TT_OK, fd = -1;
    *out = NULL;
    if (!db)
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", path);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = tt_err_set(err, errno == ENOENT ? TT_ENOTFOUND : TT_EIO, "%s: %s", path,
                        strerror(errno));
        goto out;
    }
    if (st.st_size < HDR_SIZE + SUM_SIZE || (uint64_t)st.st_size > FILE_MAX) {
        rc = bad_size(fd, path, (uint64_t)st.st_size, err);
        goto out;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        rc = tt_err_set(err, TT_EIO, "%s: mmap: %s", path, strerror(errno));
        goto out;
    }
    db->base = p;
    db->size = (size_t)st.st_size;
    db->mapped = 1;
    rc = validate(db, path, err);
out:
    if (fd >= 0)
        close(fd);
    if (rc != TT_OK)
        tt_ipdb_close(db);
    else
        *out = db;
    return rc;
}

int tt_ipdb_open_mem(const void *data, size_t len, const char *name, struct tt_ipdb **out,
                     struct tt_err *err)
{
    *out = NULL;
    if (!name)
        name = "(memory)";
    if ((uint64_t)len > FILE_MAX)
        return tt_err_set(err, TT_ECORRUPT, "%s: %zu bytes: too large", name, len);
    struct tt_ipdb *db = calloc(1, sizeof *db);
    uint8_t *copy = malloc(len ? len : 1); /* malloc's alignment serves the arrays */
    if (!db || !copy) {
        free(db);
        free(copy);
        return tt_err_set(err, TT_ENOMEM, "%s: out of memory", name);
    }
    if (len)
        memcpy(copy, data, len);
    db->base = copy;
    db->size = len;
    int rc = validate(db, name, err);
    if (rc != TT_OK)
        tt_ipdb_close(db);
    else
        *out = db;
    return rc;
}

void tt_ipdb_close(struct tt_ipdb *db)
{
    if (!db)
        return;
    if (db->mapped)
        munmap((void *)(uintptr_t)db->base, db->size);
    else
        free((void *)(uintptr_t)db->base);
    free(db);
}

const struct tt_ipdb_meta *tt_ipdb_meta(const struct tt_ipdb *db)
{
    return &db->meta;
}

/* --- Lookups: read-only, no allocation. --- */

uint32_t tt_ipdb_lookup4_span(const struct tt_ipdb *db, uint32_t addr, struct tt_ipdb_span *span)
{
    uint32_t s = addr >> 16;
    if (db->uni[s]) {
        span->lo = s << 16;
        span->hi = s << 16 | 0xffff;
        return span->value = db->uni[s];
    }
    uint32_t b = db->idx[s], e = db->idx[s + 1];
    /* The range holding addr is the first with hi >= addr (idx[s] is the
     * first with hi >= s << 16): it lies in [idx[s], idx[s + 1]] (the last
     * one may start in an earlier slot). */
    if (e < db->meta.n4)
        e++;
    size_t len = e - b;
    const uint32_t *p = db->hi4 + b;
    while (len > 1) { /* branch-free lower bound */
        size_t half = len / 2;
        p = p[half - 1] < addr ? p + half : p;
        len -= half;
    }
    if (e > b)
        p += *p < addr;
    size_t i = (size_t)(p - db->hi4);
    /* i is the first range with hi >= addr; the gap before it maps to 0 */
    uint32_t gap_lo = i > 0 ? db->hi4[i - 1] + 1 : 0;
    if (i == db->meta.n4) {
        span->lo = gap_lo;
        span->hi = UINT32_MAX;
        return span->value = 0;
    }
    if (db->lo4[i] <= addr) {
        span->lo = db->lo4[i];
        span->hi = db->hi4[i];
        return span->value = db->val4[i];
    }
    span->lo = gap_lo;
    span->hi = db->lo4[i] - 1;
    return span->value = 0;
}

uint32_t tt_ipdb_lookup4(const struct tt_ipdb *db, uint32_t addr)
{
    struct tt_ipdb_span span;
    return tt_ipdb_lookup4_span(db, addr, &span);
}

uint32_t tt_ipdb_lookup6(const struct tt_ipdb *db, const uint8_t addr[16])
{
    size_t lo = 0, hi = (size_t)db->meta.n6; /* first range with hi >= addr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(db->hi6 + 16 * mid, addr, 16) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < db->meta.n6 && memcmp(db->lo6 + 16 * lo, addr, 16) <= 0)
        return db->val6[lo];
    return 0;
}

const char *tt_ipdb_asname(const struct tt_ipdb *db, uint32_t asn)
{
    size_t lo = 0, hi = (size_t)db->meta.nnames;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (db->asn[mid] < asn)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < db->meta.nnames && db->asn[lo] == asn ? db->pool + db->noff[lo] : NULL;
}
