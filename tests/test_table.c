/* Query result tables in all three forms. table.c lives in src/cli, outside
 * libteiten.a, so it is compiled into this program directly. Expected output
 * is written out by hand: column widths are counted from the cell texts. */
#include "../src/cli/table.c"

#include <limits.h>

#include "harness.h"

/* Prints t into a string (caller frees); *rc gets tt_table_print's result. */
static char *render(const struct tt_table *t, enum tt_out_format fmt, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    *rc = tt_table_print(t, f, fmt);
    fclose(f);
    return buf;
}

static void expect_out(const struct tt_table *t, enum tt_out_format fmt, const char *want)
{
    int rc = -99;
    char *got = render(t, fmt, &rc);
    CHECK(rc == 0);
    CHECK_EQ_STR(got, want);
    free(got);
}

static const char *const NAMES[] = {"day", "packets", "share", "note"};
static const enum tt_col_kind KINDS[] = {TT_COL_TEXT, TT_COL_INT, TT_COL_FLOAT, TT_COL_TEXT};

/* day: "2021-10-05" is widest (10); packets: the header (7); share: "12.50"
 * and the header (5); note: the last column, left-aligned, is not padded. */
static struct tt_table *sample(void)
{
    struct tt_table *t = tt_table_new(4, NAMES, KINDS);
    size_t r = tt_table_add_row(t);
    tt_table_set_text(t, r, 0, "2021-10-05");
    tt_table_set_int(t, r, 1, 1234);
    tt_table_set_float(t, r, 2, 12.5, 2);
    tt_table_set_text(t, r, 3, "ok");
    r = tt_table_add_row(t);
    tt_table_set_text(t, r, 0, "2021-10-06");
    tt_table_set_int(t, r, 1, 7);
    r = tt_table_add_row(t);
    tt_table_set_text(t, r, 0, "東京");
    tt_table_set_int(t, r, 1, -42);
    tt_table_set_float(t, r, 2, -0.001, 2);
    tt_table_set_text(t, r, 3, "a,b");
    return t;
}

static void test_text(void)
{
    struct tt_table *t = sample();
    CHECK(t != NULL);
    CHECK_EQ_U64(tt_table_rows(t), 3);
    expect_out(t, TT_OUT_TABLE,
               "day         packets  share  note\n"
               "----------  -------  -----  ----\n"
               "2021-10-05     1234  12.50  ok\n"
               "2021-10-06        7      -  -\n"
               "東京            -42   0.00  a,b\n");
    tt_table_set_title(t, "top ports 2021Q4 (previous: 2021Q3)");
    tt_table_set_footnote(t, "3 rows");
    expect_out(t, TT_OUT_TABLE,
               "top ports 2021Q4 (previous: 2021Q3)\n"
               "day         packets  share  note\n"
               "----------  -------  -----  ----\n"
               "2021-10-05     1234  12.50  ok\n"
               "2021-10-06        7      -  -\n"
               "東京            -42   0.00  a,b\n"
               "3 rows\n");
    tt_table_set_title(t, NULL);
    tt_table_set_footnote(t, "line\nbreak");
    expect_out(t, TT_OUT_TABLE,
               "day         packets  share  note\n"
               "----------  -------  -----  ----\n"
               "2021-10-05     1234  12.50  ok\n"
               "2021-10-06        7      -  -\n"
               "東京            -42   0.00  a,b\n"
               "line?break\n");
    tt_table_free(t);
}

static void test_csv(void)
{
    struct tt_table *t = sample();
    tt_table_set_title(t, "titles are for people");
    expect_out(t, TT_OUT_CSV,
               "day,packets,share,note\n"
               "2021-10-05,1234,12.50,ok\n"
               "2021-10-06,7,,\n"
               "東京,-42,0.00,\"a,b\"\n");
    tt_table_free(t);

    static const char *const names[] = {"a,b", "q\"q", "n"};
    static const enum tt_col_kind kinds[] = {TT_COL_TEXT, TT_COL_TEXT, TT_COL_INT};
    t = tt_table_new(3, names, kinds);
    size_t r = tt_table_add_row(t);
    tt_table_set_text(t, r, 0, "say \"hi\"");
    tt_table_set_text(t, r, 1, "line1\nline2");
    tt_table_set_int(t, r, 2, INT64_MIN);
    r = tt_table_add_row(t);
    tt_table_set_text(t, r, 0, "cr\r");
    tt_table_set_text(t, r, 1, " spaced ");
    tt_table_set_int(t, r, 2, INT64_MAX);
    r = tt_table_add_row(t);
    tt_table_set_text(t, r, 0, "");
    tt_table_set_text(t, r, 1, "\"");
    expect_out(t, TT_OUT_CSV,
               "\"a,b\",\"q\"\"q\",n\n"
               "\"say \"\"hi\"\"\",\"line1\nline2\",-9223372036854775808\n"
               "\"cr\r\", spaced ,9223372036854775807\n"
               ",\"\"\"\",\n");
    tt_table_free(t);
}

static void test_json(void)
{
    struct tt_table *t = sample();
    tt_table_set_footnote(t, "footnotes are for people");
    expect_out(t, TT_OUT_JSON,
               "[\n"
               "  {\"day\":\"2021-10-05\",\"packets\":1234,\"share\":12.50,\"note\":\"ok\"},\n"
               "  {\"day\":\"2021-10-06\",\"packets\":7,\"share\":null,\"note\":null},\n"
               "  {\"day\":\"東京\",\"packets\":-42,\"share\":0.00,\"note\":\"a,b\"}\n"
               "]\n");
    expect_out(t, TT_OUT_JSON_INLINE,
               "[{\"day\":\"2021-10-05\",\"packets\":1234,\"share\":12.50,\"note\":\"ok\"},"
               "{\"day\":\"2021-10-06\",\"packets\":7,\"share\":null,\"note\":null},"
               "{\"day\":\"東京\",\"packets\":-42,\"share\":0.00,\"note\":\"a,b\"}]");
    tt_table_free(t);
}

static void test_json_escape(void)
{
    static const char *const names[] = {"k\"ey", "v"};
    static const enum tt_col_kind kinds[] = {TT_COL_TEXT, TT_COL_FLOAT};
    struct tt_table *t = tt_table_new(2, names, kinds);
    size_t r = tt_table_add_row(t);
    tt_table_set_text(t, r, 0, "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f");
    tt_table_set_float(t, r, 1, NAN, 2);
    r = tt_table_add_row(t);
    tt_table_set_text(t, r, 0, "ls\xE2\x80\xA8ps\xE2\x80\xA9 é 東京 \xF0\x9F\x98\x80");
    tt_table_set_float(t, r, 1, INFINITY, 2);
    r = tt_table_add_row(t);
    /* invalid UTF-8: a stray byte, an overlong '/', a surrogate, a cut sequence */
    tt_table_set_text(t, r, 0,
                      "a\xFF"
                      "b\xC0\xAF"
                      "c\xED\xA0\x80"
                      "d\xE6\x9D");
    tt_table_set_float(t, r, 1, 2.0 / 3.0, 3);
    expect_out(t, TT_OUT_JSON_INLINE,
               "[{\"k\\\"ey\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\",\"v\":null},"
               "{\"k\\\"ey\":\"ls\\u2028ps\\u2029 é 東京 \xF0\x9F\x98\x80\",\"v\":null},"
               "{\"k\\\"ey\":\"a\xEF\xBF\xBD"
               "b\xEF\xBF\xBD\xEF\xBF\xBD"
               "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
               "d\xEF\xBF\xBD\xEF\xBF\xBD\",\"v\":0.667}]");
    tt_table_free(t);
}

static void test_empty(void)
{
    static const char *const names[] = {"rank", "source"};
    static const enum tt_col_kind kinds[] = {TT_COL_INT, TT_COL_TEXT};
    struct tt_table *t = tt_table_new(2, names, kinds);
    expect_out(t, TT_OUT_TABLE, "rank  source\n----  ------\n");
    expect_out(t, TT_OUT_CSV, "rank,source\n");
    expect_out(t, TT_OUT_JSON, "[]\n");
    expect_out(t, TT_OUT_JSON_INLINE, "[]");
    tt_table_free(t);
}

static void test_width(void)
{
    CHECK_EQ_U64(tt_table_text_width("東京"), 4);
    CHECK_EQ_U64(tt_table_text_width("abc"), 3);
    CHECK_EQ_U64(tt_table_text_width(""), 0);
    CHECK_EQ_U64(tt_table_text_width(NULL), 0);
    CHECK_EQ_U64(tt_table_text_width("é"), 1);                /* U+00E9 */
    CHECK_EQ_U64(tt_table_text_width("ｱｲｳ"), 3);              /* half-width katakana */
    CHECK_EQ_U64(tt_table_text_width("トウキョウ"), 10);      /* katakana */
    CHECK_EQ_U64(tt_table_text_width("한국"), 4);             /* Hangul syllables */
    CHECK_EQ_U64(tt_table_text_width("\xE1\x84\x80"), 2);     /* U+1100 Hangul Jamo */
    CHECK_EQ_U64(tt_table_text_width("\xE3\x80\x80"), 2);     /* U+3000 ideographic space */
    CHECK_EQ_U64(tt_table_text_width("\xE3\x80\xBF"), 1);     /* U+303F half fill space */
    CHECK_EQ_U64(tt_table_text_width("\xEF\xBC\xA1"), 2);     /* U+FF21 fullwidth A */
    CHECK_EQ_U64(tt_table_text_width("\xEF\xBD\xA1"), 1);     /* U+FF61 halfwidth stop */
    CHECK_EQ_U64(tt_table_text_width("\xF0\xA0\x80\x80"), 2); /* U+20000 */
    CHECK_EQ_U64(tt_table_text_width("\xFF\xFE"), 2);         /* two invalid bytes */

    static const char *const names[] = {"name", "n"};
    static const enum tt_col_kind kinds[] = {TT_COL_TEXT, TT_COL_INT};
    static const char *const texts[] = {"東京", "abc", "ｱｲｳ", "한국", "\xF0\x9F\x98\x80"};
    struct tt_table *t = tt_table_new(2, names, kinds);
    for (int i = 0; i < 5; i++) {
        size_t r = tt_table_add_row(t);
        tt_table_set_text(t, r, 0, texts[i]);
        tt_table_set_int(t, r, 1, i * 11);
    }
    expect_out(t, TT_OUT_TABLE,
               "name   n\n"
               "----  --\n"
               "東京   0\n"
               "abc   11\n"
               "ｱｲｳ   22\n"
               "한국  33\n"
               "\xF0\x9F\x98\x80    44\n");
    tt_table_free(t);
}

static void test_truncate(void)
{
    static const char *const names[] = {"label", "n"};
    static const enum tt_col_kind kinds[] = {TT_COL_TEXT, TT_COL_INT};
    char long_ascii[61], long_cjk[30 * 3 + 1], exact[49];
    memset(long_ascii, 'x', 60);
    long_ascii[60] = '\0';
    for (int i = 0; i < 30; i++)
        memcpy(long_cjk + 3 * i, "東", 3);
    long_cjk[90] = '\0';
    memset(exact, 'y', 48);
    exact[48] = '\0';
    struct tt_table *t = tt_table_new(2, names, kinds);
    size_t r = tt_table_add_row(t);
    tt_table_set_text(t, r, 0, long_ascii);
    tt_table_set_int(t, r, 1, 1);
    r = tt_table_add_row(t);
    tt_table_set_text(t, r, 0, long_cjk);
    tt_table_set_int(t, r, 1, 2);
    r = tt_table_add_row(t);
    tt_table_set_text(t, r, 0, exact);
    tt_table_set_int(t, r, 1, 3);
    r = tt_table_add_row(t);
    tt_table_set_text(t, r, 0, "tab\there\x7f\xC2\x85");
    tt_table_set_int(t, r, 1, 4);

    /* 47 x and "…" (48 columns); 23 東 (46 columns: a 24th would pass 47) and
     * "…" (47, padded by one); 48 y exactly fit; controls print as '?'. */
    char want[1024], x47[48], y48[49], cjk23[23 * 3 + 1];
    memset(x47, 'x', 47);
    x47[47] = '\0';
    memcpy(y48, exact, sizeof y48);
    memcpy(cjk23, long_cjk, 69);
    cjk23[69] = '\0';
    snprintf(want, sizeof want,
             "label                                             n\n"
             "------------------------------------------------  -\n"
             "%s…  1\n"
             "%s…   2\n"
             "%s  3\n"
             "tab?here??                                        4\n",
             x47, cjk23, y48);
    expect_out(t, TT_OUT_TABLE, want);
    /* never cut in CSV or JSON */
    snprintf(want, sizeof want, "label,n\n%s,1\n%s,2\n%s,3\ntab\there\x7f\xC2\x85,4\n", long_ascii,
             long_cjk, exact);
    expect_out(t, TT_OUT_CSV, want);
    snprintf(want, sizeof want,
             "[{\"label\":\"%s\",\"n\":1},{\"label\":\"%s\",\"n\":2},{\"label\":\"%s\",\"n\":3},"
             "{\"label\":\"tab\\there\\u007f\xC2\x85\",\"n\":4}]",
             long_ascii, long_cjk, exact);
    expect_out(t, TT_OUT_JSON_INLINE, want);
    tt_table_free(t);
}

static void test_numbers(void)
{
    static const char *const names[] = {"f", "i"};
    static const enum tt_col_kind kinds[] = {TT_COL_FLOAT, TT_COL_INT};
    struct tt_table *t = tt_table_new(2, names, kinds);
    size_t r = tt_table_add_row(t);
    tt_table_set_float(t, r, 0, 3.14159, 0);
    tt_table_set_int(t, r, 1, 0);
    r = tt_table_add_row(t);
    tt_table_set_float(t, r, 0, 3.14159, 12); /* clamped to 9 */
    tt_table_set_int(t, r, 1, 1000000);
    r = tt_table_add_row(t);
    tt_table_set_float(t, r, 0, -2.5, -3); /* clamped to 0; rounds to even */
    tt_table_set_int(t, r, 1, -1);
    r = tt_table_add_row(t);
    tt_table_set_float(t, r, 0, -0.0, 1);
    tt_table_set_null(t, r, 1);
    expect_out(t, TT_OUT_CSV, "f,i\n3,0\n3.141590000,1000000\n-2,-1\n0.0,\n");
    expect_out(t, TT_OUT_TABLE,
               "          f        i\n"
               "-----------  -------\n"
               "          3        0\n"
               "3.141590000  1000000\n"
               "         -2       -1\n"
               "        0.0        -\n");
    tt_table_free(t);
}

static void test_overwrite(void)
{
    static const char *const names[] = {"t", "n"};
    static const enum tt_col_kind kinds[] = {TT_COL_TEXT, TT_COL_INT};
    struct tt_table *t = tt_table_new(2, names, kinds);
    size_t r = tt_table_add_row(t);
    CHECK(tt_table_set_text(t, r, 0, "first") == 0);
    CHECK(tt_table_set_text(t, r, 0, "second") == 0); /* frees "first" */
    CHECK(tt_table_set_int(t, r, 1, 5) == 0);
    CHECK(tt_table_set_null(t, r, 1) == 0);
    r = tt_table_add_row(t);
    CHECK(tt_table_set_text(t, r, 0, "gone") == 0);
    CHECK(tt_table_set_null(t, r, 0) == 0);
    r = tt_table_add_row(t);
    CHECK(tt_table_set_text(t, r, 0, "x") == 0);
    CHECK(tt_table_set_text(t, r, 0, NULL) == 0);
    expect_out(t, TT_OUT_JSON_INLINE,
               "[{\"t\":\"second\",\"n\":null},{\"t\":null,\"n\":null},{\"t\":null,\"n\":null}]");
    tt_table_free(t);
}

static void test_many_rows(void)
{
    static const char *const names[] = {"i", "s"};
    static const enum tt_col_kind kinds[] = {TT_COL_INT, TT_COL_TEXT};
    struct tt_table *t = tt_table_new(2, names, kinds);
    int bad = 0;
    for (int i = 0; i < 5000; i++) {
        size_t r = tt_table_add_row(t);
        char s[16];
        snprintf(s, sizeof s, "s%d", i);
        bad += r != (size_t)i || tt_table_set_int(t, r, 0, i) || tt_table_set_text(t, r, 1, s);
    }
    CHECK_EQ_U64(bad, 0);
    CHECK_EQ_U64(tt_table_rows(t), 5000);
    int rc = -99;
    char *csv = render(t, TT_OUT_CSV, &rc);
    CHECK(rc == 0 && csv);
    size_t lines = 0;
    for (const char *p = csv; p && *p; p++)
        lines += *p == '\n';
    CHECK_EQ_U64(lines, 5001);
    CHECK(csv && strstr(csv, "\n4999,s4999\n") != NULL);
    free(csv);
    tt_table_free(t);
}

static void test_errors(void)
{
    static const char *const names[] = {"t", "n"};
    static const enum tt_col_kind kinds[] = {TT_COL_TEXT, TT_COL_INT};
    static const enum tt_col_kind bad_kinds[] = {TT_COL_TEXT, (enum tt_col_kind)7};
    static const char *const null_name[] = {"t", NULL};
    const char *many[TT_TABLE_COLS_MAX + 1];
    enum tt_col_kind many_kinds[TT_TABLE_COLS_MAX + 1];
    for (int i = 0; i <= TT_TABLE_COLS_MAX; i++)
        many[i] = "c", many_kinds[i] = TT_COL_INT;
    CHECK(tt_table_new(0, names, kinds) == NULL);
    CHECK(tt_table_new(TT_TABLE_COLS_MAX + 1, many, many_kinds) == NULL);
    CHECK(tt_table_new(2, NULL, kinds) == NULL);
    CHECK(tt_table_new(2, names, NULL) == NULL);
    CHECK(tt_table_new(2, names, bad_kinds) == NULL);
    CHECK(tt_table_new(2, null_name, kinds) == NULL);
    struct tt_table *t = tt_table_new(TT_TABLE_COLS_MAX, many, many_kinds);
    CHECK(t != NULL);
    tt_table_free(t);
    tt_table_free(NULL);
    CHECK(tt_table_add_row(NULL) == TT_TABLE_NO_ROW);
    CHECK(tt_table_set_int(NULL, 0, 0, 1) == TT_EINVAL);
    CHECK(tt_table_print(NULL, stdout, TT_OUT_CSV) == TT_EINVAL);
    CHECK_EQ_U64(tt_table_rows(NULL), 0);

    /* a wrong kind is remembered: print then refuses and writes nothing */
    int rc = -99;
    t = tt_table_new(2, names, kinds);
    size_t r = tt_table_add_row(t);
    CHECK(tt_table_set_int(t, r, 0, 1) == TT_EINVAL);
    CHECK(tt_table_set_text(t, r, 1, "ok") == TT_EINVAL); /* sticky */
    CHECK(tt_table_add_row(t) == TT_TABLE_NO_ROW);
    char *out = render(t, TT_OUT_TABLE, &rc);
    CHECK(rc == TT_EINVAL);
    CHECK_EQ_STR(out, "");
    free(out);
    tt_table_free(t);

    t = tt_table_new(2, names, kinds);
    CHECK(tt_table_set_text(t, 0, 0, "no row yet") == TT_EINVAL);
    tt_table_free(t);
    t = tt_table_new(2, names, kinds);
    tt_table_add_row(t);
    CHECK(tt_table_set_int(t, 0, 2, 1) == TT_EINVAL);
    tt_table_free(t);
    t = tt_table_new(2, names, kinds);
    tt_table_add_row(t);
    CHECK(tt_table_set_null(t, TT_TABLE_NO_ROW, 0) == TT_EINVAL);
    tt_table_free(t);
    t = tt_table_new(2, names, kinds);
    tt_table_add_row(t);
    CHECK(tt_table_set_float(t, 0, 1, 1.0, 2) == TT_EINVAL);
    tt_table_free(t);

    /* text over TT_TABLE_TEXT_MAX bytes */
    char *big = malloc(TT_TABLE_TEXT_MAX + 2);
    memset(big, 'z', TT_TABLE_TEXT_MAX + 1);
    big[TT_TABLE_TEXT_MAX + 1] = '\0';
    t = tt_table_new(2, names, kinds);
    r = tt_table_add_row(t);
    CHECK(tt_table_set_text(t, r, 0, big) == TT_ELIMIT);
    out = render(t, TT_OUT_CSV, &rc);
    CHECK(rc == TT_ELIMIT);
    free(out);
    tt_table_free(t);
    t = tt_table_new(2, names, kinds);
    CHECK(tt_table_set_title(t, big) == TT_ELIMIT);
    tt_table_free(t);
    big[TT_TABLE_TEXT_MAX] = '\0'; /* exactly the maximum is fine */
    t = tt_table_new(2, names, kinds);
    r = tt_table_add_row(t);
    CHECK(tt_table_set_text(t, r, 0, big) == 0);
    out = render(t, TT_OUT_CSV, &rc);
    CHECK(rc == 0 && out && strlen(out) == 4 + TT_TABLE_TEXT_MAX + 2);
    free(out);
    tt_table_free(t);
    free(big);

    t = tt_table_new(2, names, kinds);
    out = render(t, (enum tt_out_format)99, &rc);
    CHECK(rc == TT_EINVAL);
    free(out);
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        CHECK(tt_table_print(t, full, TT_OUT_CSV) == TT_EIO);
        fclose(full);
    }
    tt_table_free(t);
}

TT_TESTS(test_text, test_csv, test_json, test_json_escape, test_empty, test_width, test_truncate,
         test_numbers, test_overwrite, test_many_rows, test_errors)
