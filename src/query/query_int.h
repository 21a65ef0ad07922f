/* Shared by the query files: walking roll-ups and matching their entries. */
#ifndef TT_QUERY_INT_H
#define TT_QUERY_INT_H

#include "query/query.h"

typedef int (*tt_rollup_fn)(void *ctx, const struct tt_rollup *r, const struct tt_filter *f,
                            struct tt_err *err);

/* Calls fn for each roll-up file of the filter's days, decoded with want
 * (hours are added when the range does not fall on day boundaries). */
int tt_query_each_rollup(struct tt_store *s, const struct tt_filter *f, unsigned want,
                         tt_rollup_fn fn, void *ctx, struct tt_err *err);

/* The entries of r at the filter's resolution: day totals, or hours. */
size_t tt_query_entries(const struct tt_filter *f, const struct tt_rollup *r,
                        const struct tt_roll_entry **e);

int tt_query_entry_ok(const struct tt_filter *f, const struct tt_roll_entry *e, int64_t day);
int tt_query_sensor_ok(const struct tt_filter *f, uint16_t sensor);

#endif
