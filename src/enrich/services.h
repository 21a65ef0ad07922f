/* Service names for destination ports: the IANA "Service Name and Transport
 * Protocol Port Number Registry" CSV (parsed with libcsv: its fields contain
 * quoted newlines and commas), overlaid by an annotation file for the ports
 * analysts know that IANA does not name (8728/tcp MikroTik RouterOS API,
 * 37215/tcp Huawei HG532, ...), each with a public reference. Format of the
 * annotation file: man/teiten-ports.5; the shipped one: etc/ports.conf. */
#ifndef TT_SERVICES_H
#define TT_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/lang.h"

#define TT_SERVICE_NAME_MAX 64
#define TT_SERVICE_DESC_MAX 256

struct tt_services;

struct tt_services *tt_services_new(void);
void tt_services_free(struct tt_services *s);

/* Adds the IANA registry CSV at path. Records with a port range (6000-6063)
 * name each port of the range; records with no service name or no port are
 * skipped; the first record for a (port, protocol) wins, as IANA lists the
 * primary assignment first. A bad file is refused with "FILE:LINE: why". */
int tt_services_load_iana(struct tt_services *s, const char *path, struct tt_err *err);
/* Adds an annotation file; its entries replace IANA's for the same
 * (port, protocol). Errors name the file and line. */
int tt_services_load_annotations(struct tt_services *s, const char *path, struct tt_err *err);
/* The same two from memory (name is used in messages), for tests and fuzzing.
 * A refused input leaves s as it was. */
int tt_services_parse_iana(struct tt_services *s, const char *text, size_t len, const char *name,
                           struct tt_err *err);
int tt_services_parse_annotations(struct tt_services *s, const char *text, size_t len,
                                  const char *name, struct tt_err *err);

/* proto: IP protocol number (6 tcp, 17 udp, 132 sctp, 33 dccp). */
struct tt_service {
    const char *name; /* "redis", "mikrotik-api" */
    const char *desc; /* "An advanced key-value cache and store", may be "" */
    const char *ref;  /* annotation's reference URL or IANA's reference, may be "" */
    int annotated;    /* 1 when from the annotation file */
};
/* 0 and *out filled when known; TT_ENOTFOUND otherwise. */
int tt_service_lookup(const struct tt_services *s, uint8_t proto, uint16_t port,
                      struct tt_service *out);

/* Formats a port as reports write it, "6379/TCP (redis)", "23/TCP (telnet)",
 * "9530/TCP" when unnamed, into buf (at least 96 bytes). ICMP is not a port:
 * callers format it themselves. lang is reserved for names that differ. */
void tt_service_label(const struct tt_services *s, uint8_t proto, uint16_t port, enum tt_lang lang,
                      char *buf, size_t size);

#endif
