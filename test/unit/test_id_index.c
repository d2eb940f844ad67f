/*
 * test_id_index.c: the hash index of text ids (id_index.h): every id of a
 * large generated list is found at its position, look-ups of absent ids
 * (prefixes, longer ids, other lengths, NUL bytes) miss, a repeated id is
 * refused with its position, and an empty index finds nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "id_index.h"
#include "tap.h"

#define N 200000

int
main(void)
{
	char	  **ids = malloc(N * sizeof(char *));
	size_t	   *lens = malloc(N * sizeof(size_t));
	so_id_index ix;
	so_error	err;
	size_t		wrong = 0;
	int			rc;

	for (size_t i = 0; i < N; i++)
	{
		char		buf[32];

		lens[i] = (size_t) snprintf(buf, sizeof(buf), "prop-%06zu", i * 7 + 3);
		ids[i] = malloc(lens[i] + 1);
		memcpy(ids[i], buf, lens[i] + 1);
	}
	rc = so_id_index_build(&ix, (const char *const *) ids, lens, N, &err);
	ok(rc == SO_OK, "builds over %d ids", N);
	for (size_t i = 0; i < N; i++)
		wrong += so_id_index_find(&ix, ids[i], lens[i]) != (int64_t) i;
	is_int(wrong, 0, "every id is found at its position");
	ok(so_id_index_find(&ix, "prop-000001", 11) == -1, "an absent id of the same shape misses");
	ok(so_id_index_find(&ix, "prop-00000", 10) == -1, "a prefix of an id misses");
	ok(so_id_index_find(&ix, "prop-0000033", 12) == -1, "an id with one more character misses");
	ok(so_id_index_find(&ix, "prop-000003\0", 12) == -1, "an id with a NUL byte appended misses");
	ok(so_id_index_find(&ix, "", 0) == -1, "the empty id misses");
	so_id_index_free(&ix);

	{
		const char *dup[] = {"a", "b", "c", "b"};
		size_t		dlen[] = {1, 1, 1, 1};

		rc = so_id_index_build(&ix, dup, dlen, 4, &err);
		ok(rc == SO_ERR_CONFLICT && strcmp(err.path, "id 3") == 0, "a repeated id is refused at its position");
		ok(ix.slots == NULL, "nothing stays allocated");
	}
	{
		const char *bin[] = {"a\0b", "a\0c", "a"};
		size_t		blen[] = {3, 3, 1};

		rc = so_id_index_build(&ix, bin, blen, 3, &err);
		ok(rc == SO_OK && so_id_index_find(&ix, "a\0c", 3) == 1 && so_id_index_find(&ix, "a", 1) == 2,
		   "ids with NUL bytes are told apart by their length and bytes");
		so_id_index_free(&ix);
	}
	rc = so_id_index_build(&ix, NULL, NULL, 0, &err);
	ok(rc == SO_OK && so_id_index_find(&ix, "a", 1) == -1, "an empty index finds nothing");
	so_id_index_free(&ix);

	for (size_t i = 0; i < N; i++)
		free(ids[i]);
	free(ids);
	free(lens);
	return done_testing();
}
