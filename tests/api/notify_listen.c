/* SPDX-License-Identifier: MIT */
/* notify_listen SOCKET LOG: stand in for systemd's NOTIFY_SOCKET, appending every datagram to LOG. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	FILE *log;
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: %s SOCKET LOG\n", argv[0]);
		return 1;
	}
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(argv[1]);
		return 1;
	}
	log = fopen(argv[2], "a");
	if (!log) {
		perror(argv[2]);
		return 1;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n < 0)
			return 1;
		buf[n] = '\0';
		fprintf(log, "%s\n--\n", buf);
		fflush(log);
	}
}
