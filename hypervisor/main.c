/*
 * kxend: the kxen hypervisor daemon (parent process). See DESIGN.md.
 *
 *   kxend [-F] [--rundir DIR] [--logdir DIR] [--log-level LEVEL]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kxend.h"
#include "log.h"

struct options {
	int foreground;
	const char *rundir;
	const char *logdir;
	int log_level;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kxend [-F] [--rundir DIR] [--logdir DIR] "
		"[--log-level error|warn|info|debug]\n"
		"  -F, --foreground  stay in the foreground, log to stderr\n"
		"  --rundir DIR      socket and pid file (default /run/kxen)\n"
		"  --logdir DIR      log files (default /var/log/kxen)\n");
}

static int parse_level(const char *s)
{
	static const char *names[] = {"error", "warn", "info", "debug"};
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* Returns 0, 1 for --help, or -1 after printing a usage error. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    {"foreground", no_argument, NULL, 'F'},
	    {"rundir", required_argument, NULL, 'r'},
	    {"logdir", required_argument, NULL, 'l'},
	    {"log-level", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "Fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			o->foreground = 1;
			break;
		case 'r':
			o->rundir = optarg;
			break;
		case 'l':
			o->logdir = optarg;
			break;
		case 'L':
			o->log_level = parse_level(optarg);
			if (o->log_level < 0) {
				fprintf(stderr,
					"kxend: unknown log level '%s' (use "
					"error, warn, info or debug)\n",
					optarg);
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kxend: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

static int make_dir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	return -errno;
}

static int prepare_dirs(const struct options *o)
{
	char domains[4096];
	int rc;

	snprintf(domains, sizeof(domains), "%s/domains", o->rundir);
	if ((rc = make_dir(o->rundir, 0700)) ||
	    (rc = make_dir(domains, 0700))) {
		fprintf(stderr, "kxend: cannot create run directory %s: %s\n",
			o->rundir, strerror(-rc));
		return -1;
	}
	if ((rc = make_dir(o->logdir, 0750))) {
		fprintf(stderr, "kxend: cannot create log directory %s: %s\n",
			o->logdir, strerror(-rc));
		return -1;
	}
	return 0;
}

static int write_pidfile(const char *rundir)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/kxend.pid", rundir);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f) == 0 ? 0 : -errno;
}

/* Detach from the terminal once the socket is bound, so that a startup
 * failure still reaches the user who ran kxend. */
static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/") < 0)
		return -errno;
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return -errno;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

static int start(struct kxend *k, const struct options *o)
{
	int rc = kxlog_open(o->logdir, o->log_level, o->foreground);

	if (rc) {
		fprintf(stderr, "kxend: cannot open %s/kxend.log: %s\n",
			o->logdir, strerror(-rc));
		return -1;
	}
	rc = control_open(k);
	if (rc == -EADDRINUSE) {
		fprintf(stderr,
			"kxend: another kxend is already serving %s/kxend.sock "
			"(stop it, or use --rundir)\n",
			o->rundir);
		return -1;
	}
	if (rc) {
		fprintf(stderr, "kxend: cannot open %s/kxend.sock: %s\n",
			o->rundir, strerror(-rc));
		return -1;
	}
	if (!o->foreground && (rc = daemonize())) {
		fprintf(stderr, "kxend: cannot daemonize: %s\n", strerror(-rc));
		return -1;
	}
	rc = write_pidfile(o->rundir);
	if (rc)
		log_warn(LOG_NO_DOMID, "cannot write the pid file: %s",
			 strerror(-rc));
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = {.rundir = "/run/kxen",
			    .logdir = "/var/log/kxen",
			    .log_level = KXEN_LOG_INFO};
	struct kxend k = {.listen_fd = -1, .signal_fd = -1};
	char pidfile[4096];
	int rc = parse_args(argc, argv, &o);

	if (rc)
		return rc > 0 ? 0 : 2;
	if (prepare_dirs(&o))
		return 1;
	k.rundir = o.rundir;
	k.logdir = o.logdir;
	k.log_level = o.log_level;
	k.in = malloc(KXEN_MSG_MAX);
	k.out = malloc(KXEN_MSG_MAX);
	k.tmp = malloc(KXEN_MSG_MAX);
	if (!k.in || !k.out || !k.tmp) {
		fprintf(stderr, "kxend: out of memory\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (start(&k, &o)) {
		control_close(&k);
		return 1;
	}
	log_info(LOG_NO_DOMID, "kxend %s started (pid %d, ABI %u, run dir %s)",
		 PACKAGE_VERSION, (int)getpid(), KXEN_ABI_VERSION, o.rundir);
	doms_adopt_all(&k);
	control_run(&k);
	log_info(LOG_NO_DOMID, "kxend stopping; %u domain(s) keep running",
		 k.nr_doms);
	control_close(&k);
	for (unsigned i = 0; i < k.nr_doms; i++)
		if (k.doms[i].fd >= 0)
			close(k.doms[i].fd);
	snprintf(pidfile, sizeof(pidfile), "%s/kxend.pid", o.rundir);
	unlink(pidfile);
	kxlog_close();
	free(k.doms);
	free(k.clients);
	free(k.in);
	free(k.out);
	free(k.tmp);
	return 0;
}
