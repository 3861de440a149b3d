/*
 * The domain monitor (monitor.h): watch a domain, act on how it ended.
 */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dm_spawn.h"
#include "kxl.h"

/* What the guest did, as the on_* keys name it. */
enum event { EV_NONE, EV_POWEROFF, EV_REBOOT, EV_CRASH };

struct watch {
	const struct kxl_monitor *m;
	xc_interface *xch;
	FILE *log;
	uint32_t domid;
	uint32_t pid;	/* the domain's process: a reused domid is not ours */
	double started; /* when the watched domain was built */
	unsigned quick; /* restarts in a row that ran < QUICK_RUN_S */
};

/* A guest that ends this soon after every start, QUICK_RESTARTS times
 * in a row, is in a loop (a kernel that resets at once): stop it rather
 * than rebuild it several times a second. */
#define QUICK_RUN_S 5.0
#define QUICK_RESTARTS 3

static FILE *open_log(const char *name)
{
	char path[4096];
	int fd;

	if (mkdir(kxl_logdir(), 0755) < 0 && errno != EEXIST)
		return NULL;
	snprintf(path, sizeof(path), "%s/monitor-%s.log", kxl_logdir(), name);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	return fd < 0 ? NULL : fdopen(fd, "a");
}

/*
 * One line in the monitor log (timestamped), on stdout when echoing,
 * and in the domain's own log when it still exists (to_domain).
 */
__attribute__((format(printf, 3, 4))) static void
note(struct watch *w, bool to_domain, const char *fmt, ...)
{
	char line[KXEN_DOMAIN_LOG_MAX], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (w->log) {
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S",
			 gmtime_r(&now, &tm));
		fprintf(w->log, "%s monitor: %s\n", stamp, line);
		fflush(w->log);
	}
	if (w->m->echo) {
		printf("%s\n", line);
		fflush(stdout);
	}
	if (to_domain && w->xch && kxc_domain_log(w->xch, w->domid, line) < 0) {
		/* The domain may be gone already: the other logs have it. */
	}
}

/*
 * 1 with the info, 0 when the domain no longer exists, -1 on error. A
 * domid can be handed out again once destroyed; the domain process that
 * carries it then differs.
 */
static int get_info(struct watch *w, struct kxen_domain_info *info)
{
	int rc = kxl_domain_info(w->xch, w->domid, info);

	if (rc <= 0)
		return rc;
	if (!w->pid)
		w->pid = info->child_pid;
	return info->child_pid == w->pid;
}

static enum event classify(const struct kxen_domain_info *info)
{
	if (info->state == KXEN_STATE_CRASHED)
		return EV_CRASH;
	if (info->state != KXEN_STATE_SHUTDOWN)
		return EV_NONE;
	switch (info->shutdown_reason) {
	case KXEN_SHUTDOWN_REBOOT:
		return EV_REBOOT;
	case KXEN_SHUTDOWN_CRASH:
	case KXEN_SHUTDOWN_WATCHDOG:
		return EV_CRASH;
	default: /* poweroff; suspend has no saver here: treat as off */
		return EV_POWEROFF;
	}
}

static const char *event_name(enum event e)
{
	return e == EV_REBOOT  ? "rebooted"
	       : e == EV_CRASH ? "crashed"
			       : "powered off";
}

static enum kxl_action action_for(const struct kxl_config *cfg, enum event e)
{
	return e == EV_REBOOT  ? cfg->on_reboot
	       : e == EV_CRASH ? cfg->on_crash
			       : cfg->on_poweroff;
}

static const char *key_for(enum event e)
{
	return e == EV_REBOOT  ? "on_reboot"
	       : e == EV_CRASH ? "on_crash"
			       : "on_poweroff";
}

/* Destroy and wait for the device model to leave; gone is fine. */
static int destroy(struct watch *w)
{
	if (xc_domain_destroy(w->xch, w->domid) < 0 && errno != ESRCH) {
		note(w, false, "cannot destroy domain %u: %s", w->domid,
		     kxc_last_error(w->xch));
		return -1;
	}
	kxl_dm_reap(w->domid);
	return 0;
}

static void record_end(struct kxl_monitor_result *res, enum event e,
		       const struct kxen_domain_info *info)
{
	res->end = e == EV_REBOOT  ? KXL_END_REBOOT
		   : e == EV_CRASH ? KXL_END_CRASH
				   : KXL_END_POWEROFF;
	res->has_exit_status = (info->flags & KXEN_INFO_EXIT_STATUS) != 0;
	res->exit_status = info->exit_status;
	snprintf(res->reason, sizeof(res->reason), "%s",
		 info->crash_reason[0] ? info->crash_reason : "");
}

/* The guest ended: act per its on_* key. Returns true to keep watching
 * (a restart), false when the watch is over (res filled in). */
static bool act(struct watch *w, const struct kxen_domain_info *info,
		enum event e, struct kxl_monitor_result *res)
{
	enum kxl_action a = action_for(w->m->cfg, e);
	char err[1024];
	uint32_t old = w->domid;

	record_end(res, e, info);
	note(w, true, "domain '%s' (id %u) %s%s%s: %s is %s", info->name, old,
	     event_name(e), info->crash_reason[0] ? ": " : "",
	     info->crash_reason, key_for(e), kxl_action_name(a));
	if (a == KXL_ACTION_PRESERVE) {
		res->preserved = true;
		note(w, false,
		     "domain %u kept for inspection; end it with "
		     "'kxl destroy %u'",
		     old, old);
		return false;
	}
	if (destroy(w) < 0) {
		res->end = KXL_END_FAILED;
		snprintf(res->reason, sizeof(res->reason),
			 "cannot destroy domain %u", old);
		return false;
	}
	if (a != KXL_ACTION_RESTART)
		return false;
	w->quick = kxl_now_s() - w->started < QUICK_RUN_S ? w->quick + 1 : 0;
	if (w->quick >= QUICK_RESTARTS) {
		res->end = KXL_END_FAILED;
		snprintf(res->reason, sizeof(res->reason),
			 "restart loop: it ended within %.0f s of starting %u "
			 "times in a row, so it was not restarted again",
			 QUICK_RUN_S, w->quick);
		note(w, false, "domain '%s': %s", info->name, res->reason);
		return false;
	}
	if (w->m->rebuild(w->m->ctx, w->xch, &w->domid, err, sizeof(err)) < 0) {
		note(w, false, "restart of '%s' failed: %s", info->name, err);
		res->end = KXL_END_FAILED;
		snprintf(res->reason, sizeof(res->reason), "restart failed: %s",
			 err);
		return false;
	}
	res->domid = w->domid;
	w->pid = 0;
	w->started = kxl_now_s();
	note(w, true, "domain '%s' restarted as id %u (was %u)", info->name,
	     w->domid, old);
	return true;
}

static void watch_loop(struct watch *w, struct kxl_monitor_result *res)
{
	const struct timespec tick = {.tv_nsec =
					  KXL_MONITOR_POLL_MS * 1000000L};
	struct kxen_domain_info info;
	enum event e;
	int rc;

	for (;;) {
		res->domid = w->domid;
		rc = get_info(w, &info);
		if (rc < 0) {
			res->end = KXL_END_FAILED;
			snprintf(res->reason, sizeof(res->reason),
				 "lost kxend: %s", kxc_last_error(w->xch));
			note(w, false, "domain %u: %s; the monitor stops",
			     w->domid, res->reason);
			return;
		}
		if (rc == 0) {
			res->end = KXL_END_GONE;
			note(w, false, "domain %u is gone (destroyed)",
			     w->domid);
			return;
		}
		e = classify(&info);
		if (e != EV_NONE && !act(w, &info, e, res))
			return;
		if (e == EV_NONE)
			nanosleep(&tick, NULL);
	}
}

void kxl_monitor_run(const struct kxl_monitor *m, uint32_t domid,
		     struct kxl_monitor_result *res)
{
	struct watch w = {.m = m, .domid = domid, .started = kxl_now_s()};

	memset(res, 0, sizeof(*res));
	res->domid = domid;
	w.log = open_log(m->cfg->name);
	w.xch = xc_interface_open(NULL, NULL, 0);
	if (!w.xch) {
		res->end = KXL_END_FAILED;
		snprintf(res->reason, sizeof(res->reason), "%s",
			 kxc_last_error(NULL));
		note(&w, false, "domain %u: cannot reach kxend: %s", domid,
		     res->reason);
	} else {
		note(&w, false, "watching domain '%s' (id %u)", m->cfg->name,
		     domid);
		watch_loop(&w, res);
		xc_interface_close(w.xch);
	}
	if (w.log)
		fclose(w.log);
}

/* In the detached grandchild: nothing of kxl's caller stays open. */
static void detach_stdio(void)
{
	int null = open("/dev/null", O_RDWR);
	long max = sysconf(_SC_OPEN_MAX);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	for (long fd = 3; fd < (max > 0 && max < 65536 ? max : 1024); fd++)
		close((int)fd);
}

int kxl_monitor_spawn(const struct kxl_monitor *m, uint32_t domid, char *err,
		      size_t errlen)
{
	struct kxl_monitor quiet = *m;
	struct kxl_monitor_result res;
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen,
			 "cannot start the monitor of domain '%s': %s",
			 m->cfg->name, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* Fork twice: the monitor is nobody's child but init's. */
		setsid();
		signal(SIGHUP, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		if (fork() == 0) {
			detach_stdio();
			quiet.echo = false;
			kxl_monitor_run(&quiet, domid, &res);
			_exit(0);
		}
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}
