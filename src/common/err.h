/* One error enum for the whole project, and a message buffer that names the
 * file, offset or peer a failure belongs to. Fallible functions return 0 or a
 * negative TT_E* code; the message, when there is one, goes into a tt_err. */
#ifndef TT_ERR_H
#define TT_ERR_H

#include <stddef.h>

enum tt_errcode {
    TT_OK = 0,
    TT_ENOMEM = -1,  /* allocation failed */
    TT_EIO = -2,     /* read/write/fsync/rename failed */
    TT_EFORMAT = -3, /* input is not in the expected format */
    TT_ETRUNC = -4,  /* input ends inside a structure */
    TT_EINVAL = -5,  /* bad argument or configuration value */
    TT_ENOTFOUND = -6,
    TT_ECORRUPT = -7, /* stored data fails its checksum or bounds */
    TT_EVERSION = -8, /* stored data of an unknown format version */
    TT_EDB = -9,      /* the catalog (SQLite) refused */
    TT_ELIMIT = -10,  /* a named maximum was exceeded */
    TT_EEXIST = -11,
};

#define TT_ERR_MSG_MAX 512

/* A caller-owned message buffer. Functions that fail write one line here. */
struct tt_err {
    char msg[TT_ERR_MSG_MAX];
};

const char *tt_strerror(int code);

/* Formats into err (if non-NULL) and returns code, so callers can write
 * `return tt_err_set(err, TT_EFORMAT, "%s: offset %llu: ...", ...);` */
int tt_err_set(struct tt_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Bounded string copy that always terminates; returns 0 or TT_ELIMIT when cut. */
int tt_strlcpy(char *dst, const char *src, size_t dstsize);

#endif
