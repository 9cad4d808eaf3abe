/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define OPTS_MAX 64

int rl_opts_parse(const struct rl_opt *table, int argc, char **argv, rl_opt_fn fn, void *ctx,
		  int *help, struct rl_err *err)
{
	struct option longs[OPTS_MAX + 2];
	char shorts[OPTS_MAX * 2 + 3] = ":h";
	size_t n = 0, s = 2;
	int c, ret;

	for (; table[n].name && n < OPTS_MAX; n++) {
		longs[n] = (struct option){ table[n].name, table[n].arg ? required_argument : no_argument,
					    NULL, table[n].key };
		if (table[n].key < 256) {
			shorts[s++] = (char)table[n].key;
			if (table[n].arg)
				shorts[s++] = ':';
		}
	}
	shorts[s] = '\0';
	longs[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	longs[n] = (struct option){ 0 };
	*help = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (c == 'h') {
			*help = 1;
			continue;
		}
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];

			return rl_err_set(err, -EINVAL, "option %s: %s", bad,
					  optopt && strchr(shorts, optopt) ? "needs an argument"
									   : "unknown option");
		}
		ret = fn(ctx, c, optarg, err);
		if (ret < 0)
			return ret;
	}
	return optind;
}

void rl_opts_help(FILE *out, const char *usage, const char *summary, const struct rl_opt *table)
{
	fprintf(out, "usage: %s\n\n%s\n", usage, summary);
	if (table[0].name)
		fprintf(out, "\noptions:\n");
	for (; table->name; table++) {
		char left[64];

		if (table->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", table->key, table->name,
				 table->arg ? " " : "", table->arg ? table->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", table->name,
				 table->arg ? " " : "", table->arg ? table->arg : "");
		fprintf(out, "  %-26s %s\n", left, table->help);
	}
	fprintf(out, "  %-26s %s\n", "-h, --help", "show this help");
}

int rl_opt_u32(const char *name, const char *arg, unsigned long min, unsigned long max,
	       uint32_t *out, struct rl_err *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-')
		return rl_err_set(err, -EINVAL, "option --%s: '%s' is not a whole number", name, arg);
	if (v < min || v > max)
		return rl_err_set(err, -EINVAL, "option --%s: %lu is out of range %lu..%lu", name, v,
				  min, max);
	*out = (uint32_t)v;
	return 0;
}

int rl_opt_double(const char *name, const char *arg, double min, double max, double *out,
		  struct rl_err *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v))
		return rl_err_set(err, -EINVAL, "option --%s: '%s' is not a number", name, arg);
	if (v < min || v > max)
		return rl_err_set(err, -EINVAL, "option --%s: %g is out of range %g..%g", name, v, min,
				  max);
	*out = v;
	return 0;
}
