/* Whole-file reads and crash-safe writes. A file that becomes visible under
 * its final name is complete: it is written to NAME.tmp, fsynced, renamed,
 * and its directory fsynced. */
#ifndef TT_FILEIO_H
#define TT_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define TT_PATH_MAX 4096

/* Writes len bytes to path atomically (see above). Creates no directories. */
int tt_file_write_atomic(const char *path, const void *data, size_t len, struct tt_err *err);

/* The same without the fsyncs, for many files made durable together later
 * by one syncfs (the store's commit does that before its catalog names them);
 * the file's write-back is started, not waited for. */
int tt_file_write_renamed(const char *path, const void *data, size_t len, struct tt_err *err);

/* Reads a whole file (up to max bytes) into a malloc'd buffer. */
int tt_file_read(const char *path, size_t max, uint8_t **data, size_t *len, struct tt_err *err);

/* Maps a whole file read-only (up to max bytes); an empty file gives NULL
 * and 0. For the store's immutable data files, read in place by scans. */
int tt_file_map(const char *path, size_t max, const uint8_t **data, size_t *len,
                struct tt_err *err);
void tt_file_unmap(const uint8_t *data, size_t len);

/* mkdir -p for one or more levels; existing directories are fine. */
int tt_mkdirs(const char *path, struct tt_err *err);

/* fsync a directory so renames inside it survive a power cut. */
int tt_fsync_dir(const char *path, struct tt_err *err);

/* snprintf into a path buffer; TT_ELIMIT when the result would be cut. */
int tt_path(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
