/* SPDX-License-Identifier: MIT */
/*
 * Running a child program: vm-run.sh or `ringlab run` in its own process
 * group (so a timeout or a signal stops QEMU with it), output to a log file
 * or to ours, no shell in between.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nightly.h"
#include "util/cleanup.h"
#include "util/clock.h"

#define KILL_GRACE_S 10		/* from SIGTERM to SIGKILL */
#define POLL_NS 100000000L	/* how often the wait looks at the child */
#define TAIL_BYTES 8192

static volatile sig_atomic_t interrupted;
static volatile sig_atomic_t child_pgid;

static void on_signal(int sig)
{
	interrupted = 1;
	if (child_pgid > 0)
		kill(-child_pgid, SIGTERM);
}

void rl_nightly_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

bool rl_nightly_interrupted(void)
{
	return interrupted;
}

static double mono_s(void)
{
	return (double)rl_now_ns() / 1e9;
}

/* In the child: never returns. Tells the parent exec's errno through @errfd. */
static void child(const struct rl_nightly_exec *x, int logfd, int nullfd, int errfd)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int e;

	setpgid(0, 0);
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGHUP, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(nullfd, STDIN_FILENO) < 0 ||
	    (logfd >= 0 && (dup2(logfd, STDOUT_FILENO) < 0 || dup2(logfd, STDERR_FILENO) < 0))) {
		e = errno;
	} else {
		execv(x->argv[0], (char *const *)x->argv);
		e = errno;
	}
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

/* Whether exec worked: the pipe closes on exec, or carries exec's errno. Returns 0 or -errno. */
static int exec_result(int errfd)
{
	ssize_t n;
	int e;

	do
		n = read(errfd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(e) ? -e : 0;
}

/*
 * Wait for @pid, stopping its group at @deadline (0: none) or on a signal. The
 * leader is reaped last, so its process group id cannot be reused while
 * stragglers (a QEMU whose script died) are killed with it.
 */
static void wait_child(struct rl_nightly_exec *x, pid_t pid, double deadline)
{
	const struct timespec tick = { 0, POLL_NS };
	double term_at = 0;
	siginfo_t si;
	int st;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
			break;
		if (!term_at && (interrupted || (deadline && mono_s() > deadline))) {
			x->timed_out = !interrupted;
			x->interrupted = interrupted;
			kill(-pid, SIGTERM);
			term_at = mono_s();
		}
		if (term_at && mono_s() - term_at > KILL_GRACE_S)
			kill(-pid, SIGKILL);
		nanosleep(&tick, NULL);
	}
	kill(-pid, SIGKILL);
	child_pgid = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	x->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int rl_nightly_run(struct rl_nightly_exec *x, struct rl_err *err)
{
	_cleanup_close_ int logfd = -1, nullfd = -1;
	int pipefd[2], ret;
	double t0;
	pid_t pid;

	x->exit_status = -1;
	x->timed_out = x->interrupted = x->exec_failed = false;
	x->duration_s = 0;
	if (x->log_path)
		logfd = open(x->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (x->log_path && logfd < 0)
		return rl_err_set(err, -errno, "%s: %s", x->log_path, strerror(errno));
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nullfd < 0)
		return rl_err_set(err, -errno, "/dev/null: %s", strerror(errno));
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return rl_err_set(err, -errno, "pipe: %s", strerror(errno));
	t0 = mono_s();
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return rl_err_set(err, ret, "fork: %s", strerror(-ret));
	}
	if (pid == 0)
		child(x, logfd, nullfd, pipefd[1]);
	/* Both sides set the group, so a signal right after fork() finds it. */
	setpgid(pid, pid);
	child_pgid = pid;
	close(pipefd[1]);
	ret = exec_result(pipefd[0]);
	close(pipefd[0]);
	wait_child(x, pid, x->timeout_s ? t0 + x->timeout_s : 0);
	x->duration_s = mono_s() - t0;
	if (ret < 0) {
		x->exec_failed = true;
		return rl_err_set(err, ret, "%s: %s", x->argv[0], strerror(-ret));
	}
	return 0;
}

/* Printable ASCII, tabs and newlines only: a console's escapes and odd bytes become '?'. */
static void clean_text(char *s)
{
	char *w = s;

	for (char *p = s; *p; p++) {
		if (*p == '\r')
			continue;
		*w++ = (*p == '\n' || *p == '\t' || (*p >= 0x20 && *p < 0x7f)) ? *p : '?';
	}
	*w = '\0';
}

char *rl_nightly_tail(const char *path, unsigned int lines)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf, *p;
	struct stat st;
	off_t from;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0)
		return NULL;
	buf = malloc(TAIL_BYTES + 1);
	if (!buf)
		return NULL;
	from = st.st_size > TAIL_BYTES ? st.st_size - TAIL_BYTES : 0;
	n = pread(fd, buf, TAIL_BYTES, from);
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	/* The last @lines lines: walk back over that many newlines (a final one does not count). */
	p = buf + n;
	if (p > buf && p[-1] == '\n')
		p--;
	while (p > buf && lines) {
		p--;
		if (*p == '\n' && !--lines)
			p++;
	}
	memmove(buf, p, strlen(p) + 1);
	clean_text(buf);
	return buf;
}
