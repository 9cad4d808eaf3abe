/* SPDX-License-Identifier: MIT */
/* The ringlab command line: one function per subcommand, each returning the exit status. */
#ifndef RINGLAB_DAEMON_CLI_CLI_H
#define RINGLAB_DAEMON_CLI_CLI_H

#define RL_EXIT_OK 0
#define RL_EXIT_FAIL 1		/* the run failed, verification failed, a regression */
#define RL_EXIT_USAGE 2		/* bad command line or input; a ringlabd that cannot be reached */

struct rl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0] is the subcommand's name */
	const char *summary;
};

int rl_cmd_run(int argc, char **argv);
int rl_cmd_workloads(int argc, char **argv);
int rl_cmd_validate(int argc, char **argv);
int rl_cmd_schema(int argc, char **argv);
int rl_cmd_compare(int argc, char **argv);
int rl_cmd_layout(int argc, char **argv);
int rl_cmd_vm(int argc, char **argv);
int rl_cmd_submit(int argc, char **argv);
int rl_cmd_list(int argc, char **argv);
int rl_cmd_show(int argc, char **argv);
int rl_cmd_cancel(int argc, char **argv);
int rl_cmd_watch(int argc, char **argv);
int rl_cmd_nightly(int argc, char **argv);
int rl_cmd_series(int argc, char **argv);

#endif
