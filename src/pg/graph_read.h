/*
 * graph_read.h: the diffusion graph's shared reading (graph_read.c): the
 * property set as node numbers.
 */
#ifndef STORMOPS_GRAPH_READ_H
#define STORMOPS_GRAPH_READ_H

#include "postgres.h"

#include "executor/tuptable.h"

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


/* A node's id as a new text datum (in the current context). */
Datum		graph_node_text(const graph_nodes *nodes, int64 node);

#endif							/* STORMOPS_GRAPH_READ_H */
