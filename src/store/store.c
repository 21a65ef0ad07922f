/* Store directory, writer lock, crash sweep and the ingest transaction. */
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "store/catalog.h"
#include "store/months.h"

struct tt_store {
    char dir[TT_PATH_MAX];
    struct tt_catalog *cat;
    int lock_fd;
    uint64_t swept;
};

struct txn_file {
    enum tt_file_kind kind;
    int64_t day;
    uint64_t records, bytes;
    char path[256];
};

struct tt_store_txn {
    struct tt_store *s;
    char tag[32];
    pthread_mutex_t mu;
    struct txn_file *files;
    size_t n, cap;
    uint64_t seq;
};

const char *tt_store_dir(const struct tt_store *s)
{
    return s->dir;
}
uint64_t tt_store_swept(const struct tt_store *s)
{
    return s->swept;
}

static int take_lock(struct tt_store *s, struct tt_err *err)
{
    char path[TT_PATH_MAX];
    if (tt_path(path, sizeof path, "%s/LOCK", s->dir))
        return tt_err_set(err, TT_ELIMIT, "%s: path too long", s->dir);
    s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lock_fd < 0)
        return tt_err_set(err, TT_EIO, "%s: %s", path, strerror(errno));
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) == 0)
        return TT_OK;
    fprintf(stderr, "teiten: %s: another ingest holds the store; waiting\n", s->dir);
    if (flock(s->lock_fd, LOCK_EX) != 0)
        return tt_err_set(err, TT_EIO, "%s: lock: %s", path, strerror(errno));
    return TT_OK;
}

/* Removes data files the catalog does not list: what a crashed ingest
 * wrote before its commit, and any temporary file; not the files replaced
 * less than TT_STORE_GRACE_S ago. */
static int sweep_kind(struct tt_store *s, const char *sub, struct tt_err *err)
{
    int64_t since = (int64_t)time(NULL) - TT_STORE_GRACE_S;
    char top[TT_PATH_MAX];
    if (tt_path(top, sizeof top, "%s/%s", s->dir, sub))
        return tt_err_set(err, TT_ELIMIT, "%s: path too long", s->dir);
    DIR *d = opendir(top);
    if (!d)
        return errno == ENOENT ? TT_OK : tt_err_set(err, TT_EIO, "%s: %s", top, strerror(errno));
    struct dirent *day;
    int rc = TT_OK;
    while (rc == TT_OK && (day = readdir(d)) != NULL) {
        if (day->d_name[0] == '.')
            continue;
        char daydir[TT_PATH_MAX];
        if (tt_path(daydir, sizeof daydir, "%s/%s", top, day->d_name))
            continue;
        DIR *dd = opendir(daydir);
        if (!dd)
            continue;
        struct dirent *f;
        while (rc == TT_OK && (f = readdir(dd)) != NULL) {
            char rel[TT_PATH_MAX], abs[TT_PATH_MAX];
            if (f->d_name[0] == '.' ||
                tt_path(rel, sizeof rel, "%s/%s/%s", sub, day->d_name, f->d_name) ||
                tt_path(abs, sizeof abs, "%s/%s", s->dir, rel))
                continue;
            int kept = 0;
            rc = tt_catalog_file_kept(s->cat, rel, since, &kept, err);
            if (rc == TT_OK && !kept && unlink(abs) == 0)
                s->swept++;
        }
        closedir(dd);
    }
    closedir(d);
    return rc;
}

/* Removes the files replaced TT_STORE_GRACE_S ago or more. */
static int expire_replaced(struct tt_store *s, struct tt_err *err)
{
    struct tt_store_file *old = NULL;
    size_t n = 0;
    int rc = tt_catalog_take_retired(s->cat, (int64_t)time(NULL) - TT_STORE_GRACE_S, &old, &n, err);
    for (size_t i = 0; i < n; i++) {
        char abs[TT_PATH_MAX];
        if (!tt_path(abs, sizeof abs, "%s/%s", s->dir, old[i].path))
            unlink(abs);
    }
    free(old);
    return rc;
}

int tt_store_open(const char *dir, enum tt_store_mode mode, struct tt_store **out,
                  struct tt_err *err)
{
    *out = NULL;
    struct tt_store *s = calloc(1, sizeof *s);
    if (!s)
        return tt_err_set(err, TT_ENOMEM, "out of memory");
    s->lock_fd = -1;
    int rc = tt_strlcpy(s->dir, dir, sizeof s->dir)
                 ? tt_err_set(err, TT_ELIMIT, "%s: path too long", dir)
                 : TT_OK;
    if (rc == TT_OK && mode == TT_STORE_WRITE)
        rc = tt_mkdirs(dir, err);
    if (rc == TT_OK && mode == TT_STORE_WRITE)
        rc = take_lock(s, err);
    if (rc == TT_OK)
        rc = tt_catalog_open(dir, mode == TT_STORE_WRITE, &s->cat, err);
    if (rc == TT_OK && mode == TT_STORE_WRITE)
        rc = sweep_kind(s, "seg", err);
    if (rc == TT_OK && mode == TT_STORE_WRITE)
        rc = sweep_kind(s, "roll", err);
    if (rc == TT_OK && mode == TT_STORE_WRITE)
        rc = expire_replaced(s, err);
    if (rc) {
        tt_store_close(s);
        return rc;
    }
    *out = s;
    return TT_OK;
}

void tt_store_close(struct tt_store *s)
{
    if (!s)
        return;
    tt_catalog_close(s->cat);
    if (s->lock_fd >= 0)
        close(s->lock_fd); /* releases the flock */
    free(s);
}

int tt_store_sensors(struct tt_store *s, struct tt_sensors *out, struct tt_err *err)
{
    return tt_catalog_sensors(s->cat, out, err);
}

int tt_store_put_sensors(struct tt_store *s, const struct tt_sensors *in, struct tt_err *err)
{
    return tt_catalog_put_sensors(s->cat, in, err);
}

int tt_store_input_seen(struct tt_store *s, const uint8_t hash[16], char *path, size_t size,
                        struct tt_err *err)
{
    return tt_catalog_input_seen(s->cat, hash, path, size, err);
}

int tt_store_input_size_seen(struct tt_store *s, uint64_t bytes)
{
    return tt_catalog_input_size_seen(s->cat, bytes);
}

int tt_store_begin(struct tt_store *s, struct tt_store_txn **out, struct tt_err *err)
{
    struct tt_store_txn *t = calloc(1, sizeof *t);
    if (!t)
        return tt_err_set(err, TT_ENOMEM, "out of memory");
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t id =
        ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) ^ ((uint64_t)getpid() << 40);
    snprintf(t->tag, sizeof t->tag, "%016llx", (unsigned long long)id);
    pthread_mutex_init(&t->mu, NULL);
    t->s = s;
    *out = t;
    return TT_OK;
}

static void day_name(int64_t day, char buf[16])
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 16, "%Y-%m-%d", &tm);
}

static int remember(struct tt_store_txn *t, const struct txn_file *f)
{
    pthread_mutex_lock(&t->mu);
    int rc = tt_grow(&t->files, &t->cap, t->n, sizeof *t->files, 64);
    if (rc == TT_OK)
        t->files[t->n++] = *f;
    pthread_mutex_unlock(&t->mu);
    return rc;
}

int tt_store_file_path(char *buf, size_t size, const char *dir, enum tt_file_kind kind, int64_t day,
                       const char *name)
{
    char dname[16];
    day_name(day, dname);
    const char *sub = kind == TT_FILE_SEGMENT ? "seg" : "roll";
    if (!name)
        return tt_path(buf, size, "%s/%s/%s", dir, sub, dname);
    const char *ext = kind == TT_FILE_SEGMENT ? "tts" : "ttr";
    return dir ? tt_path(buf, size, "%s/%s/%s/%s.%s", dir, sub, dname, name, ext)
               : tt_path(buf, size, "%s/%s/%s.%s", sub, dname, name, ext);
}

int tt_store_txn_write(struct tt_store_txn *t, enum tt_file_kind kind, int64_t day,
                       const struct tt_buf *data, uint64_t records, char name[TT_STORE_NAME_MAX],
                       struct tt_err *err)
{
    struct txn_file f = {kind, day, records, data->len, {0}};
    char base[TT_STORE_NAME_MAX], dir[TT_PATH_MAX], abs[TT_PATH_MAX];
    pthread_mutex_lock(&t->mu);
    uint64_t seq = t->seq++;
    pthread_mutex_unlock(&t->mu);
    snprintf(base, sizeof base, "%s-%06llu", t->tag, (unsigned long long)seq);
    if (tt_store_file_path(f.path, sizeof f.path, NULL, kind, day, base) ||
        tt_store_file_path(dir, sizeof dir, t->s->dir, kind, day, NULL) ||
        tt_store_file_path(abs, sizeof abs, t->s->dir, kind, day, base))
        return tt_err_set(err, TT_ELIMIT, "%s: path too long", t->s->dir);
    if (name)
        memcpy(name, base, sizeof base);
    int rc = tt_mkdirs(dir, err);
    if (rc == TT_OK)
        rc = tt_file_write_renamed(abs, data->p, data->len, err);
    if (rc == TT_OK && remember(t, &f) != TT_OK) {
        unlink(abs);
        rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    }
    return rc;
}

static void txn_free(struct tt_store_txn *t, int delete_files)
{
    for (size_t i = 0; delete_files && i < t->n; i++) {
        char abs[TT_PATH_MAX];
        if (!tt_path(abs, sizeof abs, "%s/%s", t->s->dir, t->files[i].path))
            unlink(abs);
    }
    pthread_mutex_destroy(&t->mu);
    free(t->files);
    free(t);
}

void tt_store_abort(struct tt_store_txn *t)
{
    if (t)
        txn_free(t, 1);
}

/* Makes the transaction's files durable and lists them for the catalog. */
static int txn_files(struct tt_store_txn *t, struct tt_catalog_file **out, struct tt_err *err)
{
    /* Data files reach the disk before the catalog names them. */
    int fd = open(t->s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = fd >= 0 && syncfs(fd) == 0
                 ? TT_OK
                 : tt_err_set(err, TT_EIO, "%s: syncfs: %s", t->s->dir, strerror(errno));
    if (fd >= 0)
        close(fd);
    struct tt_catalog_file *cf = calloc(t->n + 1, sizeof *cf);
    if (rc == TT_OK && !cf)
        rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    for (size_t i = 0; rc == TT_OK && i < t->n; i++) {
        cf[i].kind = t->files[i].kind;
        cf[i].day = t->files[i].day;
        cf[i].records = t->files[i].records;
        cf[i].bytes = t->files[i].bytes;
        cf[i].path = t->files[i].path;
    }
    *out = cf;
    return rc;
}

int tt_store_commit(struct tt_store_txn *t, const struct tt_input_info *info, struct tt_err *err)
{
    struct tt_catalog_file *cf = NULL;
    int rc = txn_files(t, &cf, err);
    if (rc == TT_OK)
        rc = tt_catalog_commit_input(t->s->cat, info, cf, t->n, err);
    free(cf);
    txn_free(t, rc != TT_OK);
    return rc;
}

int tt_store_commit_replace(struct tt_store_txn *t, int64_t input_id, int64_t day,
                            const struct tt_store_file *old, size_t nold, uint64_t geo_version,
                            uint64_t asn_version, struct tt_err *err)
{
    struct tt_catalog_file *cf = NULL;
    int rc = txn_files(t, &cf, err);
    if (rc == TT_OK)
        rc = tt_catalog_replace_files(t->s->cat, input_id, day, old, nold, cf, t->n, geo_version,
                                      asn_version, err);
    struct tt_store *s = t->s;
    free(cf);
    txn_free(t, rc != TT_OK);
    /* a long re-enrichment removes what it replaced a grace period ago */
    return rc == TT_OK ? expire_replaced(s, err) : rc;
}

int tt_store_files(struct tt_store *s, enum tt_file_kind kind, int64_t day_from, int64_t day_to,
                   struct tt_store_file **files, size_t *n, struct tt_err *err)
{
    return tt_catalog_files(s->cat, kind, day_from, day_to, files, n, err);
}

int tt_store_totals(struct tt_store *s, struct tt_store_totals *out, struct tt_err *err)
{
    int rc = tt_catalog_totals(s->cat, out, err);
    char path[TT_PATH_MAX];
    struct stat st;
    if (rc == TT_OK && !tt_path(path, sizeof path, "%s/catalog.sqlite", s->dir) &&
        stat(path, &st) == 0)
        out->catalog_bytes = (uint64_t)st.st_size;
    if (rc == TT_OK)
        rc = tt_months_bytes(s, &out->month_bytes, err);
    return rc;
}

int tt_store_put_database(struct tt_store *s, const struct tt_store_db *db, struct tt_err *err)
{
    return tt_catalog_put_database(s->cat, db, err);
}

int tt_store_databases(struct tt_store *s, struct tt_store_db **out, size_t *n, struct tt_err *err)
{
    return tt_catalog_databases(s->cat, out, n, err);
}
