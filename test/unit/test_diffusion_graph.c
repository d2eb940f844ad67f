/*
 * test_diffusion_graph.c: the diffusion graph (diffusion_graph.h) from
 * neighbour pairs and referrals, worked by hand: a pair listed from both
 * sides is one edge each way, a one-sided pair still goes both ways, a
 * referral adds to a neighbour edge and stands alone otherwise, a self pair
 * is ignored, a node without edges has an empty row; refusals name the
 * offending pair; percent ranks equal PostgreSQL's percent_rank() * 100
 * (ties, one score, all equal).
 */
#include <math.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include "diffusion_graph.h"
#include "tap.h"

static int
edge(const so_weighted_graph *g, uint32_t from, uint32_t to, double *w)
{
	for (size_t e = g->start[from]; e < g->start[from + 1]; e++)
		if (g->to[e] == to)
		{
			*w = g->weight[e];
			return 1;
		}
	return 0;
}

int
main(void)
{
	/* 0-1 listed both ways (100 m), 1-2 one way (50 m), 3 self, 4 alone */
	static const uint32_t pf[] = {0, 1, 1, 3};
	static const uint32_t pt[] = {1, 0, 2, 3};
	static const double pd[] = {100, 100, 50, 0};
	/* referrals 0 -> 1 (neighbours), 2 -> 3 (not) */
	static const uint32_t rf[] = {0, 2};
	static const uint32_t rt[] = {1, 3};
	so_weighted_graph g;
	so_error	err;
	double		w;
	int			rc;

	ok(fabs(so_neighbor_weight(100, 100) - exp(-1)) < 1e-16, "weight exp(-d / decay)");
	rc = so_diffusion_graph_build(5, 4, pf, pt, pd, 100, 2, rf, rt, 5, &g, &err);
	ok(rc == SO_OK, "builds");
	is_int(g.start[5], 5, "five edges: 0->1, 1->0, 1->2, 2->1, 2->3");
	ok(edge(&g, 0, 1, &w) && fabs(w - (exp(-1) + 5)) < 1e-15, "0 -> 1: the neighbour weight plus the referral");
	ok(edge(&g, 1, 0, &w) && fabs(w - exp(-1)) < 1e-15, "1 -> 0: the neighbour weight once, not twice");
	ok(edge(&g, 2, 1, &w) && fabs(w - exp(-0.5)) < 1e-15, "2 -> 1: a one-sided pair goes both ways");
	ok(edge(&g, 2, 3, &w) && w == 5, "2 -> 3: a referral alone");
	ok(!edge(&g, 3, 2, &w), "3 -> 2: referrals go one way");
	ok(g.start[3] == g.start[4] && g.start[4] == g.start[5], "the self pair is ignored; 4 has no edges");
	ok(g.to[g.start[1]] == 0 && g.to[g.start[1] + 1] == 2, "out-edges ordered by target");
	so_weighted_graph_free(&g);

	{
		uint32_t	bad[] = {0, 1, 5, 3};

		rc = so_diffusion_graph_build(5, 4, pf, bad, pd, 100, 0, NULL, NULL, 5, &g, &err);
		ok(rc == SO_ERR_RANGE && strcmp(err.path, "neighbour pair 2") == 0 && g.start == NULL,
		   "a pair naming no node: refused at its position, nothing allocated");
	}
	{
		double		bad[] = {100, -1, 50, 0};

		rc = so_diffusion_graph_build(5, 4, pf, pt, bad, 100, 0, NULL, NULL, 5, &g, &err);
		ok(rc == SO_ERR_RANGE && strcmp(err.path, "neighbour pair 1") == 0, "a negative distance: refused");
	}
	rc = so_diffusion_graph_build(5, 4, pf, pt, pd, 0, 0, NULL, NULL, 5, &g, &err);
	ok(rc == SO_ERR_RANGE && strcmp(err.path, "decay_m") == 0, "a decay of 0: refused");
	rc = so_diffusion_graph_build(5, 4, pf, pt, pd, 100, 0, NULL, NULL, -1, &g, &err);
	ok(rc == SO_ERR_RANGE && strcmp(err.path, "referral_weight") == 0, "a negative referral weight: refused");
	rc = so_diffusion_graph_build(0, 0, NULL, NULL, NULL, 100, 0, NULL, NULL, 5, &g, &err);
	ok(rc == SO_OK && g.start[0] == 0, "an empty graph");
	so_weighted_graph_free(&g);

	{
		/* a long row: node 0 refers 300 nodes, twice each for the odd ones, in
		 * reverse order, and is a neighbour of node 1 listed from both sides:
		 * sorted by target, neighbour edges once, referrals added up */
		enum
		{
			N = 301
		};
		static uint32_t rf2[450],
					rt2[450];
		static const uint32_t lpf[] = {0, 1};
		static const uint32_t lpt[] = {1, 0};
		static const double lpd[] = {100, 100};
		size_t		nref = 0;
		bool		right = true;

		for (uint32_t t = N - 1; t >= 1; t--)
		{
			rf2[nref] = 0;
			rt2[nref++] = t;
			if (t % 2 == 1)
			{
				rf2[nref] = 0;
				rt2[nref++] = t;
			}
		}
		rc = so_diffusion_graph_build(N, 2, lpf, lpt, lpd, 100, nref, rf2, rt2, 5, &g, &err);
		right = rc == SO_OK && g.start[1] - g.start[0] == N - 1;
		for (size_t e = g.start[0]; right && e < g.start[1]; e++)
		{
			uint32_t	t = g.to[e];
			double		want = (t % 2 == 1 ? 10 : 5) + (t == 1 ? exp(-1) : 0);

			right = t == e - g.start[0] + 1 && fabs(g.weight[e] - want) < 1e-15;
		}
		ok(right, "a row of %zu referrals and a neighbour: sorted by target, one edge per target, weights added", nref);
		so_weighted_graph_free(&g);
	}
	{
		/* percent_rank() over (0.5, 0, 0.25, 0, 0.5): below = 3, 0, 2, 0, 3; n - 1 = 4 */
		double		s[] = {0.5, 0, 0.25, 0, 0.5},
					p[5];

		rc = so_percent_ranks(5, s, p, &err);
		ok(rc == SO_OK && p[0] == 75 && p[1] == 0 && p[2] == 50 && p[3] == 0 && p[4] == 75,
		   "percent ranks with ties");
		rc = so_percent_ranks(1, s, p, &err);
		ok(rc == SO_OK && p[0] == 0, "one score: 0");
		s[0] = s[2] = s[4] = 0;
		rc = so_percent_ranks(5, s, p, &err);
		ok(rc == SO_OK && p[0] == 0 && p[4] == 0, "all equal: every one 0");
	}
	return done_testing();
}
