/* Query result tables; see table.h. */
#include "cli/table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

#define NUM_BUF 352     /* "%.9f" of -DBL_MAX is 320 characters */
#define DISPLAY_BUF 200 /* TT_TABLE_WIDTH_MAX code points of up to 4 bytes, "…", NUL */
#define CELL_BUF (NUM_BUF > DISPLAY_BUF ? NUM_BUF : DISPLAY_BUF)
#define ROWS_FIRST 64

enum cell_state { CELL_NULL = 0, CELL_INT, CELL_FLOAT, CELL_TEXT };

struct cell {
    unsigned char state;
    unsigned char decimals;
    union {
        int64_t i;
        double f;
        char *s;
    } v;
};

struct tt_table {
    int ncols;
    char *names[TT_TABLE_COLS_MAX];
    enum tt_col_kind kinds[TT_TABLE_COLS_MAX];
    struct cell *cells; /* nrows * ncols, row-major */
    size_t nrows, cap;
    char *title, *footnote;
    int error; /* first failure; tt_table_print refuses while set */
};

/* ---- UTF-8 ------------------------------------------------------------- */

/* One code point from s[0..n), n >= 1; returns the bytes it takes. An
 * invalid, overlong, surrogate or cut sequence gives U+FFFD for one byte. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len = 0;
    uint32_t v = 0, min = 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2, v = s[0] & 0x1Fu, min = 0x80;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, v = s[0] & 0x0Fu, min = 0x800;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, v = s[0] & 0x07u, min = 0x10000;
    for (size_t i = 1; i < len; i++) {
        if (i >= n || (s[i] & 0xC0) != 0x80) {
            len = 0;
            break;
        }
        v = v << 6 | (s[i] & 0x3Fu);
    }
    if (len == 0 || v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = v;
    return len;
}

/* East Asian Wide and Fullwidth ranges that terminals draw two columns wide. */
static int cp_width(uint32_t cp)
{
    static const uint32_t wide[][2] = {
        {0x1100, 0x115F},   /* Hangul Jamo initial consonants */
        {0x2329, 0x232A},   /* angle brackets */
        {0x2E80, 0x303E},   /* CJK radicals .. CJK symbols and punctuation */
        {0x3041, 0x33FF},   /* kana, bopomofo, CJK compatibility */
        {0x3400, 0x4DBF},   /* CJK extension A */
        {0x4E00, 0x9FFF},   /* CJK unified ideographs */
        {0xA000, 0xA4CF},   /* Yi */
        {0xAC00, 0xD7A3},   /* Hangul syllables */
        {0xF900, 0xFAFF},   /* CJK compatibility ideographs */
        {0xFE10, 0xFE19},   /* vertical forms */
        {0xFE30, 0xFE6F},   /* CJK compatibility forms, small forms */
        {0xFF00, 0xFF60},   /* fullwidth forms */
        {0xFFE0, 0xFFE6},   /* fullwidth signs */
        {0x1F300, 0x1F64F}, /* pictographs, emoticons */
        {0x1F900, 0x1F9FF}, /* supplemental pictographs */
        {0x20000, 0x2FFFD}, /* CJK extensions B.. */
        {0x30000, 0x3FFFD},
    };
    if (cp < 0x1100)
        return 1;
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
        if (cp >= wide[i][0] && cp <= wide[i][1])
            return 2;
    return 1;
}

static int is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

size_t tt_table_text_width(const char *s)
{
    size_t w = 0, n = s ? strlen(s) : 0;
    const unsigned char *p = (const unsigned char *)s;
    while (n) {
        uint32_t cp;
        size_t len = utf8_decode(p, n, &cp);
        w += (size_t)cp_width(cp);
        p += len;
        n -= len;
    }
    return w;
}

/* A copy of s with every invalid sequence replaced by U+FFFD; NULL when s is
 * longer than TT_TABLE_TEXT_MAX (*rc TT_ELIMIT) or on no memory (TT_ENOMEM). */
static char *utf8_dup(const char *s, int *rc)
{
    size_t n = strnlen(s, TT_TABLE_TEXT_MAX + 1), out = 0;
    if (n > TT_TABLE_TEXT_MAX) {
        *rc = TT_ELIMIT;
        return NULL;
    }
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = utf8_decode(p + i, n - i, &cp);
        out += cp == 0xFFFD && len == 1 ? 3 : len;
        i += len;
    }
    char *d = malloc(out + 1);
    if (!d) {
        *rc = TT_ENOMEM;
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = utf8_decode(p + i, n - i, &cp);
        if (cp == 0xFFFD && len == 1)
            memcpy(d + o, "\xEF\xBF\xBD", 3), o += 3;
        else
            memcpy(d + o, p + i, len), o += len;
        i += len;
    }
    d[o] = '\0';
    return d;
}

/* ---- building ---------------------------------------------------------- */

static int fail(struct tt_table *t, int rc)
{
    if (t && !t->error)
        t->error = rc;
    return rc;
}

struct tt_table *tt_table_new(int ncols, const char *const *names, const enum tt_col_kind *kinds)
{
    if (ncols < 1 || ncols > TT_TABLE_COLS_MAX || !names || !kinds)
        return NULL;
    struct tt_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ncols = ncols;
    for (int c = 0; c < ncols; c++) {
        int rc = 0;
        if (!names[c] || (int)kinds[c] < 0 || (int)kinds[c] > (int)TT_COL_FLOAT ||
            !(t->names[c] = utf8_dup(names[c], &rc))) {
            tt_table_free(t);
            return NULL;
        }
        t->kinds[c] = kinds[c];
    }
    return t;
}

static void cell_clear(struct cell *c)
{
    if (c->state == CELL_TEXT)
        free(c->v.s);
    c->state = CELL_NULL;
}

void tt_table_free(struct tt_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; t->cells && i < t->nrows * (size_t)t->ncols; i++)
        cell_clear(&t->cells[i]);
    for (int c = 0; c < t->ncols; c++)
        free(t->names[c]);
    free(t->cells);
    free(t->title);
    free(t->footnote);
    free(t);
}

static int set_line(struct tt_table *t, char **line, const char *text)
{
    int rc = 0;
    char *copy = NULL;
    if (!t)
        return TT_EINVAL;
    if (text && !(copy = utf8_dup(text, &rc)))
        return fail(t, rc);
    free(*line);
    *line = copy;
    return 0;
}

int tt_table_set_title(struct tt_table *t, const char *text)
{
    return set_line(t, t ? &t->title : NULL, text);
}

int tt_table_set_footnote(struct tt_table *t, const char *text)
{
    return set_line(t, t ? &t->footnote : NULL, text);
}

size_t tt_table_add_row(struct tt_table *t)
{
    if (!t || t->error)
        return TT_TABLE_NO_ROW;
    if (t->nrows >= TT_TABLE_ROWS_MAX) {
        fail(t, TT_ELIMIT);
        return TT_TABLE_NO_ROW;
    }
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : ROWS_FIRST;
        if (cap > TT_TABLE_ROWS_MAX)
            cap = TT_TABLE_ROWS_MAX;
        struct cell *cells = realloc(t->cells, cap * (size_t)t->ncols * sizeof *cells);
        if (!cells) {
            fail(t, TT_ENOMEM);
            return TT_TABLE_NO_ROW;
        }
        t->cells = cells;
        t->cap = cap;
    }
    memset(&t->cells[t->nrows * (size_t)t->ncols], 0, (size_t)t->ncols * sizeof *t->cells);
    return t->nrows++;
}

size_t tt_table_rows(const struct tt_table *t)
{
    return t ? t->nrows : 0;
}

/* The cell at (row, col) if it exists and takes values of kind (-1: any). */
static struct cell *cell_for(struct tt_table *t, size_t row, int col, int kind, int *rc)
{
    *rc = TT_EINVAL;
    if (!t)
        return NULL;
    if (t->error)
        *rc = t->error;
    else if (row >= t->nrows || col < 0 || col >= t->ncols ||
             (kind >= 0 && (int)t->kinds[col] != kind))
        fail(t, TT_EINVAL);
    else
        return &t->cells[row * (size_t)t->ncols + (size_t)col];
    return NULL;
}

int tt_table_set_text(struct tt_table *t, size_t row, int col, const char *text)
{
    int rc;
    struct cell *c = cell_for(t, row, col, TT_COL_TEXT, &rc);
    if (!c)
        return rc;
    char *copy = NULL;
    if (text && !(copy = utf8_dup(text, &rc)))
        return fail(t, rc);
    cell_clear(c);
    if (copy) {
        c->state = CELL_TEXT;
        c->v.s = copy;
    }
    return 0;
}

int tt_table_set_int(struct tt_table *t, size_t row, int col, int64_t value)
{
    int rc;
    struct cell *c = cell_for(t, row, col, TT_COL_INT, &rc);
    if (!c)
        return rc;
    c->state = CELL_INT;
    c->v.i = value;
    return 0;
}

int tt_table_set_float(struct tt_table *t, size_t row, int col, double value, int decimals)
{
    int rc;
    struct cell *c = cell_for(t, row, col, TT_COL_FLOAT, &rc);
    if (!c)
        return rc;
    if (!isfinite(value)) {
        c->state = CELL_NULL;
        return 0;
    }
    c->state = CELL_FLOAT;
    c->v.f = value;
    c->decimals = (unsigned char)(decimals < 0                       ? 0
                                  : decimals > TT_TABLE_DECIMALS_MAX ? TT_TABLE_DECIMALS_MAX
                                                                     : decimals);
    return 0;
}

int tt_table_set_null(struct tt_table *t, size_t row, int col)
{
    int rc;
    struct cell *c = cell_for(t, row, col, -1, &rc);
    if (!c)
        return rc;
    cell_clear(c);
    return 0;
}

/* ---- printing ---------------------------------------------------------- */

/* The plain text of a cell (NULL when empty); numbers go into buf. */
static const char *cell_plain(const struct cell *c, char buf[CELL_BUF])
{
    switch (c->state) {
    case CELL_INT:
        snprintf(buf, CELL_BUF, "%lld", (long long)c->v.i);
        return buf;
    case CELL_FLOAT:
        snprintf(buf, CELL_BUF, "%.*f", (int)c->decimals, c->v.f);
        if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
            memmove(buf, buf + 1, strlen(buf)); /* "-0.00" rounds to "0.00" */
        return buf;
    case CELL_TEXT:
        return c->v.s;
    default:
        return NULL;
    }
}

/* Text as TT_OUT_TABLE shows it: controls as '?', cut to TT_TABLE_WIDTH_MAX
 * columns ending in "…" when wider. Returns the display width. */
static size_t display_text(const char *s, char buf[CELL_BUF])
{
    size_t total = tt_table_text_width(s), n = strlen(s), w = 0, o = 0;
    size_t limit = total > TT_TABLE_WIDTH_MAX ? TT_TABLE_WIDTH_MAX - 1 : TT_TABLE_WIDTH_MAX;
    const unsigned char *p = (const unsigned char *)s;
    while (n) {
        uint32_t cp;
        size_t len = utf8_decode(p, n, &cp);
        size_t cw = (size_t)cp_width(cp);
        if (w + cw > limit)
            break;
        if (is_control(cp))
            buf[o++] = '?';
        else
            memcpy(buf + o, p, len), o += len;
        w += cw;
        p += len;
        n -= len;
    }
    if (total > TT_TABLE_WIDTH_MAX) {
        memcpy(buf + o, "\xE2\x80\xA6", 3), o += 3;
        w++;
    }
    buf[o] = '\0';
    return w;
}

/* What TT_OUT_TABLE prints for a cell, and its width. */
static const char *cell_display(const struct cell *c, char buf[CELL_BUF], size_t *width)
{
    char num[CELL_BUF];
    const char *s = cell_plain(c, num);
    if (!s) {
        *width = 1;
        return "-";
    }
    if (c->state != CELL_TEXT) {
        *width = strlen(s);
        memcpy(buf, s, *width + 1);
        return buf;
    }
    *width = display_text(s, buf);
    return buf;
}

static void pad(FILE *out, size_t n)
{
    for (; n; n--)
        fputc(' ', out);
}

/* A title or footnote line: controls as '?', never cut. */
static void put_line(FILE *out, const char *s)
{
    size_t n = strlen(s);
    const unsigned char *p = (const unsigned char *)s;
    while (n) {
        uint32_t cp;
        size_t len = utf8_decode(p, n, &cp);
        if (is_control(cp))
            fputc('?', out);
        else
            fwrite(p, 1, len, out);
        p += len;
        n -= len;
    }
    fputc('\n', out);
}

static void put_cell(FILE *out, const struct tt_table *t, int col, const char *s, size_t w,
                     const size_t *widths)
{
    int right = t->kinds[col] != TT_COL_TEXT;
    if (col > 0)
        fputs("  ", out);
    if (right)
        pad(out, widths[col] - w);
    fputs(s, out);
    if (!right && col + 1 < t->ncols)
        pad(out, widths[col] - w);
}

static void print_text(const struct tt_table *t, FILE *out)
{
    size_t widths[TT_TABLE_COLS_MAX], w;
    char buf[CELL_BUF];
    for (int c = 0; c < t->ncols; c++)
        widths[c] = display_text(t->names[c], buf);
    for (size_t r = 0; r < t->nrows; r++)
        for (int c = 0; c < t->ncols; c++) {
            cell_display(&t->cells[r * (size_t)t->ncols + (size_t)c], buf, &w);
            if (w > widths[c])
                widths[c] = w;
        }
    if (t->title)
        put_line(out, t->title);
    for (int c = 0; c < t->ncols; c++) {
        w = display_text(t->names[c], buf);
        put_cell(out, t, c, buf, w, widths);
    }
    fputc('\n', out);
    for (int c = 0; c < t->ncols; c++) {
        fputs(c ? "  " : "", out);
        for (size_t i = 0; i < widths[c]; i++)
            fputc('-', out);
    }
    fputc('\n', out);
    for (size_t r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *s = cell_display(&t->cells[r * (size_t)t->ncols + (size_t)c], buf, &w);
            put_cell(out, t, c, s, w, widths);
        }
        fputc('\n', out);
    }
    if (t->footnote)
        put_line(out, t->footnote);
}

static void csv_field(FILE *out, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void print_csv(const struct tt_table *t, FILE *out)
{
    char buf[CELL_BUF];
    for (int c = 0; c < t->ncols; c++) {
        fputs(c ? "," : "", out);
        csv_field(out, t->names[c]);
    }
    fputc('\n', out);
    for (size_t r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *s = cell_plain(&t->cells[r * (size_t)t->ncols + (size_t)c], buf);
            fputs(c ? "," : "", out);
            if (s)
                csv_field(out, s);
        }
        fputc('\n', out);
    }
}

/* A JSON string literal (RFC 8259); s is valid UTF-8. U+2028 and U+2029 are
 * escaped too, for JavaScript readers. */
static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *esc = NULL;
        switch (*p) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default:
            break;
        }
        if (esc)
            fputs(esc, out);
        else if (*p < 0x20 || *p == 0x7F)
            fprintf(out, "\\u%04x", *p);
        else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))
            fprintf(out, "\\u%04x", p[2] == 0xA8 ? 0x2028u : 0x2029u), p += 2;
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void print_json(const struct tt_table *t, FILE *out, int inline_)
{
    char buf[CELL_BUF];
    fputc('[', out);
    for (size_t r = 0; r < t->nrows; r++) {
        fputs(r ? (inline_ ? "," : ",\n  ") : (inline_ ? "" : "\n  "), out);
        fputc('{', out);
        for (int c = 0; c < t->ncols; c++) {
            const struct cell *cell = &t->cells[r * (size_t)t->ncols + (size_t)c];
            const char *s = cell_plain(cell, buf);
            fputs(c ? "," : "", out);
            json_string(out, t->names[c]);
            fputc(':', out);
            if (!s)
                fputs("null", out);
            else if (cell->state == CELL_TEXT)
                json_string(out, s);
            else
                fputs(s, out);
        }
        fputc('}', out);
    }
    fputs(inline_ ? "]" : (t->nrows ? "\n]\n" : "]\n"), out);
}

int tt_table_print(const struct tt_table *t, FILE *out, enum tt_out_format fmt)
{
    if (!t || !out)
        return TT_EINVAL;
    if (t->error)
        return t->error;
    switch (fmt) {
    case TT_OUT_TABLE:
        print_text(t, out);
        break;
    case TT_OUT_CSV:
        print_csv(t, out);
        break;
    case TT_OUT_JSON:
        print_json(t, out, 0);
        break;
    case TT_OUT_JSON_INLINE:
        print_json(t, out, 1);
        break;
    default:
        return TT_EINVAL;
    }
    return fflush(out) != 0 || ferror(out) ? TT_EIO : 0;
}
