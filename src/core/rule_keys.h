/*
 * rule_keys.h: optional typed keys of a rules document (rule_keys.c), for
 * targeting_rules.c: a number, integer, boolean or list of strings that is
 * absent or null leaves its condition unset; anything else is read
 * strictly, with the JSON path in every error. Private to src/core.
 */
#ifndef SO_RULE_KEYS_H
#define SO_RULE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "json_read.h"
#include "targeting_rules.h"

/* Checks one list element; returns NULL when fine, else the problem. */
typedef const char *(*so_item_check) (const char *s, size_t len);

int			so_rule_exact_range(struct json_object *v, const so_path *p, double min, double max, const char *expected, so_error *err);
int			so_rule_opt_number(struct json_object *obj, so_path *p, const char *key, double min, double max, const char *expected, so_opt_num *out, so_error *err);
int			so_rule_opt_integer(struct json_object *obj, so_path *p, const char *key, int64_t min, int64_t max, const char *expected, so_opt_int *out, so_error *err);
int			so_rule_opt_bool(struct json_object *obj, so_path *p, const char *key, const char *expected, bool *out, so_error *err);
int			so_rule_opt_strlist(struct json_object *obj, so_path *p, const char *key, const char *expected_list, const char *expected_item, so_item_check check, so_strlist *out, so_error *err);
int			so_rule_open_section(struct json_object *root, so_path *p, const char *name, const char *const *keys, const char *expected, struct json_object **sec, size_t *prev, so_error *err);

#endif							/* SO_RULE_KEYS_H */
