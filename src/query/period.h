/* Time ranges for the query commands: one period expression ("2021Q4",
 * "2021-W40", "2021-10-05T13"), or --from/--to, into a half-open UTC range
 * [from, to) in microseconds since 1970-01-01T00:00:00Z; the previous period
 * of the same kind; and a short human label for a range. Everything is UTC;
 * there are no time zones and no leap seconds (Unix time).
 *
 * Expressions (each covers the whole unit it names):
 *   2021                    a year
 *   2021Q4 2021q4 2021-Q4   a quarter
 *   2021-10                 a month
 *   2021-W40 2021W40        an ISO 8601 week (Monday start; W53 only in years
 *                           that have one)
 *   2021-10-05              a day
 *   2021-10-05T13           an hour
 *   2021-10-05T13:45        a minute
 *   2021-10-05T13:45:10     a second (".5" after it: a tenth, up to 6 digits)
 *   @1633392000             one second given as Unix time
 *   A..B                    from the start of A to the end of B; an empty side
 *                           is an open end ("2021-07..", "..2021-09")
 * 'T' may also be 't' or one space; a trailing 'Z' or 'z' may follow a time.
 * Years are 1970..9999, so every range lies within
 * [TT_PERIOD_BEGIN_US, TT_PERIOD_END_US]. */
#ifndef TT_PERIOD_H
#define TT_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/record.h"

#define TT_US_PER_SEC 1000000ll
#define TT_US_PER_HOUR 3600000000ll

#define TT_PERIOD_YEAR_MIN 1970
#define TT_PERIOD_YEAR_MAX 9999
/* The open ends tt_period_range gives for a NULL --from or --to, and what an
 * empty side of "A..B" means: 1970-01-01T00:00:00Z and 10000-01-01T00:00:00Z.
 * Both are ordinary, day-aligned values, so arithmetic on them cannot
 * overflow; nothing parsed lies outside them. */
#define TT_PERIOD_BEGIN_US 0ll
#define TT_PERIOD_END_US 253402300800000000ll
/* Longest expression tt_period_parse reads (longer text is refused). */
#define TT_PERIOD_TEXT_MAX 128
/* A label buffer of this size never truncates. */
#define TT_PERIOD_LABEL_MAX 64

/* Parses one expression (see above) into [*from_us, *to_us). Returns 0, or
 * TT_EINVAL with "bad time '2021-13': month 13 out of range" in err; the
 * outputs are written only on success. */
int tt_period_parse(const char *text, int64_t *from_us, int64_t *to_us, struct tt_err *err);

/* --from/--to: *from_us is the start of from's expression, *to_us the END of
 * to's, so "--from 2021-07 --to 2021-09" is July to September inclusive. NULL
 * from gives TT_PERIOD_BEGIN_US, NULL to TT_PERIOD_END_US. A range that is
 * empty (from not before to) is refused with TT_EINVAL. */
int tt_period_range(const char *from, const char *to, int64_t *from_us, int64_t *to_us,
                    struct tt_err *err);

/* The period before [from_us, to_us) of the same kind. A range of whole
 * calendar months (a month, a quarter, a year, or N months from a month
 * start) gives the N calendar months just before; anything else (a day, an
 * ISO week, an arbitrary range) the same length just before. A range that is
 * open-ended (from <= TT_PERIOD_BEGIN_US or to >= TT_PERIOD_END_US) or empty
 * has no previous period: then *pfrom == *pto == from_us. */
void tt_period_previous(int64_t from_us, int64_t to_us, int64_t *pfrom, int64_t *pto);

/* A label tt_period_parse reads back as the same range: "2021", "2021Q4",
 * "2021-10", "2021-W40", "2021-10-05", "2021-10-05T13", and otherwise
 * "START..LAST" at the coarsest unit (day, hour, minute, second, microsecond)
 * both ends are aligned to, LAST being the last whole unit inside the range
 * ("2021-10-05..2021-10-12" is [10-05, 10-13)). An open end is left empty
 * ("2021-07-01.."), both open ends give "all". Ranges outside the years
 * 0000..9999 or empty ones print as "[from_us,to_us)us". Always terminated;
 * truncated only if size < TT_PERIOD_LABEL_MAX. */
void tt_period_label(int64_t from_us, int64_t to_us, char *buf, size_t size);

/* Proleptic Gregorian calendar <-> days since 1970-01-01 (negative before).
 * tt_day_from_civil expects m 1..12 and d 1..31 and does not validate them.
 * tt_civil_from_day clamps day to +-365,000,000 (about a million years). */
int64_t tt_day_from_civil(int y, int m, int d);
void tt_civil_from_day(int64_t day, int *y, int *m, int *d);
/* 1 for leap years, days in month m (1..12) of year y. */
int tt_is_leap_year(int y);
int tt_days_in_month(int y, int m);

/* "YYYY-MM-DD" of a day index, "YYYY-MM-DDTHH" of an hour index (hours since
 * the epoch). Days outside the years 0000..9999 print as question marks of
 * the same length. */
void tt_day_format(int64_t day, char buf[11]);
void tt_hour_format(int64_t hour_index, char buf[14]);

#endif
