/* Country names: English and Japanese for the installed iso-codes, checked
 * against hand-written names and against shared/data's TSV (made with
 * Python's gettext, not ours); codes without names; refused JSON files;
 * a localedir without the catalogue; gettext's global state put back. */
#include "enrich/countries.h"
#include "enrich/range.h"
#include "harness.h"

#include <libintl.h>
#include <locale.h>
#include <unistd.h>

#define TSV_FIELDS 7
#define LINE_MAX_LEN 4096

static struct tt_countries *load_default(void)
{
    struct tt_err err = {{0}};
    struct tt_countries *c = NULL;
    int rc = tt_countries_load(NULL, NULL, &c, &err);
    CHECK_EQ_U64(rc, TT_OK);
    if (rc)
        fprintf(stderr, "  load: %s\n", err.msg);
    return c;
}

static const char *name_of(const struct tt_countries *c, const char *code, enum tt_lang lang)
{
    return tt_country_name(c, tt_cc_parse(code), lang);
}

static void test_cc(void)
{
    CHECK_EQ_U64(tt_cc_parse("US"), TT_CC('U', 'S'));
    CHECK_EQ_U64(tt_cc_parse("us"), TT_CC('U', 'S'));
    CHECK_EQ_U64(tt_cc_parse("jP"), TT_CC('J', 'P'));
    const char *bad[] = {"",   "U",        "USA", "U1", "1U", "U ",
                         " U", "\xc3\xa9", "@A",  "[A", "`a", "{a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_U64(tt_cc_parse(bad[i]), 0);
    CHECK_EQ_U64(tt_cc_parse(NULL), 0);
    char buf[3];
    tt_cc_format(TT_CC('J', 'P'), buf);
    CHECK_EQ_STR(buf, "JP");
    tt_cc_format(TT_CC('z', 'z'), buf);
    CHECK_EQ_STR(buf, "ZZ");
    tt_cc_format(0, buf);
    CHECK_EQ_STR(buf, "--");
    tt_cc_format(TT_CC('1', 'A'), buf);
    CHECK_EQ_STR(buf, "??");
    tt_cc_format(0x10000u | TT_CC('U', 'S'), buf);
    CHECK_EQ_STR(buf, "??");
}

static void test_installed_names(void)
{
    static const struct {
        const char *cc, *en, *ja;
    } want[] = {
        {"CN", "China", "中国"},
        {"US", "United States", "米国"},
        {"RU", "Russia", "ロシア"},
        {"GB", "United Kingdom", "英国"},
        {"KR", "South Korea", "韓国"},
        {"SC", "Seychelles", "セーシェル"},
        {"BG", "Bulgaria", "ブルガリア"},
        {"JP", "Japan", "日本"},
        {"DE", "Germany", "ドイツ"},
        {"TW", "Taiwan", "台湾"},
        {"KP", "North Korea", "北朝鮮"},
        {"FR", "France", "フランス"},
        {"ZZ", "ZZ", "ZZ"},
        {"EU", "EU", "EU"},
        {"XK", "XK", "XK"},
        {"AP", "AP", "AP"},
    };
    struct tt_countries *c = load_default();
    if (!c)
        return;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK_EQ_STR(name_of(c, want[i].cc, TT_LANG_EN), want[i].en);
        CHECK_EQ_STR(name_of(c, want[i].cc, TT_LANG_JA), want[i].ja);
    }
    CHECK_EQ_STR(tt_country_name(c, 0, TT_LANG_EN), "unknown");
    CHECK_EQ_STR(tt_country_name(c, 0, TT_LANG_JA), "不明");
    CHECK_EQ_STR(tt_country_name(c, TT_CC('j', 'p'), TT_LANG_JA), "日本");
    CHECK(tt_country_name(c, TT_CC('1', '2'), TT_LANG_EN) != NULL);
    CHECK(tt_country_name(c, 0xffffffffu, TT_LANG_JA) != NULL);
    /* every two-letter code has a name, and the same pointer each time */
    for (char a = 'A'; a <= 'Z'; a++)
        for (char b = 'A'; b <= 'Z'; b++) {
            const char *n = tt_country_name(c, TT_CC(a, b), TT_LANG_JA);
            CHECK(n && *n && n == tt_country_name(c, TT_CC(a, b), TT_LANG_JA));
        }
    tt_countries_free(c);
}

/* The short names reports use (the TSV has the ISO ones for these). */
static const struct {
    const char *cc, *en, *ja;
} SHORT[] = {
    {"CN", "China", "中国"},
    {"US", "United States", "米国"},
    {"RU", "Russia", "ロシア"},
    {"GB", "United Kingdom", "英国"},
    {"KR", "South Korea", "韓国"},
    {"KP", "North Korea", "北朝鮮"},
    {"HK", "Hong Kong", "香港"},
    {"TW", "Taiwan", "台湾"},
    {"IR", "Iran", "イラン"},
    {"VN", "Vietnam", "ベトナム"},
    {"SY", "Syria", "シリア"},
    {"LA", "Laos", "ラオス"},
    {"MD", "Moldova", "モルドバ"},
    {"BO", "Bolivia", "ボリビア"},
    {"VE", "Venezuela", "ベネズエラ"},
    {"TZ", "Tanzania", "タンザニア"},
    {"CZ", "Czechia", "チェコ"},
    {"MK", "North Macedonia", "北マケドニア"},
    {"SZ", "Eswatini", "エスワティニ"},
    {"TR", "Türkiye", "トルコ"},
    {"AU", "Australia", "オーストラリア"},
};
#define N_SHORT (sizeof SHORT / sizeof SHORT[0])

static int has_short_name(const char *cc)
{
    for (size_t i = 0; i < N_SHORT; i++)
        if (strcmp(SHORT[i].cc, cc) == 0)
            return 1;
    return 0;
}

static void test_short_names(void)
{
    struct tt_countries *c = load_default();
    for (size_t i = 0; c && i < N_SHORT; i++) {
        CHECK_EQ_STR(name_of(c, SHORT[i].cc, TT_LANG_EN), SHORT[i].en);
        CHECK_EQ_STR(name_of(c, SHORT[i].cc, TT_LANG_JA), SHORT[i].ja);
    }
    tt_countries_free(c);
}

/* Splits a TSV line into exactly TSV_FIELDS fields (empty ones kept). */
static int split_tsv(char *line, char *f[TSV_FIELDS])
{
    line[strcspn(line, "\r\n")] = '\0';
    int n = 0;
    for (char *p = line; p && n < TSV_FIELDS; n++)
        f[n] = strsep(&p, "\t");
    return n;
}

static void check_tsv_row(const struct tt_countries *c, char *f[TSV_FIELDS], unsigned *bad)
{
    const char *en = f[4][0] ? f[4] : f[3]; /* common_name_en, else name_en */
    /* Python's gettext falls back to the msgid; ours to the English name */
    const char *ja = strcmp(f[5], f[3]) == 0 ? en : f[5];
    const char *got_en = name_of(c, f[0], TT_LANG_EN), *got_ja = name_of(c, f[0], TT_LANG_JA);
    if (strcmp(got_en, en) != 0 || strcmp(got_ja, ja) != 0) {
        (*bad)++;
        fprintf(stderr, "  %s: got %s / %s, want %s / %s\n", f[0], got_en, got_ja, en, ja);
    }
}

static void test_against_tsv(void)
{
    char path[512], line[LINE_MAX_LEN];
    snprintf(path, sizeof path, "%s/iso/iso3166-1_en_ja.tsv", tt_test_shared());
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    struct tt_countries *c = load_default();
    if (!f || !c) {
        if (f)
            fclose(f);
        tt_countries_free(c);
        return;
    }
    unsigned rows = 0, checked = 0, bad = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        char *fields[TSV_FIELDS];
        if (lineno++ == 0)
            continue; /* header */
        CHECK_EQ_U64(split_tsv(line, fields), TSV_FIELDS);
        rows++;
        if (!has_short_name(fields[0])) {
            check_tsv_row(c, fields, &bad);
            checked++;
        }
    }
    fclose(f);
    CHECK_EQ_U64(rows, 249);
    CHECK_EQ_U64(tt_countries_count(c), rows);
    CHECK_EQ_U64(checked, rows - N_SHORT);
    CHECK_EQ_U64(bad, 0);
    tt_countries_free(c);
}

/* The number of entries in the installed JSON, counted by its "alpha_2"
 * keys (one per entry in iso-codes' layout), without json-c. */
static void test_count_from_json(void)
{
    FILE *f = fopen(TT_ISO_CODES_JSON, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[LINE_MAX_LEN];
    unsigned n = 0;
    while (fgets(line, sizeof line, f))
        for (const char *p = line; (p = strstr(p, "\"alpha_2\"")) != NULL; p++)
            n++;
    fclose(f);
    struct tt_countries *c = load_default();
    CHECK_EQ_U64(tt_countries_count(c), n);
    CHECK_EQ_U64(n, 249);
    tt_countries_free(c);
}

static int write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t put = fwrite(text, 1, len, f);
    return fclose(f) == 0 && put == len ? 0 : -1;
}

static void test_refused(void)
{
    static const struct {
        const char *text, *msg;
        int rc;
    } bad[] = {
        {"this is not JSON\n", "bad.json:1: offset 1: not JSON", TT_EFORMAT},
        {"{\"3166-1\": [\n", "ends inside a value", TT_ETRUNC},
        {"", "ends inside a value", TT_ETRUNC},
        {"{\"3166-1\": []}\n\n x", "bad.json:3: offset 17: not JSON", TT_EFORMAT},
        {"{\"3166-1\": [,]}", "offset 12: not JSON", TT_EFORMAT},
        {"[1, 2]", "the top level is a array", TT_EFORMAT},
        {"{\"3166-2\": []}", "no \"3166-1\" array", TT_EFORMAT},
        {"{\"3166-1\": {}}", "no \"3166-1\" array", TT_EFORMAT},
        {"{\"3166-1\": []}", "is empty", TT_EFORMAT},
        {"{\"3166-1\": [7]}", "[0]: not an object", TT_EFORMAT},
        {"{\"3166-1\": [{\"alpha_2\": \"JP\", \"alpha_3\": \"JPN\", \"numeric\": \"392\"}]}",
         "[0]: no \"name\"", TT_EFORMAT},
        {"{\"3166-1\": [{\"alpha_2\": \"JPN\", \"alpha_3\": \"JPN\", \"numeric\": \"392\", "
         "\"name\": \"Japan\"}]}",
         "[0]: codes 'JPN'", TT_EFORMAT},
        {"{\"3166-1\": [{\"alpha_2\": \"JP\", \"alpha_3\": \"JPN\", \"numeric\": 392, "
         "\"name\": \"Japan\"}]}",
         "\"numeric\" is a int, not a string", TT_EFORMAT},
        {"{\"3166-1\": [{\"alpha_2\": \"JP\", \"alpha_3\": \"JPN\", \"numeric\": \"392\", "
         "\"name\": \"Ja\\npan\"}]}",
         "\"name\" has a control character", TT_EFORMAT},
        {"{\"3166-1\": [{\"alpha_2\": \"JP\", \"alpha_3\": \"JPN\", \"numeric\": \"392\", "
         "\"name\": \"Japan\"}, {\"alpha_2\": \"JP\", \"alpha_3\": \"JPN\", \"numeric\": "
         "\"392\", \"name\": \"Japan\"}]}",
         "[1]: JP appears twice", TT_EFORMAT},
        {"{\"3166-1\": [{\"alpha_2\": \"JP\", \"alpha_3\": \"JPN\", \"numeric\": \"392\", "
         "\"name\": \"\xff\"}]}",
         "not JSON", TT_EFORMAT},
    };
    char path[512];
    snprintf(path, sizeof path, "%s/bad.json", tt_test_tmpdir());
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tt_err err = {{0}};
        struct tt_countries *c = NULL;
        CHECK(write_file(path, bad[i].text, strlen(bad[i].text)) == 0);
        int rc = tt_countries_load(path, NULL, &c, &err);
        CHECK_EQ_U64(rc, bad[i].rc);
        CHECK(c == NULL);
        CHECK(strncmp(err.msg, path, strlen(path)) == 0);
        if (!strstr(err.msg, bad[i].msg)) {
            CHECK(0);
            fprintf(stderr, "  case %zu: \"%s\" lacks \"%s\"\n", i, err.msg, bad[i].msg);
        }
    }
    struct tt_err err = {{0}};
    struct tt_countries *c = NULL;
    CHECK(write_file(path, "{\"3166-1\": []}\0", 15) == 0);
    CHECK_EQ_U64(tt_countries_load(path, NULL, &c, &err), TT_EFORMAT);
    unlink(path);
    CHECK_EQ_U64(tt_countries_load(path, NULL, &c, &err), TT_ENOTFOUND);
    CHECK(strncmp(err.msg, path, strlen(path)) == 0);
}

static const char SMALL[] =
    "{\"3166-1\": [\n"
    " {\"alpha_2\": \"JP\", \"alpha_3\": \"JPN\", \"numeric\": \"392\", \"name\": \"Japan\"},\n"
    " {\"alpha_2\": \"RU\", \"alpha_3\": \"RUS\", \"numeric\": \"643\",\n"
    "  \"name\": \"Russian Federation\", \"flag\": \"x\"},\n"
    " {\"alpha_2\": \"QZ\", \"alpha_3\": \"QZZ\", \"numeric\": \"999\", \"name\": \"Testland\",\n"
    "  \"common_name\": \"Test\", \"official_name\": \"Republic of Test\"}\n"
    "]}\n";

/* A hand-built file: its three codes, and only those, have names. */
static void test_small_file(void)
{
    struct tt_err err = {{0}};
    struct tt_countries *c = NULL;
    CHECK_EQ_U64(tt_countries_parse_json("small", SMALL, strlen(SMALL), &c, &err), TT_OK);
    CHECK_EQ_U64(tt_countries_count(c), 3);
    CHECK_EQ_STR(name_of(c, "JP", TT_LANG_JA), "Japan"); /* no gettext here */
    CHECK_EQ_STR(name_of(c, "RU", TT_LANG_JA), "ロシア");
    CHECK_EQ_STR(name_of(c, "QZ", TT_LANG_EN), "Test");
    CHECK_EQ_STR(name_of(c, "US", TT_LANG_JA), "US"); /* short name, but not in the file */
    tt_countries_free(c);
    char path[512];
    snprintf(path, sizeof path, "%s/small.json", tt_test_tmpdir());
    CHECK(write_file(path, SMALL, strlen(SMALL)) == 0);
    c = NULL;
    CHECK_EQ_U64(tt_countries_load(path, NULL, &c, &err), TT_OK);
    CHECK_EQ_U64(tt_countries_count(c), 3);
    CHECK_EQ_STR(name_of(c, "JP", TT_LANG_JA), "日本");
    CHECK_EQ_STR(name_of(c, "QZ", TT_LANG_JA), "Test");
    CHECK_EQ_STR(name_of(c, "DE", TT_LANG_EN), "DE");
    tt_countries_free(c);
    unlink(path);
}

/* An empty localedir: English stands in for Japanese (the short names stay),
 * and a later load from the real one is not served from gettext's cache. */
static void test_no_catalogue(void)
{
    struct tt_err err = {{0}};
    struct tt_countries *c = NULL, *real = load_default();
    int rc = tt_countries_load(NULL, tt_test_tmpdir(), &c, &err);
    CHECK_EQ_U64(rc, TT_OK);
    if (rc || !real) {
        tt_countries_free(real);
        return;
    }
    CHECK_EQ_STR(name_of(c, "DE", TT_LANG_JA), "Germany");
    CHECK_EQ_STR(name_of(c, "SC", TT_LANG_JA), "Seychelles");
    CHECK_EQ_STR(name_of(c, "JP", TT_LANG_JA), "Japan");
    CHECK_EQ_STR(name_of(c, "RU", TT_LANG_JA), "ロシア");
    CHECK_EQ_U64(tt_countries_count(c), 249);
    tt_countries_free(c);
    tt_countries_free(real);
    c = load_default();
    CHECK_EQ_STR(name_of(c, "DE", TT_LANG_JA), "ドイツ");
    tt_countries_free(c);
}

static void check_restored(const char *language, const char *locale)
{
    char before_dir[512];
    snprintf(before_dir, sizeof before_dir, "%s", bindtextdomain("iso_3166-1", NULL));
    struct tt_countries *c = load_default();
    CHECK_EQ_STR(name_of(c, "SC", TT_LANG_JA), "セーシェル");
    tt_countries_free(c);
    const char *now = getenv("LANGUAGE");
    if (language)
        CHECK_EQ_STR(now, language);
    else
        CHECK(now == NULL);
    CHECK_EQ_STR(setlocale(LC_MESSAGES, NULL), locale);
    CHECK_EQ_STR(bindtextdomain("iso_3166-1", NULL), before_dir);
}

static void test_state_restored(void)
{
    CHECK(setenv("LANGUAGE", "fr:de", 1) == 0);
    CHECK(setlocale(LC_MESSAGES, "C") != NULL);
    check_restored("fr:de", "C");
    CHECK(unsetenv("LANGUAGE") == 0);
    check_restored(NULL, "C");
    /* back in "C", gettext answers in English again: nothing leaked */
    CHECK_EQ_STR(dgettext("iso_3166-1", "Seychelles"), "Seychelles");
    CHECK(setlocale(LC_MESSAGES, "C.UTF-8") != NULL);
    check_restored(NULL, "C.UTF-8");
    CHECK_EQ_STR(dgettext("iso_3166-1", "Seychelles"), "Seychelles");
    CHECK(setlocale(LC_MESSAGES, "C") != NULL);
}

static void test_cleanup(void)
{
    CHECK(rmdir(tt_test_tmpdir()) == 0);
}

TT_TESTS(test_cc, test_installed_names, test_short_names, test_against_tsv, test_count_from_json,
         test_refused, test_small_file, test_no_catalogue, test_state_restored, test_cleanup)
