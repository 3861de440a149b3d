/*
 * Test harness: see harness.h. Child processes are started with
 * fork/exec and watched with bounded polls; nothing here waits without a
 * deadline.
 */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUN_TIMEOUT_MS 30000
#define KXEND_TIMEOUT_MS 10000
#define MAX_ARGS 64

static unsigned skipped_count;
static CU_pTest last_skipped;

void harness_skip(const char *why)
{
	CU_pTest test = CU_get_current_test();

	/* A test may hit several skip points; count and report it once. */
	if (test && test == last_skipped)
		return;
	last_skipped = test;
	skipped_count++;
	printf("SKIPPED: %s ", why);
	fflush(stdout);
}

unsigned harness_skipped_count(void)
{
	return skipped_count;
}

bool harness_have_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	/* Something at /dev/kvm that is not KVM (a stand-in file in a
	 * container) cannot run guests either. */
	ok = ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
	close(fd);
	return ok;
}

const char *harness_builddir(void)
{
	const char *d = getenv("KXEN_BUILDDIR");

	return d && *d ? d : ".";
}

const char *harness_srcdir(void)
{
	const char *d = getenv("KXEN_SRCDIR");

	return d && *d ? d : ".";
}

static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Wait for pid until deadline (monotonic ms); -2 on timeout. */
static int wait_until(pid_t pid, long long deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline)
			return -2;
		sleep_ms(10);
	}
}

static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* In the child: stdin from /dev/null, stdout+stderr to fd, then exec. */
static void exec_child(int out_fd, char *const argv[])
{
	int null_fd = open("/dev/null", O_RDONLY);

	/* Die with the test binary, so a crashed run leaves no daemons. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (null_fd >= 0)
		dup2(null_fd, STDIN_FILENO);
	dup2(out_fd, STDOUT_FILENO);
	dup2(out_fd, STDERR_FILENO);
	execv(argv[0], argv);
	dprintf(STDERR_FILENO, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Append what is readable now on fd to buf; false at EOF or error. */
static bool drain(int fd, char **buf, size_t *len, size_t *cap)
{
	for (;;) {
		ssize_t n;

		if (*cap - *len < 4096) {
			char *nb = realloc(*buf, *cap * 2);

			if (!nb)
				return false;
			*buf = nb;
			*cap *= 2;
		}
		n = read(fd, *buf + *len, *cap - *len - 1);
		if (n > 0) {
			*len += (size_t)n;
			(*buf)[*len] = '\0';
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 && errno == EAGAIN;
	}
}

static int run_argv(char **output, char *const argv[])
{
	int pipefd[2], status = 0, rc;
	size_t len = 0, cap = 8192;
	char *buf = calloc(1, cap);
	long long deadline = now_ms() + RUN_TIMEOUT_MS;
	bool open_end = true, exited = false;
	pid_t pid;

	if (output)
		*output = NULL;
	if (!buf || pipe2(pipefd, O_CLOEXEC) < 0) {
		free(buf);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		free(buf);
		return -1;
	}
	if (pid == 0)
		exec_child(pipefd[1], argv);
	close(pipefd[1]);
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	/*
	 * Read until the child exited and the pipe is empty. EOF alone is
	 * not awaited: a daemon the child started may hold the pipe open.
	 */
	while (!exited) {
		struct pollfd pfd = {.fd = pipefd[0], .events = POLLIN};
		pid_t r;

		if (open_end && poll(&pfd, 1, 20) > 0)
			open_end = drain(pipefd[0], &buf, &len, &cap);
		else if (!open_end)
			sleep_ms(10);
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			exited = true;
		else if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "harness: %s timed out, killed\n",
				argv[0]);
			status = -1;
			break;
		}
	}
	if (open_end)
		drain(pipefd[0], &buf, &len, &cap);
	close(pipefd[0]);
	rc = status == -1 ? -1 : exit_code(status);
	if (output)
		*output = buf;
	else
		free(buf);
	return rc;
}

static int run_va(char **output, const char *argv0, va_list ap)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0;
	const char *a;

	argv[argc++] = (char *)argv0;
	while ((a = va_arg(ap, const char *)) != NULL) {
		if (argc == MAX_ARGS) {
			if (output)
				*output = NULL;
			return -1;
		}
		argv[argc++] = (char *)a;
	}
	argv[argc] = NULL;
	return run_argv(output, argv);
}

int harness_run(char **output, const char *argv0, ...)
{
	va_list ap;
	int rc;

	va_start(ap, argv0);
	rc = run_va(output, argv0, ap);
	va_end(ap);
	return rc;
}

int harness_kxl(char **output, ...)
{
	char *kxl = xasprintf("%s/tools/kxl", harness_builddir());
	va_list ap;
	int rc;

	if (!kxl) {
		if (output)
			*output = NULL;
		return -1;
	}
	va_start(ap, output);
	rc = run_va(output, kxl, ap);
	va_end(ap);
	free(kxl);
	return rc;
}

bool harness_default_guest(char *kernel, char *initrd, size_t len)
{
	struct stat st;

	snprintf(kernel, len, "%s/guest/vmlinux", harness_builddir());
	snprintf(initrd, len, "%s/guest/initramfs.cpio", harness_builddir());
	if (stat(kernel, &st) == 0 && stat(initrd, &st) == 0)
		return true;
	fprintf(stderr, "the default guest is not built: run "
			"scripts/build-default-guest.sh in the build tree\n");
	return false;
}

char *harness_guest(const char *name)
{
	return xasprintf("%s/tests/guests/%s", harness_builddir(), name);
}

/* Print the daemon's own output, so a failing test shows why. */
static void dump_kxend_log(const struct harness_kxend *k)
{
	char *path = xasprintf("%s/kxend.stderr", k->dir);
	FILE *f = path ? fopen(path, "r") : NULL;
	char line[512];

	if (f) {
		fprintf(stderr, "--- %s ---\n", path);
		while (fgets(line, sizeof(line), f))
			fputs(line, stderr);
		fprintf(stderr, "--- end ---\n");
		fclose(f);
	}
	free(path);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void free_kxend(struct harness_kxend *k)
{
	if (k->dir)
		nftw(k->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(k->dir);
	free(k->rundir);
	free(k->logdir);
	free(k);
}

struct harness_kxend *harness_kxend_start(void)
{
	struct harness_kxend *k = calloc(1, sizeof(*k));
	char tmpl[] = "/tmp/kxen-test.XXXXXX";
	char *kxend = NULL, *sock = NULL, *errpath = NULL;
	long long deadline;
	int status, out_fd;

	if (!k || !mkdtemp(tmpl)) {
		free(k);
		fprintf(stderr, "harness: mkdtemp: %s\n", strerror(errno));
		return NULL;
	}
	k->pid = -1;
	k->dir = strdup(tmpl);
	k->rundir = xasprintf("%s/run", tmpl);
	k->logdir = xasprintf("%s/log", tmpl);
	kxend = xasprintf("%s/hypervisor/kxend", harness_builddir());
	sock = xasprintf("%s/run/kxend.sock", tmpl);
	errpath = xasprintf("%s/kxend.stderr", tmpl);
	if (!k->dir || !k->rundir || !k->logdir || !kxend || !sock || !errpath)
		goto fail;
	if (access(kxend, X_OK) < 0) {
		fprintf(stderr, "harness: %s not built\n", kxend);
		goto fail;
	}
	out_fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out_fd < 0)
		goto fail;
	k->pid = fork();
	if (k->pid == 0) {
		char *argv[] = {kxend,	    "-F",      "--rundir", k->rundir,
				"--logdir", k->logdir, NULL};

		exec_child(out_fd, argv);
	}
	close(out_fd);
	if (k->pid < 0)
		goto fail;
	deadline = now_ms() + KXEND_TIMEOUT_MS;
	for (;;) {
		struct stat st;

		if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
			break;
		if (waitpid(k->pid, &status, WNOHANG) == k->pid) {
			fprintf(stderr, "harness: kxend exited early (%d)\n",
				exit_code(status));
			k->pid = -1;
			goto fail;
		}
		if (now_ms() >= deadline) {
			fprintf(stderr, "harness: no %s after %d ms\n", sock,
				KXEND_TIMEOUT_MS);
			goto fail;
		}
		sleep_ms(20);
	}
	setenv("KXEN_RUNDIR", k->rundir, 1);
	/* kxl puts the device model's log beside kxend's. */
	setenv("KXEN_LOGDIR", k->logdir, 1);
	free(kxend);
	free(sock);
	free(errpath);
	return k;
fail:
	if (k->pid > 0) {
		kill(k->pid, SIGKILL);
		waitpid(k->pid, &status, 0);
	}
	if (k->dir)
		dump_kxend_log(k);
	free(kxend);
	free(sock);
	free(errpath);
	free_kxend(k);
	return NULL;
}

/*
 * Collect up to max direct children of pid from /proc: kxend's domain
 * processes, which by design outlive the daemon (a new kxend adopts
 * them), but must not outlive a test.
 */
static int children_of(pid_t pid, pid_t *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while (n < max && (de = readdir(d)) != NULL) {
		char path[64], line[128];
		FILE *f;
		int ppid = -1;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/status",
			 atoi(de->d_name));
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "PPid: %d", &ppid) == 1)
				break;
		fclose(f);
		if (ppid == pid)
			out[n++] = (pid_t)atoi(de->d_name);
	}
	closedir(d);
	return n;
}

int harness_kxend_stop(struct harness_kxend *k)
{
	pid_t children[256];
	int status = 0, rc, nchildren, i;

	if (!k)
		return -1;
	nchildren = children_of(k->pid, children, 256);
	if (kill(k->pid, SIGTERM) < 0) {
		rc = -1;
	} else if (wait_until(k->pid, now_ms() + KXEND_TIMEOUT_MS, &status) ==
		   0) {
		rc = exit_code(status);
	} else {
		fprintf(stderr, "harness: kxend ignored SIGTERM, killing\n");
		kill(k->pid, SIGKILL);
		waitpid(k->pid, &status, 0);
		rc = -1;
	}
	for (i = 0; i < nchildren; i++)
		kill(children[i], SIGKILL);
	if (rc != 0)
		dump_kxend_log(k);
	free_kxend(k);
	return rc;
}

char *harness_write_config(struct harness_kxend *k, const char *name,
			   const char *json)
{
	char *path = xasprintf("%s/%s.json", k->dir, name);
	FILE *f;

	if (!path)
		return NULL;
	f = fopen(path, "w");
	if (!f || fputs(json, f) < 0 || fclose(f) != 0) {
		if (f)
			fclose(f);
		free(path);
		return NULL;
	}
	return path;
}

int harness_wait_dmesg(const char *needle, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		char *out = NULL;
		bool found;

		harness_kxl(&out, "dmesg", NULL);
		found = out && strstr(out, needle);
		free(out);
		if (found)
			return 0;
		if (now_ms() >= deadline)
			return -1;
		sleep_ms(50);
	}
}

int harness_count_fds(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

long harness_rss_kb(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	long kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}
