/* Query results as a table printed in one of three forms:
 *
 *   TT_OUT_TABLE  for people: an optional title line, a header row, a rule of
 *                 dashes, then the rows; columns two spaces apart, sized by
 *                 display width (UTF-8 code points, East Asian wide characters
 *                 count 2, so "東京" is 4); numbers right-aligned as plain
 *                 digits, text left-aligned; empty cells print as "-"; text
 *                 wider than TT_TABLE_WIDTH_MAX is cut and ends in "…";
 *                 control characters print as '?'; an optional footnote line.
 *   TT_OUT_CSV    RFC 4180 fields (quoted when they hold ',', '"', CR or LF;
 *                 '"' doubled), a header row of column names, "\n" line ends,
 *                 empty cells as empty fields. Never cut.
 *   TT_OUT_JSON   an array of objects keyed by column name, one per line;
 *                 numbers unquoted, strings escaped (control characters as
 *                 \uXXXX), empty cells null. Never cut. TT_OUT_JSON_INLINE is
 *                 the same array on one line with no newline after it, for
 *                 embedding in a larger document.
 *
 * Title and footnote appear in TT_OUT_TABLE only. Cell text is stored as
 * valid UTF-8: invalid bytes become U+FFFD when set.
 *
 * Errors are sticky: a failed add_row or set (no memory, a bound, a wrong
 * row, column or kind) is remembered, and tt_table_print then returns that
 * code and writes nothing, so callers may build a table without checking
 * each call. */
#ifndef TT_TABLE_H
#define TT_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TT_TABLE_COLS_MAX 32
#define TT_TABLE_ROWS_MAX (1u << 24)
#define TT_TABLE_TEXT_MAX 65536 /* bytes of one cell, name, title or footnote */
#define TT_TABLE_WIDTH_MAX 48   /* display columns of a text cell in TT_OUT_TABLE */
#define TT_TABLE_DECIMALS_MAX 9 /* digits after the point of a float cell */
#define TT_TABLE_NO_ROW ((size_t)-1)

enum tt_col_kind {
    TT_COL_TEXT,  /* UTF-8 text */
    TT_COL_INT,   /* int64_t */
    TT_COL_FLOAT, /* double, printed with the decimals given per cell */
};

enum tt_out_format { TT_OUT_TABLE = 0, TT_OUT_CSV, TT_OUT_JSON, TT_OUT_JSON_INLINE };

struct tt_table;

/* A table of ncols (1..TT_TABLE_COLS_MAX) columns; names and kinds are
 * copied. NULL on a bad argument or no memory. */
struct tt_table *tt_table_new(int ncols, const char *const *names, const enum tt_col_kind *kinds);
void tt_table_free(struct tt_table *t);

/* One line above (title) or below (footnote) the TT_OUT_TABLE form; NULL
 * removes it. 0 or a negative TT_E* code. */
int tt_table_set_title(struct tt_table *t, const char *text);
int tt_table_set_footnote(struct tt_table *t, const char *text);

/* Appends a row of empty cells and returns its index, or TT_TABLE_NO_ROW
 * (no memory, TT_TABLE_ROWS_MAX reached, or an earlier error). */
size_t tt_table_add_row(struct tt_table *t);
size_t tt_table_rows(const struct tt_table *t);

/* Set one cell; the column's kind must match (tt_table_set_null fits any).
 * NULL text and non-finite floats make the cell empty; decimals above
 * TT_TABLE_DECIMALS_MAX are clamped. 0 or a negative TT_E* code (remembered). */
int tt_table_set_text(struct tt_table *t, size_t row, int col, const char *text);
int tt_table_set_int(struct tt_table *t, size_t row, int col, int64_t value);
int tt_table_set_float(struct tt_table *t, size_t row, int col, double value, int decimals);
int tt_table_set_null(struct tt_table *t, size_t row, int col);

/* Writes the table to out and flushes it. 0, the first remembered error
 * (then nothing is written), TT_EINVAL for a bad format, or TT_EIO if out
 * reports an error. */
int tt_table_print(const struct tt_table *t, FILE *out, enum tt_out_format fmt);

/* Display columns of UTF-8 text as TT_OUT_TABLE counts them. */
size_t tt_table_text_width(const char *s);

#endif
