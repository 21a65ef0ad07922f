#include "cli/json.h"

#include <math.h>
#include <stdlib.h>

#define JSON_DEPTH_MAX 32

struct tt_json {
    FILE *out;
    int depth;
    int count[JSON_DEPTH_MAX]; /* members written at each depth */
    int pending_key;           /* tt_json_key was called */
};

static struct tt_json null_writer;

struct tt_json *tt_json_new(FILE *out)
{
    struct tt_json *j = calloc(1, sizeof *j);
    if (!j)
        return &null_writer;
    j->out = out;
    return j;
}

struct tt_json *tt_json_null(void)
{
    return &null_writer;
}

void tt_json_free(struct tt_json *j)
{
    if (j == &null_writer)
        return;
    fputc('\n', j->out);
    free(j);
}

void tt_json_quote(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* Comma and key before a value. */
static int lead(struct tt_json *j, const char *key)
{
    if (!j->out)
        return 0;
    if (j->pending_key) {
        j->pending_key = 0;
        return 1;
    }
    if (j->count[j->depth]++)
        fputc(',', j->out);
    if (key) {
        tt_json_quote(j->out, key);
        fputc(':', j->out);
    }
    return 1;
}

static void open_(struct tt_json *j, const char *key, char c)
{
    if (!lead(j, key))
        return;
    fputc(c, j->out);
    if (j->depth + 1 < JSON_DEPTH_MAX)
        j->count[++j->depth] = 0;
}

static void close_(struct tt_json *j, char c)
{
    if (!j->out)
        return;
    fputc(c, j->out);
    if (j->depth > 0)
        j->depth--;
}

void tt_json_begin_object(struct tt_json *j, const char *key)
{
    open_(j, key, '{');
}
void tt_json_end_object(struct tt_json *j)
{
    close_(j, '}');
}
void tt_json_begin_array(struct tt_json *j, const char *key)
{
    open_(j, key, '[');
}
void tt_json_end_array(struct tt_json *j)
{
    close_(j, ']');
}

void tt_json_key(struct tt_json *j, const char *key)
{
    if (lead(j, key))
        j->pending_key = 1;
}

void tt_json_str(struct tt_json *j, const char *key, const char *value)
{
    if (lead(j, key))
        tt_json_quote(j->out, value ? value : "");
}

void tt_json_u64(struct tt_json *j, const char *key, uint64_t value)
{
    if (lead(j, key))
        fprintf(j->out, "%llu", (unsigned long long)value);
}

void tt_json_i64(struct tt_json *j, const char *key, int64_t value)
{
    if (lead(j, key))
        fprintf(j->out, "%lld", (long long)value);
}

void tt_json_double(struct tt_json *j, const char *key, double value)
{
    if (!lead(j, key))
        return;
    if (isfinite(value))
        fprintf(j->out, "%.6g", value);
    else
        fputs("null", j->out);
}
