/* SPDX-License-Identifier: MIT */
/*
 * fuzz_config: one file read both as ringlabd's configuration
 * (rl_config_load()) and as the nightly's (rl_nightly_config_load(), its
 * suites and variant manifests looked up in the source tree). A ringlabd
 * configuration that loads must pass its own checks again and load back
 * unchanged from what it writes; any refusal must say why.
 */
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "nightly/nightly.h"
#include "ringlabd/daemon_config.h"
#include "fuzz.h"

static char input[FUZZ_PATH_MAX], written[FUZZ_PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(input, sizeof(input), "%s/config.json", fuzz_scratch());
	snprintf(written, sizeof(written), "%s/written.json", fuzz_scratch());
	return 0;
}

static char *config_text(const struct rl_config *c)
{
	return fuzz_json_text(rl_fields_to_json(rl_config_fields, c), "rl_fields_to_json");
}

/* The configuration as the daemon would print it must load as itself. */
static void check_daemon_config(struct rl_config *c)
{
	struct rl_err err = { "" };
	struct rl_config back;
	char *text, *again;
	int ret;

	ret = rl_config_check(c, &err);
	FUZZ_ASSERT(ret == 0, "a loaded configuration fails its checks: %s", err.msg);
	text = config_text(c);
	fuzz_write_file(written, (const uint8_t *)text, strlen(text));
	ret = rl_config_load(written, &back, &err);
	FUZZ_ASSERT(ret == 0, "a configuration written does not load: %s\n%s", err.msg, text);
	again = config_text(&back);
	FUZZ_ASSERT(!strcmp(text, again), "changed on the way back:\n%s\n%s", text, again);
	cJSON_free(text);
	cJSON_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rl_nightly_cfg *nc = malloc(sizeof(*nc));
	struct rl_err err = { "" };
	struct rl_config c;
	int ret;

	FUZZ_ASSERT(nc, "out of memory");
	fuzz_write_file(input, data, size);
	ret = rl_config_load(input, &c, &err);
	if (ret < 0)
		FUZZ_ASSERT(err.msg[0], "ringlabd config: error %d without a message", ret);
	else
		check_daemon_config(&c);
	err.msg[0] = '\0';
	ret = rl_nightly_config_load(input, nc, &err);
	if (ret < 0)
		FUZZ_ASSERT(err.msg[0], "nightly config: error %d without a message", ret);
	else
		FUZZ_ASSERT(nc->nvariants >= 2 && nc->base_index < nc->nvariants,
			    "nightly config with %u variants, base %u", nc->nvariants, nc->base_index);
	free(nc);
	return 0;
}
