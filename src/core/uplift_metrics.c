/*
 * uplift_metrics.c: the Qini and uplift curves of a ranking, their
 * normalised areas, uplift at k, the AUC, and how far random orders of
 * the same rows get (uplift_metrics.h).
 *
 * One stable merge sort of an index array by score, ascending, as numpy's
 * argsort(kind="mergesort"); read from the end it is sklift's descending
 * order with ties in reverse of their input order, which is what uplift
 * at k takes. The curves look only at the ends of runs of equal scores,
 * so the order inside a run does not matter to them. Counts are int64 and
 * each point of a curve is computed from them with the same double
 * operations as sklift, so the points agree bit for bit; the trapezoids
 * are summed with Neumaier's compensated sum (numpy sums pairwise: the
 * sums agree to about 1e-15 relative, a qini near 0, the difference of
 * two such sums, to about 1e-13 relative). The perfect curves need no sort:
 * their scores take three or four values, so their points come from the
 * counts of the four kinds of row (treated or control, responder or not).
 *
 * The noise functions shuffle a one-byte code per row (Fisher-Yates, one
 * uniform draw per swap, so any n works) and take the curve of each order
 * in one pass: O(draws * n), then a sort of the draws. The percentile is
 * the nearest rank, computed in integers.
 *
 * Failure modes: no rows, a missing arm or label value, a normalising
 * area that is 0 or not finite, or a failed malloc give false and write
 * nothing. Scores are assumed finite (the callers check); a NaN would
 * give an unspecified order, never a crash.
 */
#include <math.h>
#include <stdlib.h>

#include "seeded_draws.h"
#include "uplift_metrics.h"

/* below this many indices, insertion sort before merging */
#define SORT_RUN 32

/* Rows at or above a cutoff: per arm, how many and how many responded. */
typedef struct counts
{
	int64_t		nt,
				nc,
				yt,
				yc;
} counts;

/* The last point of a curve and the trapezoids so far (Neumaier's sum). */
typedef struct area
{
	double		x,
				y,
				sum,
				comp;
} area;

/* Where the decile values go, and the next share still to be read. */
typedef struct deciles
{
	double	   *values;
	int			next;
	double		n;
} deciles;

static void
add_row(counts *c, unsigned char treated, unsigned char label)
{
	if (treated)
	{
		c->nt++;
		c->yt += label != 0;
	}
	else
	{
		c->nc++;
		c->yc += label != 0;
	}
}

/* sklift's qini_curve at one cutoff: y_t - y_c * (n_t / n_c), 0 for n_c = 0 */
static double
qini_value(const counts *c)
{
	double		ratio = c->nc != 0 ? (double) c->nt / (double) c->nc : 0.0;

	return (double) c->yt - (double) c->yc * ratio;
}

/* sklift's uplift_curve at one cutoff: (y_t / n_t - y_c / n_c) * rows */
static double
uplift_value(const counts *c)
{
	double		rt = c->nt != 0 ? (double) c->yt / (double) c->nt : 0.0;
	double		rc = c->nc != 0 ? (double) c->yc / (double) c->nc : 0.0;

	return (rt - rc) * (double) (c->nt + c->nc);
}

static void
area_start(area *a)
{
	a->x = 0.0;
	a->y = 0.0;
	a->sum = 0.0;
	a->comp = 0.0;
}

/*
 * The trapezoid from the last point to (x, y), as numpy.trapz writes it.
 * Neumaier's correction is written with selects, not a branch: in the
 * random orders of the noise the branch is mispredicted often enough to
 * cost half the time.
 */
static void
area_add(area *a, double x, double y)
{
	double		term = (x - a->x) * (y + a->y) / 2.0;
	double		t = a->sum + term;
	bool		sum_larger = fabs(a->sum) >= fabs(term);
	double		larger = sum_larger ? a->sum : term;
	double		smaller = sum_larger ? term : a->sum;

	a->comp += (larger - t) + smaller;
	a->sum = t;
	a->x = x;
	a->y = y;
}

static double
area_total(const area *a)
{
	return a->sum + a->comp;
}

/*
 * The decile values read off the segment from (x0, y0) to (x1, y1), as
 * numpy.interp computes them (a target on the right end takes its value).
 */
static void
deciles_add(deciles *d, double x0, double y0, double x1, double y1)
{
	while (d->next <= 10)
	{
		double		t = (double) d->next * d->n / 10.0;

		if (t > x1)
			break;
		if (t == x1)
			d->values[d->next] = y1;
		else
			d->values[d->next] = (y1 - y0) / (x1 - x0) * (t - x0) + y0;
		d->next++;
	}
}

/* Stable insertion sort of idx[lo, hi) by score, ascending. */
static void
insertion_sort(const double *score, size_t *idx, size_t lo, size_t hi)
{
	for (size_t i = lo + 1; i < hi; i++)
	{
		size_t		key = idx[i];
		size_t		j = i;

		while (j > lo && score[idx[j - 1]] > score[key])
		{
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = key;
	}
}

/* Merge the sorted from[lo, mid) and from[mid, hi) into to[lo, hi), stably. */
static void
merge(const double *score, const size_t *from, size_t *to, size_t lo, size_t mid, size_t hi)
{
	size_t		i = lo,
				j = mid,
				k = lo;

	while (i < mid && j < hi)
		to[k++] = score[from[j]] < score[from[i]] ? from[j++] : from[i++];
	while (i < mid)
		to[k++] = from[i++];
	while (j < hi)
		to[k++] = from[j++];
}

/*
 * The row indices in ascending score order, stable (bottom-up merge sort,
 * O(n log n)); NULL when malloc fails. The caller frees.
 */
static size_t *
sorted_order(const double *score, size_t n)
{
	size_t	   *idx,
			   *tmp;

	/* n * sizeof(size_t) fits, so neither do the widths below overflow */
	if (n > SIZE_MAX / sizeof(size_t))
		return NULL;
	idx = malloc(n * sizeof(size_t));
	tmp = malloc(n * sizeof(size_t));
	if (idx == NULL || tmp == NULL)
	{
		free(idx);
		free(tmp);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	for (size_t lo = 0; lo < n; lo += SORT_RUN)
		insertion_sort(score, idx, lo, n - lo > SORT_RUN ? lo + SORT_RUN : n);
	for (size_t width = SORT_RUN; width < n; width *= 2)
	{
		size_t	   *swap;

		for (size_t lo = 0; lo < n; lo += 2 * width)
		{
			size_t		mid = n - lo > width ? lo + width : n;
			size_t		hi = n - mid > width ? mid + width : n;

			merge(score, idx, tmp, lo, mid, hi);
		}
		swap = idx;
		idx = tmp;
		tmp = swap;
	}
	free(tmp);
	return idx;
}

/*
 * The model's curves: rows in descending order (order read from the end),
 * one point after the last row of each run of equal scores. Any of the
 * outputs may be NULL.
 */
static void
scan_model(const double *score, const unsigned char *treated, const unsigned char *label,
		   const size_t *order, size_t n, area *qini, area *uplift, deciles *dec)
{
	counts		c = {0, 0, 0, 0};
	double		px = 0.0,
				py = 0.0;

	for (size_t i = n; i-- > 0;)
	{
		size_t		r = order[i];
		double		x,
					y;

		add_row(&c, treated[r], label[r]);
		if (i > 0 && score[order[i - 1]] == score[r])
			continue;
		x = (double) (n - i);
		y = qini_value(&c);
		if (qini != NULL)
			area_add(qini, x, y);
		if (uplift != NULL)
			area_add(uplift, x, uplift_value(&c));
		if (dec != NULL)
			deciles_add(dec, px, py, x, y);
		px = x;
		py = y;
	}
}

/*
 * The area under a curve whose cutoffs take the rows of each group in
 * turn (an empty group adds no cutoff: its score value does not occur).
 */
static double
groups_area(const counts *group, int k, double (*value) (const counts *))
{
	counts		c = {0, 0, 0, 0};
	area		a;

	area_start(&a);
	for (int i = 0; i < k; i++)
	{
		if (group[i].nt + group[i].nc == 0)
			continue;
		c.nt += group[i].nt;
		c.nc += group[i].nc;
		c.yt += group[i].yt;
		c.yc += group[i].yc;
		area_add(&a, (double) (c.nt + c.nc), value(&c));
	}
	return area_total(&a);
}

/*
 * What does not depend on the order: the random line's area and the
 * normalising areas (perfect - random) of both curves. False when an arm
 * or a label value is missing; the callers check the normalisers.
 */
typedef struct baseline
{
	counts		all;
	double		qini_random,
				qini_norm,
				uplift_random,
				uplift_norm;
} baseline;

static bool
baseline_of(const unsigned char *treated, const unsigned char *label, size_t n, baseline *b)
{
	counts		all = {0, 0, 0, 0};
	int64_t		tr,
				tn,
				cr,
				cn;
	double		qini_perfect,
				uplift_perfect;

	for (size_t i = 0; i < n; i++)
		add_row(&all, treated[i], label[i]);
	if (all.nt == 0 || all.nc == 0 || all.yt + all.yc == 0
		|| all.yt + all.yc == all.nt + all.nc)
		return false;
	tr = all.yt;
	tn = all.nt - all.yt;
	cr = all.yc;
	cn = all.nc - all.yc;

	/* perfect Qini: scores y*t - y*(1-t): treated responders, non-responders, control responders */
	{
		counts		g[3] = {{tr, 0, tr, 0}, {tn, cn, 0, 0}, {0, cr, 0, cr}};

		qini_perfect = groups_area(g, 3, qini_value);
	}

	/*
	 * perfect uplift: scores 2*(y == t) + (y if cr > tn else t): treated
	 * responders 3, control non-responders 2, then when cr > tn control
	 * responders 1 and treated non-responders 0, else the other way round
	 */
	{
		counts		g[4] = {{tr, 0, tr, 0}, {0, cn, 0, 0}, {0, cr, 0, cr}, {tn, 0, 0, 0}};

		if (!(cr > tn))
		{
			counts		swap = g[2];

			g[2] = g[3];
			g[3] = swap;
		}
		uplift_perfect = groups_area(g, 4, uplift_value);
	}

	/* the random line from (0, 0) to the last point, (n, curve at all rows) */
	b->all = all;
	b->qini_random = (double) n * qini_value(&all) / 2.0;
	b->uplift_random = (double) n * uplift_value(&all) / 2.0;
	b->qini_norm = qini_perfect - b->qini_random;
	b->uplift_norm = uplift_perfect - b->uplift_random;
	return true;
}

/* a normalising area that can divide */
static bool
usable(double norm)
{
	return isfinite(norm) && norm != 0.0;
}

/*
 * Uplift among the first ceil(n * k) rows of the descending order (order
 * read from the end); NaN when an arm is absent among them.
 */
static double
uplift_at(const unsigned char *treated, const unsigned char *label,
		  const size_t *order, size_t n, double k)
{
	double		rows = ceil((double) n * k);
	size_t		m = rows < (double) n ? (size_t) rows : n;
	counts		c = {0, 0, 0, 0};

	for (size_t i = 0; i < m; i++)
	{
		size_t		r = order[n - 1 - i];

		add_row(&c, treated[r], label[r]);
	}
	if (c.nt == 0 || c.nc == 0)
		return NAN;
	return (double) c.yt / (double) c.nt - (double) c.yc / (double) c.nc;
}

bool
so_uplift_metrics_compute(const double *score, const unsigned char *treated,
						  const unsigned char *label, size_t n,
						  so_uplift_metrics *out)
{
	baseline	b;
	size_t	   *order;
	area		qini,
				uplift;
	so_uplift_metrics m;

	if (n == 0 || !baseline_of(treated, label, n, &b)
		|| !usable(b.qini_norm) || !usable(b.uplift_norm))
		return false;
	order = sorted_order(score, n);
	if (order == NULL)
		return false;
	area_start(&qini);
	area_start(&uplift);
	scan_model(score, treated, label, order, n, &qini, &uplift, NULL);
	m.qini_area = area_total(&qini) - b.qini_random;
	m.auuc_area = area_total(&uplift) - b.uplift_random;
	m.qini = m.qini_area / b.qini_norm;
	m.auuc = m.auuc_area / b.uplift_norm;
	m.uplift_at_10 = uplift_at(treated, label, order, n, 0.1);
	m.uplift_at_30 = uplift_at(treated, label, order, n, 0.3);
	free(order);
	m.uplift_average = (double) b.all.yt / (double) b.all.nt
		- (double) b.all.yc / (double) b.all.nc;
	m.treated = b.all.nt;
	m.control = b.all.nc;
	if (!isfinite(m.qini) || !isfinite(m.auuc))
		return false;
	*out = m;
	return true;
}

bool
so_qini_deciles(const double *score, const unsigned char *treated,
				const unsigned char *label, size_t n, double values[11])
{
	size_t	   *order;
	double		v[11];
	deciles		d;

	if (n == 0)
		return false;
	order = sorted_order(score, n);
	if (order == NULL)
		return false;
	v[0] = 0.0;
	d.values = v;
	d.next = 1;
	d.n = (double) n;
	scan_model(score, treated, label, order, n, NULL, NULL, &d);
	free(order);
	for (int i = 0; i < 11; i++)
		values[i] = v[i];
	return true;
}

bool
so_auc(const double *score, const unsigned char *label, size_t n, double *auc)
{
	size_t	   *order;
	int64_t		pos = 0,
				neg = 0,
				below = 0,
				twice_u = 0;

	for (size_t i = 0; i < n; i++)
	{
		if (label[i])
			pos++;
		else
			neg++;
	}
	if (pos == 0 || neg == 0)
		return false;
	order = sorted_order(score, n);
	if (order == NULL)
		return false;

	/* runs of equal scores, ascending: a positive beats the negatives below its run, ties count 1/2 */
	for (size_t i = 0; i < n;)
	{
		int64_t		p = 0,
					q = 0;
		size_t		j = i;

		do
		{
			if (label[order[j]])
				p++;
			else
				q++;
			j++;
		} while (j < n && score[order[j]] == score[order[i]]);
		twice_u += p * (2 * below + q);
		below += q;
		i = j;
	}
	free(order);
	*auc = (double) twice_u / (2.0 * (double) pos * (double) neg);
	return true;
}

/* a uniform random order of code[0, n): Fisher-Yates from the end */
static void
shuffle(unsigned char *code, size_t n, so_rng *r)
{
	for (size_t i = n; i-- > 1;)
	{
		size_t		j = (size_t) (so_rng_uniform(r) * (double) (i + 1));
		unsigned char swap;

		if (j > i)
			j = i;
		swap = code[i];
		code[i] = code[j];
		code[j] = swap;
	}
}

static int
compare_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

/* the nearest-rank 95th percentile: sorted, the value at ceil(0.95 * draws) - 1 */
static double
percentile95(double *v, int draws)
{
	qsort(v, (size_t) draws, sizeof(double), compare_double);
	return v[(95 * (int64_t) draws + 99) / 100 - 1];
}

bool
so_qini_noise(const unsigned char *treated, const unsigned char *label, size_t n,
			  int draws, int64_t seed, int64_t stream, double *noise95)
{
	baseline	b;
	unsigned char *code;
	double	   *qini;
	so_rng		r;

	if (n == 0 || draws < 1 || (size_t) draws > SIZE_MAX / sizeof(double)
		|| !baseline_of(treated, label, n, &b) || !usable(b.qini_norm))
		return false;
	code = malloc(n);
	qini = malloc((size_t) draws * sizeof(double));
	if (code == NULL || qini == NULL)
	{
		free(code);
		free(qini);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		code[i] = (unsigned char) ((treated[i] != 0) << 1 | (label[i] != 0));
	so_rng_init(&r, seed, stream);
	for (int d = 0; d < draws; d++)
	{
		counts		c = {0, 0, 0, 0};
		area		a;

		shuffle(code, n, &r);
		area_start(&a);
		for (size_t i = 0; i < n; i++)
		{
			/* add_row without branches: the arms come in random order */
			int64_t		t = code[i] >> 1,
						y = code[i] & 1;

			c.nt += t;
			c.nc += 1 - t;
			c.yt += t & y;
			c.yc += (1 - t) & y;
			area_add(&a, (double) (i + 1), qini_value(&c));
		}
		qini[d] = (area_total(&a) - b.qini_random) / b.qini_norm;
	}
	free(code);
	*noise95 = percentile95(qini, draws);
	free(qini);
	return true;
}

bool
so_auc_noise(const unsigned char *label, size_t n,
			 int draws, int64_t seed, int64_t stream, double *noise95)
{
	unsigned char *code;
	double	   *dev;
	int64_t		pos = 0,
				neg;
	so_rng		r;

	if (n == 0 || draws < 1 || (size_t) draws > SIZE_MAX / sizeof(double))
		return false;
	for (size_t i = 0; i < n; i++)
		pos += label[i] != 0;
	neg = (int64_t) n - pos;
	if (pos == 0 || neg == 0)
		return false;
	code = malloc(n);
	dev = malloc((size_t) draws * sizeof(double));
	if (code == NULL || dev == NULL)
	{
		free(code);
		free(dev);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		code[i] = label[i] != 0;
	so_rng_init(&r, seed, stream);
	for (int d = 0; d < draws; d++)
	{
		int64_t		above = 0,
					beaten = 0;

		shuffle(code, n, &r);
		/* the first row ranks highest: a negative loses to every positive before it */
		for (size_t i = 0; i < n; i++)
		{
			above += code[i];
			beaten += (1 - code[i]) * above;
		}
		dev[d] = fabs((double) beaten / ((double) pos * (double) neg) - 0.5);
	}
	free(code);
	*noise95 = percentile95(dev, draws);
	free(dev);
	return true;
}
