/* number.h: a data cell's text to a double, exactly as strtod reads it, only faster.
 *
 * A data file is mostly plain decimals ("0.0272433833333333", "-20.0", "3e-5"); strtod reads
 * each correctly rounded but slowly. pf_number_parse computes a plain decimal of at most 19
 * significant digits whose power of ten is small with one correctly rounded operation, whose
 * result is then the correctly rounded value itself (Clinger's fast path: both operands exact
 * in double, or, on x86-64, in the 64-bit significand of long double, where a result that
 * lands exactly halfway between two doubles, the one case that a second rounding could
 * spoil, is left to strtod). Everything else (hex, inf, nan, leading blanks, more digits, a
 * larger exponent, trailing text) is strtod's. Which cells are numbers, text or missing is
 * unchanged: docs/data.md#column-roles. */
#ifndef PF_NUMBER_H
#define PF_NUMBER_H

/* Exactly strtod(s, end): the same double, bit for bit (the sign of zero included), and the
 * same *end (end may be NULL). errno is not set on the fast path (strtod's ERANGE only
 * concerns results the fast path never produces). */
double pf_number_parse(const char *s, char **end);

#endif
