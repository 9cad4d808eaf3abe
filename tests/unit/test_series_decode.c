/* SPDX-License-Identifier: MIT */
/* Mail decoding: RFC 2047 Q and B words, quoted-printable and base64 bodies, and patch subjects taken apart. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "series/decode.h"
#include "series/subject.h"
#include "../lib/check.h"

static void test_header_decode(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.org>", "Jörg Müller <joerg@example.org>" },
		{ "=?utf-8?b?W1BBVENIXQ==?= x", "[PATCH] x" },
		{ "=?UTF-8?q?a?= =?UTF-8?Q?b?=", "ab" },		/* space between two words goes */
		{ "=?UTF-8?Q?a?=  \t=?UTF-8?B?Yg==?= c", "ab c" },
		{ "=?UTF-8?Q?a?= b", "a b" },			/* space before text stays */
		{ "x =?UTF-8?Q?a?=", "x a" },
		{ "=?ISO-8859-1?Q?Andr=E9?= <a@b>", "André <a@b>" },
		{ "=?utf-8*en?Q?ok?=", "ok" },			/* RFC 2231 language */
		{ "=?KOI8-R?Q?x?= y", "=?KOI8-R?Q?x?= y" },	/* a charset we do not convert stays */
		{ "=?UTF-8?Q?no end", "=?UTF-8?Q?no end" },
		{ "=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=" },
		{ "=?UTF-8?B?***?=", "=?UTF-8?B?***?=" },
		{ "plain [PATCH v3 1/9] text", "plain [PATCH v3 1/9] text" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = rl_header_decode(cases[i].in);

		CHECK(out && !strcmp(out, cases[i].out), "\"%s\" -> \"%s\", want \"%s\"", cases[i].in,
		      out ? out : "(null)", cases[i].out);
		free(out);
	}
}

static void test_body_decode(void)
{
	const char *qp = "a=3Db=\nc =ZZ_x=C3=A9";
	char out[64];
	size_t n = rl_qp_decode(qp, strlen(qp), out, false);
	ssize_t b;

	out[n] = '\0';
	CHECK(!strcmp(out, "a=bc =ZZ_x\xc3\xa9"), "quoted-printable body: \"%s\"", out);
	n = rl_qp_decode("a_b", 3, out, true);
	out[n] = '\0';
	CHECK(!strcmp(out, "a b"), "Q word: '_' is a space: \"%s\"", out);
	b = rl_b64_decode("aGVs\nbG8=", 9, out);
	CHECK(b == 5 && !memcmp(out, "hello", 5), "base64 across a line break: %zd", b);
	CHECK(rl_b64_decode("aGV$", 4, out) == -EINVAL, "base64 with a stray character is refused");
}

struct subject_case {
	const char *subject;
	unsigned int version, number, total;
	int tagged, reply, rfc, resend;
	const char *title;
};

static void test_subjects(void)
{
	static const struct subject_case cases[] = {
		{ "[PATCH v3 3/9] ext4: x", 3, 3, 9, 1, 0, 0, 0, "ext4: x" },
		{ "[RFC PATCH v2 0/5] ext4: y", 2, 0, 5, 1, 0, 1, 0, "ext4: y" },
		{ "[PATCH RFC v2 1/5] y", 2, 1, 5, 1, 0, 1, 0, "y" },
		{ "[PATCH 1/1] z", 1, 1, 1, 1, 0, 0, 0, "z" },
		{ "Re: [PATCH v3 3/9] ext4: x", 3, 3, 9, 1, 1, 0, 0, "ext4: x" },
		{ "RE: Re: [PATCH v2 1/2] q", 2, 1, 2, 1, 1, 0, 0, "q" },
		{ "Aw: [PATCH 2/3] q", 1, 2, 3, 1, 1, 0, 0, "q" },
		{ "Re[2]: [PATCH 2/3] q", 1, 2, 3, 1, 1, 0, 0, "q" },
		{ "[PATCH v3 RESEND 2/4] a", 3, 2, 4, 1, 0, 0, 1, "a" },
		{ "[RESEND PATCH v3 2/4] a", 3, 2, 4, 1, 0, 0, 1, "a" },
		{ "[PATCH] x", 1, 0, 0, 1, 0, 0, 0, "x" },
		{ "[PATCHv4 01/12] a", 4, 1, 12, 1, 0, 0, 0, "a" },
		{ "[PATCH net-next V2 3/3] a", 2, 3, 3, 1, 0, 0, 0, "a" },
		{ "[PATCH 5.10 1/2] a", 1, 1, 2, 1, 0, 0, 0, "a" },
		{ "[External] [PATCH v5 2/2] a", 5, 2, 2, 1, 0, 0, 0, "a" },
		{ "ext4: no tag at all", 1, 0, 0, 0, 0, 0, 0, "ext4: no tag at all" },
		{ "Re: ext4: a question", 1, 0, 0, 0, 1, 0, 0, "ext4: a question" },
		{ "Reviewed patches", 1, 0, 0, 0, 0, 0, 0, "Reviewed patches" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct subject_case *c = &cases[i];
		struct rl_err err = { "" };
		struct rl_subject s;
		int ret = rl_subject_parse(c->subject, &s, &err);

		CHECK(!ret && s.version == c->version && s.number == c->number && s.total == c->total &&
		      s.tagged == c->tagged && s.reply == c->reply && s.rfc == c->rfc &&
		      s.resend == c->resend && !strcmp(s.title, c->title),
		      "\"%s\": ret %d v%u %u/%u tagged %d reply %d rfc %d resend %d title \"%s\"",
		      c->subject, ret, s.version, s.number, s.total, s.tagged, s.reply, s.rfc, s.resend,
		      s.title);
	}
}

static void test_impossible_subject(void)
{
	struct rl_err err = { "" };
	struct rl_subject s;

	CHECK(rl_subject_parse("[PATCH 10/9] x", &s, &err) == -EINVAL && strstr(err.msg, "10 of 9"),
	      "N > M is refused: \"%s\"", err.msg);
	CHECK(rl_subject_parse("[PATCH 1/0] x", &s, &err) == -EINVAL, "M = 0 is refused");
	/* Past 9999 (and past an unsigned int, which would wrap to 1/1): refused, not truncated. */
	err.msg[0] = '\0';
	CHECK(rl_subject_parse("[PATCH 1/4294967295] x", &s, &err) == -EINVAL &&
	      strstr(err.msg, "a number past 9999"), "M past 9999: \"%s\"", err.msg);
	CHECK(rl_subject_parse("[PATCH 1/4294967297] x", &s, &err) == -EINVAL, "M past 2^32");
	CHECK(rl_subject_parse("[PATCH v4294967298 1/2] x", &s, &err) == -EINVAL, "v past 2^32");
	CHECK(rl_subject_parse("[PATCH v9999 9999/9999] x", &s, &err) == 0 && s.total == 9999 &&
	      s.version == 9999, "9999 is the largest");
}

int main(void)
{
	test_header_decode();
	test_body_decode();
	test_subjects();
	test_impossible_subject();
	return check_exit();
}
