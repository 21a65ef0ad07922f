#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *tt_cli_store_dir(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("TEITEN_STORE");
    return env && *env ? env : "teiten-store";
}

int tt_cli_number(const char *opt, const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = text;
    if (!*p)
        goto bad;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
            goto bad;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v < min || v > max)
        goto bad;
    *out = v;
    return 0;
bad:
    fprintf(stderr, "teiten: %s '%s': expected a whole number from %llu to %llu\n", opt, text,
            (unsigned long long)min, (unsigned long long)max);
    return -1;
}

int tt_cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "teiten %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return TT_EXIT_FAIL;
}

int tt_cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "teiten %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'teiten %s --help'.\n", cmd);
    va_end(ap);
    return TT_EXIT_USAGE;
}

const char *tt_cli_grouped(uint64_t v, char buf[32])
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v), o = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}
