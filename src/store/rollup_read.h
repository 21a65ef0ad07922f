/* Reading a store's roll-up files. A day's roll-up names the segments of
 * its records and keeps no source addresses or countries of its own (the
 * segments hold them once already): its source list is the union of those
 * segments' sources, in the order the roll-up's per-source patterns follow. */
#ifndef TT_ROLLUP_READ_H
#define TT_ROLLUP_READ_H

#include "common/err.h"
#include "store/rollup.h"

/* Maps and decodes the roll-up at store_dir/relpath (blocks as in
 * tt_rollup_decode's want) and, with TT_RW_SETS, loads its sources from its
 * segments. Errors name the roll-up, or the segment that failed. */
int tt_rollup_read(const char *store_dir, const char *relpath, unsigned want,
                   struct tt_rollup **out, struct tt_err *err);

/* The second half of tt_rollup_read, for a roll-up decoded with
 * TT_RW_SETS from bytes (name: for messages): fills its sources from the
 * segments it names under store_dir (countries too unless without_cc).
 * Refuses segments of another day and a union that is not exactly the
 * roll-up's source count. A roll-up that names none is left as it is. */
int tt_rollup_load_sources(struct tt_rollup *r, const char *store_dir, const char *name,
                           int without_cc, struct tt_err *err);

#endif
