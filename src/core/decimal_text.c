/*
 * decimal_text.c: JSON number grammar and exact comparison of decimal text.
 */
#include <stddef.h>
#include <string.h>

#include "decimal_text.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool
so_is_json_number(const char *t)
{
	const char *p = t;

	if (t == NULL)
		return false;
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (is_digit(*p))
			p++;
	else
		return false;
	if (*p == '.')
	{
		if (!is_digit(*++p))
			return false;
		while (is_digit(*p))
			p++;
	}
	if (*p == 'e' || *p == 'E')
	{
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!is_digit(*p))
			return false;
		while (is_digit(*p))
			p++;
	}
	return *p == '\0';
}

/*
 * A decimal as sign, significant digits d1 d2 ... (no leading or trailing
 * zeros) and exponent e, its value being 0.d1d2... x 10^e; zero has no digits.
 */
typedef struct decimal
{
	bool		negative;
	const char *digits[2];		/* the integer and the fraction part */
	size_t		lengths[2];
	long long	exponent;
} decimal;

/* The i-th significant digit, or '0' past the end. */
static char
digit_at(const decimal *d, size_t i, size_t first, size_t count)
{
	size_t		k = first + i;

	if (i >= count)
		return '0';
	return k < d->lengths[0] ? d->digits[0][k] : d->digits[1][k - d->lengths[0]];
}

static void
parse(const char *t, decimal *d, size_t *first, size_t *count)
{
	const char *p = t;
	long long	e = 0;
	bool		e_negative = false;
	size_t		total,
				lead = 0,
				last;

	d->negative = *p == '-';
	if (d->negative)
		p++;
	d->digits[0] = p;
	while (is_digit(*p))
		p++;
	d->lengths[0] = (size_t) (p - d->digits[0]);
	d->digits[1] = p;
	d->lengths[1] = 0;
	if (*p == '.')
	{
		d->digits[1] = ++p;
		while (is_digit(*p))
			p++;
		d->lengths[1] = (size_t) (p - d->digits[1]);
	}
	if (*p == 'e' || *p == 'E')
	{
		p++;
		e_negative = *p == '-';
		if (*p == '+' || *p == '-')
			p++;
		for (; is_digit(*p); p++)
			if (e < 1000000000000LL)	/* far beyond any number's digits */
				e = e * 10 + (*p - '0');
	}
	if (e_negative)
		e = -e;

	/* skip leading zeros (each one in the integer part lowers the exponent) */
	total = d->lengths[0] + d->lengths[1];
	while (lead < total && digit_at(d, lead, 0, total) == '0')
		lead++;
	*first = lead;
	if (lead == total)
	{
		*count = 0;				/* zero */
		d->exponent = 0;
		d->negative = false;
		return;
	}
	last = total;
	while (digit_at(d, last - 1, 0, total) == '0')
		last--;
	*count = last - lead;
	d->exponent = (long long) d->lengths[0] - (long long) lead + e;
}

int
so_decimal_compare(const char *a, const char *b)
{
	decimal		x,
				y;
	size_t		xf,
				xn,
				yf,
				yn;
	int			magnitude = 0;

	parse(a, &x, &xf, &xn);
	parse(b, &y, &yf, &yn);
	if (x.negative != y.negative)
		return x.negative ? -1 : 1;
	if (xn == 0 || yn == 0)
		magnitude = (xn > 0) - (yn > 0);
	else if (x.exponent != y.exponent)
		magnitude = x.exponent < y.exponent ? -1 : 1;
	else
		for (size_t i = 0; magnitude == 0 && (i < xn || i < yn); i++)
		{
			char		cx = digit_at(&x, i, xf, xn),
						cy = digit_at(&y, i, yf, yn);

			magnitude = (cx > cy) - (cx < cy);
		}
	return x.negative ? -magnitude : magnitude;
}
