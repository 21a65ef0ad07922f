/* A small in-tree test harness. Each tests/test_*.c is one program:
 *
 *   static void test_thing(void) { CHECK(x == 1); CHECK_EQ_U64(a, b); }
 *   TT_TESTS(test_thing, test_other)
 *
 * Each program prints "<file>: N passed, M failed" (a check is one pass or
 * fail) and exits non-zero on failure; tests/run.sh adds the programs up. */
#ifndef TT_HARNESS_H
#define TT_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long tt_t_pass, tt_t_fail;
static const char *tt_t_current;

#define TT_T_FAIL_AT(fmt, ...)                                                                     \
    do {                                                                                           \
        tt_t_fail++;                                                                               \
        fprintf(stderr, "FAIL %s (%s:%d): " fmt "\n", tt_t_current, __FILE__, __LINE__,            \
                __VA_ARGS__);                                                                      \
    } while (0)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond)                                                                                  \
            tt_t_pass++;                                                                           \
        else                                                                                       \
            TT_T_FAIL_AT("%s", #cond);                                                             \
    } while (0)

#define CHECK_EQ_U64(got, want)                                                                    \
    do {                                                                                           \
        uint64_t tt_g_ = (uint64_t)(got), tt_w_ = (uint64_t)(want);                                \
        if (tt_g_ == tt_w_)                                                                        \
            tt_t_pass++;                                                                           \
        else                                                                                       \
            TT_T_FAIL_AT("%s == %" PRIu64 ", want %s == %" PRIu64, #got, tt_g_, #want, tt_w_);     \
    } while (0)

#define CHECK_EQ_STR(got, want)                                                                    \
    do {                                                                                           \
        const char *tt_g_ = (got), *tt_w_ = (want);                                                \
        if (tt_g_ && tt_w_ && strcmp(tt_g_, tt_w_) == 0)                                           \
            tt_t_pass++;                                                                           \
        else                                                                                       \
            TT_T_FAIL_AT("%s == \"%s\", want \"%s\"", #got, tt_g_ ? tt_g_ : "(null)",              \
                         tt_w_ ? tt_w_ : "(null)");                                                \
    } while (0)

/* Scratch directory for a test program: $TT_TEST_TMP or /tmp, plus a unique
 * name. Created on first use; the caller removes what it made. */
static inline const char *tt_test_tmpdir(void)
{
    static char dir[256];
    if (!dir[0]) {
        const char *base = getenv("TT_TEST_TMP");
        snprintf(dir, sizeof dir, "%s/tt-test-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return dir;
}

/* Path of the shared reference data (../shared/data from the repository). */
static inline const char *tt_test_shared(void)
{
    const char *d = getenv("TT_SHARED_DATA");
    return d && *d ? d : "../shared/data";
}

typedef void (*tt_test_fn)(void);

static inline int tt_test_run(const char *file, const char *names, tt_test_fn *fns, size_t n)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", names);
    char *save = NULL, *tok = strtok_r(buf, ", ", &save);
    for (size_t i = 0; i < n; i++) {
        tt_t_current = tok ? tok : "?";
        fns[i]();
        tok = strtok_r(NULL, ", ", &save);
    }
    const char *base = strrchr(file, '/');
    printf("%s: %lu passed, %lu failed\n", base ? base + 1 : file, tt_t_pass, tt_t_fail);
    return tt_t_fail ? 1 : 0;
}

/* xorshift64: reproducible pseudo-random test data from a seed. */
static inline uint32_t tt_test_rand(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return (uint32_t)*state;
}

#define TT_TESTS(...)                                                                              \
    int main(void)                                                                                 \
    {                                                                                              \
        tt_test_fn fns[] = {__VA_ARGS__};                                                          \
        return tt_test_run(__FILE__, #__VA_ARGS__, fns, sizeof fns / sizeof fns[0]);               \
    }

#endif
