/*
 * Starting and ending a domain's device model (kxen-dm). kxl create
 * starts it after the domain is built and before it is unpaused, and
 * waits for its "ready" line on a pipe, so a guest never runs without
 * its devices. The DM runs detached (its own session, stdio on
 * /dev/null, reparented to init) and lives until its domain is gone.
 */
#include "dm_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READY_TIMEOUT_MS 20000
#define REAP_TIMEOUT_MS 5000

const char *kxl_rundir(void)
{
	const char *d = getenv("KXEN_RUNDIR");

	return d && *d ? d : "/run/kxen";
}

const char *kxl_logdir(void)
{
	const char *d = getenv("KXEN_LOGDIR");

	return d && *d ? d : "/var/log/kxen";
}

/*
 * $KXEN_DM, else kxen-dm next to kxl (installed: both in sbin), else
 * the build tree's dm/kxen-dm (kxl is tools/kxl there).
 */
static void dm_path(char *out, size_t len)
{
	const char *env = getenv("KXEN_DM");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		snprintf(out, len, "kxen-dm");
		return;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	if (snprintf(out, len, "%s/kxen-dm", self) < (int)len &&
	    access(out, X_OK) == 0)
		return;
	if (snprintf(out, len, "%s/../dm/kxen-dm", self) >= (int)len)
		snprintf(out, len, "kxen-dm");
}

/* In the grandchild: become the DM. Never returns. */
static void exec_dm(const char *path, char *const argv[], int ready_fd)
{
	int null = open("/dev/null", O_RDWR);
	char msg[PATH_MAX + 64];
	int len;

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	/* The pipe's write end becomes fd 3, open across exec. */
	if (ready_fd != 3) {
		dup2(ready_fd, 3);
		close(ready_fd);
	} else {
		fcntl(3, F_SETFD, 0);
	}
	execv(path, argv);
	len = snprintf(msg, sizeof(msg), "cannot run %s: %s\n", path,
		       strerror(errno));
	if (write(3, msg, (size_t)len) < 0) {
		/* Nothing left to tell it with. */
	}
	_exit(127);
}

/* Fork twice so the DM is nobody's child but init's. */
static int detach_and_exec(const char *path, char *const argv[], int wfd)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		setsid();
		signal(SIGPIPE, SIG_DFL);
		if (fork() == 0)
			exec_dm(path, argv, wfd);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/* Read the DM's first line (up to len-1 bytes) within the timeout. */
static int read_line(int fd, char *line, size_t len)
{
	size_t got = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;

	while (got + 1 < len) {
		if (poll(&p, 1, READY_TIMEOUT_MS) <= 0)
			return -ETIMEDOUT;
		n = read(fd, line + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (memchr(line, '\n', got))
			break;
	}
	line[got] = '\0';
	line[strcspn(line, "\n")] = '\0';
	return 0;
}

/* The last non-empty line of the DM's log: why it died, when it could
 * not say so on the pipe. */
static void last_log_line(const char *path, char *out, size_t len)
{
	char buf[1024];
	FILE *f = fopen(path, "re");

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f))
		if (buf[0] != '\n') {
			buf[strcspn(buf, "\n")] = '\0';
			snprintf(out, len, "%s", buf);
		}
	fclose(f);
}

int kxl_dm_start(const char *name, uint32_t domid, const char *devices,
		 char *err, size_t errlen)
{
	char path[PATH_MAX], domid_s[16], log[PATH_MAX], line[1024];
	char *argv[] = {path,
			"--domid",
			domid_s,
			"--name",
			(char *)name,
			"--rundir",
			(char *)kxl_rundir(),
			"--logdir",
			(char *)kxl_logdir(),
			"--ready-fd",
			"3",
			devices ? "--devices" : NULL,
			(char *)devices,
			NULL};
	int fds[2], rc;

	dm_path(path, sizeof(path));
	snprintf(domid_s, sizeof(domid_s), "%u", domid);
	snprintf(log, sizeof(log), "%s/dm-%s.log", kxl_logdir(), name);
	if (pipe2(fds, O_CLOEXEC) < 0 ||
	    detach_and_exec(path, argv, fds[1]) < 0) {
		snprintf(err, errlen,
			 "cannot start the device model %s for domain '%s': "
			 "%s",
			 path, name, strerror(errno));
		return -1;
	}
	close(fds[1]);
	rc = read_line(fds[0], line, sizeof(line));
	close(fds[0]);
	if (rc == 0 && strcmp(line, "ready") == 0)
		return 0;
	if (rc == -ETIMEDOUT)
		snprintf(line, sizeof(line), "not ready after %d s",
			 READY_TIMEOUT_MS / 1000);
	else if (!line[0])
		last_log_line(log, line, sizeof(line));
	snprintf(err, errlen,
		 "device model for domain '%s' failed to start: %s (see %s)",
		 name, line[0] ? line : "it exited without a word", log);
	return -1;
}

static pid_t read_pid(uint32_t domid)
{
	char path[PATH_MAX];
	FILE *f;
	int pid = -1;

	snprintf(path, sizeof(path), "%s/dm-%u.pid", kxl_rundir(), domid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &pid) != 1)
		pid = -1;
	fclose(f);
	return pid;
}

/* Whether pid still runs: a zombie has exited, it only waits for init
 * to reap it (which some inits do only now and then). */
static bool running(pid_t pid)
{
	char path[64], buf[256], *paren;
	ssize_t n;
	int fd;

	if (kill(pid, 0) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')'. */
	paren = strrchr(buf, ')');
	return !(paren && paren[1] == ' ' && paren[2] == 'Z');
}

void kxl_dm_reap(uint32_t domid)
{
	pid_t pid = read_pid(domid);
	struct timespec tick = {.tv_nsec = 20 * 1000000};

	if (pid <= 0)
		return;
	/* It would leave by itself at its next liveness check (seconds
	 * away); SIGTERM is its clean exit, and a restart (kxl create's
	 * monitor) needs its name and pid file free now. */
	kill(pid, SIGTERM);
	for (int t = 0; t < REAP_TIMEOUT_MS; t += 20) {
		if (!running(pid))
			return;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
}
