/* SPDX-License-Identifier: MIT */
/*
 * http_raw: the requests curl will not make, for the API tests.
 *
 *   http_raw send PORT          send stdin as it is to 127.0.0.1:PORT, print the answer
 *                               (until the server closes, at most 10 s)
 *   http_raw slow PORT N SECONDS [FROM...]
 *                               slowloris: N connections from each source address FROM
 *                               (default 127.0.0.1), each sending a request line and then
 *                               one header line a second, never ending its headers; prints
 *                               "ready" once all are open, and after SECONDS
 *                               "open K closed C" (C: closed by the server)
 *   http_raw trickle PORT SECONDS
 *                               send stdin (a request's head and the start of its body),
 *                               then one more body byte a second; prints "ready" once the
 *                               head is sent, and "closed after S s" when the server
 *                               closes, or "open after SECONDS s"
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOW_MAX 1024

static int connect_from(const char *from, int port)
{
	struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	dst.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	if (inet_pton(AF_INET, from, &src.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		perror(from);
		close(fd);
		return -1;
	}
	return fd;
}

static int do_send(int port)
{
	char buf[65536];
	struct pollfd p;
	size_t n;
	int fd = connect_from("127.0.0.1", port);

	if (fd < 0)
		return 1;
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		if (write(fd, buf, n) != (ssize_t)n) {
			perror("write");
			return 1;
		}
	shutdown(fd, SHUT_WR);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (poll(&p, 1, 10000) == 1) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r <= 0)
			break;
		fwrite(buf, 1, (size_t)r, stdout);
	}
	close(fd);
	return 0;
}

/* Whether the server has closed @fd (read gives 0 or an error); drains what it sent. */
static int closed_by_server(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096];

	while (poll(&p, 1, 0) == 1) {
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			return 1;
		if (r < 0)
			return 0;
	}
	return 0;
}

static int do_slow(int port, int n, int seconds, char **from, int nfrom)
{
	static const char head[] = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
	static int fds[SLOW_MAX];
	int total = 0, open_n, closed;

	for (int f = 0; f < nfrom; f++)
		for (int i = 0; i < n && total < SLOW_MAX; i++) {
			int fd = connect_from(from[f], port);

			if (fd < 0)
				return 1;
			if (send(fd, head, sizeof(head) - 1, MSG_NOSIGNAL) < 0)
				perror("send");
			fds[total++] = fd;
		}
	printf("ready\n");
	fflush(stdout);
	for (int s = 0; s < seconds; s++) {
		sleep(1);
		for (int i = 0; i < total; i++)
			if (fds[i] >= 0 && !closed_by_server(fds[i]))
				send(fds[i], "X-Slow: 1\r\n", 11, MSG_NOSIGNAL);
	}
	open_n = closed = 0;
	for (int i = 0; i < total; i++) {
		if (closed_by_server(fds[i]))
			closed++;
		else
			open_n++;
		close(fds[i]);
	}
	printf("open %d closed %d\n", open_n, closed);
	return 0;
}

static int do_trickle(int port, int seconds)
{
	char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf), stdin);
	int fd = connect_from("127.0.0.1", port), s;

	if (fd < 0 || send(fd, buf, n, MSG_NOSIGNAL) != (ssize_t)n)
		return 1;
	printf("ready\n");
	fflush(stdout);
	for (s = 0; s < seconds && !closed_by_server(fd); s++) {
		sleep(1);
		send(fd, "a", 1, MSG_NOSIGNAL);
	}
	printf("%s after %d s\n", s < seconds ? "closed" : "open", s);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static char *loopback[] = { "127.0.0.1" };

	if (argc == 3 && !strcmp(argv[1], "send"))
		return do_send(atoi(argv[2]));
	if (argc >= 5 && !strcmp(argv[1], "slow"))
		return do_slow(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]),
			       argc > 5 ? argv + 5 : loopback, argc > 5 ? argc - 5 : 1);
	if (argc == 4 && !strcmp(argv[1], "trickle"))
		return do_trickle(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: %s send PORT | slow PORT N SECONDS [FROM...] | trickle PORT SECONDS\n",
		argv[0]);
	return 2;
}
