/* Period expressions, --from/--to, previous periods and labels. Expected day
 * numbers are worked out by hand from the calendar: 2021-01-01 is day 18628
 * (51 years of 365 days plus 13 leap days since 1970), 2021-10-01 is 18628 +
 * 273 = 18901, and 2021-10-04, the Monday of ISO week 40, is 18904. */
#include "query/period.h"

#include <limits.h>

#include "harness.h"

#define DAY TT_US_PER_DAY
#define DAYS(d) ((int64_t)(d)*TT_US_PER_DAY)
#define HOUR TT_US_PER_HOUR
#define SEC TT_US_PER_SEC
#define MIN (60 * SEC)
#define END TT_PERIOD_END_US

/* Days since 1970-01-01 of the dates the cases use. */
enum {
    D1969_12_31 = -1,
    D1970_01_01 = 0,
    D1971_01_01 = 365,
    D2000_02_29 = 11016,
    D2015_12_28 = 16797, /* Monday of 2015-W53 */
    D2018_12_31 = 17896, /* Monday of 2019-W01 */
    D2019_12_30 = 18260, /* Monday of 2020-W01 */
    D2020_01_01 = 18262,
    D2020_02_01 = 18293,
    D2020_03_01 = 18322,
    D2020_10_01 = 18536,
    D2020_12_01 = 18597,
    D2020_12_28 = 18624, /* Monday of 2020-W53 */
    D2021_01_01 = 18628,
    D2021_01_04 = 18631, /* Monday of 2021-W01 */
    D2021_02_01 = 18659,
    D2021_03_01 = 18687,
    D2021_04_01 = 18718,
    D2021_05_01 = 18748,
    D2021_07_01 = 18809,
    D2021_09_01 = 18871,
    D2021_10_01 = 18901,
    D2021_10_04 = 18904, /* Monday of 2021-W40 */
    D2021_10_05 = 18905,
    D2021_11_01 = 18932,
    D2022_01_01 = 18993,
    D9999_01_01 = 2932532,
    D9999_12_31 = 2932896,
};

static void test_civil(void)
{
    static const struct {
        int y, m, d;
        int64_t day;
    } cases[] = {
        {1970, 1, 1, D1970_01_01},  {1969, 12, 31, D1969_12_31}, {2000, 2, 29, D2000_02_29},
        {2021, 10, 4, D2021_10_04}, {2021, 1, 1, D2021_01_01},   {2020, 3, 1, D2020_03_01},
        {1900, 3, 1, -25508},       {1600, 1, 1, -135140},       {9999, 12, 31, D9999_12_31},
        {0, 1, 1, -719528},         {0, 3, 1, -719468},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int y, m, d;
        CHECK_EQ_U64(tt_day_from_civil(cases[i].y, cases[i].m, cases[i].d), cases[i].day);
        tt_civil_from_day(cases[i].day, &y, &m, &d);
        CHECK(y == cases[i].y && m == cases[i].m && d == cases[i].d);
    }
    /* Every day from 0000-01-01 to 9999-12-31 follows the one before it. */
    int py, pm, pd, bad = 0;
    tt_civil_from_day(-719529, &py, &pm, &pd);
    CHECK(py == -1 && pm == 12 && pd == 31);
    for (int64_t day = -719528; day <= D9999_12_31; day++) {
        int y, m, d;
        tt_civil_from_day(day, &y, &m, &d);
        int next = (d == pd + 1 && m == pm && y == py) ||
                   (d == 1 && pd == tt_days_in_month(py, pm) &&
                    ((m == pm + 1 && y == py) || (m == 1 && pm == 12 && y == py + 1)));
        if (!next || tt_day_from_civil(y, m, d) != day)
            bad++;
        py = y, pm = m, pd = d;
    }
    CHECK_EQ_U64(bad, 0);
    int y, m, d;
    tt_civil_from_day(INT64_MAX, &y, &m, &d); /* clamped, no overflow */
    CHECK(y > 990000 && m >= 1 && m <= 12);
    tt_civil_from_day(INT64_MIN, &y, &m, &d);
    CHECK(y < -990000 && m >= 1 && m <= 12);
}

static void test_leap(void)
{
    CHECK(tt_is_leap_year(2000));
    CHECK(tt_is_leap_year(2020));
    CHECK(tt_is_leap_year(2024));
    CHECK(!tt_is_leap_year(1900));
    CHECK(!tt_is_leap_year(2021));
    CHECK(!tt_is_leap_year(2100));
    CHECK_EQ_U64(tt_days_in_month(2021, 2), 28);
    CHECK_EQ_U64(tt_days_in_month(2020, 2), 29);
    CHECK_EQ_U64(tt_days_in_month(2100, 2), 28);
    CHECK_EQ_U64(tt_days_in_month(2000, 2), 29);
    CHECK_EQ_U64(tt_days_in_month(2021, 4), 30);
    CHECK_EQ_U64(tt_days_in_month(2021, 12), 31);
    CHECK_EQ_U64(tt_days_in_month(2021, 13), 0);
}

static void test_format(void)
{
    char day[11], hour[14];
    tt_day_format(D2021_10_05, day);
    CHECK_EQ_STR(day, "2021-10-05");
    tt_day_format(D1969_12_31, day);
    CHECK_EQ_STR(day, "1969-12-31");
    tt_day_format(D9999_12_31, day);
    CHECK_EQ_STR(day, "9999-12-31");
    tt_day_format(D9999_12_31 + 1, day);
    CHECK_EQ_STR(day, "\?\?\?\?-\?\?-\?\?");
    tt_day_format(-719529, day);
    CHECK_EQ_STR(day, "\?\?\?\?-\?\?-\?\?");
    tt_hour_format((int64_t)D2021_10_05 * 24 + 13, hour);
    CHECK_EQ_STR(hour, "2021-10-05T13");
    tt_hour_format(0, hour);
    CHECK_EQ_STR(hour, "1970-01-01T00");
    tt_hour_format(-1, hour);
    CHECK_EQ_STR(hour, "1969-12-31T23");
    tt_hour_format((int64_t)D2020_03_01 * 24 - 1, hour);
    CHECK_EQ_STR(hour, "2020-02-29T23");
}

static const struct {
    const char *text;
    int64_t from, to;
} GOOD[] = {
    {"2021-10-05", DAYS(D2021_10_05), DAYS(D2021_10_05 + 1)},
    {"2021-10-05T13", DAYS(D2021_10_05) + 13 * HOUR, DAYS(D2021_10_05) + 14 * HOUR},
    {"2021-10-05t13z", DAYS(D2021_10_05) + 13 * HOUR, DAYS(D2021_10_05) + 14 * HOUR},
    {"2021-10-05T13:45", DAYS(D2021_10_05) + 13 * HOUR + 45 * MIN,
     DAYS(D2021_10_05) + 13 * HOUR + 46 * MIN},
    {"2021-10-05T13:45:10", DAYS(D2021_10_05) + 13 * HOUR + 45 * MIN + 10 * SEC,
     DAYS(D2021_10_05) + 13 * HOUR + 45 * MIN + 11 * SEC},
    {"2021-10-05 13:45:10Z", DAYS(D2021_10_05) + 13 * HOUR + 45 * MIN + 10 * SEC,
     DAYS(D2021_10_05) + 13 * HOUR + 45 * MIN + 11 * SEC},
    {"2021-10-05T23:59:59Z", DAYS(D2021_10_05 + 1) - SEC, DAYS(D2021_10_05 + 1)},
    {"2021-10-05T13:45:10.5", DAYS(D2021_10_05) + 13 * HOUR + 45 * MIN + 10 * SEC + 500000,
     DAYS(D2021_10_05) + 13 * HOUR + 45 * MIN + 10 * SEC + 600000},
    {"2021-10-05T13:45:10.123456", DAYS(D2021_10_05) + 13 * HOUR + 45 * MIN + 10 * SEC + 123456,
     DAYS(D2021_10_05) + 13 * HOUR + 45 * MIN + 10 * SEC + 123457},
    {"2021-10", DAYS(D2021_10_01), DAYS(D2021_11_01)},
    {"2020-02", DAYS(D2020_02_01), DAYS(D2020_03_01)},
    {"2020-02-29", DAYS(D2020_03_01 - 1), DAYS(D2020_03_01)},
    {"2000-02-29", DAYS(D2000_02_29), DAYS(D2000_02_29 + 1)},
    {"2021Q4", DAYS(D2021_10_01), DAYS(D2022_01_01)},
    {"2021q4", DAYS(D2021_10_01), DAYS(D2022_01_01)},
    {"2021-Q4", DAYS(D2021_10_01), DAYS(D2022_01_01)},
    {"2021Q1", DAYS(D2021_01_01), DAYS(D2021_04_01)},
    {"2021Q3", DAYS(D2021_07_01), DAYS(D2021_10_01)},
    {"2021-W40", DAYS(D2021_10_04), DAYS(D2021_10_04 + 7)},
    {"2021W40", DAYS(D2021_10_04), DAYS(D2021_10_04 + 7)},
    {"2021-w40", DAYS(D2021_10_04), DAYS(D2021_10_04 + 7)},
    {"2021-W01", DAYS(D2021_01_04), DAYS(D2021_01_04 + 7)},
    {"2020-W53", DAYS(D2020_12_28), DAYS(D2021_01_04)},
    {"2020-W01", DAYS(D2019_12_30), DAYS(D2019_12_30 + 7)},
    {"2019-W01", DAYS(D2018_12_31), DAYS(D2018_12_31 + 7)},
    {"2015-W53", DAYS(D2015_12_28), DAYS(D2015_12_28 + 7)},
    {"2021", DAYS(D2021_01_01), DAYS(D2022_01_01)},
    {"2020", DAYS(D2020_01_01), DAYS(D2021_01_01)},
    {"1970", 0, DAYS(D1971_01_01)},
    {"9999", DAYS(D9999_01_01), END},
    {"9999-12-31T23:59:59", END - SEC, END},
    {"@1633392000", DAYS(D2021_10_05), DAYS(D2021_10_05) + SEC},
    {"@0", 0, SEC},
    {"@00000000042", 42 * SEC, 43 * SEC},
    {"@253402300799", END - SEC, END},
    {"2021-07..2021-09", DAYS(D2021_07_01), DAYS(D2021_10_01)},
    {"2021-10-05..2021-10-12", DAYS(D2021_10_05), DAYS(D2021_10_05 + 8)},
    {"2021-07..", DAYS(D2021_07_01), END},
    {"..2021-09", 0, DAYS(D2021_10_01)},
    {"2021-10-05T13:45:10.5..2021-10-05T13:45:10.7",
     DAYS(D2021_10_05) + 13 * HOUR + 45 * MIN + 10 * SEC + 500000,
     DAYS(D2021_10_05) + 13 * HOUR + 45 * MIN + 10 * SEC + 800000},
    {"2021-10-05..@1633392000", DAYS(D2021_10_05), DAYS(D2021_10_05) + SEC},
};

static void test_parse(void)
{
    for (size_t i = 0; i < sizeof GOOD / sizeof GOOD[0]; i++) {
        int64_t f = -7, t = -7;
        struct tt_err err = {{0}};
        int rc = tt_period_parse(GOOD[i].text, &f, &t, &err);
        if (rc || f != GOOD[i].from || t != GOOD[i].to)
            fprintf(stderr, "  '%s': rc %d [%lld, %lld) %s\n", GOOD[i].text, rc, (long long)f,
                    (long long)t, err.msg);
        CHECK(rc == 0 && f == GOOD[i].from && t == GOOD[i].to);
    }
}

static const struct {
    const char *text, *msg;
} BAD[] = {
    {"2021-13", "bad time '2021-13': month 13 out of range"},
    {"2021-00", "bad time '2021-00': month 0 out of range"},
    {"2021-02-29", "bad time '2021-02-29': day 29 out of range for 2021-02"},
    {"2100-02-29", "bad time '2100-02-29': day 29 out of range for 2100-02"},
    {"2021-04-31", "bad time '2021-04-31': day 31 out of range for 2021-04"},
    {"2021-10-00", "bad time '2021-10-00': day 0 out of range for 2021-10"},
    {"2021-W53", "bad time '2021-W53': week 53 out of range (2021 has 52 weeks)"},
    {"2019-W53", "bad time '2019-W53': week 53 out of range (2019 has 52 weeks)"},
    {"2021-W00", "bad time '2021-W00': week 0 out of range"},
    {"2021-W54", "bad time '2021-W54': week 54 out of range"},
    {"2021-W4", "bad time '2021-W4': expected a 2-digit week"},
    {"2021Q5", "bad time '2021Q5': quarter 5 out of range"},
    {"2021Q0", "bad time '2021Q0': quarter 0 out of range"},
    {"2021Q", "bad time '2021Q': expected a 1-digit quarter"},
    {"2021Q44", "bad time '2021Q44': expected a 1-digit quarter"},
    {"1969", "bad time '1969': year 1969 out of range (1970..9999)"},
    {"0000-01-01", "bad time '0000-01-01': year 0 out of range (1970..9999)"},
    {"10000", "bad time '10000': expected a 4-digit year"},
    {"21", "bad time '21': expected a 4-digit year"},
    {"202110", "bad time '202110': expected a 4-digit year"},
    {"99999999999999999999999", "bad time '99999999999999999999999': expected a 4-digit year"},
    {"", "bad time '': empty"},
    {"2021-1", "bad time '2021-1': expected a 2-digit month"},
    {"2021-", "bad time '2021-': expected a 2-digit month"},
    {"2021-10-5", "bad time '2021-10-5': expected a 2-digit day"},
    {"2021-10-05T", "bad time '2021-10-05T': expected a 2-digit hour"},
    {"2021-10-05T24", "bad time '2021-10-05T24': hour 24 out of range"},
    {"2021-10-05T1", "bad time '2021-10-05T1': expected a 2-digit hour"},
    {"2021-10-05T13:60", "bad time '2021-10-05T13:60': minute 60 out of range"},
    {"2021-10-05T13:", "bad time '2021-10-05T13:': expected a 2-digit minute"},
    {"2021-10-05T13:45:60", "bad time '2021-10-05T13:45:60': second 60 out of range"},
    {"2021-10-05T13:45:10.", "bad time '2021-10-05T13:45:10.': expected 1 to 6 digits of a "
                             "second after '.'"},
    {"2021-10-05T13:45:10.1234567", "bad time '2021-10-05T13:45:10.1234567': expected 1 to 6 "
                                    "digits of a second after '.'"},
    {"2021-10-05T13+09:00", "bad time '2021-10-05T13+09:00': time zone offsets are not "
                            "supported; times are UTC (optional 'Z')"},
    {"2021-10-05T13:45-05:00", "bad time '2021-10-05T13:45-05:00': time zone offsets are not "
                               "supported; times are UTC (optional 'Z')"},
    {"2021-10-05x", "bad time '2021-10-05x': unexpected 'x'"},
    {"2021-10-05Z", "bad time '2021-10-05Z': unexpected 'Z'"},
    {"2021-10x", "bad time '2021-10x': unexpected 'x'"},
    {"2021-10-05T13:45:10Zx", "bad time '2021-10-05T13:45:10Zx': unexpected 'x'"},
    {"2021-10-05T13:45:10 ", "bad time '2021-10-05T13:45:10 ': unexpected ' '"},
    {"2021-10-05  13", "bad time '2021-10-05  13': expected a 2-digit hour"},
    {"2021Q4x", "bad time '2021Q4x': unexpected 'x'"},
    {"2021-W40-1", "bad time '2021-W40-1': unexpected '-1'"},
    {"@", "bad time '@': expected Unix seconds after '@'"},
    {"@-5", "bad time '@-5': expected Unix seconds after '@'"},
    {"@253402300800", "bad time '@253402300800': Unix seconds out of range (0..253402300799)"},
    {"@99999999999999999999999", "bad time '@99999999999999999999999': Unix seconds out of "
                                 "range (0..253402300799)"},
    {"@1633392000x", "bad time '@1633392000x': unexpected 'x'"},
    {"yesterday", "bad time 'yesterday': expected YYYY, YYYYQn, YYYY-MM, YYYY-Www, "
                  "YYYY-MM-DD[THH[:MM[:SS]]] or @SECONDS"},
    {" 2021", "bad time ' 2021': expected YYYY, YYYYQn, YYYY-MM, YYYY-Www, "
              "YYYY-MM-DD[THH[:MM[:SS]]] or @SECONDS"},
    {"2021 ", "bad time '2021 ': expected YYYY, YYYYQn, YYYY-MM, YYYY-Www, "
              "YYYY-MM-DD[THH[:MM[:SS]]] or @SECONDS"},
    {"-2021", "bad time '-2021': expected YYYY, YYYYQn, YYYY-MM, YYYY-Www, "
              "YYYY-MM-DD[THH[:MM[:SS]]] or @SECONDS"},
    {"..", "bad time '..': give a start, an end or both around '..'"},
    {"2021-09..2021-07", "bad time '2021-09..2021-07': the range ends before it starts"},
    {"2021-07...2021-09", "bad time '2021-07...2021-09': expected YYYY, YYYYQn, YYYY-MM, "
                          "YYYY-Www, YYYY-MM-DD[THH[:MM[:SS]]] or @SECONDS"},
    {"2021-13..2022", "bad time '2021-13..2022': month 13 out of range"},
    {"1970-W01", "bad time '1970-W01': week reaches outside the years 1970..9999"},
    {"9999-W52", "bad time '9999-W52': week reaches outside the years 1970..9999"},
};

static void test_bad(void)
{
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        int64_t f = -7, t = -7;
        struct tt_err err = {{0}};
        int rc = tt_period_parse(BAD[i].text, &f, &t, &err);
        CHECK(rc == TT_EINVAL && f == -7 && t == -7);
        CHECK_EQ_STR(err.msg, BAD[i].msg);
    }
    char long_text[300];
    memset(long_text, '1', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    int64_t f, t;
    struct tt_err err = {{0}};
    CHECK(tt_period_parse(long_text, &f, &t, &err) == TT_EINVAL);
    CHECK(strstr(err.msg, "longer than 128 characters") != NULL);
    CHECK(tt_period_parse(NULL, &f, &t, &err) == TT_EINVAL);
    CHECK_EQ_STR(err.msg, "bad time '': empty");
    CHECK(tt_period_parse("2021-13", &f, &t, NULL) == TT_EINVAL); /* err is optional */
    /* 2021-W40 starts on 2021-10-04, a Monday; 2021 has no week 53 but 2020 has. */
    CHECK(tt_period_parse("2020-W53", &f, &t, &err) == 0);
}

static void test_range(void)
{
    int64_t f = -7, t = -7;
    struct tt_err err = {{0}};
    CHECK(tt_period_range("2021-07", "2021-09", &f, &t, &err) == 0);
    CHECK(f == DAYS(D2021_07_01) && t == DAYS(D2021_10_01));
    CHECK(tt_period_range(NULL, "2021-09", &f, &t, &err) == 0);
    CHECK(f == TT_PERIOD_BEGIN_US && t == DAYS(D2021_10_01));
    CHECK(tt_period_range("2021-07", NULL, &f, &t, &err) == 0);
    CHECK(f == DAYS(D2021_07_01) && t == END);
    CHECK(tt_period_range(NULL, NULL, &f, &t, &err) == 0);
    CHECK(f == TT_PERIOD_BEGIN_US && t == END);
    CHECK(tt_period_range("2021-10-05T13", "2021-10-05T13", &f, &t, &err) == 0);
    CHECK(f == DAYS(D2021_10_05) + 13 * HOUR && t == DAYS(D2021_10_05) + 14 * HOUR);
    CHECK(tt_period_range("2021-10-05", "2021-10-05T13:45", &f, &t, &err) == 0);
    CHECK(f == DAYS(D2021_10_05) && t == DAYS(D2021_10_05) + 13 * HOUR + 46 * MIN);
    CHECK(tt_period_range("@1633392000", "@1633392000", &f, &t, &err) == 0);
    CHECK(f == DAYS(D2021_10_05) && t == DAYS(D2021_10_05) + SEC);
    CHECK(tt_period_range("2021Q3", "2021-W40", &f, &t, &err) == 0);
    CHECK(f == DAYS(D2021_07_01) && t == DAYS(D2021_10_04 + 7));
    f = t = -7;
    CHECK(tt_period_range("2021-09", "2021-07", &f, &t, &err) == TT_EINVAL);
    CHECK_EQ_STR(err.msg, "bad range: from '2021-09' is not before the end of to '2021-07'");
    CHECK(f == -7 && t == -7);
    CHECK(tt_period_range("2021-10-02", "2021-10-01", &f, &t, &err) == TT_EINVAL);
    CHECK(tt_period_range("2021-13", "2021-09", &f, &t, &err) == TT_EINVAL);
    CHECK_EQ_STR(err.msg, "bad time '2021-13': month 13 out of range");
    CHECK(tt_period_range("2021-07", "2021-02-30", &f, &t, &err) == TT_EINVAL);
    CHECK_EQ_STR(err.msg, "bad time '2021-02-30': day 30 out of range for 2021-02");
    CHECK(f == -7 && t == -7);
}

static void expect_prev(int64_t from, int64_t to, int64_t pf, int64_t pt)
{
    int64_t a = -7, b = -7;
    tt_period_previous(from, to, &a, &b);
    if (a != pf || b != pt)
        fprintf(stderr, "  previous of [%lld, %lld): [%lld, %lld), want [%lld, %lld)\n",
                (long long)from, (long long)to, (long long)a, (long long)b, (long long)pf,
                (long long)pt);
    CHECK(a == pf && b == pt);
}

static void test_previous(void)
{
    /* quarters, months and years go by the calendar, not by length */
    expect_prev(DAYS(D2021_10_01), DAYS(D2022_01_01), DAYS(D2021_07_01), DAYS(D2021_10_01));
    expect_prev(DAYS(D2021_01_01), DAYS(D2021_04_01), DAYS(D2020_10_01), DAYS(D2021_01_01));
    expect_prev(DAYS(D2021_10_01), DAYS(D2021_11_01), DAYS(D2021_09_01), DAYS(D2021_10_01));
    expect_prev(DAYS(D2021_03_01), DAYS(D2021_04_01), DAYS(D2021_02_01), DAYS(D2021_03_01));
    expect_prev(DAYS(D2021_01_01), DAYS(D2021_02_01), DAYS(D2020_12_01), DAYS(D2021_01_01));
    expect_prev(DAYS(D2020_03_01), DAYS(D2020_03_01) + 31 * DAY, DAYS(D2020_02_01),
                DAYS(D2020_03_01));
    expect_prev(DAYS(D2021_01_01), DAYS(D2022_01_01), DAYS(D2020_01_01), DAYS(D2021_01_01));
    /* two whole months: the two months before */
    expect_prev(DAYS(D2021_07_01), DAYS(D2021_09_01), DAYS(D2021_05_01), DAYS(D2021_07_01));
    /* weeks, days, hours and arbitrary ranges: the same length before */
    expect_prev(DAYS(D2021_01_04), DAYS(D2021_01_04 + 7), DAYS(D2020_12_28), DAYS(D2021_01_04));
    expect_prev(DAYS(D2021_10_04), DAYS(D2021_10_04 + 7), DAYS(D2021_10_04 - 7), DAYS(D2021_10_04));
    expect_prev(DAYS(D2021_03_01), DAYS(D2021_03_01 + 1), DAYS(D2021_03_01 - 1), DAYS(D2021_03_01));
    expect_prev(DAYS(D2021_10_05), DAYS(D2021_10_05 + 10), DAYS(D2021_10_05 - 10),
                DAYS(D2021_10_05));
    expect_prev(DAYS(D2021_10_05), DAYS(D2021_10_05) + HOUR, DAYS(D2021_10_05) - HOUR,
                DAYS(D2021_10_05));
    expect_prev(DAYS(D2021_10_01), DAYS(D2021_10_01) + 45 * DAY, DAYS(D2021_10_01) - 45 * DAY,
                DAYS(D2021_10_01));
    expect_prev(1000, 3500, -1500, 1000);
    /* open-ended or empty: no previous period */
    expect_prev(TT_PERIOD_BEGIN_US, DAYS(D2021_10_01), TT_PERIOD_BEGIN_US, TT_PERIOD_BEGIN_US);
    expect_prev(DAYS(D2021_07_01), END, DAYS(D2021_07_01), DAYS(D2021_07_01));
    expect_prev(5, 5, 5, 5);
    expect_prev(9, 5, 9, 9);
    expect_prev(INT64_MIN, INT64_MAX, INT64_MIN, INT64_MIN);
}

static void expect_label(int64_t from, int64_t to, const char *want)
{
    char buf[TT_PERIOD_LABEL_MAX];
    tt_period_label(from, to, buf, sizeof buf);
    CHECK_EQ_STR(buf, want);
}

static void test_label(void)
{
    expect_label(DAYS(D2021_10_01), DAYS(D2022_01_01), "2021Q4");
    expect_label(DAYS(D2021_07_01), DAYS(D2021_10_01), "2021Q3");
    expect_label(DAYS(D2021_10_01), DAYS(D2021_11_01), "2021-10");
    expect_label(DAYS(D2021_01_01), DAYS(D2022_01_01), "2021");
    expect_label(0, DAYS(D1971_01_01), "1970");
    expect_label(DAYS(D2021_10_04), DAYS(D2021_10_04 + 7), "2021-W40");
    expect_label(DAYS(D2020_12_28), DAYS(D2021_01_04), "2020-W53");
    expect_label(DAYS(D2019_12_30), DAYS(D2019_12_30 + 7), "2020-W01");
    expect_label(DAYS(D2018_12_31), DAYS(D2018_12_31 + 7), "2019-W01");
    expect_label(DAYS(D2021_10_05), DAYS(D2021_10_05 + 1), "2021-10-05");
    expect_label(DAYS(D2021_10_05), DAYS(D2021_10_05 + 8), "2021-10-05..2021-10-12");
    expect_label(DAYS(D2021_10_05), DAYS(D2021_10_05 + 7), "2021-10-05..2021-10-11");
    expect_label(DAYS(D2021_07_01), DAYS(D2021_09_01), "2021-07-01..2021-08-31");
    expect_label(DAYS(D2021_10_05) + 13 * HOUR, DAYS(D2021_10_05) + 14 * HOUR, "2021-10-05T13");
    expect_label(DAYS(D2021_10_05) + 13 * HOUR, DAYS(D2021_10_05) + 15 * HOUR,
                 "2021-10-05T13..2021-10-05T14");
    expect_label(DAYS(D2021_10_05), DAYS(D2021_10_05) + 13 * HOUR, "2021-10-05T00..2021-10-05T12");
    expect_label(DAYS(D2021_10_05) + 13 * HOUR + 45 * MIN, DAYS(D2021_10_05) + 14 * HOUR,
                 "2021-10-05T13:45..2021-10-05T13:59");
    expect_label(DAYS(D2021_10_05) + 10 * SEC, DAYS(D2021_10_05) + 20 * SEC,
                 "2021-10-05T00:00:10..2021-10-05T00:00:19");
    expect_label(DAYS(D2021_10_05), DAYS(D2021_10_05) + SEC, "2021-10-05T00:00:00");
    expect_label(DAYS(D2021_10_05) + 1, DAYS(D2021_10_05) + 2 * SEC,
                 "2021-10-05T00:00:00.000001..2021-10-05T00:00:01.999999");
    expect_label(TT_PERIOD_BEGIN_US, DAYS(D2021_10_01), "..2021-09-30");
    expect_label(DAYS(D2021_07_01), END, "2021-07-01..");
    expect_label(TT_PERIOD_BEGIN_US, DAYS(D2021_10_05) + 13 * HOUR, "..2021-10-05T12");
    expect_label(TT_PERIOD_BEGIN_US, END, "all");
    expect_label(DAYS(D9999_01_01), END, "9999");
    expect_label(-DAY, 0, "1969-12-31");
    expect_label(5, 5, "[5,5)us");
    expect_label(9, 5, "[9,5)us");
    expect_label(0, END + 1, "[0,253402300800000001)us");
    expect_label(INT64_MIN, INT64_MAX, "[-9223372036854775808,9223372036854775807)us");
    char small[5];
    tt_period_label(DAYS(D2021_10_01), DAYS(D2022_01_01), small, sizeof small);
    CHECK_EQ_STR(small, "2021");
    tt_period_label(DAYS(D2021_10_01), DAYS(D2022_01_01), small, 0); /* writes nothing */
    CHECK_EQ_STR(small, "2021");
}

/* parse(text) then label gives text back for every canonical expression,
 * and parse(label(range)) gives the range back for every GOOD case. */
static void test_round_trip(void)
{
    static const char *const canon[] = {
        "2021",
        "2021Q1",
        "2021Q4",
        "2021-10",
        "2020-02",
        "2021-W40",
        "2020-W53",
        "2021-W01",
        "2020-W01",
        "2015-W53",
        "2021-10-05",
        "2020-02-29",
        "2021-10-05T13",
        "2021-10-05T13:45",
        "2021-10-05T13:45:10",
        "2021-10-05..2021-10-12",
        "2021-07-01..",
        "..2021-09-30",
        "2021-10-05T13:45:10.500000..2021-10-05T13:45:10.599999",
    };
    for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++) {
        int64_t f, t;
        char buf[TT_PERIOD_LABEL_MAX];
        CHECK(tt_period_parse(canon[i], &f, &t, NULL) == 0);
        tt_period_label(f, t, buf, sizeof buf);
        CHECK_EQ_STR(buf, canon[i]);
    }
    int bad = 0;
    for (size_t i = 0; i < sizeof GOOD / sizeof GOOD[0]; i++) {
        int64_t f = -7, t = -7;
        char buf[TT_PERIOD_LABEL_MAX];
        tt_period_label(GOOD[i].from, GOOD[i].to, buf, sizeof buf);
        if (tt_period_parse(buf, &f, &t, NULL) || f != GOOD[i].from || t != GOOD[i].to) {
            fprintf(stderr, "  '%s' -> '%s' does not read back\n", GOOD[i].text, buf);
            bad++;
        }
    }
    CHECK_EQ_U64(bad, 0);
    /* Pseudo-random ranges at every alignment read back too. */
    static const int64_t units[] = {DAY, HOUR, MIN, SEC, 1};
    uint64_t x = 88172645463325252ull;
    bad = 0;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t unit = units[x % 5];
        int64_t f = (int64_t)(x >> 8) % (END / unit) * unit;
        int64_t len = (int64_t)(1 + (x >> 40) % 1000) * unit, t = f + len, rf, rt;
        if (t > END)
            continue;
        char buf[TT_PERIOD_LABEL_MAX];
        tt_period_label(f, t, buf, sizeof buf);
        if (tt_period_parse(buf, &rf, &rt, NULL) || rf != f || rt != t) {
            if (bad++ < 5)
                fprintf(stderr, "  [%lld, %lld) -> '%s' does not read back\n", (long long)f,
                        (long long)t, buf);
        }
    }
    CHECK_EQ_U64(bad, 0);
}

TT_TESTS(test_civil, test_leap, test_format, test_parse, test_bad, test_range, test_previous,
         test_label, test_round_trip)
