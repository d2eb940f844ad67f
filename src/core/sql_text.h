/*
 * sql_text.h: building SQL text safely in the core.
 *
 * A growable buffer, and the only ways values enter generated SQL: quoted
 * string literals (so_sql_literal), numbers printed from finite doubles and
 * integers. Identifiers never come from here: the compiler writes them from
 * its own tables.
 */
#ifndef SO_SQL_TEXT_H
#define SO_SQL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct so_sql
{
	char	   *data;			/* NUL-terminated; NULL until the first append */
	size_t		len;
	size_t		cap;
	bool		failed;			/* an allocation failed or a value was refused */
} so_sql;

void		so_sql_init(so_sql *s);
void		so_sql_free(so_sql *s);
/* Hands the text over (caller frees with free()); NULL if anything failed. */
char	   *so_sql_take(so_sql *s);

void		so_sql_append(so_sql *s, const char *text);
void		so_sql_appendf(so_sql *s, const char *fmt,...)
#ifdef __GNUC__
			__attribute__((format(printf, 2, 3)))
#endif
			;

/*
 * A string literal that means exactly `value` whatever
 * standard_conforming_strings is: '...' with quotes doubled, or E'...' with
 * quotes and backslashes doubled when the value has a backslash (the rule of
 * PostgreSQL's quote_literal). A NUL byte cannot be in a PostgreSQL string:
 * the buffer is marked failed.
 */
void		so_sql_literal(so_sql *s, const char *value, size_t len);

/*
 * Tests only: make the n-th allocation of so_sql from now on fail, as if
 * the memory were exhausted (0: none). Not thread-safe; the core is used
 * from one thread.
 */
void		so_sql_fail_allocation(unsigned long n);
/* Tests only: allocations attempted since the last so_sql_fail_allocation. */
unsigned long so_sql_allocation_attempts(void);

/* A finite double, printed with the fewest digits that read back exactly; NaN or infinity fails. */
void		so_sql_number(so_sql *s, double value);
void		so_sql_integer(so_sql *s, int64_t value);

/*
 * A number given as exact decimal text (as the rules wrote it), falling back
 * to value when text is empty. Text outside JSON's number grammar is never
 * printed: the buffer is then marked failed.
 */
void		so_sql_decimal(so_sql *s, const char *text, double value);

/* The shortest decimal text that reads back as `value` (buf of at least 32 bytes). */
void		so_format_double(double value, char *buf, size_t size);

#endif							/* SO_SQL_TEXT_H */
