// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nli-dax-hold DEVICE BYTES: maps a device-dax device as a program that
 * uses it would, writes a pattern into the mapping and closes the device,
 * so that only the mapping holds it; prints "ready". On SIGTERM it checks
 * the pattern and exits 0 if it is intact, 3 if not. If the kernel tears
 * the mapping down under it (the device handed to kmem), the next touch
 * kills it with SIGBUS. For tests/vm/t29-layout-safety.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	sigset_t term;
	size_t len;
	char *p;
	int fd;

	if (argc != 3)
		return 2;
	len = strtoul(argv[2], NULL, 0);
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	for (size_t i = 0; i < len; i++)
		p[i] = (char)(i * 7);
	printf("ready\n");
	fflush(stdout);
	/* Touch it now and then, as a program would: a torn-down mapping faults. */
	for (;;) {
		struct timespec second = { 1, 0 };

		if (sigtimedwait(&term, NULL, &second) == SIGTERM)
			break;
		(void)*(volatile char *)&p[len / 2];
	}
	for (size_t i = 0; i < len; i++)
		if (p[i] != (char)(i * 7))
			return 3;
	return 0;
}
