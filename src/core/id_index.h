/*
 * id_index.h: the position of a text id in a fixed list of distinct ids, by
 * hashing (open addressing, linear probing). The diffusion glue reads the
 * neighbour and referral tables by property id and needs each id's node
 * number: some ten million look-ups per refresh at a million properties,
 * which a sorted array (twenty comparisons each) or dynahash (an allocation
 * per entry) would make the slow part.
 *
 * The index keeps pointers to the caller's strings (not copies): they must
 * outlive it. Ids are byte strings with a length (NUL bytes allowed).
 *
 * Failure modes: a repeated id (SO_ERR_CONFLICT, err.path "id N"), more
 * than 2^31 ids (SO_ERR_TOO_LARGE), allocation failure (SO_ERR_TOO_LARGE);
 * nothing stays allocated on an error.
 */
#ifndef SO_ID_INDEX_H
#define SO_ID_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "so_error.h"

typedef struct so_id_index
{
	size_t		n;
	size_t		mask;			/* slots - 1; slots a power of two >= 2n */
	uint32_t   *slots;			/* position + 1; 0 = empty */
	const char *const *ids;
	const size_t *lens;
} so_id_index;

int			so_id_index_build(so_id_index *ix, const char *const *ids, const size_t *lens, size_t n,
							  so_error *err);

/* The position of (s, len) among the ids, or -1. */
int64_t		so_id_index_find(const so_id_index *ix, const char *s, size_t len);

void		so_id_index_free(so_id_index *ix);

#endif							/* SO_ID_INDEX_H */
