/*
 * topk.c: a bounded min-heap of the k best (score, id) items.
 */
#include <stdint.h>
#include <string.h>

#include "topk.h"

int
so_id_compare_bytes(const char *a, size_t alen, const char *b, size_t blen, void *arg)
{
	int			c = memcmp(a, b, alen < blen ? alen : blen);

	(void) arg;
	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

/* a is worse than b: lower score, or the same score and a larger id */
static bool
worse(const so_topk *t, const so_scored *a, const so_scored *b)
{
	if (a->score != b->score)
		return a->score < b->score;
	return t->compare(a->id, a->id_len, b->id, b->id_len, t->compare_arg) > 0;
}

static void
swap(so_scored *a, so_scored *b)
{
	so_scored	tmp = *a;

	*a = *b;
	*b = tmp;
}

/* The heap keeps the worst item at the root. */
static void
sift_up(so_topk *t, size_t i)
{
	while (i > 0)
	{
		size_t		parent = (i - 1) / 2;

		if (!worse(t, &t->slots[i], &t->slots[parent]))
			break;
		swap(&t->slots[i], &t->slots[parent]);
		i = parent;
	}
}

static void
sift_down(so_topk *t, size_t i, size_t n)
{
	for (;;)
	{
		size_t		l = 2 * i + 1,
					r = l + 1,
					w = i;

		if (l < n && worse(t, &t->slots[l], &t->slots[w]))
			w = l;
		if (r < n && worse(t, &t->slots[r], &t->slots[w]))
			w = r;
		if (w == i)
			return;
		swap(&t->slots[i], &t->slots[w]);
		i = w;
	}
}

void
so_topk_init(so_topk *t, so_scored *slots, size_t k, so_id_compare compare, void *compare_arg)
{
	t->slots = slots;
	t->k = k;
	t->n = 0;
	t->compare = compare != NULL ? compare : so_id_compare_bytes;
	t->compare_arg = compare_arg;
}

bool
so_topk_wants(const so_topk *t, double score, const char *id, size_t id_len)
{
	so_scored	candidate = {score, id, id_len};

	if (t->k == 0)
		return false;
	return t->n < t->k || worse(t, &t->slots[0], &candidate);
}

bool
so_topk_offer(so_topk *t, double score, const char *id, size_t id_len,
			  so_scored *evicted, bool *has_evicted)
{
	so_scored	item = {score, id, id_len};

	*has_evicted = false;
	if (!so_topk_wants(t, score, id, id_len))
		return false;
	if (t->n < t->k)
	{
		t->slots[t->n] = item;
		sift_up(t, t->n);
		t->n++;
		return true;
	}
	*evicted = t->slots[0];
	*has_evicted = true;
	t->slots[0] = item;
	sift_down(t, 0, t->n);
	return true;
}

void
so_topk_sort_steps(so_topk *t, size_t *end, size_t steps)
{
	/* heapsort: moving the worst to the end each time leaves best first */
	for (; *end > 1 && steps > 0; (*end)--, steps--)
	{
		swap(&t->slots[0], &t->slots[*end - 1]);
		sift_down(t, 0, *end - 1);
	}
}

void
so_topk_sort(so_topk *t)
{
	size_t		end = t->n;

	so_topk_sort_steps(t, &end, SIZE_MAX);
}
