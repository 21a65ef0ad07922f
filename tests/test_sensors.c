/* Sensors file: accepted forms, refused forms with file:line messages,
 * round trip through tt_sensors_write, attribution at prefix edges. */
#include "config/sensors.h"
#include "harness.h"

static const char GOOD[] =
    "# two sensors\n"
    "[sensor tokyo-1]\nid = 1\nprefix = 198.18.0.0/22\nprefix = 2001:db8:1::/48\n"
    "country = JP\nregion = Kanto\nnetwork = research net\ndomestic = yes\n\n"
    "[sensor cloud-us-1]  # comment\nid = 7\nprefix = 198.18.8.0/24\naddresses = 200\n";

static struct tt_sensors *parse(const char *text, int *rc, struct tt_err *err)
{
    struct tt_sensors *s = calloc(1, sizeof *s);
    *rc = tt_sensors_parse(text, strlen(text), "s.conf", s, err);
    return s;
}

static void test_parse(void)
{
    struct tt_err err = {{0}};
    int rc;
    struct tt_sensors *s = parse(GOOD, &rc, &err);
    CHECK_EQ_U64(rc, TT_OK);
    CHECK_EQ_U64(s->n, 2);
    const struct tt_sensor *t = tt_sensors_by_name(s, "tokyo-1");
    CHECK(t && t->id == 1 && t->n_prefixes == 2 && t->domestic == 1);
    CHECK(t && t->addresses == 1024); /* default: the IPv4 prefixes' size */
    CHECK_EQ_STR(t ? t->region : NULL, "Kanto");
    const struct tt_sensor *u = tt_sensors_by_id(s, 7);
    CHECK(u && u->addresses == 200 && u->country[0] == '\0');
    /* round trip */
    char path[512];
    snprintf(path, sizeof path, "%s/sensors.conf", tt_test_tmpdir());
    CHECK_EQ_U64(tt_sensors_write(s, path, &err), TT_OK);
    struct tt_sensors *back = calloc(1, sizeof *back);
    CHECK_EQ_U64(tt_sensors_load(path, back, &err), TT_OK);
    CHECK(memcmp(s, back, sizeof *s) == 0);
    free(back);
    free(s);
}

static void test_refused(void)
{
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"[sensor a]\nid = 1\nprefix = 192.0.2.0/33\n",
         "s.conf:3: prefix '192.0.2.0/33': length beyond"},
        {"[sensor a]\nid = 1\nprefix = 192.0.2.1/24\n",
         "s.conf:3: prefix '192.0.2.1/24': host bits set"},
        {"[sensor a]\nid = 0\n", "s.conf:2: id '0'"},
        {"[sensor a]\nid = 1\ncolour = red\n", "s.conf:3: unknown key 'colour'"},
        {"id = 1\n", "s.conf:1: 'id = 1' outside"},
        {"[sensor a]\nid = 1\n[sensor b]\nid = 1\n", "repeats the id or name"},
        {"[sensor a]\nid = 1\nprefix = 198.51.100.0/24\n[sensor b]\nid = 2\nprefix = "
         "198.51.100.128/25\n",
         "overlaps"},
        {"[sensor a b]\nid = 1\n", "s.conf:1: sensor name 'a b'"},
        {"[sensor a]\ncountry = jp\nid = 1\n", "s.conf:2: country 'jp'"},
        {"[sensor a]\n", "has no id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tt_err err = {{0}};
        int rc;
        free(parse(bad[i].text, &rc, &err));
        CHECK(rc != TT_OK);
        if (!strstr(err.msg, bad[i].msg))
            fprintf(stderr, "message: %s\n", err.msg);
        CHECK(strstr(err.msg, bad[i].msg) != NULL);
    }
}

static void test_map(void)
{
    struct tt_err err = {{0}};
    int rc;
    struct tt_sensors *s = parse(GOOD, &rc, &err);
    struct tt_sensor_map *m = NULL;
    CHECK_EQ_U64(tt_sensor_map_build(s, &m), TT_OK);
    CHECK_EQ_U64(tt_sensor_map_v4(m, 0xC6120000u), 1);
    CHECK_EQ_U64(tt_sensor_map_v4(m, 0xC61203FFu), 1);
    CHECK_EQ_U64(tt_sensor_map_v4(m, 0xC6120400u), TT_SENSOR_NONE);
    CHECK_EQ_U64(tt_sensor_map_v4(m, 0xC6120800u), 7);
    CHECK_EQ_U64(tt_sensor_map_v4(m, 0xC61208FFu), 7);
    CHECK_EQ_U64(tt_sensor_map_v4(m, 0xC61207FFu), TT_SENSOR_NONE);
    CHECK_EQ_U64(tt_sensor_map_v4(m, 0), TT_SENSOR_NONE);
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0xff};
    CHECK_EQ_U64(tt_sensor_map_v6(m, a), 1);
    a[5] = 2;
    CHECK_EQ_U64(tt_sensor_map_v6(m, a), TT_SENSOR_NONE);
    tt_sensor_map_free(m);
    free(s);
}

TT_TESTS(test_parse, test_refused, test_map)
