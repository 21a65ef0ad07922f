/* Sensor declarations: which darknet prefixes each sensor owns and what an
 * analyst needs to know about it. Parsed from a small INI-style file, see
 * etc/sensors.conf.example and man/teiten-sensors.5. */
#ifndef TT_SENSORS_H
#define TT_SENSORS_H

#include <stdint.h>

#include "common/err.h"
#include "common/record.h" /* TT_SENSOR_NONE, TT_SENSOR_MAX */

#define TT_SENSORS_MAX 1024
#define TT_SENSOR_PREFIXES_MAX 64
#define TT_SENSOR_NAME_MAX 64
#define TT_SENSOR_TEXT_MAX 128

struct tt_prefix {
    uint8_t ipver;  /* 4 or 6 */
    uint8_t len;    /* prefix length */
    uint32_t v4;    /* host order, masked */
    uint8_t v6[16]; /* masked */
};

struct tt_sensor {
    uint16_t id;                      /* 1..65535, stable: stored in every record */
    char name[TT_SENSOR_NAME_MAX];    /* unique, [A-Za-z0-9._-] */
    char country[3];                  /* ISO 3166-1 alpha-2 of the placement, "" if unknown */
    char region[TT_SENSOR_TEXT_MAX];  /* free text, e.g. "Kanto" */
    char network[TT_SENSOR_TEXT_MAX]; /* hosting network label */
    int domestic;                     /* 1 domestic, 0 overseas */
    uint64_t addresses;               /* observed addresses, for per-address normalisation */
    uint32_t n_prefixes;
    struct tt_prefix prefixes[TT_SENSOR_PREFIXES_MAX];
};

struct tt_sensors {
    uint32_t n;
    struct tt_sensor s[TT_SENSORS_MAX];
};

/* Parses a sensors file. Errors name the file and line:
 * "sensors.conf:12: prefix '192.0.2.0/33': length beyond 32". Overlapping
 * prefixes between sensors, duplicate ids or names are refused. */
int tt_sensors_load(const char *path, struct tt_sensors *out, struct tt_err *err);
int tt_sensors_parse(const char *text, size_t len, const char *name, struct tt_sensors *out,
                     struct tt_err *err);

/* Writes the sensors in the same file format (round-trips with _parse). */
int tt_sensors_write(const struct tt_sensors *s, const char *path, struct tt_err *err);

/* Parses "a.b.c.d/len" or "x::y/len" into p (host bits must be zero). */
int tt_prefix_parse(const char *text, struct tt_prefix *p);
/* Formats a prefix into buf (at least 64 bytes). */
void tt_prefix_format(const struct tt_prefix *p, char *buf, size_t size);

const struct tt_sensor *tt_sensors_by_name(const struct tt_sensors *s, const char *name);
const struct tt_sensor *tt_sensors_by_id(const struct tt_sensors *s, uint16_t id);

/* Longest-prefix attribution of destination addresses, built once and
 * queried per packet without allocation. */
struct tt_sensor_map;
int tt_sensor_map_build(const struct tt_sensors *s, struct tt_sensor_map **out);
void tt_sensor_map_free(struct tt_sensor_map *m);
/* Sensor id owning dst, or TT_SENSOR_NONE. */
uint16_t tt_sensor_map_v4(const struct tt_sensor_map *m, uint32_t dst);
uint16_t tt_sensor_map_v6(const struct tt_sensor_map *m, const uint8_t dst[16]);

#endif
