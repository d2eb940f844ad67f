/*
 * decimal_text.h: numbers as exact decimal text (JSON number grammar).
 *
 * Targeting compares data with the numbers the rules wrote, exactly; these
 * check the grammar and compare two such texts without rounding.
 */
#ifndef SO_DECIMAL_TEXT_H
#define SO_DECIMAL_TEXT_H

#include <stdbool.h>

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and nothing else */
bool		so_is_json_number(const char *text);

/* <0, 0, >0 as the value of a is below, equal to, above that of b (both valid). */
int			so_decimal_compare(const char *a, const char *b);

#endif							/* SO_DECIMAL_TEXT_H */
