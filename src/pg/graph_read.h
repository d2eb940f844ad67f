/*
 * graph_read.h: the diffusion graph's shared reading (graph_read.c): the
 * property set as node numbers, memory for large arrays, and the error and
 * timing helpers of neighbor_refresh.c and diffusion.c.
 */
#ifndef STORMOPS_GRAPH_READ_H
#define STORMOPS_GRAPH_READ_H

#include "postgres.h"

#include "executor/tuptable.h"
#include "portability/instr_time.h"

#include "id_index.h"
#include "so_error.h"


/*
 * Every property as a node: ids in byte order (node i is the i-th id), so
 * "ties by property id" of the neighbour lists is node order. Coordinates
 * when with_points (has_point false where lat or lon is NULL).
 */
typedef struct graph_nodes
{
	int64		n;
	const char **ids;			/* [n] into one arena, NUL-terminated */
	size_t	   *lens;			/* [n] */
	double	   *lat,
			   *lon;			/* [n] when with_points */
	bool	   *has_point;		/* [n] when with_points */
	so_id_index index;			/* malloc'd: graph_nodes_free */
} graph_nodes;

void		graph_nodes_read(graph_nodes *nodes, bool with_points);
void		graph_nodes_free(graph_nodes *nodes);

/* The node of a text datum, or -1 for an id that is not a property. */
int64		graph_node_of(const graph_nodes *nodes, Datum id);

/* Memory for an array that may pass 1 GB (ten million properties, k = 64). */
void	   *graph_alloc(Size count, Size width);
/* p (NULL or from these two) resized to count items of width bytes. */
void	   *graph_resize(void *p, Size count, Size width);

/* A node's id as a new text datum (in the current context). */
Datum		graph_node_text(const graph_nodes *nodes, int64 node);

/* Milliseconds since start (for the DEBUG1 timings). */
double		graph_ms_since(instr_time start);

/* A core error of `what` as an ERROR (a stop request as the pending cancel). */
pg_attribute_noreturn() void graph_raise_core(const char *what, int rc, const so_error *err);

#endif							/* STORMOPS_GRAPH_READ_H */
