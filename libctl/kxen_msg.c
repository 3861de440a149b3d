/*
 * Message framing and validation for the kxen control ABI
 * (include/kxen/abi.h). Everything here treats its input as hostile: a
 * message is checked against its op's size rule before any payload field
 * is read.
 */
#include "kxen/msg.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * Size rule for one op and direction: the payload is `fixed` bytes
 * followed by zero or more `elem`-byte items, at most `max_elems` of
 * them. elem == 0 means exactly `fixed` bytes.
 */
struct size_rule {
	uint32_t fixed;
	uint32_t elem;
	uint32_t max_elems;
};

struct op_rule {
	const char *name;
	struct size_rule request;
	struct size_rule reply;
	bool child_only;
};

#define FIXED(T)                                                               \
	{                                                                      \
		sizeof(T), 0, 0                                                \
	}
#define NONE                                                                   \
	{                                                                      \
		0, 0, 0                                                        \
	}

static const struct op_rule op_rules[KXEN_OP_MAX] = {
    [KXEN_OP_HANDSHAKE] = {"handshake", FIXED(struct kxen_handshake),
			   FIXED(struct kxen_handshake), false},
    [KXEN_OP_DOMAIN_CREATE] = {"domain_create",
			       FIXED(struct kxen_domain_create),
			       FIXED(struct kxen_domain_create_reply), false},
    [KXEN_OP_DOMAIN_DESTROY] = {"domain_destroy", FIXED(struct kxen_domid_req),
				NONE, false},
    [KXEN_OP_DOMAIN_PAUSE] = {"domain_pause", FIXED(struct kxen_domid_req),
			      NONE, false},
    [KXEN_OP_DOMAIN_UNPAUSE] = {"domain_unpause", FIXED(struct kxen_domid_req),
				NONE, false},
    [KXEN_OP_DOMAIN_GETINFOLIST] = {"domain_getinfolist",
				    FIXED(struct kxen_getinfolist),
				    {sizeof(struct kxen_getinfolist_reply),
				     sizeof(struct kxen_domain_info),
				     (KXEN_MSG_MAX -
				      sizeof(struct kxen_msg_hdr) -
				      sizeof(struct kxen_getinfolist_reply)) /
					 sizeof(struct kxen_domain_info)},
				    false},
    [KXEN_OP_DOMAIN_MAX_VCPUS] = {"domain_max_vcpus",
				  FIXED(struct kxen_max_vcpus), NONE, false},
    [KXEN_OP_DOMAIN_SETMAXMEM] = {"domain_setmaxmem",
				  FIXED(struct kxen_setmaxmem), NONE, false},
    [KXEN_OP_POPULATE_PHYSMAP] = {"populate_physmap",
				  {sizeof(struct kxen_populate_physmap),
				   sizeof(struct kxen_gfn_range),
				   KXEN_POPULATE_MAX_RANGES},
				  NONE,
				  false},
    [KXEN_OP_MAP_FOREIGN] = {"map_foreign", FIXED(struct kxen_map_foreign),
			     FIXED(struct kxen_map_foreign_reply), false},
    [KXEN_OP_VCPU_SETCONTEXT] = {"vcpu_setcontext",
				 FIXED(struct kxen_vcpu_setcontext), NONE,
				 false},
    [KXEN_OP_VCPU_GETCONTEXT] = {"vcpu_getcontext", FIXED(struct kxen_vcpu_req),
				 FIXED(struct kxen_vcpu_context), false},
    [KXEN_OP_READCONSOLERING] = {"readconsolering",
				 FIXED(struct kxen_readconsolering),
				 {sizeof(struct kxen_readconsolering_reply), 1,
				  KXEN_MSG_MAX - sizeof(struct kxen_msg_hdr) -
				      sizeof(
					  struct kxen_readconsolering_reply)},
				 false},
    [KXEN_OP_PHYSINFO] = {"physinfo", NONE, FIXED(struct kxen_physinfo_reply),
			  false},
    [KXEN_OP_HVM_PARAM_SET] = {"hvm_param_set", FIXED(struct kxen_hvm_param),
			       NONE, false},
    [KXEN_OP_HVM_PARAM_GET] = {"hvm_param_get", FIXED(struct kxen_hvm_param),
			       FIXED(struct kxen_hvm_param), false},
    [KXEN_OP_DOMAIN_IO_STATS] = {"domain_io_stats",
				 FIXED(struct kxen_domid_req),
				 {sizeof(struct kxen_io_stats_reply),
				  sizeof(struct kxen_io_stat),
				  KXEN_IO_STATS_MAX},
				 false},
    [KXEN_OP_DOMAIN_EXIT_STATS] = {"domain_exit_stats",
				   FIXED(struct kxen_domid_req),
				   {sizeof(struct kxen_exit_stats_reply),
				    sizeof(struct kxen_dm_range_stat),
				    KXEN_EXIT_STATS_MAX_RANGES},
				   false},
    [KXEN_OP_IOREQ_SERVER_CREATE] = {"ioreq_server_create",
				     FIXED(struct kxen_ioreq_server_create),
				     FIXED(struct kxen_ioreq_server_info),
				     false},
    [KXEN_OP_IOREQ_SERVER_GET_INFO] = {"ioreq_server_get_info",
				       FIXED(struct kxen_ioreq_server_id),
				       FIXED(struct kxen_ioreq_server_info),
				       false},
    [KXEN_OP_IOREQ_SERVER_MAP_RANGE] = {"ioreq_server_map_range",
					FIXED(struct kxen_ioreq_server_range),
					NONE, false},
    [KXEN_OP_IOREQ_SERVER_UNMAP_RANGE] = {"ioreq_server_unmap_range",
					  FIXED(struct kxen_ioreq_server_range),
					  NONE, false},
    [KXEN_OP_IOREQ_SERVER_SET_STATE] = {"ioreq_server_set_state",
					FIXED(struct kxen_ioreq_server_state),
					NONE, false},
    [KXEN_OP_IOREQ_SERVER_DESTROY] = {"ioreq_server_destroy",
				      FIXED(struct kxen_ioreq_server_id), NONE,
				      false},
    [KXEN_OP_MAP_RESOURCE] = {"map_resource", FIXED(struct kxen_map_resource),
			      FIXED(struct kxen_map_resource_reply), false},
    [KXEN_OP_EVTCHN_BIND_INTERDOMAIN] = {"evtchn_bind_interdomain",
					 FIXED(struct kxen_evtchn_bind),
					 FIXED(struct kxen_evtchn_port), false},
    [KXEN_OP_EVTCHN_BIND_UNBOUND] = {"evtchn_bind_unbound",
				     FIXED(struct kxen_evtchn_bind),
				     FIXED(struct kxen_evtchn_port), false},
    [KXEN_OP_EVTCHN_CLOSE] = {"evtchn_close", FIXED(struct kxen_evtchn_port),
			      NONE, false},
    [KXEN_OP_DM_SET_ISA_IRQ_LEVEL] = {"dm_set_isa_irq_level",
				      FIXED(struct kxen_dm_isa_irq), NONE,
				      false},
    [KXEN_OP_DM_SET_PCI_INTX_LEVEL] = {"dm_set_pci_intx_level",
				       FIXED(struct kxen_dm_pci_intx), NONE,
				       false},
    [KXEN_OP_DM_SET_IRQ_LEVEL] = {"dm_set_irq_level",
				  FIXED(struct kxen_dm_irq_level), NONE, false},
    [KXEN_OP_DM_INJECT_MSI] = {"dm_inject_msi", FIXED(struct kxen_dm_msi), NONE,
			       false},
    [KXEN_OP_DM_REMOTE_SHUTDOWN] = {"dm_remote_shutdown",
				    FIXED(struct kxen_dm_shutdown), NONE,
				    false},
    [KXEN_OP_DOMAIN_LOG] = {"domain_log",
			    {sizeof(struct kxen_domain_log), 1,
			     KXEN_DOMAIN_LOG_MAX},
			    NONE,
			    false},
    [KXEN_OP_DOMAIN_SET_CPUID] = {"domain_set_cpuid",
				  {sizeof(struct kxen_cpuid_set),
				   sizeof(struct kxen_cpuid_mask),
				   KXEN_CPUID_MAX_MASKS},
				  NONE,
				  false},
    [KXEN_OP_HOST_CPUID_POLICY] =
	{"host_cpuid_policy",
	 NONE,
	 {sizeof(struct kxen_host_cpuid_reply), sizeof(struct kxen_cpuid_leaf),
	  KXEN_CPUID_POLICY_MAX_LEAVES},
	 false},
    [KXEN_OP_TEST_DEVICES] = {"test_devices",
			      {sizeof(struct kxen_test_devices), 1,
			       KXEN_TESTDEV_CMDLINE_MAX},
			      NONE,
			      false},
    [KXEN_OP_RESTRICT] = {"restrict", FIXED(struct kxen_domid_req), NONE,
			  false},
    [KXEN_OP_DOMAIN_SEND_TRIGGER] = {"domain_send_trigger",
				     FIXED(struct kxen_send_trigger), NONE,
				     false},
    [KXEN_OP_CHILD_ATTACH] = {"child_attach", NONE,
			      FIXED(struct kxen_domain_info), true},
    [KXEN_OP_EVENT_LOG] = {"event_log",
			   {sizeof(struct kxen_event_log), 1,
			    KXEN_MSG_MAX - sizeof(struct kxen_msg_hdr) -
				sizeof(struct kxen_event_log)},
			   NONE,
			   true},
    [KXEN_OP_EVENT_STATE] = {"event_state", FIXED(struct kxen_domain_info),
			     NONE, true},
};

const char *kxen_op_name(uint16_t op)
{
	if (op >= KXEN_OP_MAX || !op_rules[op].name)
		return "?";
	return op_rules[op].name;
}

void kxen_msg_init(struct kxen_msg_hdr *hdr, uint16_t op, uint32_t size,
		   uint32_t seq, uint32_t flags)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = KXEN_ABI_MAGIC;
	hdr->version = KXEN_ABI_VERSION;
	hdr->op = op;
	hdr->size = size;
	hdr->seq = seq;
	hdr->flags = flags;
}

int kxen_msg_send_fds(int sock, const struct kxen_msg_hdr *hdr, const int *fds,
		      unsigned nfds)
{
	struct iovec iov = {.iov_base = (void *)hdr, .iov_len = hdr->size};
	union {
		char buf[CMSG_SPACE(KXEN_MSG_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

	if (hdr->size < sizeof(*hdr) || hdr->size > KXEN_MSG_MAX ||
	    nfds > KXEN_MSG_MAX_FDS)
		return -EMSGSIZE;
	if (nfds) {
		struct cmsghdr *cmsg;

		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cmsg), fds, nfds * sizeof(int));
	}
	for (;;) {
		ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);

		if (n == (ssize_t)hdr->size)
			return 0;
		if (n >= 0)
			return -EIO;
		if (errno != EINTR)
			return -errno;
	}
}

int kxen_msg_send(int sock, const struct kxen_msg_hdr *hdr, int fd)
{
	return kxen_msg_send_fds(sock, hdr, &fd, fd >= 0 ? 1 : 0);
}

/* Keep the first KXEN_MSG_MAX_FDS passed descriptors; close the rest. */
static void take_fds(struct msghdr *msg, int *fds, unsigned max)
{
	struct cmsghdr *cmsg;
	unsigned kept = 0;

	for (cmsg = CMSG_FIRSTHDR(msg); cmsg; cmsg = CMSG_NXTHDR(msg, cmsg)) {
		size_t n, i;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			       sizeof(int));
			if (kept < max)
				fds[kept++] = fd;
			else
				close(fd);
		}
	}
}

static void close_fds(int *fds, unsigned max)
{
	for (unsigned i = 0; i < max; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* fds may be NULL (max 0): every passed descriptor is closed. */
static ssize_t recv_common(int sock, void *buf, size_t buflen, int *fds,
			   unsigned max)
{
	struct iovec iov = {.iov_base = buf, .iov_len = buflen};
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	ssize_t n;

	for (unsigned i = 0; i < max; i++)
		fds[i] = -1;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	take_fds(&msg, fds, max);
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		close_fds(fds, max);
		return -EMSGSIZE;
	}
	return n;
}

void kxen_msg_close_fds(int *fds)
{
	close_fds(fds, KXEN_MSG_MAX_FDS);
}

ssize_t kxen_msg_recv_fds(int sock, void *buf, size_t buflen, int *fds)
{
	return recv_common(sock, buf, buflen, fds, KXEN_MSG_MAX_FDS);
}

ssize_t kxen_msg_recv(int sock, void *buf, size_t buflen, int *fd_out)
{
	int fds[KXEN_MSG_MAX_FDS];
	ssize_t n = recv_common(sock, buf, buflen, fds, KXEN_MSG_MAX_FDS);

	if (fd_out)
		*fd_out = fds[0];
	else if (fds[0] >= 0)
		close(fds[0]);
	for (unsigned i = 1; i < KXEN_MSG_MAX_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return n;
}

static int wait_readable(int sock, int timeout_ms)
{
	struct pollfd pfd = {.fd = sock, .events = POLLIN};
	int rc;

	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	return rc == 0 ? -ETIMEDOUT : 0;
}

ssize_t kxen_msg_recv_timeout(int sock, void *buf, size_t buflen, int *fd_out,
			      int timeout_ms)
{
	int rc = wait_readable(sock, timeout_ms);

	if (rc) {
		if (fd_out)
			*fd_out = -1;
		return rc;
	}
	return kxen_msg_recv(sock, buf, buflen, fd_out);
}

ssize_t kxen_msg_recv_fds_timeout(int sock, void *buf, size_t buflen, int *fds,
				  int timeout_ms)
{
	int rc = wait_readable(sock, timeout_ms);

	if (rc) {
		for (unsigned i = 0; i < KXEN_MSG_MAX_FDS; i++)
			fds[i] = -1;
		return rc;
	}
	return kxen_msg_recv_fds(sock, buf, buflen, fds);
}

static int check_size(const struct size_rule *rule, size_t payload)
{
	if (payload < rule->fixed)
		return -EBADMSG;
	if (rule->elem == 0)
		return payload == rule->fixed ? 0 : -EBADMSG;
	if ((payload - rule->fixed) % rule->elem)
		return -EBADMSG;
	if ((payload - rule->fixed) / rule->elem > rule->max_elems)
		return -EBADMSG;
	return 0;
}

/* Common header checks; on success *hdr_out points into buf. */
static int check_header(const void *buf, size_t len,
			const struct kxen_msg_hdr **hdr_out)
{
	const struct kxen_msg_hdr *hdr = buf;

	if (len < sizeof(*hdr) || len > KXEN_MSG_MAX)
		return -EBADMSG;
	if (hdr->magic != KXEN_ABI_MAGIC)
		return -EBADMSG;
	if (hdr->version != KXEN_ABI_VERSION)
		return -EPROTO;
	if (hdr->size != len)
		return -EBADMSG;
	*hdr_out = hdr;
	return 0;
}

int kxen_msg_check_request(const void *buf, size_t len)
{
	const struct kxen_msg_hdr *hdr;
	int rc = check_header(buf, len, &hdr);

	if (rc)
		return rc;
	if (hdr->flags != 0 || hdr->status != 0)
		return -EBADMSG;
	if (hdr->op >= KXEN_OP_MAX || !op_rules[hdr->op].name ||
	    hdr->op == KXEN_OP_EVENT_LOG || hdr->op == KXEN_OP_EVENT_STATE)
		return -EOPNOTSUPP;
	return check_size(&op_rules[hdr->op].request, len - sizeof(*hdr));
}

int kxen_msg_check_reply(const void *buf, size_t len, uint16_t op, uint32_t seq)
{
	const struct kxen_msg_hdr *hdr;
	int rc = check_header(buf, len, &hdr);

	if (rc)
		return rc;
	if (hdr->flags != KXEN_MSG_REPLY || hdr->op != op || hdr->seq != seq)
		return -EBADMSG;
	if (op >= KXEN_OP_MAX || !op_rules[op].name)
		return -EBADMSG;
	if (hdr->status > 0 || hdr->status < -4095)
		return -EBADMSG;
	if (hdr->status < 0)
		return len == sizeof(*hdr) ? 0 : -EBADMSG;
	return check_size(&op_rules[op].reply, len - sizeof(*hdr));
}

int kxen_msg_check_event(const void *buf, size_t len)
{
	const struct kxen_msg_hdr *hdr;
	int rc = check_header(buf, len, &hdr);

	if (rc)
		return rc;
	if (hdr->flags != KXEN_MSG_EVENT)
		return -EBADMSG;
	if (hdr->op != KXEN_OP_EVENT_LOG && hdr->op != KXEN_OP_EVENT_STATE)
		return -EOPNOTSUPP;
	rc = check_size(&op_rules[hdr->op].request, len - sizeof(*hdr));
	if (rc == 0 && hdr->op == KXEN_OP_EVENT_LOG) {
		const struct kxen_event_log *ev = (const void *)(hdr + 1);

		if (ev->len != len - sizeof(*hdr) - sizeof(*ev))
			return -EBADMSG;
	}
	return rc;
}

bool kxen_name_valid(const char *name, size_t buflen)
{
	size_t i;

	for (i = 0; i < buflen && name[i]; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return i > 0 && i < buflen && i < KXEN_NAME_MAX;
}

bool kxen_op_child_only(uint16_t op)
{
	return op < KXEN_OP_MAX && op_rules[op].child_only;
}
