/*
 * so_error.c: errors as values for the pure-C core.
 */
#include <string.h>

#include "so_error.h"

const char *
so_errcode_name(so_errcode code)
{
	switch (code)
	{
		case SO_OK:
			return "ok";
		case SO_ERR_SYNTAX:
			return "syntax";
		case SO_ERR_TOO_DEEP:
			return "too_deep";
		case SO_ERR_TYPE:
			return "type";
		case SO_ERR_UNKNOWN_KEY:
			return "unknown_key";
		case SO_ERR_RANGE:
			return "range";
		case SO_ERR_EMPTY:
			return "empty";
		case SO_ERR_FORMAT:
			return "format";
		case SO_ERR_MISSING:
			return "missing";
		case SO_ERR_CONFLICT:
			return "conflict";
		case SO_ERR_TOO_LARGE:
			return "too_large";
		case SO_ERR_INTERRUPTED:
			return "interrupted";
	}
	return "unknown";
}

void
so_error_clear(so_error *err)
{
	if (err == NULL)
		return;
	err->code = SO_OK;
	err->path[0] = '\0';
	err->message[0] = '\0';
	err->expected[0] = '\0';
	err->found[0] = '\0';
}

/*
 * Copy src into dst (capacity cap >= 4), ending with "..." when it does not
 * fit. The cut backs off to a UTF-8 character boundary so that a truncated
 * value never becomes an invalid byte sequence in the server's messages.
 */
static void
copy_truncated(char *dst, size_t cap, const char *src)
{
	size_t		n;

	if (src == NULL)
	{
		dst[0] = '\0';
		return;
	}
	n = strlen(src);
	if (n < cap)
	{
		memcpy(dst, src, n + 1);
		return;
	}
	n = cap - 4;
	while (n > 0 && ((unsigned char) src[n] & 0xC0) == 0x80)
		n--;
	memcpy(dst, src, n);
	memcpy(dst + n, "...", 4);
}

int
so_error_set(so_error *err, so_errcode code, const char *path,
			 const char *message, const char *expected, const char *found)
{
	if (err == NULL)
		return code;
	err->code = code;
	copy_truncated(err->path, sizeof(err->path), path);
	copy_truncated(err->message, sizeof(err->message), message);
	copy_truncated(err->expected, sizeof(err->expected), expected);
	copy_truncated(err->found, sizeof(err->found), found);
	return code;
}
