/* MaxMind DB import: a depth-first walk of the search tree (left before
 * right, so leaves come in address order) that turns each data leaf into a
 * range. In an IPv6 tree the IPv4 space is the subtree at ::/96; the
 * aliases that point back into it (::ffff:0:0/96, 2002::/16) are skipped
 * in the IPv6 walk so no address is listed twice. */
#include <maxminddb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/ipdb.h"

#define WALK_STACK 260 /* two frames per level of a 128-bit tree, and slack */
#define VCACHE 4096    /* data records remembered (direct-mapped) */
#define V4_DEPTH 96    /* ::a.b.c.d/96 in an IPv6 tree */

struct u128 {
    uint64_t h, l;
};

struct frame {
    uint64_t record; /* node number, or the data entry's offset */
    struct u128 prefix;
    uint8_t depth, leaf;
};

struct vslot {
    uint32_t off1; /* data offset + 1; 0 = empty */
    uint32_t value;
};

struct walk {
    const char *path;
    MMDB_s *mmdb;
    enum tt_ipdb_kind kind;
    struct tt_range_set *out;
    uint16_t file;
    int bits;        /* 32 or 128 */
    int64_t v4_node; /* IPv4 subtree's node in an IPv6 tree, else -1 */
    uint64_t visits, visit_max;
    struct vslot cache[VCACHE];
};

/* Two ASCII letters, upper-cased, as TT_CC; 0 when it is not that. */
static uint32_t cc_value(const MMDB_entry_data_s *d)
{
    if (d->type != MMDB_DATA_TYPE_UTF8_STRING || d->data_size != 2)
        return 0;
    char a = d->utf8_string[0], b = d->utf8_string[1];
    a = (char)(a >= 'a' && a <= 'z' ? a - 32 : a);
    b = (char)(b >= 'a' && b <= 'z' ? b - 32 : b);
    if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
        return 0;
    return TT_CC(a, b);
}

/* Looks one path up; 1 with *d filled, 0 when absent, < 0 on a bad file. */
static int get_path(const struct walk *w, MMDB_entry_s *e, const char *const *path,
                    MMDB_entry_data_s *d, struct tt_err *err)
{
    int s = MMDB_aget_value(e, d, path);
    if (s == MMDB_SUCCESS)
        return d->has_data ? 1 : 0;
    if (s == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR || s == MMDB_INVALID_LOOKUP_PATH_ERROR)
        return 0;
    return tt_err_set(err, TT_EFORMAT, "%s: data offset %u: %s", w->path, e->offset,
                      MMDB_strerror(s));
}

static int country_of(struct walk *w, MMDB_entry_s *e, uint32_t *value, struct tt_err *err)
{
    static const char *const p1[] = {"country_code", NULL};
    static const char *const p2[] = {"country", "iso_code", NULL};
    static const char *const p3[] = {"registered_country", "iso_code", NULL};
    const char *const *paths[] = {p1, p2, p3};
    MMDB_entry_data_s d;
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        int rc = get_path(w, e, paths[i], &d, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            continue;
        *value = cc_value(&d);
        if (!*value)
            return tt_err_set(err, TT_EFORMAT, "%s: data offset %u: %s is not a country code",
                              w->path, e->offset, paths[i][0]);
        return TT_OK;
    }
    *value = 0;
    return TT_OK;
}

static int asn_of(struct walk *w, MMDB_entry_s *e, uint32_t *value, struct tt_err *err)
{
    static const char *const pn[] = {"autonomous_system_number", NULL};
    static const char *const po[] = {"autonomous_system_organization", NULL};
    MMDB_entry_data_s d;
    *value = 0;
    int rc = get_path(w, e, pn, &d, err);
    if (rc <= 0)
        return rc;
    if (d.type == MMDB_DATA_TYPE_UINT32)
        *value = d.uint32;
    else if (d.type == MMDB_DATA_TYPE_UINT16)
        *value = d.uint16;
    else if (d.type == MMDB_DATA_TYPE_UINT64 && d.uint64 <= UINT32_MAX)
        *value = (uint32_t)d.uint64;
    else
        return tt_err_set(err, TT_EFORMAT, "%s: data offset %u: bad autonomous_system_number",
                          w->path, e->offset);
    rc = get_path(w, e, po, &d, err);
    if (rc <= 0 || !*value)
        return rc;
    if (d.type != MMDB_DATA_TYPE_UTF8_STRING)
        return TT_OK;
    char name[TT_ASNAME_MAX];
    size_t n = d.data_size < sizeof name - 1 ? d.data_size : sizeof name - 1;
    memcpy(name, d.utf8_string, n);
    name[n] = '\0';
    rc = tt_range_add_name(w->out, *value, name);
    return rc ? tt_err_set(err, rc, "%s: AS%u: %s", w->path, *value, tt_strerror(rc)) : TT_OK;
}

/* The value of a data record (0: field absent), remembered by offset:
 * many leaves share one record. */
static int value_of(struct walk *w, uint64_t off, uint32_t *value, struct tt_err *err)
{
    struct vslot *c = &w->cache[off % VCACHE];
    if (c->off1 == off + 1) {
        *value = c->value;
        return TT_OK;
    }
    MMDB_entry_s e = {.mmdb = w->mmdb, .offset = (uint32_t)off};
    int rc = w->kind == TT_IPDB_ASN ? asn_of(w, &e, value, err) : country_of(w, &e, value, err);
    if (rc == TT_OK)
        *c = (struct vslot){(uint32_t)off + 1, *value};
    return rc;
}

/* The last address of a prefix of plen bits in a bits-wide family. */
static struct u128 last_of(struct u128 lo, int plen, int bits)
{
    int host = bits - plen;
    struct u128 m = {0, 0};
    if (host >= 64) {
        m.l = UINT64_MAX;
        m.h = host == 128 ? UINT64_MAX : ((uint64_t)1 << (host - 64)) - 1;
    } else {
        m.l = host ? ((uint64_t)1 << host) - 1 : 0;
    }
    return (struct u128){lo.h | m.h, lo.l | m.l};
}

static void to16(struct u128 a, uint8_t b[16])
{
    for (int i = 7; i >= 0; i--) {
        b[i] = (uint8_t)a.h;
        b[8 + i] = (uint8_t)a.l;
        a.h >>= 8;
        a.l >>= 8;
    }
}

/* Whether a follows the last range added from this file directly with the
 * same value (then that range is extended instead). */
static int joins6(const struct tt_range_set *s, uint16_t file, uint32_t value, const uint8_t lo[16])
{
    if (!s->n6 || s->v6[s->n6 - 1].file != file || s->v6[s->n6 - 1].value != value)
        return 0;
    uint8_t next[16];
    memcpy(next, s->v6[s->n6 - 1].hi, 16);
    for (int i = 15; i >= 0 && ++next[i] == 0; i--)
        ;
    return memcmp(next, lo, 16) == 0;
}

static int leaf(struct walk *w, const struct frame *f, struct tt_err *err)
{
    uint32_t v = 0; /* set on success; -O1 cannot tell */
    int rc = value_of(w, f->record, &v, err);
    if (rc != TT_OK)
        return rc;
    if (!v) {
        w->out->skipped++;
        return TT_OK;
    }
    struct u128 hi = last_of(f->prefix, f->depth, w->bits);
    struct tt_range_set *s = w->out;
    if (w->bits == 32) {
        uint32_t lo4 = (uint32_t)f->prefix.l, hi4 = (uint32_t)hi.l;
        struct tt_range4 *p = s->n4 ? &s->v4[s->n4 - 1] : NULL;
        if (p && p->file == w->file && p->value == v && p->hi != UINT32_MAX && p->hi + 1 == lo4) {
            p->hi = hi4;
            return TT_OK;
        }
        rc = tt_range_add4(s, lo4, hi4, v, w->file, 0);
    } else {
        uint8_t lo[16], h[16];
        to16(f->prefix, lo);
        to16(hi, h);
        if (joins6(s, w->file, v, lo)) {
            memcpy(s->v6[s->n6 - 1].hi, h, 16);
            return TT_OK;
        }
        rc = tt_range_add6(s, lo, h, v, w->file, 0);
    }
    return rc ? tt_err_set(err, rc, "%s: %s", w->path, tt_strerror(rc)) : TT_OK;
}

/* Pushes one child record of a node onto the stack. */
static int push(struct walk *w, struct frame *st, size_t *n, uint64_t rec, uint8_t type,
                const MMDB_entry_s *entry, const struct frame *parent, int right,
                struct tt_err *err)
{
    struct frame f = {rec, parent->prefix, (uint8_t)(parent->depth + 1), 0};
    int bit = w->bits - 1 - parent->depth;
    if (right) {
        if (bit >= 64)
            f.prefix.h |= (uint64_t)1 << (bit - 64);
        else
            f.prefix.l |= (uint64_t)1 << bit;
    }
    if (type == MMDB_RECORD_TYPE_EMPTY)
        return TT_OK;
    if (type == MMDB_RECORD_TYPE_DATA) {
        f.record = entry->offset;
        f.leaf = 1;
    } else if (type != MMDB_RECORD_TYPE_SEARCH_NODE || f.depth >= w->bits) {
        return tt_err_set(err, TT_EFORMAT, "%s: search tree: bad record at depth %d", w->path,
                          f.depth);
    } else if (w->bits == 128 && (int64_t)rec == w->v4_node) {
        return TT_OK; /* ::/96 itself or an alias of it: the IPv4 walk covers it */
    }
    if (*n >= WALK_STACK)
        return tt_err_set(err, TT_EFORMAT, "%s: search tree too deep", w->path);
    st[(*n)++] = f;
    return TT_OK;
}

/* Depth-first from root (a node, or a leaf when root_leaf) over a bits-wide
 * space, left subtree first. */
static int walk_tree(struct walk *w, struct frame root, struct tt_err *err)
{
    struct frame st[WALK_STACK];
    size_t n = 0;
    st[n++] = root;
    int rc = TT_OK;
    while (rc == TT_OK && n) {
        struct frame f = st[--n];
        if (f.leaf) {
            rc = leaf(w, &f, err);
            continue;
        }
        MMDB_search_node_s sn;
        if (++w->visits > w->visit_max)
            return tt_err_set(err, TT_EFORMAT, "%s: search tree has shared or looping nodes",
                              w->path);
        int s = MMDB_read_node(w->mmdb, (uint32_t)f.record, &sn);
        if (s != MMDB_SUCCESS)
            return tt_err_set(err, TT_EFORMAT, "%s: node %llu: %s", w->path,
                              (unsigned long long)f.record, MMDB_strerror(s));
        rc = push(w, st, &n, sn.right_record, sn.right_record_type, &sn.right_record_entry, &f, 1,
                  err);
        if (rc == TT_OK)
            rc = push(w, st, &n, sn.left_record, sn.left_record_type, &sn.left_record_entry, &f, 0,
                      err);
    }
    return rc;
}

/* In an IPv6 tree, follows ::/96 down from the root: the IPv4 space is a
 * node there, one leaf higher up, or nothing. */
static int find_v4_root(struct walk *w, struct frame *root, int *have, struct tt_err *err)
{
    uint64_t node = 0;
    *have = 0;
    for (int d = 0; d < V4_DEPTH; d++) {
        MMDB_search_node_s sn;
        int s = MMDB_read_node(w->mmdb, (uint32_t)node, &sn);
        if (s != MMDB_SUCCESS)
            return tt_err_set(err, TT_EFORMAT, "%s: node %llu: %s", w->path,
                              (unsigned long long)node, MMDB_strerror(s));
        if (sn.left_record_type == MMDB_RECORD_TYPE_DATA) {
            *root = (struct frame){sn.left_record_entry.offset, {0, 0}, 0, 1};
            *have = 1;
            return TT_OK;
        }
        if (sn.left_record_type != MMDB_RECORD_TYPE_SEARCH_NODE)
            return TT_OK; /* empty: no IPv4 data */
        node = sn.left_record;
    }
    *root = (struct frame){node, {0, 0}, 0, 0};
    w->v4_node = (int64_t)node;
    *have = 1;
    return TT_OK;
}

static int import(struct walk *w, struct tt_err *err)
{
    struct frame v4root = {0, {0, 0}, 0, 0};
    int have4 = 1, rc = TT_OK;
    uint16_t ipv = w->mmdb->metadata.ip_version;
    if (ipv != 4 && ipv != 6)
        return tt_err_set(err, TT_EFORMAT, "%s: ip_version %u", w->path, ipv);
    w->visit_max = 2 * (uint64_t)w->mmdb->metadata.node_count + 1024;
    if (ipv == 6)
        rc = find_v4_root(w, &v4root, &have4, err);
    w->bits = 32;
    if (rc == TT_OK && have4)
        rc = walk_tree(w, v4root, err);
    w->bits = 128;
    if (rc == TT_OK && ipv == 6)
        rc = walk_tree(w, (struct frame){0, {0, 0}, 0, 0}, err);
    return rc;
}

int tt_ipdb_from_mmdb(const char *path, enum tt_ipdb_kind kind, struct tt_range_set *out,
                      struct tt_err *err)
{
    MMDB_s mmdb;
    struct walk *w = NULL;
    if (!path || !out || (kind != TT_IPDB_COUNTRY && kind != TT_IPDB_ASN))
        return tt_err_set(err, TT_EINVAL, "%s: bad arguments", path ? path : "(null)");
    int s = MMDB_open(path, MMDB_MODE_MMAP, &mmdb);
    if (s != MMDB_SUCCESS)
        return tt_err_set(err, s == MMDB_FILE_OPEN_ERROR ? TT_EIO : TT_EFORMAT, "%s: %s", path,
                          MMDB_strerror(s));
    int rc = tt_range_add_file(out, path);
    if (rc < 0) {
        rc = tt_err_set(err, rc, "%s: %s", path, tt_strerror(rc));
        goto out;
    }
    w = calloc(1, sizeof *w);
    if (!w) {
        rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    w->path = path;
    w->mmdb = &mmdb;
    w->kind = kind;
    w->out = out;
    w->file = (uint16_t)rc;
    w->v4_node = -1;
    rc = import(w, err);
out:
    free(w);
    MMDB_close(&mmdb);
    return rc;
}
