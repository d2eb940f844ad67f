/*
 * id_index.c: hash index of text ids (id_index.h).
 *
 * FNV-1a over the bytes, then a 64-bit finaliser (splitmix64's) so that ids
 * that differ in their last characters (property ids are often a prefix and
 * a number) spread over the whole table. Load factor at most one half: a
 * miss ends at the first empty slot after a short run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "id_index.h"

static uint64_t
hash_bytes(const char *s, size_t len)
{
	uint64_t	h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
	{
		h ^= (unsigned char) s[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

int
so_id_index_build(so_id_index *ix, const char *const *ids, const size_t *lens, size_t n,
				  so_error *err)
{
	size_t		slots = 16;

	so_error_clear(err);
	memset(ix, 0, sizeof(*ix));
	if (n > ((size_t) 1 << 31))
		return so_error_set(err, SO_ERR_TOO_LARGE, "", "more ids than an index holds", "at most 2^31 ids", NULL);
	while (slots < 2 * n)
		slots <<= 1;
	ix->slots = calloc(slots, sizeof(uint32_t));
	if (ix->slots == NULL)
		return so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory", "fewer ids", NULL);
	ix->mask = slots - 1;
	ix->ids = ids;
	ix->lens = lens;
	for (size_t i = 0; i < n; i++)
	{
		size_t		at = (size_t) hash_bytes(ids[i], lens[i]) & ix->mask;

		while (ix->slots[at] != 0)
		{
			size_t		j = ix->slots[at] - 1;

			if (lens[j] == lens[i] && memcmp(ids[j], ids[i], lens[i]) == 0)
			{
				char		path[32];

				snprintf(path, sizeof(path), "id %zu", i);
				so_id_index_free(ix);
				return so_error_set(err, SO_ERR_CONFLICT, path, "an id is repeated", "distinct ids", NULL);
			}
			at = (at + 1) & ix->mask;
		}
		ix->slots[at] = (uint32_t) (i + 1);
	}
	ix->n = n;
	return SO_OK;
}

int64_t
so_id_index_find(const so_id_index *ix, const char *s, size_t len)
{
	size_t		at;

	if (ix->slots == NULL)
		return -1;
	at = (size_t) hash_bytes(s, len) & ix->mask;
	while (ix->slots[at] != 0)
	{
		size_t		j = ix->slots[at] - 1;

		if (ix->lens[j] == len && memcmp(ix->ids[j], s, len) == 0)
			return (int64_t) j;
		at = (at + 1) & ix->mask;
	}
	return -1;
}

void
so_id_index_free(so_id_index *ix)
{
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}
