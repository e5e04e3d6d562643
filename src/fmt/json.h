/* json.h — a bounded, read-only view of JSON documents (Keras configs, TF.js model.json, Keras 3
 * metadata), wrapping cJSON so importers never call it directly.
 *
 * Values are borrowed from the document and live until frost__json_free(root). Every accessor
 * accepts NULL and answers "absent", so lookups chain without checks in between. */
#ifndef FROST_FMT_JSON_H
#define FROST_FMT_JSON_H

#include "core/common.h"

typedef struct frost__json frost__json;   /* opaque: one JSON value */

/* Parses `len` bytes (need not be NUL-terminated). Refuses documents over max_bytes (0: 64 MiB) with
 * FROST_E_LIMIT and malformed text with FROST_E_FORMAT giving the byte offset. `what` names the
 * document in messages ("model.json"). */
frost_status frost__json_parse(const char *text, size_t len, size_t max_bytes, const char *what,
                               frost__json **out, frost_error *err);
void frost__json_free(frost__json *root);

bool frost__json_is_object(const frost__json *v);
bool frost__json_is_array(const frost__json *v);
bool frost__json_is_string(const frost__json *v);
bool frost__json_is_number(const frost__json *v);
bool frost__json_is_bool(const frost__json *v);
/* Absent or JSON null. */
bool frost__json_is_null(const frost__json *v);

/* Member of an object by key (case-sensitive), NULL when absent or v is not an object. */
const frost__json *frost__json_get(const frost__json *obj, const char *key);
/* Elements of an array / members of an object; 0 for anything else. */
int frost__json_len(const frost__json *v);
/* i-th element of an array or member of an object, NULL when out of range. */
const frost__json *frost__json_at(const frost__json *v, int i);
/* A linear walk over an array's elements or an object's members (frost__json_at walks from the
 * start on every call): first, then next after each; NULL at the end or for other values. */
const frost__json *frost__json_first(const frost__json *v);
const frost__json *frost__json_next(const frost__json *element);
/* Key of an object member returned by frost__json_at, else NULL. */
const char *frost__json_key(const frost__json *member);

/* The string, or NULL when v is not a string. */
const char *frost__json_str(const frost__json *v);
/* Shorthand: frost__json_str(frost__json_get(obj, key)). */
const char *frost__json_get_str(const frost__json *obj, const char *key);
/* A number into *out; false when v is not a number. */
bool frost__json_num(const frost__json *v, double *out);
/* An integral number within [INT64_MIN/2, INT64_MAX/2] into *out; false otherwise. */
bool frost__json_int(const frost__json *v, int64_t *out);
/* true/false into *out; false when v is not a JSON bool. */
bool frost__json_bool(const frost__json *v, bool *out);
/* bool (true/false, also 0/1) with a default when absent or of another type. */
bool frost__json_get_bool(const frost__json *obj, const char *key, bool dflt);
/* Number member with a default when absent or null. Returns false (and leaves *out = dflt) only
 * when present with another type. */
bool frost__json_get_num(const frost__json *obj, const char *key, double dflt, double *out);

#endif /* FROST_FMT_JSON_H */
