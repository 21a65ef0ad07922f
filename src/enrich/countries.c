/* Country names: English from iso-codes' iso_3166-1.json (json-c, strict),
 * Japanese from the iso_3166-1 gettext catalogue (glibc's gettext, read once
 * at load), then the short names reports use. Every name is copied into one
 * pool owned by the table; lookups index a 26x26 table by the two letters
 * and never allocate. */
#include "enrich/countries.h"

#include <libintl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/fileio.h"
#include "enrich/range.h"

#define CC_LETTERS 26
#define CC_SLOTS (CC_LETTERS * CC_LETTERS)
#define JSON_MAX_BYTES ((size_t)4 << 20) /* iso-codes 4.15's file is 60 KB */
#define JSON_DEPTH_MAX 8                 /* the expected shape needs 3 */
#define NAME_MAX_BYTES 256               /* one name, with its NUL */
/* iso, en and ja names per code, and the short names: the pool never needs more */
#define POOL_MAX_BYTES ((size_t)CC_SLOTS * 4 * NAME_MAX_BYTES)
#define POOL_FIRST_BYTES ((size_t)16 << 10)
#define GETTEXT_DOMAIN "iso_3166-1"
#define ROOT_KEY "3166-1"

#define FAIL(...) tt_err_set(err, TT_EFORMAT, __VA_ARGS__)

/* Names are offsets into pool (so growing it moves nothing); 0 = none, and
 * pool[0] is a NUL so offset 0 is never a real name. */
struct tt_countries {
    uint32_t iso[CC_SLOTS]; /* ISO `name`: the gettext msgid */
    uint32_t en[CC_SLOTS];
    uint32_t ja[CC_SLOTS];
    char code[CC_SLOTS][3]; /* "ZZ": what a code without a name shows */
    uint32_t n;
    char *pool;
    size_t pool_len, pool_cap;
};

/* The short names JPCERT/CC-style reports use where the ISO name is a long
 * or formal one ("Russian Federation", "大韓民国 (韓国)"), plus four codes the
 * ja catalogue of iso-codes 4.15 leaves untranslated (CZ, MK, SZ, TR) and
 * its misspelt タニザニア. Applied only to codes the JSON file has. */
static const struct short_name {
    char cc[3];
    const char *en, *ja;
} SHORT_NAMES[] = {
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

static int upper_letter(uint32_t ch)
{
    if (ch >= 'a' && ch <= 'z')
        ch -= 'a' - 'A';
    return ch >= 'A' && ch <= 'Z' ? (int)(ch - 'A') : -1;
}

/* 0..675 for two letters (either case), -1 for anything else. */
static int cc_slot(uint32_t cc)
{
    if (cc > 0xffff)
        return -1;
    int a = upper_letter(cc >> 8), b = upper_letter(cc & 0xff);
    return a < 0 || b < 0 ? -1 : a * CC_LETTERS + b;
}

static int has_short_name(int slot)
{
    for (size_t i = 0; i < sizeof SHORT_NAMES / sizeof SHORT_NAMES[0]; i++)
        if (cc_slot(TT_CC(SHORT_NAMES[i].cc[0], SHORT_NAMES[i].cc[1])) == slot)
            return 1;
    return 0;
}

static int pool_add(struct tt_countries *c, const char *s, size_t len, uint32_t *off)
{
    if (len >= NAME_MAX_BYTES || c->pool_len + len + 1 > POOL_MAX_BYTES)
        return TT_ELIMIT;
    if (c->pool_len + len + 1 > c->pool_cap) {
        size_t cap = c->pool_cap ? c->pool_cap * 2 : POOL_FIRST_BYTES;
        if (cap > POOL_MAX_BYTES)
            cap = POOL_MAX_BYTES;
        char *p = realloc(c->pool, cap);
        if (!p)
            return TT_ENOMEM;
        c->pool = p;
        c->pool_cap = cap;
    }
    memcpy(c->pool + c->pool_len, s, len);
    c->pool[c->pool_len + len] = '\0';
    *off = (uint32_t)c->pool_len;
    c->pool_len += len + 1;
    return TT_OK;
}

static struct tt_countries *countries_new(void)
{
    struct tt_countries *c = calloc(1, sizeof *c);
    uint32_t zero;
    if (!c || pool_add(c, "", 0, &zero) != TT_OK) {
        tt_countries_free(c);
        return NULL;
    }
    for (int i = 0; i < CC_SLOTS; i++) {
        c->code[i][0] = (char)('A' + i / CC_LETTERS);
        c->code[i][1] = (char)('A' + i % CC_LETTERS);
    }
    return c;
}

void tt_countries_free(struct tt_countries *c)
{
    if (!c)
        return;
    free(c->pool);
    free(c);
}

/* Parses the whole text as one JSON value; trailing bytes are refused. */
static int parse_text(const char *name, const char *data, size_t len, json_object **root,
                      struct tt_err *err)
{
    *root = NULL;
    if (len > JSON_MAX_BYTES)
        return tt_err_set(err, TT_ELIMIT, "%s: %zu bytes, beyond %zu", name, len, JSON_MAX_BYTES);
    int rc = TT_OK;
    char *text = malloc(len + 1);
    json_tokener *tok = json_tokener_new_ex(JSON_DEPTH_MAX);
    if (!text || !tok) {
        rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory", name);
        goto out;
    }
    if (len)
        memcpy(text, data, len);
    text[len] = '\0';
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    /* The length includes the NUL: json-c's way of saying the input ends there. */
    *root = json_tokener_parse_ex(tok, text, (int)(len + 1));
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    if (end > len)
        end = len;
    size_t line = 1;
    for (size_t i = 0; i < end; i++)
        line += text[i] == '\n';
    if (jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof) {
        rc = tt_err_set(err, TT_ETRUNC, "%s:%zu: offset %zu: the JSON text ends inside a value",
                        name, line, end);
    } else if (jerr != json_tokener_success || !*root) {
        rc = FAIL("%s:%zu: offset %zu: not JSON: %s", name, line, end,
                  json_tokener_error_desc(jerr));
    } else if (end < len && text[end] != '\0') {
        rc = FAIL("%s:%zu: offset %zu: bytes after the JSON value", name, line, end);
    } else if (end < len) {
        rc = FAIL("%s:%zu: offset %zu: NUL byte in the JSON text", name, line, end);
    }
out:
    if (rc) {
        json_object_put(*root);
        *root = NULL;
    }
    json_tokener_free(tok);
    free(text);
    return rc;
}

/* e[key] as a string of 1..NAME_MAX_BYTES-1 bytes with no control
 * characters (nor NULs); *s = NULL when absent and not required. */
static int member(const char *name, size_t i, json_object *e, const char *key, int required,
                  const char **s, size_t *len, struct tt_err *err)
{
    json_object *v = NULL;
    *s = NULL;
    *len = 0;
    if (!json_object_object_get_ex(e, key, &v))
        return required ? FAIL("%s: \"" ROOT_KEY "\"[%zu]: no \"%s\"", name, i, key) : TT_OK;
    if (!json_object_is_type(v, json_type_string))
        return FAIL("%s: \"" ROOT_KEY "\"[%zu]: \"%s\" is a %s, not a string", name, i, key,
                    json_type_to_name(json_object_get_type(v)));
    const char *t = json_object_get_string(v);
    int n = json_object_get_string_len(v);
    if (!t || n <= 0 || n >= NAME_MAX_BYTES)
        return FAIL("%s: \"" ROOT_KEY "\"[%zu]: \"%s\" is empty or over %d bytes", name, i, key,
                    NAME_MAX_BYTES - 1);
    for (int k = 0; k < n; k++)
        if ((unsigned char)t[k] < 0x20 || t[k] == 0x7f)
            return FAIL("%s: \"" ROOT_KEY "\"[%zu]: \"%s\" has a control character", name, i, key);
    *s = t;
    *len = (size_t)n;
    return TT_OK;
}

/* 1 when s is exactly n characters, each in lo..hi. */
static int all_in(const char *s, size_t len, size_t n, char lo, char hi)
{
    if (len != n)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (s[k] < lo || s[k] > hi)
            return 0;
    return 1;
}

static int parse_entry(struct tt_countries *c, const char *name, size_t i, json_object *e,
                       struct tt_err *err)
{
    const char *a2, *a3, *num, *iso, *common;
    size_t a2_len, a3_len, num_len, iso_len, common_len;
    if (!json_object_is_type(e, json_type_object))
        return FAIL("%s: \"" ROOT_KEY "\"[%zu]: not an object", name, i);
    int rc = member(name, i, e, "alpha_2", 1, &a2, &a2_len, err);
    if (!rc)
        rc = member(name, i, e, "alpha_3", 1, &a3, &a3_len, err);
    if (!rc)
        rc = member(name, i, e, "numeric", 1, &num, &num_len, err);
    if (!rc)
        rc = member(name, i, e, "name", 1, &iso, &iso_len, err);
    if (!rc)
        rc = member(name, i, e, "common_name", 0, &common, &common_len, err);
    if (rc)
        return rc;
    if (!all_in(a2, a2_len, 2, 'A', 'Z') || !all_in(a3, a3_len, 3, 'A', 'Z') ||
        !all_in(num, num_len, 3, '0', '9'))
        return FAIL("%s: \"" ROOT_KEY "\"[%zu]: codes '%s' '%s' '%s' are not AA, AAA, 999", name, i,
                    a2, a3, num);
    int slot = cc_slot(TT_CC(a2[0], a2[1]));
    if (c->iso[slot])
        return FAIL("%s: \"" ROOT_KEY "\"[%zu]: %s appears twice", name, i, a2);
    rc = pool_add(c, iso, iso_len, &c->iso[slot]);
    c->en[slot] = c->iso[slot];
    if (!rc && common)
        rc = pool_add(c, common, common_len, &c->en[slot]);
    if (rc)
        return tt_err_set(err, rc, "%s: \"" ROOT_KEY "\"[%zu]: names beyond the pool", name, i);
    c->ja[slot] = c->en[slot]; /* until a translation or a short name replaces it */
    c->n++;
    return TT_OK;
}

static int parse_root(struct tt_countries *c, const char *name, json_object *root,
                      struct tt_err *err)
{
    json_object *arr = NULL;
    if (!json_object_is_type(root, json_type_object))
        return FAIL("%s: the top level is a %s, not an object", name,
                    json_type_to_name(json_object_get_type(root)));
    if (!json_object_object_get_ex(root, ROOT_KEY, &arr) ||
        !json_object_is_type(arr, json_type_array))
        return FAIL("%s: no \"" ROOT_KEY "\" array at the top level", name);
    size_t n = json_object_array_length(arr);
    if (n == 0)
        return FAIL("%s: \"" ROOT_KEY "\" is empty", name);
    if (n > CC_SLOTS)
        return tt_err_set(err, TT_ELIMIT, "%s: %zu entries, beyond %d", name, n, CC_SLOTS);
    for (size_t i = 0; i < n; i++) {
        int rc = parse_entry(c, name, i, json_object_array_get_idx(arr, i), err);
        if (rc)
            return rc;
    }
    return TT_OK;
}

static int apply_short_names(struct tt_countries *c, const char *name, struct tt_err *err)
{
    for (size_t i = 0; i < sizeof SHORT_NAMES / sizeof SHORT_NAMES[0]; i++) {
        const struct short_name *s = &SHORT_NAMES[i];
        int slot = cc_slot(TT_CC(s->cc[0], s->cc[1]));
        if (!c->iso[slot])
            continue;
        int rc = pool_add(c, s->en, strlen(s->en), &c->en[slot]);
        if (!rc)
            rc = pool_add(c, s->ja, strlen(s->ja), &c->ja[slot]);
        if (rc)
            return tt_err_set(err, rc, "%s: short names beyond the pool", name);
    }
    return TT_OK;
}

int tt_countries_parse_json(const char *name, const char *data, size_t len,
                            struct tt_countries **out, struct tt_err *err)
{
    struct tt_countries *c = NULL;
    json_object *root = NULL;
    *out = NULL;
    int rc = parse_text(name, data, len, &root, err);
    if (rc)
        goto out;
    c = countries_new();
    if (!c) {
        rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory", name);
        goto out;
    }
    rc = parse_root(c, name, root, err);
    if (!rc)
        rc = apply_short_names(c, name, err);
    if (rc)
        goto out;
    *out = c;
    c = NULL;
out:
    json_object_put(root);
    tt_countries_free(c);
    return rc;
}

/* gettext's inputs are process-global: the LC_MESSAGES locale, the LANGUAGE
 * variable and the domain's directory binding. They are saved, set for the
 * one pass that copies every translation into the pool, and put back, so
 * the rest of the program never sees a changed locale. setlocale and setenv
 * are not thread-safe: load before starting threads. */
struct gettext_state {
    char *locale, *language, *dir;
    int had_language;
};

static int save_gettext(struct gettext_state *s)
{
    const char *loc = setlocale(LC_MESSAGES, NULL);
    const char *lang = getenv("LANGUAGE");
    const char *dir = bindtextdomain(GETTEXT_DOMAIN, NULL);
    memset(s, 0, sizeof *s);
    s->locale = strdup(loc ? loc : "C");
    s->had_language = lang != NULL;
    s->language = lang ? strdup(lang) : NULL;
    s->dir = dir ? strdup(dir) : NULL;
    if (!s->locale || (lang && !s->language) || (dir && !s->dir))
        return TT_ENOMEM;
    return TT_OK;
}

/* glibc caches translations and trusts them until a counter moves; setlocale
 * to the locale already set and setenv do not move it, so after LANGUAGE
 * changes, callers in C.UTF-8 could be served our Japanese (or we their
 * English). Setting the text domain to itself always moves it. */
static void gettext_forget_cache(void)
{
    const char *domain = textdomain(NULL);
    if (domain)
        textdomain(domain);
}

static int restore_gettext(struct gettext_state *s)
{
    int rc = TT_OK;
    if (s->dir && !bindtextdomain(GETTEXT_DOMAIN, s->dir))
        rc = TT_ENOMEM;
    if (s->locale)
        setlocale(LC_MESSAGES, s->locale);
    if (s->had_language && s->language) {
        if (setenv("LANGUAGE", s->language, 1) != 0)
            rc = TT_ENOMEM;
    } else if (!s->had_language) {
        unsetenv("LANGUAGE");
    }
    gettext_forget_cache();
    free(s->locale);
    free(s->language);
    free(s->dir);
    memset(s, 0, sizeof *s);
    return rc;
}

/* 0 when gettext is set to answer in Japanese; -1 when it cannot be (no
 * C.UTF-8 locale: the plain "C" locale ignores LANGUAGE). The codeset
 * binding asks for UTF-8 whatever LC_CTYPE is; it cannot be unset again,
 * and UTF-8 is what any user of this domain in this program wants. */
static int enter_japanese(const char *localedir)
{
    if (setenv("LANGUAGE", "ja", 1) != 0)
        return -1;
    if (!setlocale(LC_MESSAGES, "C.UTF-8") && !setlocale(LC_MESSAGES, "C.utf8"))
        return -1;
    if (!bindtextdomain(GETTEXT_DOMAIN, localedir) ||
        !bind_textdomain_codeset(GETTEXT_DOMAIN, "UTF-8"))
        return -1;
    gettext_forget_cache();
    return 0;
}

/* A missing or unusable translation keeps the English name. */
static int translate_all(struct tt_countries *c, const char *name, struct tt_err *err)
{
    for (int slot = 0; slot < CC_SLOTS; slot++) {
        if (!c->iso[slot] || has_short_name(slot))
            continue;
        const char *msgid = c->pool + c->iso[slot];
        const char *t = dgettext(GETTEXT_DOMAIN, msgid);
        if (!t || t == msgid || strcmp(t, msgid) == 0)
            continue;
        size_t len = strnlen(t, NAME_MAX_BYTES);
        int ok = len > 0 && len < NAME_MAX_BYTES;
        for (size_t k = 0; ok && k < len; k++)
            ok = (unsigned char)t[k] >= 0x20 && t[k] != 0x7f;
        if (!ok)
            continue;
        int rc = pool_add(c, t, len, &c->ja[slot]);
        if (rc)
            return tt_err_set(err, rc, "%s: Japanese names beyond the pool", name);
    }
    return TT_OK;
}

static int load_japanese(struct tt_countries *c, const char *localedir, const char *name,
                         struct tt_err *err)
{
    struct gettext_state saved;
    int rc = save_gettext(&saved);
    if (rc) {
        tt_err_set(err, rc, "%s: out of memory saving the locale", name);
        goto out;
    }
    if (enter_japanese(localedir) == 0)
        rc = translate_all(c, name, err);
out:
    if (restore_gettext(&saved) != TT_OK && !rc)
        rc = tt_err_set(err, TT_ENOMEM, "%s: out of memory restoring the locale", name);
    return rc;
}

int tt_countries_load(const char *json_path, const char *localedir, struct tt_countries **out,
                      struct tt_err *err)
{
    const char *path = json_path ? json_path : TT_ISO_CODES_JSON;
    struct tt_countries *c = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = tt_file_read(path, JSON_MAX_BYTES, &data, &len, err);
    if (rc)
        goto out;
    rc = tt_countries_parse_json(path, (const char *)data, len, &c, err);
    if (rc)
        goto out;
    rc = load_japanese(c, localedir ? localedir : TT_ISO_CODES_LOCALEDIR, path, err);
    if (rc)
        goto out;
    *out = c;
    c = NULL;
out:
    free(data);
    tt_countries_free(c);
    return rc;
}

uint32_t tt_countries_count(const struct tt_countries *c)
{
    return c ? c->n : 0;
}

const char *tt_country_name(const struct tt_countries *c, uint32_t cc, enum tt_lang lang)
{
    if (cc == 0)
        return lang == TT_LANG_JA ? "不明" : "unknown";
    int slot = cc_slot(cc);
    if (slot < 0 || !c)
        return "??"; /* not two letters: nothing printable to show */
    uint32_t off = lang == TT_LANG_JA ? c->ja[slot] : c->en[slot];
    return off ? c->pool + off : c->code[slot];
}

uint32_t tt_cc_parse(const char *text)
{
    if (!text || !text[0] || !text[1] || text[2])
        return 0;
    int a = upper_letter((unsigned char)text[0]), b = upper_letter((unsigned char)text[1]);
    if (a < 0 || b < 0)
        return 0;
    return TT_CC('A' + a, 'A' + b);
}

void tt_cc_format(uint32_t cc, char buf[3])
{
    int slot = cc_slot(cc);
    if (cc == 0 || slot < 0) {
        buf[0] = buf[1] = cc == 0 ? '-' : '?';
    } else {
        buf[0] = (char)('A' + slot / CC_LETTERS);
        buf[1] = (char)('A' + slot % CC_LETTERS);
    }
    buf[2] = '\0';
}
