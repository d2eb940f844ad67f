/*
 * topk.h: the k best scored items of a stream, kept in a bounded heap.
 *
 * "Best" is the highest score, ties going to the smaller id (the order of
 * ORDER BY score DESC, id). The heap's root is the worst item kept, so an
 * offer costs O(1) when it is rejected and O(log k) when it is kept. The
 * caller owns the slots and the ids' memory (the PostgreSQL glue keeps them
 * in an aggregate's memory context); the comparator lets it compare ids with
 * a column's collation.
 */
#ifndef SO_TOPK_H
#define SO_TOPK_H

#include <stdbool.h>
#include <stddef.h>

typedef struct so_scored
{
	double		score;
	const char *id;
	size_t		id_len;
} so_scored;

/* <0, 0, >0 as id a sorts before, with, after id b. */
typedef int (*so_id_compare) (const char *a, size_t alen, const char *b, size_t blen, void *arg);

typedef struct so_topk
{
	so_scored  *slots;			/* capacity k, caller-owned */
	size_t		k;
	size_t		n;				/* items kept, <= k */
	so_id_compare compare;
	void	   *compare_arg;
} so_topk;

void		so_topk_init(so_topk *t, so_scored *slots, size_t k,
						 so_id_compare compare, void *compare_arg);

/* Whether an item with this score and id would be kept now. */
bool		so_topk_wants(const so_topk *t, double score, const char *id, size_t id_len);

/*
 * Keeps the item if it is among the k best so far. Returns false when it was
 * not kept. When keeping it pushed out an item, *evicted receives that item
 * (so the caller can free its id) and *has_evicted is set.
 */
bool		so_topk_offer(so_topk *t, double score, const char *id, size_t id_len,
						  so_scored *evicted, bool *has_evicted);

/* Sorts the kept items best first, in place (the heap is then spent). */
void		so_topk_sort(so_topk *t);

/*
 * The same sort in pieces, so that a caller can answer a cancel between
 * them: start with *end = t->n; each call makes at most `steps` steps; the
 * slots are sorted once *end <= 1. Between calls the slots are neither a
 * heap nor sorted: a caller that stops must not use them again.
 */
void		so_topk_sort_steps(so_topk *t, size_t *end, size_t steps);

/* Bytewise comparison of ids, for callers without a collation. */
int			so_id_compare_bytes(const char *a, size_t alen, const char *b, size_t blen, void *arg);

#endif							/* SO_TOPK_H */
