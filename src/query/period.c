/* Period expressions, previous periods and labels; see period.h. The
 * calendar conversion follows the idea of Howard Hinnant's days_from_civil /
 * civil_from_days: shift the year to start in March so the leap day is last,
 * then count 400-year eras of 146097 days. */
#include "query/period.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define US_PER_MIN 60000000ll
#define DAY_CLAMP 365000000ll       /* tt_civil_from_day input bound */
#define DAY_YEAR0 (-719528ll)       /* 0000-01-01 */
#define DAY_YEAR10000 2932897ll     /* 10000-01-01 */
#define UNIX_SEC_MAX 253402300799ll /* 9999-12-31T23:59:59Z */
#define DIGITS_MAX 18               /* digits a field accumulates (no overflow) */
#define WHY_MAX 160

/* ---- calendar ---------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && (a < 0) != (b < 0))
        q--;
    return q;
}

int64_t tt_day_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = floor_div(yy, 400);
    int64_t yoe = yy - era * 400;                         /* 0..399 */
    int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9; /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;    /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* 0..146096 */
    return era * 146097 + doe - 719468;                   /* 719468: 0000-03-01 to 1970-01-01 */
}

void tt_civil_from_day(int64_t day, int *y, int *m, int *d)
{
    if (day < -DAY_CLAMP)
        day = -DAY_CLAMP;
    if (day > DAY_CLAMP)
        day = DAY_CLAMP;
    int64_t z = day + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int tt_is_leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int tt_days_in_month(int y, int m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return days[m - 1] + (m == 2 && tt_is_leap_year(y));
}

/* 0 = Monday .. 6 = Sunday; 1970-01-01 was a Thursday. */
static int weekday(int64_t day)
{
    return (int)(day - floor_div(day + 3, 7) * 7 + 3);
}

/* Monday of ISO week 1: the week holding 4 January. */
static int64_t iso_week1(int y)
{
    int64_t jan4 = tt_day_from_civil(y, 1, 4);
    return jan4 - weekday(jan4);
}

static int iso_weeks_in_year(int y)
{
    return (int)((iso_week1(y + 1) - iso_week1(y)) / 7);
}

static int64_t month_start_us(int64_t y, int64_t m) /* m may be outside 1..12 */
{
    int64_t mi = y * 12 + (m - 1);
    return tt_day_from_civil((int)floor_div(mi, 12), (int)(mi - floor_div(mi, 12) * 12) + 1, 1) *
           TT_US_PER_DAY;
}

/* ---- formatting -------------------------------------------------------- */

static char *put_num(char *p, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

/* "YYYY-MM-DD" into p (no terminator); 0, or -1 outside 0000..9999. */
static int put_day(char *p, int64_t day)
{
    if (day < DAY_YEAR0 || day >= DAY_YEAR10000) {
        memset(p, '?', 10);
        p[4] = p[7] = '-';
        return -1;
    }
    int y, m, d;
    tt_civil_from_day(day, &y, &m, &d);
    p = put_num(p, y, 4);
    *p++ = '-';
    p = put_num(p, m, 2);
    *p++ = '-';
    put_num(p, d, 2);
    return 0;
}

void tt_day_format(int64_t day, char buf[11])
{
    put_day(buf, day);
    buf[10] = '\0';
}

void tt_hour_format(int64_t hour_index, char buf[14])
{
    int64_t day = floor_div(hour_index, 24);
    put_day(buf, day);
    buf[10] = 'T';
    put_num(buf + 11, hour_index - day * 24, 2);
    buf[13] = '\0';
}

/* A timestamp at the precision of unit (day, hour, minute, second or 1 us)
 * into buf (at least 27 bytes). */
static void put_time(char *buf, int64_t us, int64_t unit)
{
    int64_t day = floor_div(us, TT_US_PER_DAY), rest = us - day * TT_US_PER_DAY;
    char *p = buf + 10;
    put_day(buf, day);
    if (unit < TT_US_PER_DAY) {
        *p++ = 'T';
        p = put_num(p, rest / TT_US_PER_HOUR, 2);
    }
    if (unit < TT_US_PER_HOUR) {
        *p++ = ':';
        p = put_num(p, rest / US_PER_MIN % 60, 2);
    }
    if (unit < US_PER_MIN) {
        *p++ = ':';
        p = put_num(p, rest / TT_US_PER_SEC % 60, 2);
    }
    if (unit < TT_US_PER_SEC) {
        *p++ = '.';
        p = put_num(p, rest % TT_US_PER_SEC, 6);
    }
    *p = '\0';
}

/* ---- parsing ----------------------------------------------------------- */

struct scan {
    const char *p, *end;
    char *why; /* WHY_MAX bytes: the reason, when parsing fails */
};

static int why(struct scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int why(struct scan *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->why, WHY_MAX, fmt, ap);
    va_end(ap);
    return -1;
}

static int at_end(const struct scan *s)
{
    return s->p == s->end;
}

static int accept(struct scan *s, char c)
{
    if (s->p < s->end && (*s->p == c || (c >= 'A' && c <= 'Z' && *s->p == c + 32))) {
        s->p++;
        return 1;
    }
    return 0;
}

/* Reads a run of digits; returns its length (the value keeps the first
 * DIGITS_MAX digits, a longer run is refused by every caller). */
static int digits(struct scan *s, int64_t *v)
{
    int n = 0;
    *v = 0;
    for (; s->p < s->end && *s->p >= '0' && *s->p <= '9'; s->p++, n++)
        if (n < DIGITS_MAX)
            *v = *v * 10 + (*s->p - '0');
    return n;
}

/* A fixed-width number in [min, max]. */
static int field(struct scan *s, int width, const char *name, int64_t min, int64_t max, int64_t *v)
{
    if (digits(s, v) != width)
        return why(s, "expected a %d-digit %s", width, name);
    if (*v < min || *v > max)
        return why(s, "%s %lld out of range", name, (long long)*v);
    return 0;
}

static int trailing(struct scan *s)
{
    if (at_end(s))
        return 0;
    int n = (int)(s->end - s->p);
    return why(s, "unexpected '%.*s'", n > 32 ? 32 : n, s->p);
}

static int bad_form(struct scan *s)
{
    return why(s,
               "expected YYYY, YYYYQn, YYYY-MM, YYYY-Www, YYYY-MM-DD[THH[:MM[:SS]]] or @SECONDS");
}

static int parse_unix(struct scan *s, int64_t *from, int64_t *to)
{
    int64_t v;
    s->p++; /* '@' */
    int n = digits(s, &v);
    if (n == 0)
        return why(s, "expected Unix seconds after '@'");
    if (n > 12 || v > UNIX_SEC_MAX)
        return why(s, "Unix seconds out of range (0..%lld)", UNIX_SEC_MAX);
    if (trailing(s))
        return -1;
    *from = v * TT_US_PER_SEC;
    *to = *from + TT_US_PER_SEC;
    return 0;
}

static int parse_quarter(struct scan *s, int64_t y, int64_t *from, int64_t *to)
{
    int64_t q;
    if (field(s, 1, "quarter", 1, 4, &q) || trailing(s))
        return -1;
    *from = month_start_us(y, q * 3 - 2);
    *to = month_start_us(y, q * 3 + 1);
    return 0;
}

static int parse_week(struct scan *s, int64_t y, int64_t *from, int64_t *to)
{
    int64_t w;
    int weeks = iso_weeks_in_year((int)y);
    if (field(s, 2, "week", 1, 53, &w))
        return -1;
    if (w > weeks)
        return why(s, "week %lld out of range (%lld has %d weeks)", (long long)w, (long long)y,
                   weeks);
    if (trailing(s))
        return -1;
    *from = (iso_week1((int)y) + (w - 1) * 7) * TT_US_PER_DAY;
    *to = *from + 7 * TT_US_PER_DAY;
    if (*from < TT_PERIOD_BEGIN_US || *to > TT_PERIOD_END_US)
        return why(s, "week reaches outside the years %d..%d", TT_PERIOD_YEAR_MIN,
                   TT_PERIOD_YEAR_MAX);
    return 0;
}

/* After a day: HH[:MM[:SS[.f{1,6}]]][Z]. */
static int parse_time(struct scan *s, int64_t day, int64_t *from, int64_t *to)
{
    int64_t h, mi = 0, sec = 0, frac = 0, unit = TT_US_PER_HOUR;
    if (field(s, 2, "hour", 0, 23, &h))
        return -1;
    if (accept(s, ':')) {
        unit = US_PER_MIN;
        if (field(s, 2, "minute", 0, 59, &mi))
            return -1;
        if (accept(s, ':')) {
            unit = TT_US_PER_SEC;
            if (field(s, 2, "second", 0, 59, &sec))
                return -1;
            if (accept(s, '.')) {
                int n = digits(s, &frac);
                if (n < 1 || n > 6)
                    return why(s, "expected 1 to 6 digits of a second after '.'");
                for (unit = 1; n < 6; n++)
                    unit *= 10;
                frac *= unit;
            }
        }
    }
    if (!accept(s, 'Z') && s->p < s->end && (*s->p == '+' || *s->p == '-'))
        return why(s, "time zone offsets are not supported; times are UTC (optional 'Z')");
    if (trailing(s))
        return -1;
    *from = day * TT_US_PER_DAY + h * TT_US_PER_HOUR + mi * US_PER_MIN + sec * TT_US_PER_SEC + frac;
    *to = *from + unit;
    return 0;
}

/* After YYYY-: MM[-DD[(T|t| )time]]. */
static int parse_date(struct scan *s, int64_t y, int64_t *from, int64_t *to)
{
    int64_t m, d;
    if (field(s, 2, "month", 1, 12, &m))
        return -1;
    if (at_end(s)) {
        *from = month_start_us(y, m);
        *to = month_start_us(y, m + 1);
        return 0;
    }
    if (!accept(s, '-'))
        return trailing(s);
    if (digits(s, &d) != 2)
        return why(s, "expected a 2-digit day");
    if (d < 1 || d > tt_days_in_month((int)y, (int)m))
        return why(s, "day %lld out of range for %04lld-%02lld", (long long)d, (long long)y,
                   (long long)m);
    int64_t day = tt_day_from_civil((int)y, (int)m, (int)d);
    if (at_end(s)) {
        *from = day * TT_US_PER_DAY;
        *to = *from + TT_US_PER_DAY;
        return 0;
    }
    if (!accept(s, 'T') && !accept(s, ' '))
        return trailing(s);
    return parse_time(s, day, from, to);
}

static int parse_one(struct scan *s, int64_t *from, int64_t *to)
{
    int64_t y;
    if (at_end(s))
        return why(s, "empty");
    if (*s->p == '@')
        return parse_unix(s, from, to);
    if (s->p < s->end && (*s->p < '0' || *s->p > '9'))
        return bad_form(s);
    if (digits(s, &y) != 4)
        return why(s, "expected a 4-digit year");
    if (y < TT_PERIOD_YEAR_MIN || y > TT_PERIOD_YEAR_MAX)
        return why(s, "year %lld out of range (%d..%d)", (long long)y, TT_PERIOD_YEAR_MIN,
                   TT_PERIOD_YEAR_MAX);
    if (at_end(s)) {
        *from = month_start_us(y, 1);
        *to = month_start_us(y + 1, 1);
        return 0;
    }
    int dash = accept(s, '-');
    if (accept(s, 'Q'))
        return parse_quarter(s, y, from, to);
    if (accept(s, 'W'))
        return parse_week(s, y, from, to);
    if (!dash)
        return bad_form(s);
    return parse_date(s, y, from, to);
}

int tt_period_parse(const char *text, int64_t *from_us, int64_t *to_us, struct tt_err *err)
{
    char reason[WHY_MAX] = "";
    size_t n = text ? strnlen(text, TT_PERIOD_TEXT_MAX + 1) : 0;
    if (n > TT_PERIOD_TEXT_MAX)
        return tt_err_set(err, TT_EINVAL, "bad time '%.40s...': longer than %d characters", text,
                          TT_PERIOD_TEXT_MAX);
    const char *dots = text ? strstr(text, "..") : NULL;
    int64_t f = TT_PERIOD_BEGIN_US, t = TT_PERIOD_END_US, unused;
    int rc = 0;
    if (!dots) {
        struct scan s = {text, text + n, reason};
        rc = parse_one(&s, &f, &t);
    } else {
        struct scan a = {text, dots, reason}, b = {dots + 2, text + n, reason};
        if (dots == text && !dots[2])
            rc = why(&a, "give a start, an end or both around '..'");
        if (!rc && dots > text)
            rc = parse_one(&a, &f, &unused);
        if (!rc && dots[2])
            rc = parse_one(&b, &unused, &t);
        if (!rc && f >= t)
            rc = why(&a, "the range ends before it starts");
    }
    if (rc)
        return tt_err_set(err, TT_EINVAL, "bad time '%s': %s", text ? text : "", reason);
    *from_us = f;
    *to_us = t;
    return 0;
}

int tt_period_range(const char *from, const char *to, int64_t *from_us, int64_t *to_us,
                    struct tt_err *err)
{
    int64_t f = TT_PERIOD_BEGIN_US, t = TT_PERIOD_END_US, unused;
    int rc;
    if (from && (rc = tt_period_parse(from, &f, &unused, err)))
        return rc;
    if (to && (rc = tt_period_parse(to, &unused, &t, err)))
        return rc;
    if (f >= t)
        return tt_err_set(err, TT_EINVAL, "bad range: from '%s' is not before the end of to '%s'",
                          from ? from : "", to ? to : "");
    *from_us = f;
    *to_us = t;
    return 0;
}

/* ---- previous period and labels ---------------------------------------- */

/* If us is 00:00 on the first of a month: 1 and that month as y*12 + m-1. */
static int month_index(int64_t us, int64_t *index)
{
    if (us % TT_US_PER_DAY != 0)
        return 0;
    int y, m, d;
    tt_civil_from_day(floor_div(us, TT_US_PER_DAY), &y, &m, &d);
    *index = (int64_t)y * 12 + m - 1;
    return d == 1;
}

void tt_period_previous(int64_t from_us, int64_t to_us, int64_t *pfrom, int64_t *pto)
{
    int64_t a, b;
    *pfrom = *pto = from_us;
    if (from_us <= TT_PERIOD_BEGIN_US || to_us >= TT_PERIOD_END_US || from_us >= to_us)
        return;
    if (month_index(from_us, &a) && month_index(to_us, &b)) {
        int64_t n = b - a;
        *pfrom = month_start_us(0, a - n + 1);
    } else {
        *pfrom = from_us - (to_us - from_us);
    }
}

/* "2021", "2021Q4", "2021-10" or "2021-W40" when [f, t) is exactly one. */
static int calendar_label(int64_t f, int64_t t, char *buf, size_t size)
{
    int64_t a, b;
    if (month_index(f, &a) && month_index(t, &b)) {
        int y = (int)floor_div(a, 12), m = (int)(a - floor_div(a, 12) * 12) + 1;
        if (b - a == 12 && m == 1)
            return snprintf(buf, size, "%04d", y) > 0;
        if (b - a == 3 && m % 3 == 1)
            return snprintf(buf, size, "%04dQ%d", y, (m + 2) / 3) > 0;
        if (b - a == 1)
            return snprintf(buf, size, "%04d-%02d", y, m) > 0;
        return 0;
    }
    int64_t day = floor_div(f, TT_US_PER_DAY);
    if (f % TT_US_PER_DAY != 0 || t - f != 7 * TT_US_PER_DAY || weekday(day) != 0)
        return 0;
    int y, m, d;
    tt_civil_from_day(day + 3, &y, &m, &d); /* the Thursday names the ISO year */
    return snprintf(buf, size, "%04d-W%02d", y, (int)((day - iso_week1(y)) / 7 + 1)) > 0;
}

void tt_period_label(int64_t from_us, int64_t to_us, char *buf, size_t size)
{
    static const int64_t units[] = {TT_US_PER_DAY, TT_US_PER_HOUR, US_PER_MIN, TT_US_PER_SEC, 1};
    if (!buf || size == 0)
        return;
    if (from_us >= to_us || from_us < DAY_YEAR0 * TT_US_PER_DAY || to_us > TT_PERIOD_END_US) {
        snprintf(buf, size, "[%lld,%lld)us", (long long)from_us, (long long)to_us);
        return;
    }
    if (calendar_label(from_us, to_us, buf, size))
        return;
    int open_from = from_us == TT_PERIOD_BEGIN_US, open_to = to_us == TT_PERIOD_END_US;
    if (open_from && open_to) {
        snprintf(buf, size, "all");
        return;
    }
    int64_t unit = 1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if ((open_from || from_us % units[i] == 0) && (open_to || to_us % units[i] == 0)) {
            unit = units[i];
            break;
        }
    char a[32] = "", b[32] = "";
    if (!open_from)
        put_time(a, from_us, unit);
    if (!open_to)
        put_time(b, to_us - unit, unit);
    if (!open_from && !open_to && to_us - from_us == unit)
        snprintf(buf, size, "%s", a);
    else
        snprintf(buf, size, "%s..%s", a, b);
}
