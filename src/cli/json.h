/* A small streaming JSON writer for command summaries. A writer made by
 * tt_json_null() accepts every call and writes nothing, so callers need no
 * "if (json)" around each field. Keys are NULL inside arrays. */
#ifndef TT_JSON_H
#define TT_JSON_H

#include <stdint.h>
#include <stdio.h>

struct tt_json;

struct tt_json *tt_json_new(FILE *out);
struct tt_json *tt_json_null(void);
void tt_json_free(struct tt_json *j); /* ends the output with a newline */

void tt_json_begin_object(struct tt_json *j, const char *key);
void tt_json_end_object(struct tt_json *j);
void tt_json_begin_array(struct tt_json *j, const char *key);
void tt_json_end_array(struct tt_json *j);
/* Writes a key whose value the next begin_* call opens (key NULL there). */
void tt_json_key(struct tt_json *j, const char *key);
void tt_json_str(struct tt_json *j, const char *key, const char *value);
void tt_json_u64(struct tt_json *j, const char *key, uint64_t value);
void tt_json_i64(struct tt_json *j, const char *key, int64_t value);
void tt_json_double(struct tt_json *j, const char *key, double value);

/* Writes s as a JSON string literal (quotes and escapes). */
void tt_json_quote(FILE *out, const char *s);

#endif
