#include "store/catalog.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/fileio.h"

struct tt_catalog {
    sqlite3 *db;
    char path[TT_PATH_MAX];
};

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sensors(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
    " country TEXT NOT NULL, region TEXT NOT NULL, network TEXT NOT NULL,"
    " domestic INTEGER NOT NULL, addresses INTEGER NOT NULL, prefixes TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS inputs(id INTEGER PRIMARY KEY, hash BLOB UNIQUE NOT NULL,"
    " path TEXT NOT NULL, size INTEGER, ingested_at INTEGER, frames INTEGER, stored INTEGER,"
    " unattributed INTEGER, not_ip INTEGER, malformed INTEGER, first_ts INTEGER,"
    " last_ts INTEGER, seconds REAL, geo_version TEXT, asn_version TEXT);"
    "CREATE TABLE IF NOT EXISTS reenriched(input_id INTEGER NOT NULL REFERENCES inputs(id),"
    " day INTEGER NOT NULL, geo_version TEXT, asn_version TEXT, at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS databases(kind TEXT NOT NULL, version TEXT NOT NULL,"
    " source TEXT NOT NULL, licence TEXT NOT NULL, data_date TEXT NOT NULL,"
    " built_at INTEGER NOT NULL, installed_at INTEGER NOT NULL, entries INTEGER NOT NULL,"
    " PRIMARY KEY(kind, version));"
    "CREATE TABLE IF NOT EXISTS files(id INTEGER PRIMARY KEY, input_id INTEGER NOT NULL"
    " REFERENCES inputs(id), kind INTEGER NOT NULL, day INTEGER NOT NULL,"
    " path TEXT UNIQUE NOT NULL, records INTEGER NOT NULL, bytes INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS files_by_day ON files(kind, day);"
    "CREATE TABLE IF NOT EXISTS retired(path TEXT PRIMARY KEY, at INTEGER NOT NULL);";

static int db_err(struct tt_catalog *c, struct tt_err *err, const char *what)
{
    return tt_err_set(err, TT_EDB, "%s: %s: %s", c->path, what, sqlite3_errmsg(c->db));
}

static int exec(struct tt_catalog *c, const char *sql, struct tt_err *err)
{
    return sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK ? TT_OK : db_err(c, err, sql);
}

/* A new catalog records the format version; an existing one must match. */
static int check_version(struct tt_catalog *c, int create, struct tt_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "SELECT value FROM meta WHERE key='format'", -1, &st, NULL))
        return db_err(c, err, "reading the format version");
    int rc = TT_OK;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *txt = sqlite3_column_text(st, 0);
        long v = txt ? strtol((const char *)txt, NULL, 10) : -1;
        if (v != TT_STORE_FORMAT)
            rc = tt_err_set(err, TT_EVERSION, "%s: store format %ld, this build reads %d", c->path,
                            v, TT_STORE_FORMAT);
    } else if (create) {
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT INTO meta VALUES('format','%d')", TT_STORE_FORMAT);
        rc = exec(c, sql, err);
    } else {
        rc = tt_err_set(err, TT_EFORMAT, "%s: catalog without a format version", c->path);
    }
    sqlite3_finalize(st);
    return rc;
}

int tt_catalog_open(const char *dir, int create, struct tt_catalog **out, struct tt_err *err)
{
    *out = NULL;
    struct tt_catalog *c = calloc(1, sizeof *c);
    if (!c)
        return tt_err_set(err, TT_ENOMEM, "out of memory");
    if (tt_path(c->path, sizeof c->path, "%s/catalog.sqlite", dir)) {
        free(c);
        return tt_err_set(err, TT_ELIMIT, "%s: path too long", dir);
    }
    int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    int rc = TT_OK;
    if (sqlite3_open_v2(c->path, &c->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        rc = sqlite3_errcode(c->db) == SQLITE_CANTOPEN && !create
                 ? tt_err_set(err, TT_ENOTFOUND,
                              "%s: no teiten store here (run `teiten ingest` first)", dir)
                 : db_err(c, err, "open");
    if (rc == TT_OK)
        sqlite3_busy_timeout(c->db, 10000);
    if (rc == TT_OK && create)
        rc = exec(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", err);
    if (rc == TT_OK && create)
        rc = exec(c, SCHEMA, err);
    if (rc == TT_OK)
        rc = check_version(c, create, err);
    if (rc) {
        tt_catalog_close(c);
        return rc;
    }
    *out = c;
    return TT_OK;
}

void tt_catalog_close(struct tt_catalog *c)
{
    if (!c)
        return;
    sqlite3_close(c->db);
    free(c);
}

int tt_catalog_file_kept(struct tt_catalog *c, const char *path, int64_t since, int *kept,
                         struct tt_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT 1 FROM files WHERE path=?1"
                           " UNION ALL SELECT 1 FROM retired WHERE path=?1 AND at>?2",
                           -1, &st, NULL))
        return db_err(c, err, "listing files");
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, since);
    *kept = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return TT_OK;
}

static void prefixes_text(const struct tt_sensor *s, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < s->n_prefixes && used + 1 < size; i++) {
        char p[64];
        tt_prefix_format(&s->prefixes[i], p, sizeof p);
        int n = snprintf(buf + used, size - used, "%s%s", i ? "," : "", p);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

static int parse_prefixes(struct tt_sensor *s, const char *text)
{
    char buf[64 * TT_SENSOR_PREFIXES_MAX];
    tt_strlcpy(buf, text, sizeof buf);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (s->n_prefixes == TT_SENSOR_PREFIXES_MAX ||
            tt_prefix_parse(tok, &s->prefixes[s->n_prefixes]))
            return TT_ECORRUPT;
        s->n_prefixes++;
    }
    return TT_OK;
}

static void copy_text(char *dst, size_t size, const unsigned char *src)
{
    tt_strlcpy(dst, src ? (const char *)src : "", size);
}

int tt_catalog_sensors(struct tt_catalog *c, struct tt_sensors *out, struct tt_err *err)
{
    sqlite3_stmt *st;
    out->n = 0; /* not the whole table: zeroing its 2 MB was a tenth of a query's page faults */
    if (sqlite3_prepare_v2(c->db,
                           "SELECT id,name,country,region,network,domestic,addresses,prefixes"
                           " FROM sensors ORDER BY id",
                           -1, &st, NULL))
        return db_err(c, err, "reading sensors");
    int rc = TT_OK;
    while (rc == TT_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (out->n == TT_SENSORS_MAX) {
            rc = tt_err_set(err, TT_ELIMIT, "%s: more than %d sensors", c->path, TT_SENSORS_MAX);
            break;
        }
        struct tt_sensor *s = &out->s[out->n++];
        memset(s, 0, sizeof *s);
        s->id = (uint16_t)sqlite3_column_int(st, 0);
        copy_text(s->name, sizeof s->name, sqlite3_column_text(st, 1));
        copy_text(s->country, sizeof s->country, sqlite3_column_text(st, 2));
        copy_text(s->region, sizeof s->region, sqlite3_column_text(st, 3));
        copy_text(s->network, sizeof s->network, sqlite3_column_text(st, 4));
        s->domestic = sqlite3_column_int(st, 5);
        s->addresses = (uint64_t)sqlite3_column_int64(st, 6);
        const unsigned char *p = sqlite3_column_text(st, 7);
        if (parse_prefixes(s, p ? (const char *)p : ""))
            rc = tt_err_set(err, TT_ECORRUPT, "%s: sensor %s: bad prefix list", c->path, s->name);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Refuses an id or a name already used by a different sensor. */
static int check_identity(struct tt_catalog *c, const struct tt_sensor *s, struct tt_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "SELECT id,name FROM sensors WHERE id=? OR name=?", -1, &st,
                           NULL))
        return db_err(c, err, "reading sensors");
    sqlite3_bind_int(st, 1, s->id);
    sqlite3_bind_text(st, 2, s->name, -1, SQLITE_STATIC);
    int rc = TT_OK;
    while (rc == TT_OK && sqlite3_step(st) == SQLITE_ROW) {
        int id = sqlite3_column_int(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (id != s->id || !name || strcmp(name, s->name) != 0)
            rc = tt_err_set(
                err, TT_EINVAL,
                "sensor %s (id %u) conflicts with the store's sensor %s (id %d): ids and "
                "names are permanent",
                s->name, s->id, name ? name : "?", id);
    }
    sqlite3_finalize(st);
    return rc;
}

int tt_catalog_put_sensors(struct tt_catalog *c, const struct tt_sensors *in, struct tt_err *err)
{
    int rc = exec(c, "BEGIN IMMEDIATE", err);
    for (uint32_t i = 0; rc == TT_OK && i < in->n; i++) {
        const struct tt_sensor *s = &in->s[i];
        rc = check_identity(c, s, err);
        sqlite3_stmt *st;
        if (rc == TT_OK &&
            sqlite3_prepare_v2(c->db, "INSERT OR REPLACE INTO sensors VALUES(?,?,?,?,?,?,?,?)", -1,
                               &st, NULL) == SQLITE_OK) {
            char pfx[64 * TT_SENSOR_PREFIXES_MAX];
            prefixes_text(s, pfx, sizeof pfx);
            sqlite3_bind_int(st, 1, s->id);
            sqlite3_bind_text(st, 2, s->name, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, s->country, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, s->region, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 5, s->network, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 6, s->domestic);
            sqlite3_bind_int64(st, 7, (sqlite3_int64)s->addresses);
            sqlite3_bind_text(st, 8, pfx, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = db_err(c, err, "storing sensors");
            sqlite3_finalize(st);
        } else if (rc == TT_OK) {
            rc = db_err(c, err, "storing sensors");
        }
    }
    if (rc == TT_OK)
        return exec(c, "COMMIT", err);
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int tt_catalog_input_seen(struct tt_catalog *c, const uint8_t hash[16], char *path, size_t size,
                          struct tt_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "SELECT path FROM inputs WHERE hash=?", -1, &st, NULL))
        return db_err(c, err, "reading inputs");
    sqlite3_bind_blob(st, 1, hash, 16, SQLITE_STATIC);
    int seen = sqlite3_step(st) == SQLITE_ROW;
    if (seen && path)
        copy_text(path, size, sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return seen;
}

int tt_catalog_input_size_seen(struct tt_catalog *c, uint64_t bytes)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "SELECT 1 FROM inputs WHERE size=? LIMIT 1", -1, &st, NULL))
        return 1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)bytes);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc != SQLITE_DONE; /* a row, or an error */
}

static int insert_input(struct tt_catalog *c, const struct tt_input_info *in, int64_t *id,
                        struct tt_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO inputs(hash,path,size,ingested_at,frames,stored,"
                           "unattributed,not_ip,malformed,first_ts,last_ts,seconds,"
                           "geo_version,asn_version) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &st, NULL))
        return db_err(c, err, "recording the input");
    uint64_t malformed = 0;
    for (int r = TT_DEC_UNKNOWN_LINK; r < TT_DEC__COUNT; r++)
        malformed += in->refused[r];
    sqlite3_bind_blob(st, 1, in->hash, 16, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, in->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)in->size);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
    sqlite3_bind_int64(st, 5, (sqlite3_int64)in->frames);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)in->stored);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)in->unattributed);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)in->refused[TT_DEC_NOT_IP]);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)malformed);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)in->first_ts);
    sqlite3_bind_int64(st, 11, (sqlite3_int64)in->last_ts);
    sqlite3_bind_double(st, 12, in->seconds);
    char gv[17], av[17];
    snprintf(gv, sizeof gv, "%016llx", (unsigned long long)in->geo_version);
    snprintf(av, sizeof av, "%016llx", (unsigned long long)in->asn_version);
    if (in->geo_version)
        sqlite3_bind_text(st, 13, gv, -1, SQLITE_TRANSIENT);
    if (in->asn_version)
        sqlite3_bind_text(st, 14, av, -1, SQLITE_TRANSIENT);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    if (!ok)
        return sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_UNIQUE
                   ? tt_err_set(err, TT_EEXIST, "%s: already ingested", in->path)
                   : db_err(c, err, "recording the input");
    *id = sqlite3_last_insert_rowid(c->db);
    return TT_OK;
}

static int insert_files(struct tt_catalog *c, int64_t input, const struct tt_catalog_file *f,
                        size_t n, struct tt_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO files(input_id,kind,day,path,records,bytes)"
                           " VALUES(?,?,?,?,?,?)",
                           -1, &st, NULL))
        return db_err(c, err, "recording files");
    int rc = TT_OK;
    for (size_t i = 0; rc == TT_OK && i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, input);
        sqlite3_bind_int(st, 2, f[i].kind);
        sqlite3_bind_int64(st, 3, f[i].day);
        sqlite3_bind_text(st, 4, f[i].path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)f[i].records);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)f[i].bytes);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_err(c, err, "recording files");
    }
    sqlite3_finalize(st);
    return rc;
}

int tt_catalog_commit_input(struct tt_catalog *c, const struct tt_input_info *info,
                            const struct tt_catalog_file *files, size_t n, struct tt_err *err)
{
    int64_t id = 0;
    int rc = exec(c, "BEGIN IMMEDIATE", err);
    if (rc == TT_OK)
        rc = insert_input(c, info, &id, err);
    if (rc == TT_OK)
        rc = insert_files(c, id, files, n, err);
    if (rc == TT_OK)
        rc = exec(c, "COMMIT", err);
    if (rc != TT_OK)
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int tt_catalog_files(struct tt_catalog *c, enum tt_file_kind kind, int64_t day_from, int64_t day_to,
                     struct tt_store_file **files, size_t *n, struct tt_err *err)
{
    sqlite3_stmt *st;
    *files = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT day,records,bytes,path,input_id FROM files WHERE kind=? AND"
                           " day BETWEEN ? AND ? ORDER BY day, path",
                           -1, &st, NULL))
        return db_err(c, err, "listing files");
    sqlite3_bind_int(st, 1, kind);
    sqlite3_bind_int64(st, 2, day_from);
    sqlite3_bind_int64(st, 3, day_to);
    size_t cap = 0;
    int rc = TT_OK;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (tt_grow(files, &cap, *n, sizeof **files, 256)) {
            rc = tt_err_set(err, TT_ENOMEM, "out of memory");
            break;
        }
        struct tt_store_file *f = &(*files)[(*n)++];
        f->day = sqlite3_column_int64(st, 0);
        f->records = (uint64_t)sqlite3_column_int64(st, 1);
        f->bytes = (uint64_t)sqlite3_column_int64(st, 2);
        copy_text(f->path, sizeof f->path, sqlite3_column_text(st, 3));
        f->input_id = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    if (rc) {
        free(*files);
        *files = NULL;
        *n = 0;
    }
    return rc;
}

int tt_catalog_take_retired(struct tt_catalog *c, int64_t before, struct tt_store_file **files,
                            size_t *n, struct tt_err *err)
{
    *files = NULL;
    *n = 0;
    int rc = exec(c, "BEGIN IMMEDIATE", err);
    sqlite3_stmt *st = NULL;
    if (rc == TT_OK &&
        sqlite3_prepare_v2(c->db, "SELECT path FROM retired WHERE at<=?", -1, &st, NULL))
        rc = db_err(c, err, "listing replaced files");
    if (st)
        sqlite3_bind_int64(st, 1, before);
    size_t cap = 0;
    while (rc == TT_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (tt_grow(files, &cap, *n, sizeof **files, 64)) {
            rc = tt_err_set(err, TT_ENOMEM, "out of memory");
            break;
        }
        struct tt_store_file *f = &(*files)[(*n)++];
        memset(f, 0, sizeof *f);
        copy_text(f->path, sizeof f->path, sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (rc == TT_OK) {
        char sql[96];
        snprintf(sql, sizeof sql, "DELETE FROM retired WHERE at<=%lld", (long long)before);
        rc = exec(c, sql, err);
    }
    if (rc == TT_OK)
        rc = exec(c, "COMMIT", err);
    if (rc != TT_OK) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        free(*files);
        *files = NULL;
        *n = 0;
    }
    return rc;
}

int tt_catalog_totals(struct tt_catalog *c, struct tt_store_totals *out, struct tt_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            c->db,
            "SELECT (SELECT count(*) FROM inputs),"
            " sum(kind=1), sum(kind=2), sum(CASE kind WHEN 1 THEN records END),"
            " sum(CASE kind WHEN 1 THEN bytes END), sum(CASE kind WHEN 2 THEN bytes END),"
            " min(day), max(day) FROM files",
            -1, &st, NULL))
        return db_err(c, err, "totals");
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->inputs = (uint64_t)sqlite3_column_int64(st, 0);
        out->segments = (uint64_t)sqlite3_column_int64(st, 1);
        out->rollups = (uint64_t)sqlite3_column_int64(st, 2);
        out->records = (uint64_t)sqlite3_column_int64(st, 3);
        out->segment_bytes = (uint64_t)sqlite3_column_int64(st, 4);
        out->rollup_bytes = (uint64_t)sqlite3_column_int64(st, 5);
        out->first_day = sqlite3_column_int64(st, 6);
        out->last_day = sqlite3_column_int64(st, 7);
    }
    sqlite3_finalize(st);
    return TT_OK;
}

int tt_catalog_put_database(struct tt_catalog *c, const struct tt_store_db *db, struct tt_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "INSERT OR REPLACE INTO databases(kind,version,source,licence,"
                           "data_date,built_at,installed_at,entries) VALUES(?,?,?,?,?,?,?,?)",
                           -1, &st, NULL))
        return db_err(c, err, "recording the database");
    char v[17];
    snprintf(v, sizeof v, "%016llx", (unsigned long long)db->version);
    sqlite3_bind_text(st, 1, db->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, v, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, db->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, db->licence, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, db->data_date, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, db->built_at);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)time(NULL));
    sqlite3_bind_int64(st, 8, (sqlite3_int64)db->entries);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok ? TT_OK : db_err(c, err, "recording the database");
}

static void column_text(sqlite3_stmt *st, int col, char *buf, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    tt_strlcpy(buf, t ? (const char *)t : "", size);
}

int tt_catalog_databases(struct tt_catalog *c, struct tt_store_db **out, size_t *n,
                         struct tt_err *err)
{
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT kind,version,source,licence,data_date,built_at,installed_at,"
                           "entries,(SELECT count(*) FROM inputs WHERE geo_version=d.version OR"
                           " asn_version=d.version) FROM databases d ORDER BY installed_at DESC,"
                           " rowid DESC",
                           -1, &st, NULL))
        return db_err(c, err, "listing databases");
    size_t cap = 0;
    int rc = TT_OK;
    while (rc == TT_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (tt_grow(out, &cap, *n, sizeof **out, 8)) {
            rc = tt_err_set(err, TT_ENOMEM, "out of memory");
            break;
        }
        struct tt_store_db *d = &(*out)[(*n)++];
        memset(d, 0, sizeof *d);
        char v[32];
        column_text(st, 0, d->kind, sizeof d->kind);
        column_text(st, 1, v, sizeof v);
        d->version = strtoull(v, NULL, 16);
        column_text(st, 2, d->source, sizeof d->source);
        column_text(st, 3, d->licence, sizeof d->licence);
        column_text(st, 4, d->data_date, sizeof d->data_date);
        d->built_at = sqlite3_column_int64(st, 5);
        d->installed_at = sqlite3_column_int64(st, 6);
        d->entries = (uint64_t)sqlite3_column_int64(st, 7);
        d->inputs = (uint64_t)sqlite3_column_int64(st, 8);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Drops the old files from the listing and keeps them as replaced, with
 * the time, so that the sweep leaves them to the queries still reading
 * them (TT_STORE_GRACE_S). */
static int delete_files(struct tt_catalog *c, const struct tt_store_file *old, size_t n,
                        struct tt_err *err)
{
    sqlite3_stmt *del, *keep = NULL;
    if (sqlite3_prepare_v2(c->db, "DELETE FROM files WHERE path=?", -1, &del, NULL))
        return db_err(c, err, "replacing files");
    int rc =
        sqlite3_prepare_v2(c->db, "INSERT OR REPLACE INTO retired VALUES(?,?)", -1, &keep, NULL)
            ? db_err(c, err, "replacing files")
            : TT_OK;
    sqlite3_int64 now = (sqlite3_int64)time(NULL);
    for (size_t i = 0; rc == TT_OK && i < n; i++) {
        sqlite3_reset(del);
        sqlite3_bind_text(del, 1, old[i].path, -1, SQLITE_STATIC);
        if (sqlite3_step(del) != SQLITE_DONE || sqlite3_changes(c->db) != 1) {
            rc = db_err(c, err, "replacing files (a file is no longer listed)");
            break;
        }
        sqlite3_reset(keep);
        sqlite3_bind_text(keep, 1, old[i].path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(keep, 2, now);
        if (sqlite3_step(keep) != SQLITE_DONE)
            rc = db_err(c, err, "replacing files");
    }
    sqlite3_finalize(del);
    sqlite3_finalize(keep);
    return rc;
}

static int note_reenriched(struct tt_catalog *c, int64_t input, int64_t day, uint64_t geo,
                           uint64_t asn, struct tt_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "INSERT INTO reenriched VALUES(?,?,?,?,?)", -1, &st, NULL))
        return db_err(c, err, "recording the re-enrichment");
    char gv[17], av[17];
    snprintf(gv, sizeof gv, "%016llx", (unsigned long long)geo);
    snprintf(av, sizeof av, "%016llx", (unsigned long long)asn);
    sqlite3_bind_int64(st, 1, input);
    sqlite3_bind_int64(st, 2, day);
    if (geo)
        sqlite3_bind_text(st, 3, gv, -1, SQLITE_TRANSIENT);
    if (asn)
        sqlite3_bind_text(st, 4, av, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok ? TT_OK : db_err(c, err, "recording the re-enrichment");
}

int tt_catalog_replace_files(struct tt_catalog *c, int64_t input, int64_t day,
                             const struct tt_store_file *old, size_t nold,
                             const struct tt_catalog_file *files, size_t n, uint64_t geo,
                             uint64_t asn, struct tt_err *err)
{
    int rc = exec(c, "BEGIN IMMEDIATE", err);
    if (rc == TT_OK)
        rc = delete_files(c, old, nold, err);
    if (rc == TT_OK)
        rc = insert_files(c, input, files, n, err);
    if (rc == TT_OK)
        rc = note_reenriched(c, input, day, geo, asn, err);
    if (rc == TT_OK)
        rc = exec(c, "COMMIT", err);
    if (rc != TT_OK)
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}
