/*
 * The parent's registry of domain children: spawn one per domain, talk
 * to it over a SOCK_SEQPACKET connection in the same message format as
 * the public socket, notice when it dies, and adopt children that a
 * previous kxend left running (their sockets are in RUNDIR/domains/).
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "kxen/msg.h"
#include "kxend.h"
#include "log.h"

#define DESTROY_WAIT_MS 5000

struct dom_record *doms_find(struct kxend *k, uint32_t domid)
{
	unsigned i;

	for (i = 0; i < k->nr_doms; i++)
		if (k->doms[i].domid == domid)
			return &k->doms[i];
	return NULL;
}

static struct dom_record *find_name(struct kxend *k, const char *name)
{
	unsigned i;

	for (i = 0; i < k->nr_doms; i++)
		if (strcmp(k->doms[i].name, name) == 0)
			return &k->doms[i];
	return NULL;
}

/* Lowest free domid from 1 (0 is the host, as Xen's Domain-0). */
static uint32_t alloc_domid(struct kxend *k)
{
	uint32_t id = 1;
	unsigned i;

	for (i = 0; i < k->nr_doms && k->doms[i].domid == id; i++)
		id++;
	return id <= KXEN_MAX_DOMID ? id : 0;
}

static struct dom_record *insert_record(struct kxend *k, uint32_t domid)
{
	unsigned i;

	if (k->nr_doms == k->cap_doms) {
		unsigned cap = k->cap_doms ? k->cap_doms * 2 : 8;
		struct dom_record *n = realloc(k->doms, cap * sizeof(*n));

		if (!n)
			return NULL;
		k->doms = n;
		k->cap_doms = cap;
	}
	for (i = 0; i < k->nr_doms && k->doms[i].domid < domid; i++)
		;
	memmove(&k->doms[i + 1], &k->doms[i],
		(k->nr_doms - i) * sizeof(k->doms[0]));
	k->nr_doms++;
	memset(&k->doms[i], 0, sizeof(k->doms[i]));
	k->doms[i].domid = domid;
	k->doms[i].fd = -1;
	return &k->doms[i];
}

static void remove_record(struct kxend *k, struct dom_record *r)
{
	unsigned i = r - k->doms;
	char path[108];

	if (r->fd >= 0)
		close(r->fd);
	if (child_socket_path(path, sizeof(path), k->rundir, r->domid) == 0)
		unlink(path);
	memmove(&k->doms[i], &k->doms[i + 1],
		(k->nr_doms - i - 1) * sizeof(k->doms[0]));
	k->nr_doms--;
}

/* Describe how a process ended, from its wait status. */
static void describe_exit(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "its kxend process was killed by signal %d",
			 WTERMSIG(status));
	else
		snprintf(buf, len, "its kxend process exited with status %d",
			 WEXITSTATUS(status));
}

/* Reap our child pid if it ends within ms milliseconds; the wait status
 * goes to *status. Returns true when it is gone. */
static bool reaped_within(pid_t pid, int ms, int *status)
{
	const struct timespec step = {0, 2000000};

	for (int waited = 0; waited <= ms; waited += 2) {
		pid_t rc = waitpid(pid, status, WNOHANG);

		if (rc == pid || (rc < 0 && errno == ECHILD))
			return true;
		nanosleep(&step, NULL);
	}
	return false;
}

void doms_gone(struct kxend *k, struct dom_record *r, const char *why)
{
	char exit_why[96];
	int status = 0;

	(void)k;
	if (r->fd < 0)
		return;
	close(r->fd);
	r->fd = -1;
	/* A child of ours that closed its end has usually just died: say
	 * how, which tells more than "connection closed". */
	if (r->ours && r->pid > 0 && reaped_within(r->pid, 200, &status)) {
		r->pid = 0;
		describe_exit(status, exit_why, sizeof(exit_why));
		why = exit_why;
	}
	snprintf(r->gone_reason, sizeof(r->gone_reason), "%s", why);
	log_error(r->domid, "domain '%s' crashed: %s", r->name, why);
}

/* Take one event a child sent; malformed ones are logged and dropped. */
static void take_event(struct dom_record *r, const void *buf, size_t len)
{
	const struct kxen_msg_hdr *h = buf;
	const struct kxen_event_log *ev = (const void *)(h + 1);
	char line[1100];

	if (kxen_msg_check_event(buf, len)) {
		log_warn(r->domid, "ignored a malformed message from the "
				   "domain's process");
		return;
	}
	if (h->op == KXEN_OP_EVENT_LOG) {
		/* The child prefixed its lines with its domid already. */
		snprintf(line, sizeof(line), "%.*s",
			 (int)(ev->len < 1024 ? ev->len : 1024), ev->text);
		kxlog_line(ev->level, line);
	}
}

void doms_handle_event(struct kxend *k, struct dom_record *r)
{
	ssize_t len = kxen_msg_recv(r->fd, k->tmp, KXEN_MSG_MAX, NULL);

	if (len == 0 || (len < 0 && len != -EMSGSIZE)) {
		doms_gone(k, r, "its kxend process closed its connection");
		return;
	}
	if (len > 0)
		take_event(r, k->tmp, len);
}

ssize_t doms_call(struct kxend *k, struct dom_record *r, const void *req,
		  size_t len, int *fds)
{
	struct kxen_msg_hdr *h = (struct kxen_msg_hdr *)k->tmp;
	uint32_t seq = ++k->seq;
	uint16_t op = ((const struct kxen_msg_hdr *)req)->op;
	int rc;

	for (unsigned i = 0; i < KXEN_MSG_MAX_FDS; i++)
		fds[i] = -1;
	if (r->fd < 0)
		return -ESRCH;
	memcpy(k->tmp, req, len);
	h->seq = seq;
	rc = kxen_msg_send(r->fd, h, -1);
	while (rc == 0) {
		ssize_t n = kxen_msg_recv_fds_timeout(
		    r->fd, k->tmp, KXEN_MSG_MAX, fds, CHILD_CALL_TIMEOUT_MS);

		if (n <= 0 && n != -EMSGSIZE) {
			doms_gone(k, r,
				  n == -ETIMEDOUT
				      ? "its kxend process stopped answering"
				      : "its kxend process died");
			return n == 0 ? -ESRCH : (int)n;
		}
		if (n >= (ssize_t)sizeof(*h) && h->flags == KXEN_MSG_EVENT) {
			/* Interleaved log line: take it, keep waiting. */
			kxen_msg_close_fds(fds);
			take_event(r, k->tmp, n);
			continue;
		}
		if (n < 0 || kxen_msg_check_reply(k->tmp, n, op, seq)) {
			kxen_msg_close_fds(fds);
			log_error(r->domid, "malformed reply from the domain's "
					    "process");
			return -EBADMSG;
		}
		return n;
	}
	doms_gone(k, r, "its kxend process cannot be reached");
	return rc;
}

/* doms_call for requests whose reply carries no descriptor. */
static ssize_t call_nofd(struct kxend *k, struct dom_record *r, const void *req,
			 size_t len)
{
	int fds[KXEN_MSG_MAX_FDS];
	ssize_t n = doms_call(k, r, req, len, fds);

	kxen_msg_close_fds(fds);
	return n;
}

/* Parent side of fork: remember the child and attach to it. */
static int attach(struct kxend *k, struct dom_record *r)
{
	struct kxen_msg_hdr req;
	const struct kxen_msg_hdr *rep = (const void *)k->tmp;
	ssize_t n;

	kxen_msg_init(&req, KXEN_OP_CHILD_ATTACH, sizeof(req), 0, 0);
	n = call_nofd(k, r, &req, sizeof(req));
	if (n < 0)
		return (int)n;
	if (rep->status)
		return rep->status;
	const struct kxen_domain_info *info = (const void *)(rep + 1);
	if (info->domid != r->domid ||
	    !kxen_name_valid(info->name, sizeof(info->name)))
		return -EBADMSG;
	memcpy(r->name, info->name, sizeof(r->name));
	r->pid = info->child_pid;
	return 0;
}

/* Wait for the child behind r to go away after destroy, then forget it. */
static void finish_child(struct kxend *k, struct dom_record *r)
{
	if (r->fd >= 0) {
		struct pollfd p = {.fd = r->fd, .events = POLLIN};
		char b;

		while (poll(&p, 1, DESTROY_WAIT_MS) > 0 &&
		       recv(r->fd, &b, 1, MSG_DONTWAIT) > 0)
			;
	}
	if (r->pid > 0 && r->ours &&
	    !reaped_within(r->pid, DESTROY_WAIT_MS, NULL)) {
		log_warn(r->domid, "domain process %d did not exit; killing it",
			 (int)r->pid);
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	} else if (r->pid > 0 && !r->ours && kill(r->pid, 0) == 0 &&
		   r->fd < 0) {
		kill(r->pid, SIGKILL);
	}
	remove_record(k, r);
}

int doms_create(struct kxend *k, const struct kxen_domain_create *req,
		uint32_t *domid_out)
{
	struct child_args a;
	struct dom_record *r;
	int sv[2], rc;
	uint32_t domid;
	pid_t pid;

	if (!kxen_name_valid(req->name, sizeof(req->name)))
		return -EINVAL;
	if (req->max_vcpus == 0 || req->max_vcpus > KXEN_MAX_VCPUS ||
	    (req->flags & ~KXEN_CREATE_HVM) ||
	    req->max_mem_kb > (KXEN_MAX_GUEST_PHYS >> 10))
		return -EINVAL;
	if (find_name(k, req->name))
		return -EEXIST;
	domid = alloc_domid(k);
	if (domid == 0)
		return -ENOSPC;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	r = insert_record(k, domid);
	if (!r) {
		close(sv[0]);
		close(sv[1]);
		return -ENOMEM;
	}
	a = (struct child_args){.domid = domid,
				.name = req->name,
				.max_vcpus = req->max_vcpus,
				.max_pages = req->max_mem_kb >> 2,
				.rundir = k->rundir,
				.logdir = k->logdir,
				.log_level = k->log_level,
				.parent_sock = sv[1]};
	pid = fork();
	if (pid == 0)
		_exit(child_main(&a)); /* the child's whole life */
	close(sv[1]);
	r->fd = sv[0];
	r->ours = true;
	r->pid = pid;
	snprintf(r->name, sizeof(r->name), "%s", req->name);
	if (pid < 0) {
		rc = -errno;
		remove_record(k, r);
		return rc;
	}
	rc = attach(k, r);
	if (rc) {
		log_error(domid, "domain '%s' could not start: %s", req->name,
			  strerror(-rc));
		finish_child(k, r);
		return rc;
	}
	*domid_out = domid;
	return 0;
}

int doms_destroy(struct kxend *k, struct dom_record *r)
{
	struct kxen_msg_hdr *h;
	struct {
		struct kxen_msg_hdr hdr;
		struct kxen_domid_req body;
	} req;
	ssize_t n = -ESRCH;

	if (r->fd >= 0) {
		kxen_msg_init(&req.hdr, KXEN_OP_DOMAIN_DESTROY, sizeof(req), 0,
			      0);
		req.body = (struct kxen_domid_req){.domid = r->domid};
		n = call_nofd(k, r, &req, sizeof(req));
	}
	h = (struct kxen_msg_hdr *)k->tmp;
	if (n > 0 && h->status)
		return h->status;
	log_info(r->domid, "domain '%s' destroyed", r->name);
	finish_child(k, r);
	return 0;
}

void doms_reap(struct kxend *k)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		unsigned i;
		char why[96];

		describe_exit(status, why, sizeof(why));
		for (i = 0; i < k->nr_doms; i++) {
			struct dom_record *r = &k->doms[i];

			if (r->pid != pid || !r->ours)
				continue;
			/* On a loaded host the socket can close long before
			 * the process is reaped: the wait status still says
			 * more than "connection closed", so it wins. */
			if (r->fd < 0) {
				snprintf(r->gone_reason, sizeof(r->gone_reason),
					 "%s", why);
				log_error(r->domid, "domain '%s': %s", r->name,
					  why);
			} else {
				doms_gone(k, r, why);
			}
			r->pid = 0;
		}
	}
}

static int connect_child(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

static int handshake_child(struct kxend *k, struct dom_record *r)
{
	struct {
		struct kxen_msg_hdr hdr;
		struct kxen_handshake hs;
	} req;
	ssize_t n;

	kxen_msg_init(&req.hdr, KXEN_OP_HANDSHAKE, sizeof(req), 0, 0);
	req.hs = (struct kxen_handshake){.abi_version = KXEN_ABI_VERSION};
	n = call_nofd(k, r, &req, sizeof(req));
	if (n < 0)
		return (int)n;
	return ((struct kxen_msg_hdr *)k->tmp)->status;
}

static void adopt_one(struct kxend *k, const char *dir, const char *file)
{
	char path[512], *end;
	unsigned long domid = strtoul(file, &end, 10);
	struct dom_record *r;
	int fd;

	if (end == file || strcmp(end, ".sock") != 0 || domid == 0 ||
	    domid > KXEN_MAX_DOMID || doms_find(k, domid))
		return;
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return;
	fd = connect_child(path);
	if (fd < 0) {
		log_info(LOG_NO_DOMID, "removing stale domain socket %s", path);
		unlink(path);
		return;
	}
	r = insert_record(k, domid);
	if (!r) {
		close(fd);
		return;
	}
	r->fd = fd;
	if (handshake_child(k, r) || attach(k, r)) {
		log_error(domid, "could not adopt the domain behind %s", path);
		remove_record(k, r);
		return;
	}
	log_info(domid, "adopted running domain '%s' (pid %d)", r->name,
		 (int)r->pid);
}

void doms_adopt_all(struct kxend *k)
{
	char dir[512];
	struct dirent *e;
	DIR *dp;

	if (snprintf(dir, sizeof(dir), "%s/domains", k->rundir) >=
	    (int)sizeof(dir))
		return;
	dp = opendir(dir);
	if (!dp)
		return;
	while ((e = readdir(dp)))
		adopt_one(k, dir, e->d_name);
	closedir(dp);
}
