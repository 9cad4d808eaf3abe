/* SPDX-License-Identifier: MIT */
/* Engine lookup and the names of what an engine used. */
#include <stdio.h>
#include <string.h>

#include "engine.h"

static const struct rl_engine_ops *const engines[] = {
	&rl_engine_uring,
	&rl_engine_null,
};

const struct rl_engine_ops *rl_engine_find(const char *name)
{
	for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		if (!strcmp(engines[i]->name, name))
			return engines[i];
	if (!strcmp(name, "uring"))
		return &rl_engine_uring;
	return NULL;
}

struct bit_name {
	uint32_t bit;
	const char *name;
};

/* Bit values as in the kernel ABI; spelled out so old headers still name new bits. */
static const struct bit_name setup_bits[] = {
	{ 1u << 0, "IOPOLL" }, { 1u << 1, "SQPOLL" }, { 1u << 3, "CQSIZE" },
	{ 1u << 4, "CLAMP" }, { 1u << 7, "SUBMIT_ALL" }, { 1u << 8, "COOP_TASKRUN" },
	{ 1u << 9, "TASKRUN_FLAG" }, { 1u << 12, "SINGLE_ISSUER" },
	{ 1u << 13, "DEFER_TASKRUN" }, { 0, NULL },
};

static const struct bit_name feature_bits[] = {
	{ 1u << 0, "SINGLE_MMAP" }, { 1u << 1, "NODROP" }, { 1u << 2, "SUBMIT_STABLE" },
	{ 1u << 3, "RW_CUR_POS" }, { 1u << 4, "CUR_PERSONALITY" }, { 1u << 5, "FAST_POLL" },
	{ 1u << 6, "POLL_32BITS" }, { 1u << 7, "SQPOLL_NONFIXED" }, { 1u << 8, "EXT_ARG" },
	{ 1u << 9, "NATIVE_WORKERS" }, { 1u << 10, "RSRC_TAGS" }, { 1u << 11, "CQE_SKIP" },
	{ 1u << 12, "LINKED_FILE" }, { 1u << 13, "REG_REG_RING" }, { 1u << 14, "RECVSEND_BUNDLE" },
	{ 1u << 15, "MIN_TIMEOUT" }, { 1u << 16, "RW_ATTR" }, { 1u << 17, "NO_IOWAIT" },
	{ 0, NULL },
};

static void append(char *buf, size_t len, const char *name)
{
	size_t used = strlen(buf);

	if (used + strlen(name) + 2 > len)
		return;
	if (used)
		buf[used++] = ',';
	strcpy(buf + used, name);
}

static void bits_to_names(const struct bit_name *t, uint32_t v, char *buf, size_t len)
{
	uint32_t known = 0;

	buf[0] = '\0';
	for (; t->name; t++) {
		known |= t->bit;
		if (v & t->bit)
			append(buf, len, t->name);
	}
	if (v & ~known) {
		char rest[24];

		snprintf(rest, sizeof(rest), "0x%x", v & ~known);
		append(buf, len, rest);
	}
}

void rl_uring_setup_names(uint32_t flags, char *buf, size_t len)
{
	bits_to_names(setup_bits, flags, buf, len);
}

void rl_uring_feature_names(uint32_t features, char *buf, size_t len)
{
	bits_to_names(feature_bits, features, buf, len);
}

void rl_engine_opcode_names(const struct rl_engine_info *info, char *buf, size_t len)
{
	buf[0] = '\0';
	if (info->write_fixed)
		append(buf, len, "WRITE_FIXED");
	if (info->read_fixed)
		append(buf, len, "READ_FIXED");
	if (info->write)
		append(buf, len, "WRITE");
	if (info->read)
		append(buf, len, "READ");
}
