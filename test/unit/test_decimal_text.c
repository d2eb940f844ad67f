/*
 * test_decimal_text.c: JSON number grammar and exact decimal comparison.
 */
#include <stdlib.h>

#include "decimal_text.h"
#include "tap.h"

#define CMP(a, b, want) is_int(so_decimal_compare((a), (b)), (want), "%s vs %s", (a), (b))

int
main(void)
{
	const char *good[] = {"0", "-0", "1", "-1", "10.5", "0.001", "1e2", "1E+2", "1e-400", "123456789012345678901234567890",
	"0.33333333333333334", "-0.0e0"};
	const char *bad[] = {"", "-", "01", "1.", ".5", "+1", "1e", "1e+", "--1", "1 ", " 1", "1;", "0x1", "NaN", "Infinity",
	"1.2.3", "1e2e3", "(1)", "1'", "1--"};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(so_is_json_number(good[i]), "[%s] is a JSON number", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!so_is_json_number(bad[i]), "[%s] is not a JSON number", bad[i]);
	ok(!so_is_json_number(NULL), "NULL is not a number");

	CMP("1", "1", 0);
	CMP("1", "1.000", 0);
	CMP("100", "1e2", 0);
	CMP("0.5", "5e-1", 0);
	CMP("-0", "0", 0);
	CMP("0.000", "-0e5", 0);
	CMP("100.00000000000000000001", "100", 1);
	CMP("99.99999999999999999999", "100", -1);
	CMP("1.0000000000000001", "1", 1);
	CMP("0.33333333333333334", "0.3333333333333333", 1);
	CMP("-1", "0", -1);
	CMP("0", "-1", 1);
	CMP("-2", "-1", -1);
	CMP("-1.5", "-1.25", -1);
	CMP("1e-400", "0", 1);
	CMP("-1e-400", "0", -1);
	CMP("1e400", "1e399", 1);
	CMP("123", "45", 1);
	CMP("0.045", "0.123", -1);
	CMP("1000000000", "1e9", 0);
	CMP("1000000001", "1e9", 1);
	CMP("36500.0", "36500", 0);
	CMP("36500.0000001", "36500", 1);
	CMP("1e99999999999999999999", "1e9", 1);
	return done_testing();
}
