/* Month source tables (months.h). */
#include "store/months.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/fileio.h"
#include "store/rollup.h"
#include "store/rollup_read.h"

#define REFRESH_THREADS_MAX 16

void tt_month_of(int64_t day, int64_t *first, int64_t *last)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    *first = day - (tm.tm_mday - 1);
    tm.tm_mday = 1;
    tm.tm_mon++; /* timegm carries December into January */
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    *last = (int64_t)timegm(&tm) / 86400 - 1;
}

static void month_name(int64_t first_day, char buf[16])
{
    time_t t = (time_t)(first_day * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 16, "%Y-%m", &tm);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int tt_month_table_path(int64_t first_day, const struct tt_store_file *files, size_t n, char *out,
                        size_t size)
{
    const char **names = malloc((n + 1) * sizeof *names);
    XXH3_state_t *st = XXH3_createState();
    if (!names || !st) {
        free(names);
        XXH3_freeState(st);
        return TT_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        names[i] = files[i].path;
    qsort(names, n, sizeof *names, cmp_str); /* the catalog's order within a day is not fixed */
    XXH3_64bits_reset(st);
    for (size_t i = 0; i < n; i++)
        XXH3_64bits_update(st, names[i], strlen(names[i]) + 1);
    unsigned long long fp = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    free(names);
    char month[16];
    month_name(first_day, month);
    return tt_path(out, size, "%s/%s-%016llx.ttr", TT_MONTHS_DIR, month, fp);
}

int tt_month_table_lookup(struct tt_store *s, int64_t first_day, const struct tt_store_file *files,
                          size_t n, char rel[TT_PATH_MAX], int *exists)
{
    char abs[TT_PATH_MAX];
    struct stat sb;
    *exists = 0;
    int rc = tt_month_table_path(first_day, files, n, rel, TT_PATH_MAX);
    if (rc == TT_OK && tt_path(abs, sizeof abs, "%s/%s", tt_store_dir(s), rel))
        rc = TT_ELIMIT;
    if (rc == TT_OK)
        *exists = stat(abs, &sb) == 0;
    return rc;
}

/* Removes the month's tables other than keep (NULL: all) that are older
 * than the grace period, and leftover temporary files. */
static void remove_stale(struct tt_store *s, int64_t first_day, const char *keep)
{
    char dir[TT_PATH_MAX], prefix[24], month[16];
    month_name(first_day, month);
    snprintf(prefix, sizeof prefix, "%s-", month);
    if (tt_path(dir, sizeof dir, "%s/%s", tt_store_dir(s), TT_MONTHS_DIR))
        return;
    const char *keep_name = keep ? strrchr(keep, '/') + 1 : NULL;
    DIR *d = opendir(dir);
    struct dirent *e;
    time_t now = time(NULL);
    while (d && (e = readdir(d)) != NULL) {
        char abs[TT_PATH_MAX];
        struct stat sb;
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 ||
            (keep_name && strcmp(e->d_name, keep_name) == 0) ||
            tt_path(abs, sizeof abs, "%s/%s", dir, e->d_name) || stat(abs, &sb) != 0)
            continue;
        if (now - sb.st_mtime >= TT_STORE_GRACE_S)
            unlink(abs);
    }
    if (d)
        closedir(d);
}

/* Makes the roll-ups of each day (files by day) one: days[0..*ndays) are
 * the day's file, or the union of its several. Out of memory, it frees
 * them all (*ndays 0). */
static int one_per_day(struct tt_rollup **days, const struct tt_store_file *files, size_t n,
                       size_t *ndays)
{
    size_t w = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && files[j].day == files[i].day;)
            j++;
        if (j - i == 1) {
            days[w++] = days[i];
            continue;
        }
        struct tt_rollup *u = tt_rollup_new(files[i].day);
        if (!u || tt_rollup_union_sources(u, days + i, j - i, 0)) {
            tt_rollup_free(u);
            for (size_t k = 0; k < n; k++)
                if (k < w || k >= i)
                    tt_rollup_free(days[k]);
            *ndays = 0;
            return TT_ENOMEM;
        }
        for (size_t k = i; k < j; k++)
            tt_rollup_free(days[k]);
        days[w++] = u;
    }
    *ndays = w;
    return TT_OK;
}

/* The union of the month's roll-ups' sources, with each day's counted by
 * pattern, encoded into out; *usable 0 when a source has two countries. */
static int build(struct tt_store *s, int64_t first_day, const struct tt_store_file *files, size_t n,
                 int zstd_level, struct tt_buf *out, int *usable, struct tt_err *err)
{
    struct tt_rollup *month = tt_rollup_new(first_day);
    struct tt_rollup **days = calloc(n + 1, sizeof *days);
    size_t ndays = n;
    int rc = month && days ? TT_OK : tt_err_set(err, TT_ENOMEM, "out of memory");
    for (size_t i = 0; rc == TT_OK && i < n; i++)
        rc = tt_rollup_read(tt_store_dir(s), files[i].path, TT_RW_SETS, &days[i], err);
    if (rc == TT_OK && one_per_day(days, files, n, &ndays))
        rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    if (rc == TT_OK && tt_rollup_union_sources(month, days, ndays, 1))
        rc = tt_err_set(err, TT_ENOMEM, "out of memory");
    for (size_t i = 0; days && i < ndays; i++)
        tt_rollup_free(days[i]);
    free(days);
    if (rc == TT_OK)
        rc = tt_rollup_encode(month, out, zstd_level, err);
    *usable = rc == TT_OK && !tt_rollup_mixed_countries(month);
    tt_rollup_free(month);
    return rc;
}

/* One month to refresh: listed from the catalog on the calling thread
 * (its connection is not shared), built on a worker. */
struct month_job {
    int64_t first;
    struct tt_store_file *files;
    size_t n;
    char rel[TT_PATH_MAX];
    int build, built, rc;
    struct tt_err err;
};

struct refresh {
    struct tt_store *s;
    struct month_job *jobs;
    size_t njobs, next;
    int zstd_level;
    pthread_mutex_t mu;
};

static void build_job(struct refresh *rf, struct month_job *j)
{
    char abs[TT_PATH_MAX], dir[TT_PATH_MAX];
    struct tt_buf out = {0};
    int usable = 0;
    if (tt_path(abs, sizeof abs, "%s/%s", tt_store_dir(rf->s), j->rel) ||
        tt_path(dir, sizeof dir, "%s/%s", tt_store_dir(rf->s), TT_MONTHS_DIR))
        j->rc = tt_err_set(&j->err, TT_ELIMIT, "%s: path too long", tt_store_dir(rf->s));
    if (j->rc == TT_OK)
        j->rc = build(rf->s, j->first, j->files, j->n, rf->zstd_level, &out, &usable, &j->err);
    if (j->rc == TT_OK && usable)
        j->rc = tt_mkdirs(dir, &j->err);
    if (j->rc == TT_OK && usable)
        j->rc = tt_file_write_atomic(abs, out.p, out.len, &j->err);
    j->built = j->rc == TT_OK && usable;
    tt_buf_free(&out);
}

static void *refresh_main(void *arg)
{
    struct refresh *rf = arg;
    for (;;) {
        pthread_mutex_lock(&rf->mu);
        size_t i = rf->next++;
        pthread_mutex_unlock(&rf->mu);
        if (i >= rf->njobs)
            return NULL;
        if (rf->jobs[i].build)
            build_job(rf, &rf->jobs[i]);
    }
}

/* The months of [day_from, day_to] and their roll-ups; build set where the
 * table is missing. */
static int list_jobs(struct refresh *rf, int64_t day_from, int64_t day_to, struct tt_err *err)
{
    int64_t first, last;
    size_t cap = 0;
    int rc = TT_OK;
    for (tt_month_of(day_from, &first, &last); rc == TT_OK && first <= day_to;
         tt_month_of(last + 1, &first, &last)) {
        if (rf->njobs == cap) {
            cap = cap ? 2 * cap : 8;
            struct month_job *nj = realloc(rf->jobs, cap * sizeof *nj);
            if (!nj)
                return tt_err_set(err, TT_ENOMEM, "out of memory");
            rf->jobs = nj;
        }
        struct month_job *j = &rf->jobs[rf->njobs++];
        memset(j, 0, sizeof *j);
        j->first = first;
        int exists = 0;
        rc = tt_store_files(rf->s, TT_FILE_ROLLUP, first, last, &j->files, &j->n, err);
        if (rc == TT_OK && j->n &&
            (rc = tt_month_table_lookup(rf->s, first, j->files, j->n, j->rel, &exists)))
            rc = tt_err_set(err, rc, "%s: month table name: %s", tt_store_dir(rf->s),
                            tt_strerror(rc));
        j->build = rc == TT_OK && j->n && !exists;
    }
    return rc;
}

int tt_months_refresh(struct tt_store *s, int64_t day_from, int64_t day_to, int zstd_level,
                      unsigned *built, struct tt_err *err)
{
    *built = 0;
    struct refresh rf = {s, NULL, 0, 0, zstd_level, PTHREAD_MUTEX_INITIALIZER};
    int rc = list_jobs(&rf, day_from, day_to, err);
    /* months are independent: one worker each, up to the cores */
    pthread_t th[REFRESH_THREADS_MAX];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nth = cores < 1 ? 1 : cores > REFRESH_THREADS_MAX ? REFRESH_THREADS_MAX : (size_t)cores;
    nth = nth < rf.njobs ? nth : rf.njobs;
    size_t started = 0;
    for (; rc == TT_OK && started + 1 < nth; started++)
        if (pthread_create(&th[started], NULL, refresh_main, &rf))
            break;
    if (rc == TT_OK)
        refresh_main(&rf); /* the calling thread works too */
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    for (size_t i = 0; i < rf.njobs; i++) {
        struct month_job *j = &rf.jobs[i];
        if (rc == TT_OK && j->rc) {
            rc = j->rc;
            *err = j->err;
        }
        if (j->rc == TT_OK && rc == TT_OK)
            remove_stale(s, j->first, j->n ? j->rel : NULL);
        *built += (unsigned)j->built;
        free(j->files);
    }
    free(rf.jobs);
    pthread_mutex_destroy(&rf.mu);
    return rc;
}

int tt_months_bytes(struct tt_store *s, uint64_t *bytes, struct tt_err *err)
{
    char dir[TT_PATH_MAX];
    *bytes = 0;
    if (tt_path(dir, sizeof dir, "%s/%s", tt_store_dir(s), TT_MONTHS_DIR))
        return tt_err_set(err, TT_ELIMIT, "%s: path too long", tt_store_dir(s));
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? TT_OK : tt_err_set(err, TT_EIO, "%s: %s", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char abs[TT_PATH_MAX];
        struct stat sb;
        if (e->d_name[0] != '.' && !tt_path(abs, sizeof abs, "%s/%s", dir, e->d_name) &&
            stat(abs, &sb) == 0 && S_ISREG(sb.st_mode))
            *bytes += (uint64_t)sb.st_size;
    }
    closedir(d);
    return TT_OK;
}
