/*
 * jsonb_jsonc.h: a jsonb value as a json-c tree, for the core's readers
 * without a round trip through JSON text (jsonb_jsonc.c).
 */
#ifndef STORMOPS_JSONB_JSONC_H
#define STORMOPS_JSONB_JSONC_H

#include "utils/jsonb.h"

#include "targeting_rules.h"

struct json_object;

/*
 * The tree of a jsonb object (malloc'd by json-c: release it with
 * json_object_put), or NULL when the caller must take the text path: the
 * root is not an object, the nesting is deeper than the fast path takes, or
 * the database encoding is not UTF-8. The text path then reports any error
 * exactly as before. Never leaves a partial tree behind an ERROR.
 */
extern struct json_object *stormops_jsonb_to_jsonc(Jsonb *jb);

/* stormops.read_jsonb_directly; from _PG_init. */
extern void stormops_define_jsonb_settings(void);

/*
 * Targeting rules from jsonb: the tree above when it can, else the text
 * (JsonbToCString, so_targeting_parse). As so_targeting_parse: SO_OK and
 * *out, or the error code with err filled.
 */
extern int	stormops_targeting_from_jsonb(Jsonb *jb, so_targeting **out, so_error *err);

#endif
