/*
 * Suite "abi": the control-message framing in include/kxen/msg.h, first
 * in isolation (every size rule, every refusal), then against a live
 * private kxend that must answer malformed datagrams with an error or a
 * closed connection and keep serving everyone else.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "kxen/msg.h"

#define HDR sizeof(struct kxen_msg_hdr)

/* Big enough for any message, aligned for the header. */
static union {
	struct kxen_msg_hdr hdr;
	uint8_t bytes[KXEN_MSG_MAX + 64];
} msg;

/* Build a request of op with payload bytes of zeroed payload. */
static size_t make_request(uint16_t op, size_t payload)
{
	memset(&msg, 0, sizeof(msg));
	kxen_msg_init(&msg.hdr, op, (uint32_t)(HDR + payload), 7, 0);
	return HDR + payload;
}

/* Smallest valid request payload of each public and child op. */
static const struct {
	uint16_t op;
	size_t payload;
} valid_requests[] = {
    {KXEN_OP_HANDSHAKE, sizeof(struct kxen_handshake)},
    {KXEN_OP_DOMAIN_CREATE, sizeof(struct kxen_domain_create)},
    {KXEN_OP_DOMAIN_DESTROY, sizeof(struct kxen_domid_req)},
    {KXEN_OP_DOMAIN_PAUSE, sizeof(struct kxen_domid_req)},
    {KXEN_OP_DOMAIN_UNPAUSE, sizeof(struct kxen_domid_req)},
    {KXEN_OP_DOMAIN_GETINFOLIST, sizeof(struct kxen_getinfolist)},
    {KXEN_OP_DOMAIN_MAX_VCPUS, sizeof(struct kxen_max_vcpus)},
    {KXEN_OP_DOMAIN_SETMAXMEM, sizeof(struct kxen_setmaxmem)},
    {KXEN_OP_POPULATE_PHYSMAP,
     sizeof(struct kxen_populate_physmap) + sizeof(struct kxen_gfn_range)},
    {KXEN_OP_MAP_FOREIGN, sizeof(struct kxen_map_foreign)},
    {KXEN_OP_VCPU_SETCONTEXT, sizeof(struct kxen_vcpu_setcontext)},
    {KXEN_OP_VCPU_GETCONTEXT, sizeof(struct kxen_vcpu_req)},
    {KXEN_OP_READCONSOLERING, sizeof(struct kxen_readconsolering)},
    {KXEN_OP_PHYSINFO, 0},
    {KXEN_OP_DOMAIN_EXIT_STATS, sizeof(struct kxen_domid_req)},
    {KXEN_OP_DOMAIN_SET_CPUID,
     sizeof(struct kxen_cpuid_set) + sizeof(struct kxen_cpuid_mask)},
    {KXEN_OP_HOST_CPUID_POLICY, 0},
    {KXEN_OP_DOMAIN_SEND_TRIGGER, sizeof(struct kxen_send_trigger)},
    {KXEN_OP_CHILD_ATTACH, 0},
};

static void test_valid_requests(void)
{
	size_t i;

	for (i = 0; i < sizeof(valid_requests) / sizeof(valid_requests[0]);
	     i++) {
		size_t len = make_request(valid_requests[i].op,
					  valid_requests[i].payload);

		CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), 0);
		/* One byte short or long is always wrong. */
		if (valid_requests[i].payload) {
			len = make_request(valid_requests[i].op,
					   valid_requests[i].payload - 1);
			CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len),
					-EBADMSG);
		}
		len = make_request(valid_requests[i].op,
				   valid_requests[i].payload + 1);
		CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EBADMSG);
	}
}

static void test_bad_header(void)
{
	size_t len =
	    make_request(KXEN_OP_HANDSHAKE, sizeof(struct kxen_handshake));

	msg.hdr.magic ^= 1;
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EBADMSG);
	msg.hdr.magic = KXEN_ABI_MAGIC;
	msg.hdr.version = KXEN_ABI_VERSION + 1;
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EPROTO);
	msg.hdr.version = KXEN_ABI_VERSION;
	msg.hdr.size = (uint32_t)len + 8;
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EBADMSG);
	msg.hdr.size = (uint32_t)len - 1;
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EBADMSG);
	msg.hdr.size = (uint32_t)len;
	msg.hdr.flags = KXEN_MSG_REPLY;
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EBADMSG);
	msg.hdr.flags = 0;
	msg.hdr.status = -1;
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EBADMSG);
	msg.hdr.status = 0;
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), 0);

	/* Shorter than a header, or longer than any message may be. */
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, 0), -EBADMSG);
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, HDR - 1), -EBADMSG);
	len = make_request(KXEN_OP_POPULATE_PHYSMAP, KXEN_MSG_MAX + 8 - HDR);
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EBADMSG);
}

static void test_bad_payload(void)
{
	size_t fixed = sizeof(struct kxen_populate_physmap);
	size_t elem = sizeof(struct kxen_gfn_range);
	size_t len;

	len = make_request(KXEN_OP_POPULATE_PHYSMAP,
			   fixed + KXEN_POPULATE_MAX_RANGES * elem);
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), 0);
	len = make_request(KXEN_OP_POPULATE_PHYSMAP,
			   fixed + (KXEN_POPULATE_MAX_RANGES + 1) * elem);
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EBADMSG);
	len = make_request(KXEN_OP_POPULATE_PHYSMAP, fixed + elem + 3);
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EBADMSG);
	len = make_request(KXEN_OP_POPULATE_PHYSMAP, fixed - 1);
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EBADMSG);
	len = make_request(KXEN_OP_DOMAIN_CREATE,
			   sizeof(struct kxen_domain_create) / 2);
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EBADMSG);
}

static void test_unknown_ops(void)
{
	static const uint16_t unknown[] = {
	    0, 42 /* none yet */, 63, KXEN_OP_MAX, 999, 0xffff};
	size_t i, len;

	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		len = make_request(unknown[i], 0);
		CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EOPNOTSUPP);
	}
	/* Events flow child -> parent only; as requests they do not exist. */
	len = make_request(KXEN_OP_EVENT_LOG, sizeof(struct kxen_event_log));
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EOPNOTSUPP);
	len =
	    make_request(KXEN_OP_EVENT_STATE, sizeof(struct kxen_domain_info));
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, len), -EOPNOTSUPP);

	CU_ASSERT_TRUE(kxen_op_child_only(KXEN_OP_CHILD_ATTACH));
	CU_ASSERT_TRUE(kxen_op_child_only(KXEN_OP_EVENT_LOG));
	CU_ASSERT_FALSE(kxen_op_child_only(KXEN_OP_DOMAIN_CREATE));
	CU_ASSERT_FALSE(kxen_op_child_only(999));
	CU_ASSERT_STRING_EQUAL(kxen_op_name(KXEN_OP_PHYSINFO), "physinfo");
	CU_ASSERT_STRING_EQUAL(kxen_op_name(999), "?");
	CU_ASSERT_STRING_EQUAL(kxen_op_name(0), "?");
}

static size_t make_reply(uint16_t op, uint32_t seq, int32_t status,
			 size_t payload)
{
	memset(&msg, 0, sizeof(msg));
	kxen_msg_init(&msg.hdr, op, (uint32_t)(HDR + payload), seq,
		      KXEN_MSG_REPLY);
	msg.hdr.status = status;
	return HDR + payload;
}

static void test_replies(void)
{
	size_t hs = sizeof(struct kxen_handshake);
	size_t info = sizeof(struct kxen_domain_info);
	size_t gil = sizeof(struct kxen_getinfolist_reply);
	size_t len;

	len = make_reply(KXEN_OP_HANDSHAKE, 42, 0, hs);
	CU_ASSERT_EQUAL(kxen_msg_check_reply(&msg, len, KXEN_OP_HANDSHAKE, 42),
			0);
	CU_ASSERT_EQUAL(kxen_msg_check_reply(&msg, len, KXEN_OP_HANDSHAKE, 43),
			-EBADMSG);
	CU_ASSERT_EQUAL(kxen_msg_check_reply(&msg, len, KXEN_OP_PHYSINFO, 42),
			-EBADMSG);
	msg.hdr.flags = 0;
	CU_ASSERT_EQUAL(kxen_msg_check_reply(&msg, len, KXEN_OP_HANDSHAKE, 42),
			-EBADMSG);
	msg.hdr.flags = KXEN_MSG_EVENT;
	CU_ASSERT_EQUAL(kxen_msg_check_reply(&msg, len, KXEN_OP_HANDSHAKE, 42),
			-EBADMSG);
	msg.hdr.flags = KXEN_MSG_REPLY;
	msg.hdr.version = KXEN_ABI_VERSION + 1;
	CU_ASSERT_EQUAL(kxen_msg_check_reply(&msg, len, KXEN_OP_HANDSHAKE, 42),
			-EPROTO);

	/* An error reply is a bare header. */
	len = make_reply(KXEN_OP_HANDSHAKE, 1, -EPERM, 0);
	CU_ASSERT_EQUAL(kxen_msg_check_reply(&msg, len, KXEN_OP_HANDSHAKE, 1),
			0);
	len = make_reply(KXEN_OP_HANDSHAKE, 1, -EPERM, hs);
	CU_ASSERT_EQUAL(kxen_msg_check_reply(&msg, len, KXEN_OP_HANDSHAKE, 1),
			-EBADMSG);
	len = make_reply(KXEN_OP_HANDSHAKE, 1, 5, hs);
	CU_ASSERT_EQUAL(kxen_msg_check_reply(&msg, len, KXEN_OP_HANDSHAKE, 1),
			-EBADMSG);
	/* A successful reply must carry its payload. */
	len = make_reply(KXEN_OP_HANDSHAKE, 1, 0, 0);
	CU_ASSERT_EQUAL(kxen_msg_check_reply(&msg, len, KXEN_OP_HANDSHAKE, 1),
			-EBADMSG);
	len = make_reply(KXEN_OP_DOMAIN_DESTROY, 1, 0, 0);
	CU_ASSERT_EQUAL(
	    kxen_msg_check_reply(&msg, len, KXEN_OP_DOMAIN_DESTROY, 1), 0);

	/* Variable-length replies: whole entries only. */
	len = make_reply(KXEN_OP_DOMAIN_GETINFOLIST, 3, 0, gil + 2 * info);
	CU_ASSERT_EQUAL(
	    kxen_msg_check_reply(&msg, len, KXEN_OP_DOMAIN_GETINFOLIST, 3), 0);
	len = make_reply(KXEN_OP_DOMAIN_GETINFOLIST, 3, 0, gil + info + 1);
	CU_ASSERT_EQUAL(
	    kxen_msg_check_reply(&msg, len, KXEN_OP_DOMAIN_GETINFOLIST, 3),
	    -EBADMSG);
	len = make_reply(999, 3, 0, 0);
	CU_ASSERT_EQUAL(kxen_msg_check_reply(&msg, len, 999, 3), -EBADMSG);
}

static size_t make_log_event(const char *text, uint32_t len_field)
{
	struct kxen_event_log *ev;
	size_t n = strlen(text);
	size_t len = HDR + sizeof(*ev) + n;

	memset(&msg, 0, sizeof(msg));
	kxen_msg_init(&msg.hdr, KXEN_OP_EVENT_LOG, (uint32_t)len, 0,
		      KXEN_MSG_EVENT);
	ev = (struct kxen_event_log *)(msg.bytes + HDR);
	ev->level = KXEN_LOG_INFO;
	ev->len = len_field;
	memcpy(ev->text, text, n);
	return len;
}

static void test_events(void)
{
	size_t len;

	len = make_log_event("domain 1: hello", 15);
	CU_ASSERT_EQUAL(kxen_msg_check_event(&msg, len), 0);
	len = make_log_event("domain 1: hello", 16);
	CU_ASSERT_EQUAL(kxen_msg_check_event(&msg, len), -EBADMSG);
	len = make_log_event("domain 1: hello", 14);
	CU_ASSERT_EQUAL(kxen_msg_check_event(&msg, len), -EBADMSG);
	len = make_log_event("x", 1);
	msg.hdr.flags = KXEN_MSG_REPLY;
	CU_ASSERT_EQUAL(kxen_msg_check_event(&msg, len), -EBADMSG);

	memset(&msg, 0, sizeof(msg));
	len = HDR + sizeof(struct kxen_domain_info);
	kxen_msg_init(&msg.hdr, KXEN_OP_EVENT_STATE, (uint32_t)len, 0,
		      KXEN_MSG_EVENT);
	CU_ASSERT_EQUAL(kxen_msg_check_event(&msg, len), 0);
	CU_ASSERT_EQUAL(kxen_msg_check_event(&msg, len - 1), -EBADMSG);
	msg.hdr.op = KXEN_OP_PHYSINFO;
	CU_ASSERT_EQUAL(kxen_msg_check_event(&msg, len), -EOPNOTSUPP);
}

static void test_send_recv(void)
{
	int sv[2], pfd[2], fd = -2;
	struct kxen_msg_hdr small;
	size_t len;
	ssize_t n;
	char c = 0;

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	CU_ASSERT_FATAL(pipe(pfd) == 0);

	/* A message and a descriptor arrive together and intact. */
	len = make_request(KXEN_OP_HANDSHAKE, sizeof(struct kxen_handshake));
	CU_ASSERT_EQUAL(kxen_msg_send(sv[0], &msg.hdr, pfd[1]), 0);
	memset(&msg, 0xa5, sizeof(msg));
	n = kxen_msg_recv(sv[1], &msg, sizeof(msg), &fd);
	CU_ASSERT_EQUAL(n, (ssize_t)len);
	CU_ASSERT_EQUAL(kxen_msg_check_request(&msg, (size_t)n), 0);
	CU_ASSERT(fd >= 0);
	if (fd >= 0) {
		CU_ASSERT_EQUAL(write(fd, "k", 1), 1);
		CU_ASSERT_EQUAL(read(pfd[0], &c, 1), 1);
		CU_ASSERT_EQUAL(c, 'k');
		close(fd);
	}

	/* Without a descriptor, fd_out says so. */
	len = make_request(KXEN_OP_PHYSINFO, 0);
	CU_ASSERT_EQUAL(kxen_msg_send(sv[0], &msg.hdr, -1), 0);
	n = kxen_msg_recv(sv[1], &msg, sizeof(msg), &fd);
	CU_ASSERT_EQUAL(n, (ssize_t)len);
	CU_ASSERT_EQUAL(fd, -1);

	/* A message larger than the buffer is refused, not cut short. */
	len = make_request(KXEN_OP_DOMAIN_CREATE,
			   sizeof(struct kxen_domain_create));
	CU_ASSERT_EQUAL(kxen_msg_send(sv[0], &msg.hdr, pfd[1]), 0);
	n = kxen_msg_recv(sv[1], &small, sizeof(small), &fd);
	CU_ASSERT_EQUAL(n, -EMSGSIZE);
	CU_ASSERT_EQUAL(fd, -1);

	/* Sizes outside the framing are refused before sending. */
	kxen_msg_init(&small, KXEN_OP_PHYSINFO, 3, 0, 0);
	CU_ASSERT_EQUAL(kxen_msg_send(sv[0], &small, -1), -EMSGSIZE);

	/* Nothing pending: a bounded wait; peer gone: end of stream. */
	CU_ASSERT_EQUAL(
	    kxen_msg_recv_timeout(sv[1], &msg, sizeof(msg), NULL, 50),
	    -ETIMEDOUT);
	close(sv[0]);
	CU_ASSERT_EQUAL(
	    kxen_msg_recv_timeout(sv[1], &msg, sizeof(msg), NULL, 1000), 0);
	close(sv[1]);
	close(pfd[0]);
	close(pfd[1]);
}

static void test_names(void)
{
	char longname[80];

	CU_ASSERT_TRUE(kxen_name_valid("hello", KXEN_NAME_MAX));
	CU_ASSERT_TRUE(kxen_name_valid("a-b_c.9", KXEN_NAME_MAX));
	CU_ASSERT_FALSE(kxen_name_valid("", KXEN_NAME_MAX));
	CU_ASSERT_FALSE(kxen_name_valid("a b", KXEN_NAME_MAX));
	CU_ASSERT_FALSE(kxen_name_valid("a/b", KXEN_NAME_MAX));
	CU_ASSERT_FALSE(kxen_name_valid("caf\xc3\xa9", KXEN_NAME_MAX));
	/* Unterminated within buflen. */
	CU_ASSERT_FALSE(kxen_name_valid("abc", 3));
	CU_ASSERT_TRUE(kxen_name_valid("abc", 4));
	memset(longname, 'x', sizeof(longname));
	longname[KXEN_NAME_MAX - 1] = '\0';
	CU_ASSERT_TRUE(kxen_name_valid(longname, sizeof(longname)));
	longname[KXEN_NAME_MAX - 1] = 'x';
	longname[KXEN_NAME_MAX] = '\0';
	CU_ASSERT_FALSE(kxen_name_valid(longname, sizeof(longname)));
}

/* --- against a live kxend --------------------------------------------- */

static int connect_kxend(const struct harness_kxend *k)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/kxend.sock",
		     k->rundir) >= (int)sizeof(sa.sun_path) ||
	    connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(s);
		return -1;
	}
	return s;
}

/* Send a request of op with payload bytes and return the reply status
 * (checked against the request), or a negative errno. */
static int call(int s, uint16_t op, const void *payload, size_t size,
		uint32_t seq)
{
	ssize_t n;
	int rc;

	memset(&msg, 0, sizeof(msg));
	kxen_msg_init(&msg.hdr, op, (uint32_t)(HDR + size), seq, 0);
	if (size)
		memcpy(msg.bytes + HDR, payload, size);
	rc = kxen_msg_send(s, &msg.hdr, -1);
	if (rc)
		return rc;
	n = kxen_msg_recv_timeout(s, &msg, sizeof(msg), NULL, 5000);
	if (n <= 0)
		return n == 0 ? -ECONNRESET : (int)n;
	rc = kxen_msg_check_reply(&msg, (size_t)n, op, seq);
	return rc ? rc : msg.hdr.status;
}

static int handshake(int s)
{
	struct kxen_handshake hs = {.abi_version = KXEN_ABI_VERSION};

	return call(s, KXEN_OP_HANDSHAKE, &hs, sizeof(hs), 1);
}

/*
 * Send raw bytes and require an error reply or a closed connection
 * within 5 s: any answer but success is acceptable, silence is not.
 */
static void expect_refusal(int s, const void *bytes, size_t len,
			   const char *what)
{
	ssize_t n;
	bool refused;

	if (send(s, bytes, len, MSG_NOSIGNAL) < 0) {
		/* Already closed on us: that is a refusal too. */
		return;
	}
	n = kxen_msg_recv_timeout(s, &msg, sizeof(msg), NULL, 5000);
	refused = n == 0 || (n < 0 && n != -ETIMEDOUT) ||
		  ((size_t)n >= HDR && msg.hdr.status < 0);
	if (!refused)
		fprintf(stderr, "\n  kxend accepted %s (recv %zd)\n", what, n);
	CU_ASSERT_TRUE(refused);
}

static void check_alive(const struct harness_kxend *k)
{
	int s = connect_kxend(k);

	CU_ASSERT(s >= 0);
	if (s < 0)
		return;
	CU_ASSERT_EQUAL(handshake(s), 0);
	CU_ASSERT_EQUAL(call(s, KXEN_OP_PHYSINFO, NULL, 0, 2), 0);
	close(s);
}

/* No FATAL asserts while a kxend runs: it must always be stopped. */
static bool connected(int s)
{
	CU_ASSERT(s >= 0);
	return s >= 0;
}

static void test_live_malformed(void)
{
	struct harness_kxend *k;
	struct kxen_msg_hdr h;
	struct kxen_handshake hs = {.abi_version = KXEN_ABI_VERSION};
	uint8_t garbage[100];
	size_t i;
	int s;

	KXEN_REQUIRE_KVM();
	k = harness_kxend_start();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	check_alive(k);

	/* Garbage as the very first datagram. */
	for (i = 0; i < sizeof(garbage); i++)
		garbage[i] = (uint8_t)(i * 37 + 11);
	s = connect_kxend(k);
	if (!connected(s))
		goto out;
	expect_refusal(s, garbage, sizeof(garbage), "garbage");
	close(s);

	/* A well-formed request, but before the handshake. */
	s = connect_kxend(k);
	if (!connected(s))
		goto out;
	kxen_msg_init(&h, KXEN_OP_PHYSINFO, HDR, 1, 0);
	expect_refusal(s, &h, HDR, "physinfo before handshake");
	close(s);

	/* A handshake from another ABI version. */
	s = connect_kxend(k);
	if (!connected(s))
		goto out;
	memset(&msg, 0, sizeof(msg));
	kxen_msg_init(&msg.hdr, KXEN_OP_HANDSHAKE, HDR + sizeof(hs), 1, 0);
	msg.hdr.version = KXEN_ABI_VERSION + 1;
	memcpy(msg.bytes + HDR, &hs, sizeof(hs));
	expect_refusal(s, msg.bytes, HDR + sizeof(hs), "wrong version");
	close(s);

	/* After a good handshake: truncated create, unknown op, a tiny
	 * datagram, an event op. */
	s = connect_kxend(k);
	if (!connected(s))
		goto out;
	CU_ASSERT_EQUAL(handshake(s), 0);
	make_request(KXEN_OP_DOMAIN_CREATE, 10);
	expect_refusal(s, msg.bytes, HDR + 10, "truncated create");
	close(s);

	s = connect_kxend(k);
	if (!connected(s))
		goto out;
	CU_ASSERT_EQUAL(handshake(s), 0);
	kxen_msg_init(&h, 999, HDR, 5, 0);
	expect_refusal(s, &h, HDR, "op 999");
	close(s);

	s = connect_kxend(k);
	if (!connected(s))
		goto out;
	CU_ASSERT_EQUAL(handshake(s), 0);
	expect_refusal(s, garbage, 3, "3-byte datagram");
	close(s);

	s = connect_kxend(k);
	if (!connected(s))
		goto out;
	CU_ASSERT_EQUAL(handshake(s), 0);
	make_request(KXEN_OP_CHILD_ATTACH, 0);
	expect_refusal(s, msg.bytes, HDR, "child-only op");
	close(s);

out:
	/* The daemon survived all of it and still serves new clients. */
	check_alive(k);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

int kxen_suite_abi(void)
{
	CU_pSuite s = CU_add_suite("abi", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "valid requests per op", test_valid_requests) ||
	    !CU_add_test(s, "bad headers", test_bad_header) ||
	    !CU_add_test(s, "bad payload sizes", test_bad_payload) ||
	    !CU_add_test(s, "unknown and event ops", test_unknown_ops) ||
	    !CU_add_test(s, "reply checks", test_replies) ||
	    !CU_add_test(s, "event checks", test_events) ||
	    !CU_add_test(s, "send/recv and fd passing", test_send_recv) ||
	    !CU_add_test(s, "domain names", test_names) ||
	    !CU_add_test(s, "live kxend refuses malformed datagrams",
			 test_live_malformed))
		return -1;
	return 0;
}
