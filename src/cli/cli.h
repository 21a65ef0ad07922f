/* Shared by the teiten subcommands: option helpers and the store location. */
#ifndef TT_CLI_H
#define TT_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

/* Exit statuses: 0 done, 1 failed (message on stderr), 2 bad usage. */
enum { TT_EXIT_OK = 0, TT_EXIT_FAIL = 1, TT_EXIT_USAGE = 2 };

typedef int (*tt_cmd_fn)(int argc, char **argv);

int tt_cmd_gen(int argc, char **argv);
int tt_cmd_ingest(int argc, char **argv);
int tt_cmd_stats(int argc, char **argv);
int tt_cmd_top(int argc, char **argv);
int tt_cmd_series(int argc, char **argv);
int tt_cmd_scan(int argc, char **argv);
int tt_cmd_info(int argc, char **argv);
int tt_cmd_geo(int argc, char **argv);
int tt_cmd_asn(int argc, char **argv);
int tt_cmd_lookup(int argc, char **argv);
int tt_cmd_services(int argc, char **argv);
int tt_cmd_reenrich(int argc, char **argv);

/* The store directory: --store, else $TEITEN_STORE, else ./teiten-store. */
const char *tt_cli_store_dir(const char *opt);

/* Strict unsigned decimal in [min, max]; 0 or -1 with a message naming the option. */
int tt_cli_number(const char *opt, const char *text, uint64_t min, uint64_t max, uint64_t *out);

/* Prints "teiten CMD: message" to stderr and returns TT_EXIT_FAIL. */
int tt_cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the message and a pointer to --help; returns TT_EXIT_USAGE. */
int tt_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 1234567 -> "1,234,567" for humans (tables keep plain digits). */
const char *tt_cli_grouped(uint64_t v, char buf[32]);

#endif
