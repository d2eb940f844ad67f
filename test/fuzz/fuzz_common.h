/*
 * fuzz_common.h: what the fuzz harness's files share: the CHECK macro that
 * aborts with the broken invariant, the error-buffer checks (fuzz_core.c),
 * and the entry points of the learner (fuzz_learning.c) and the diffusion
 * graph (fuzz_graph.c).
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "so_error.h"

#define CHECK(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "fuzz_core: invariant failed at %s:%d: %s\n  ", \
					__FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

/* True when buf holds a NUL within size bytes. */
bool		nul_within(const char *buf, size_t size);

/* Fill err with non-NUL garbage so the NUL-termination check means something. */
void		poison_error(so_error *err);

/* On success err is cleared (test/unit asserts err.code == SO_OK). */
void		check_cleared(const char *who, const so_error *err);

/* The input read as a small numeric problem for logistic.h and uplift_metrics.h. */
void		fuzz_learning(const uint8_t *data, size_t size);

/* The input read as points and seeds for neighbours.h and pagerank.h. */
void		fuzz_graph(const uint8_t *data, size_t size);

#endif							/* FUZZ_COMMON_H */
