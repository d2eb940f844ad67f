/*
 * test_topk.c: the bounded heap against a full sort, on random streams with
 * many ties.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "topk.h"

typedef struct item
{
	double		score;
	char		id[16];
} item;

/* best first: score descending, then id ascending */
static int
best_first(const void *a, const void *b)
{
	const item *x = a,
			   *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->id, y->id);
}

static unsigned long long rng = 88172645463325252ULL;

static unsigned
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned) (rng >> 11);
}

/* steps 0: so_topk_sort; otherwise so_topk_sort_steps in pieces of that many */
static void
check_stream(size_t n, size_t k, unsigned distinct_scores, size_t steps)
{
	item	   *items = malloc(n * sizeof(item));
	so_scored  *slots = malloc((k ? k : 1) * sizeof(so_scored));
	so_topk		t;
	int			evictions = 0;
	int			same = 1;
	size_t		want;
	item	   *kept;

	so_topk_init(&t, slots, k, NULL, NULL);
	for (size_t i = 0; i < n; i++)
	{
		so_scored	out;
		bool		evicted;

		items[i].score = (double) (next_random() % distinct_scores) / distinct_scores;
		snprintf(items[i].id, sizeof(items[i].id), "p%07u", next_random() % 10000000);
		so_topk_offer(&t, items[i].score, items[i].id, strlen(items[i].id), &out, &evicted);
		evictions += evicted;
	}
	if (steps == 0)
		so_topk_sort(&t);
	else
	{
		size_t		end = t.n;

		while (end > 1)
			so_topk_sort_steps(&t, &end, steps);
	}
	/* copy the heap's answer out: its ids point into items, which qsort moves */
	kept = malloc((t.n ? t.n : 1) * sizeof(item));
	for (size_t i = 0; i < t.n; i++)
	{
		kept[i].score = t.slots[i].score;
		memcpy(kept[i].id, t.slots[i].id, t.slots[i].id_len);
		kept[i].id[t.slots[i].id_len] = '\0';
	}
	qsort(items, n, sizeof(item), best_first);
	want = n < k ? n : k;
	same = t.n == want;
	for (size_t i = 0; same && i < want; i++)
		same = kept[i].score == items[i].score && strcmp(kept[i].id, items[i].id) == 0;
	free(kept);
	ok(same, "k=%zu of %zu items with %u distinct scores%s: the same as a full sort (%d evictions)",
	   k, n, distinct_scores, steps ? ", sorted in pieces" : "", evictions);
	free(items);
	free(slots);
}

int
main(void)
{
	so_topk		t;
	so_scored	slots[2];
	so_scored	out;
	bool		evicted;

	so_topk_init(&t, slots, 2, NULL, NULL);
	ok(so_topk_offer(&t, 0.5, "b", 1, &out, &evicted) && !evicted, "the first item is kept");
	ok(so_topk_offer(&t, 0.5, "c", 1, &out, &evicted) && !evicted, "the second too");
	ok(so_topk_offer(&t, 0.5, "a", 1, &out, &evicted) && evicted && out.id[0] == 'c',
	   "a tie with a smaller id pushes out the largest id");
	ok(!so_topk_offer(&t, 0.5, "d", 1, &out, &evicted), "a tie with a larger id is not kept");
	ok(!so_topk_offer(&t, 0.1, "0", 1, &out, &evicted), "a lower score is not kept");
	ok(so_topk_offer(&t, 0.9, "z", 1, &out, &evicted) && evicted && out.id[0] == 'b', "a higher score is kept");
	so_topk_sort(&t);
	ok(t.n == 2 && t.slots[0].id[0] == 'z' && t.slots[1].id[0] == 'a', "sorted best first");

	so_topk_init(&t, slots, 0, NULL, NULL);
	ok(!so_topk_offer(&t, 1, "x", 1, &out, &evicted), "k = 0 keeps nothing");

	check_stream(10, 500, 1000, 0);
	check_stream(1000, 1, 1000, 0);
	check_stream(100000, 500, 1000000, 0);
	check_stream(100000, 500, 7, 0);
	check_stream(50000, 50000, 3, 0);
	check_stream(50000, 50000, 3, 7);
	check_stream(100000, 500, 1000000, 1);
	check_stream(20000, 37, 2, 0);
	return done_testing();
}
