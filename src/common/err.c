#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *tt_strerror(int code)
{
    switch (code) {
    case TT_OK:
        return "success";
    case TT_ENOMEM:
        return "out of memory";
    case TT_EIO:
        return "I/O error";
    case TT_EFORMAT:
        return "bad format";
    case TT_ETRUNC:
        return "truncated";
    case TT_EINVAL:
        return "invalid argument";
    case TT_ENOTFOUND:
        return "not found";
    case TT_ECORRUPT:
        return "corrupt data";
    case TT_EVERSION:
        return "unsupported format version";
    case TT_EDB:
        return "catalog error";
    case TT_ELIMIT:
        return "limit exceeded";
    case TT_EEXIST:
        return "already exists";
    default:
        return "unknown error";
    }
}

int tt_err_set(struct tt_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

int tt_strlcpy(char *dst, const char *src, size_t dstsize)
{
    size_t n = strlen(src);
    if (dstsize == 0)
        return TT_ELIMIT;
    if (n >= dstsize) {
        memcpy(dst, src, dstsize - 1);
        dst[dstsize - 1] = '\0';
        return TT_ELIMIT;
    }
    memcpy(dst, src, n + 1);
    return TT_OK;
}
