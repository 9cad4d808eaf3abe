/* SPDX-License-Identifier: MIT */
/* What a patch mail's subject says: "Re: [RFC PATCH v3 RESEND 3/9] ext4: ..." taken apart. */
#ifndef RINGLAB_DAEMON_SERIES_SUBJECT_H
#define RINGLAB_DAEMON_SERIES_SUBJECT_H

#include <stdbool.h>

#include "util/err.h"

/* The largest N, M or vN a subject may carry: export names patches NNNN, and no series is longer. */
#define RL_SUBJECT_NUMBER_MAX 9999

struct rl_subject {
	unsigned int version;		/* "v3" -> 3; 1 when the tag names none */
	unsigned int number, total;	/* "3/9"; both 0 when the tag has no N/M */
	bool tagged;			/* a [PATCH ...] or [RFC ...] tag was found */
	bool reply;			/* "Re:" (or "Aw:") before the tag */
	bool rfc, resend;
	const char *title;		/* what follows the tag, inside the parsed string */
};

/*
 * rl_subject_parse() - take @subject (decoded, unfolded) apart into @s;
 * s->title points into @subject. Tags other than PATCH, RFC, RESEND, vN
 * and N/M ("net-next", "5.10") are ignored. Returns 0, or -EINVAL with the
 * reason in @err when N/M is impossible (N > M, or M is 0) or a number is
 * past RL_SUBJECT_NUMBER_MAX.
 */
int rl_subject_parse(const char *subject, struct rl_subject *s, struct rl_err *err);

#endif
