/*
 * sql_lexer.h: for tests, the text of a generated statement outside its
 * string literals (header-only).
 *
 * It reads literals the way PostgreSQL does with standard_conforming_strings
 * on: '...' with '' for a quote, and E'...' where a backslash escapes the next
 * byte. Whatever remains is what the server would parse as SQL: a value from
 * the rules must never appear there.
 */
#ifndef SO_SQL_LEXER_H
#define SO_SQL_LEXER_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * Returns the statement with every literal replaced by '?', malloc'd, or
 * NULL when a literal is left open (the statement would not parse).
 */
static inline char *
sql_outside_literals(const char *sql)
{
	size_t		n = strlen(sql);
	char	   *out = malloc(n + 1);
	size_t		o = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
	{
		bool		escaped = false;

		if (sql[i] == '\'' || ((sql[i] == 'E' || sql[i] == 'e') && sql[i + 1] == '\'' &&
							   (i == 0 || !(sql[i - 1] == '_' || (sql[i - 1] >= 'a' && sql[i - 1] <= 'z') ||
											(sql[i - 1] >= 'A' && sql[i - 1] <= 'Z') ||
											(sql[i - 1] >= '0' && sql[i - 1] <= '9')))))
		{
			bool		closed = false;

			if (sql[i] != '\'')
			{
				escaped = true;
				i++;
			}
			for (i++; i < n; i++)
			{
				if (escaped && sql[i] == '\\')
				{
					i++;
					continue;
				}
				if (sql[i] == '\'')
				{
					if (sql[i + 1] == '\'')
					{
						i++;
						continue;
					}
					closed = true;
					break;
				}
			}
			if (!closed)
			{
				free(out);
				return NULL;
			}
			out[o++] = '?';
			continue;
		}
		out[o++] = sql[i];
	}
	out[o] = '\0';
	return out;
}

#endif							/* SO_SQL_LEXER_H */
