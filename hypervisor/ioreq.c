/*
 * Ioreq servers (see ioreq.h).
 */
#include "ioreq.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "domain.h"
#include "evtchn.h"
#include "guest_memory.h"
#include "kxen/ioreq.h"
#include "log.h"

/* Spin this long for an answer before sleeping on the event channel:
 * on these hosts a cross-core wake-up costs ~25 us each way, a spin
 * round trip ~9 us (DESIGN.md, Hosts). bench/ measures both. */
#define SPIN_NS 20000ull
/* A DM that has not answered after this long is considered hung. */
#define ANSWER_TIMEOUT_NS (10ull * 1000000000ull)

struct range {
	uint16_t type;
	uint32_t flags;
	uint64_t start, end;
	/* `kxl stat`: exits sent here and their send-to-completion time;
	 * updated under the servers lock, which unclaim() takes anyway. */
	uint64_t exits, time_ns;
};

struct server {
	bool used;
	bool enabled;
	bool dead; /* destroyed while requests may be in flight */
	uint64_t owner;
	uint8_t bufioreq;
	int memfd;
	void *pages; /* page 0: buffered_iopage, page 1: shared_iopage */
	uint32_t buf_port;
	uint32_t vcpu_port[KXEN_MAX_VCPUS];
	struct range ranges[IOREQ_MAX_RANGES];
	unsigned nr_ranges;
	unsigned refs;		  /* vCPUs with a request in flight */
	pthread_mutex_t buf_lock; /* producers of the buffered ring */
};

struct ioreq_servers {
	struct domain *d;
	uint64_t spin_ns;     /* SPIN_NS, or KXEN_IOREQ_SPIN_NS for bench/ */
	pthread_mutex_t lock; /* guards servers[] and cf8 */
	pthread_cond_t idle;  /* a server's refs dropped */
	struct server servers[IOREQ_MAX_SERVERS];
	uint32_t cf8; /* PCI CONFIG_ADDRESS */
};

/* Set once per vCPU thread; the PCI config handlers run in it. */
static _Thread_local int current_vcpu = -1;

void ioreq_set_current_vcpu(unsigned vcpu)
{
	current_vcpu = (int)vcpu;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

struct ioreq_servers *ioreq_servers_create(struct domain *d)
{
	struct ioreq_servers *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->d = d;
	s->spin_ns = SPIN_NS;
	/* bench/ compares the spin with a plain blocking wait. */
	if (getenv("KXEN_IOREQ_SPIN_NS"))
		s->spin_ns = strtoull(getenv("KXEN_IOREQ_SPIN_NS"), NULL, 0);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->idle, NULL);
	return s;
}

/* Caller holds the lock and made sure refs == 0. */
static void free_server(struct ioreq_servers *s, struct server *srv)
{
	struct evtchn_table *ev = s->d->evtchn;

	for (unsigned i = 0; i < s->d->max_vcpus; i++)
		evtchn_free(ev, srv->vcpu_port[i]);
	if (srv->buf_port)
		evtchn_free(ev, srv->buf_port);
	munmap(srv->pages, 2 * KXEN_PAGE_SIZE);
	close(srv->memfd);
	pthread_mutex_destroy(&srv->buf_lock);
	memset(srv, 0, sizeof(*srv));
}

void ioreq_servers_destroy(struct ioreq_servers *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < IOREQ_MAX_SERVERS; i++)
		if (s->servers[i].used)
			free_server(s, &s->servers[i]);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static int alloc_pages(struct server *srv, uint32_t domid)
{
	char name[32];

	snprintf(name, sizeof(name), "kxen-d%u-ioreq", domid);
	srv->memfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (srv->memfd < 0)
		return -errno;
	if (ftruncate(srv->memfd, 2 * KXEN_PAGE_SIZE) < 0 ||
	    fcntl(srv->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
		return -errno;
	srv->pages = mmap(NULL, 2 * KXEN_PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_SHARED, srv->memfd, 0);
	return srv->pages == MAP_FAILED ? -errno : 0;
}

static struct ioreq *slot(struct server *srv, unsigned vcpu)
{
	struct shared_iopage *p = (void *)((char *)srv->pages + KXEN_PAGE_SIZE);

	return &p->vcpu_ioreq[vcpu];
}

static int setup_ports(struct ioreq_servers *s, struct server *srv)
{
	struct evtchn_table *ev = s->d->evtchn;
	int rc = 0;

	for (unsigned i = 0; i < s->d->max_vcpus && rc == 0; i++) {
		rc = evtchn_alloc_unbound(ev, &srv->vcpu_port[i]);
		if (rc == 0)
			slot(srv, i)->vp_eport = srv->vcpu_port[i];
	}
	if (rc == 0 && srv->bufioreq != HVM_IOREQSRV_BUFIOREQ_OFF)
		rc = evtchn_alloc_unbound(ev, &srv->buf_port);
	return rc;
}

int ioreq_server_create(struct ioreq_servers *s, uint64_t owner,
			uint8_t handle_bufioreq, uint16_t *id)
{
	struct server *srv = NULL;
	unsigned i;
	int rc;

	if (handle_bufioreq > HVM_IOREQSRV_BUFIOREQ_ATOMIC)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < IOREQ_MAX_SERVERS && !srv; i++)
		if (!s->servers[i].used)
			srv = &s->servers[i];
	if (!srv) {
		pthread_mutex_unlock(&s->lock);
		return -ENOSPC;
	}
	memset(srv, 0, sizeof(*srv));
	srv->used = true;
	srv->owner = owner;
	srv->bufioreq = handle_bufioreq;
	srv->memfd = -1;
	pthread_mutex_init(&srv->buf_lock, NULL);
	rc = alloc_pages(srv, s->d->domid);
	if (rc == 0)
		rc = setup_ports(s, srv);
	if (rc) {
		if (srv->pages == MAP_FAILED)
			srv->pages = NULL;
		free_server(s, srv);
	} else {
		*id = srv - s->servers;
	}
	pthread_mutex_unlock(&s->lock);
	if (rc == 0)
		log_info(s->d->domid, "ioreq server %u created", *id);
	return rc;
}

/* Caller holds the lock. */
static struct server *find(struct ioreq_servers *s, uint16_t id)
{
	if (id >= IOREQ_MAX_SERVERS || !s->servers[id].used ||
	    s->servers[id].dead)
		return NULL;
	return &s->servers[id];
}

int ioreq_server_info(struct ioreq_servers *s, uint16_t id,
		      struct kxen_ioreq_server_info *out)
{
	struct server *srv;
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	srv = find(s, id);
	if (!srv)
		rc = -ENOENT;
	else
		*out = (struct kxen_ioreq_server_info){
		    .id = id, .bufioreq_port = srv->buf_port};
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static bool overlaps(const struct range *a, const struct range *b)
{
	return a->type == b->type && a->start <= b->end && b->start <= a->end;
}

static int check_range(const struct kxen_ioreq_server_range *r)
{
	if (r->type > KXEN_IOREQ_RANGE_PCI || r->start > r->end ||
	    (r->flags & ~KXEN_IOREQ_RANGE_BUFFERED) || r->pad)
		return -EINVAL;
	if (r->type == KXEN_IOREQ_RANGE_PORT && r->end > 0xffff)
		return -EINVAL;
	if (r->type == KXEN_IOREQ_RANGE_PCI && r->end > 0xffffffffull)
		return -EINVAL;
	return 0;
}

/* Caller holds the lock: add (no overlap with any server) or remove an
 * exactly matching range. */
static int map_locked(struct ioreq_servers *s, struct server *srv,
		      const struct range *want, bool map)
{
	unsigned i, j;

	if (!map) {
		for (i = 0; i < srv->nr_ranges; i++)
			if (srv->ranges[i].type == want->type &&
			    srv->ranges[i].start == want->start &&
			    srv->ranges[i].end == want->end) {
				srv->ranges[i] = srv->ranges[--srv->nr_ranges];
				return 0;
			}
		return -ENOENT;
	}
	for (j = 0; j < IOREQ_MAX_SERVERS; j++)
		for (i = 0; s->servers[j].used && i < s->servers[j].nr_ranges;
		     i++)
			if (overlaps(&s->servers[j].ranges[i], want))
				return -EEXIST;
	if (srv->nr_ranges == IOREQ_MAX_RANGES)
		return -ENOSPC;
	srv->ranges[srv->nr_ranges++] = *want;
	return 0;
}

int ioreq_server_map(struct ioreq_servers *s, uint16_t id,
		     const struct kxen_ioreq_server_range *r, bool map)
{
	struct range want = {r->type, r->flags, r->start, r->end, 0, 0};
	struct server *srv;
	int rc = check_range(r);

	if (rc)
		return rc;
	pthread_mutex_lock(&s->lock);
	srv = find(s, id);
	rc = srv ? map_locked(s, srv, &want, map) : -ENOENT;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int ioreq_server_set_state(struct ioreq_servers *s, uint16_t id, bool enabled)
{
	struct server *srv;
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	srv = find(s, id);
	if (srv)
		srv->enabled = enabled;
	else
		rc = -ENOENT;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* Caller holds the lock: mark dead, wake vCPUs waiting on it, wait for
 * them to let go, free it. */
static void kill_server(struct ioreq_servers *s, struct server *srv)
{
	uint64_t one = 1;

	srv->dead = true;
	srv->enabled = false;
	for (unsigned i = 0; i < s->d->max_vcpus; i++) {
		int fd = evtchn_from_dm_fd(s->d->evtchn, srv->vcpu_port[i]);

		if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
			/* Counter saturated: the vCPU is awake anyway. */
		}
	}
	while (srv->refs)
		pthread_cond_wait(&s->idle, &s->lock);
	free_server(s, srv);
}

int ioreq_server_destroy(struct ioreq_servers *s, uint16_t id)
{
	struct server *srv;

	pthread_mutex_lock(&s->lock);
	srv = find(s, id);
	if (srv)
		kill_server(s, srv);
	pthread_mutex_unlock(&s->lock);
	if (srv)
		log_info(s->d->domid, "ioreq server %u destroyed", id);
	return srv ? 0 : -ENOENT;
}

int ioreq_server_resource(struct ioreq_servers *s, uint16_t id, uint32_t frame,
			  uint32_t nr, int *memfd, uint64_t *offset)
{
	struct server *srv;
	int rc = 0;

	/* Frame 0: the buffered page, frame 1: the synchronous page. */
	if (nr == 0 || frame > 1 || nr > 2 - frame)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	srv = find(s, id);
	if (!srv)
		rc = -ENOENT;
	else if (frame == 0 && srv->bufioreq == HVM_IOREQSRV_BUFIOREQ_OFF)
		rc = -EINVAL;
	else {
		*memfd = srv->memfd;
		*offset = (uint64_t)frame * KXEN_PAGE_SIZE;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void ioreq_owner_gone(struct ioreq_servers *s, uint64_t owner)
{
	bool had_enabled = false;
	unsigned n = 0;

	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < IOREQ_MAX_SERVERS; i++) {
		struct server *srv = &s->servers[i];

		if (!srv->used || srv->dead || srv->owner != owner)
			continue;
		had_enabled |= srv->enabled;
		kill_server(s, srv);
		n++;
	}
	pthread_mutex_unlock(&s->lock);
	evtchn_owner_gone(s->d->evtchn, owner);
	if (had_enabled)
		domain_crash(s->d,
			     "its device model exited (%u ioreq "
			     "server(s) gone)",
			     n);
}

static uint16_t range_type(enum io_space space)
{
	return space == IO_SPACE_PORT ? KXEN_IOREQ_RANGE_PORT
				      : KXEN_IOREQ_RANGE_MMIO;
}

/* A claimed range, remembered so that unclaim() can count the exit
 * against it (the range may have been unmapped meanwhile). */
struct claimed {
	struct range r;
	unsigned idx;
	uint64_t t0;
};

/* Find and reference the server claiming (type, addr); c gets the range.
 * NULL when none does. */
static struct server *claim(struct ioreq_servers *s, uint16_t type,
			    uint64_t addr, struct claimed *c)
{
	struct server *found = NULL;

	pthread_mutex_lock(&s->lock);
	for (unsigned j = 0; j < IOREQ_MAX_SERVERS && !found; j++) {
		struct server *srv = &s->servers[j];

		if (!srv->used || !srv->enabled || srv->dead)
			continue;
		for (unsigned i = 0; i < srv->nr_ranges; i++) {
			const struct range *r = &srv->ranges[i];

			if (r->type == type && addr >= r->start &&
			    addr <= r->end) {
				found = srv;
				c->r = *r;
				c->idx = i;
				srv->refs++;
				break;
			}
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (found)
		c->t0 = mono_ns();
	return found;
}

static void unclaim(struct ioreq_servers *s, struct server *srv,
		    const struct claimed *c)
{
	uint64_t ns = mono_ns() - c->t0;
	struct range *r = &srv->ranges[c->idx];

	pthread_mutex_lock(&s->lock);
	if (c->idx < srv->nr_ranges && r->type == c->r.type &&
	    r->start == c->r.start && r->end == c->r.end) {
		r->exits++;
		r->time_ns += ns;
	}
	if (--srv->refs == 0)
		pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
}

/*
 * Buffered ring (Xen's buffered_iopage): the hypervisor writes a slot,
 * then advances write_pointer behind a write barrier; the DM advances
 * read_pointer. Returns false when the ring is full (send synchronously).
 */
static bool send_buffered(struct ioreq_servers *s, struct server *srv,
			  uint8_t type, uint64_t addr, unsigned size,
			  uint64_t data)
{
	struct buffered_iopage *bp = srv->pages;
	static const uint8_t size_code[9] = {0, 0, 1, 0, 2};
	uint32_t rd, wr;
	bool ok = false;

	if (size > 4 || addr >= (1u << 20))
		return false; /* the slot has 20 address bits */
	pthread_mutex_lock(&srv->buf_lock);
	rd = __atomic_load_n(&bp->read_pointer, __ATOMIC_ACQUIRE);
	wr = bp->write_pointer;
	if (wr - rd < IOREQ_BUFFER_SLOT_NUM) {
		buf_ioreq_t *b = &bp->buf_ioreq[wr % IOREQ_BUFFER_SLOT_NUM];

		memset(b, 0, sizeof(*b));
		b->type = type;
		b->dir = IOREQ_WRITE;
		b->size = size_code[size];
		b->addr = addr;
		b->data = (uint32_t)data;
		__atomic_store_n(&bp->write_pointer, wr + 1, __ATOMIC_RELEASE);
		ok = true;
	}
	pthread_mutex_unlock(&srv->buf_lock);
	if (ok)
		evtchn_notify_dm(s->d->evtchn, srv->buf_port);
	return ok;
}

static bool domain_dying(struct domain *d)
{
	bool dying;

	pthread_mutex_lock(&d->lock);
	dying = d->dying || d->crashed;
	pthread_mutex_unlock(&d->lock);
	return dying;
}

/* Wait for the DM's answer in slot r: spin, then sleep on the port. */
static int wait_answer(struct ioreq_servers *s, struct server *srv,
		       struct ioreq *r, int fd)
{
	uint64_t start = mono_ns(), now;
	uint8_t state;

	for (;;) {
		state =
		    __atomic_load_n((uint8_t *)r + 30, __ATOMIC_ACQUIRE) & 0xf;
		if (state == STATE_IORESP_READY)
			return 0;
		if (state != STATE_IOREQ_READY &&
		    state != STATE_IOREQ_INPROCESS)
			return -EPROTO;
		if (__atomic_load_n(&srv->dead, __ATOMIC_ACQUIRE))
			return -EPIPE;
		now = mono_ns();
		if (now - start > ANSWER_TIMEOUT_NS)
			return -ETIMEDOUT;
		if (now - start > s->spin_ns) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			uint64_t n;

			if (poll(&p, 1, 100) > 0 &&
			    read(fd, &n, sizeof(n)) < 0) {
				/* Raced with another reader: recheck. */
			}
			if (domain_dying(s->d))
				return -ECANCELED;
		}
	}
}

static void drain(int fd)
{
	uint64_t n;

	while (read(fd, &n, sizeof(n)) == sizeof(n))
		;
}

static int send_sync(struct ioreq_servers *s, struct server *srv, unsigned vcpu,
		     const struct ioreq *req, uint64_t *data)
{
	struct ioreq *r = slot(srv, vcpu);
	int fd = evtchn_from_dm_fd(s->d->evtchn, srv->vcpu_port[vcpu]);
	int rc;

	if (fd < 0)
		return -EPIPE;
	if ((__atomic_load_n((uint8_t *)r + 30, __ATOMIC_ACQUIRE) & 0xf) !=
	    STATE_IOREQ_NONE)
		return -EPROTO; /* the DM moved a slot nobody had sent */
	drain(fd);
	r->addr = req->addr;
	r->data = req->data;
	r->count = req->count;
	r->size = req->size;
	r->dir = req->dir;
	r->df = req->df;
	r->data_is_ptr = req->data_is_ptr;
	r->type = req->type;
	/* Fields before state (Xen: wmb before READY). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->state = STATE_IOREQ_READY;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	evtchn_notify_dm(s->d->evtchn, srv->vcpu_port[vcpu]);
	rc = wait_answer(s, srv, r, fd);
	if (rc == 0) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (req->dir == IOREQ_READ && !req->data_is_ptr)
			*data = r->data;
		r->state = STATE_IOREQ_NONE;
	}
	return rc;
}

static const char *send_error(int rc)
{
	switch (rc) {
	case -ETIMEDOUT:
		return "its device model did not answer within 10 s";
	case -EPROTO:
		return "its device model broke the ioreq protocol";
	case -EPIPE:
		return "its device model went away during a request";
	default:
		return strerror(-rc);
	}
}

/* String I/O: the elements travel through the vCPU's bounce page. */
static void *bounce_page(struct ioreq_servers *s, unsigned vcpu)
{
	uint64_t gfn = (IOREQ_BOUNCE_BASE >> KXEN_PAGE_SHIFT) + vcpu;
	const struct guest_region *g = guest_memory_find(&s->d->mem, gfn);

	if (!g)
		return NULL;
	return (char *)g->host + ((gfn - g->first_gfn) << KXEN_PAGE_SHIFT);
}

static int send_one(struct ioreq_servers *s, struct server *srv, uint32_t flags,
		    unsigned vcpu, struct ioreq *req, void *data)
{
	size_t bytes = (size_t)req->count * req->size;
	void *bounce = NULL;
	int rc;

	if (req->dir == IOREQ_WRITE && req->count == 1 &&
	    (flags & KXEN_IOREQ_RANGE_BUFFERED) && srv->bufioreq &&
	    send_buffered(s, srv, req->type, req->addr, req->size,
			  *(uint64_t *)data))
		return 0;
	if (req->count > 1) {
		bounce = bounce_page(s, vcpu);
		if (!bounce || bytes > KXEN_PAGE_SIZE)
			return -EINVAL;
		req->data_is_ptr = 1;
		req->data = IOREQ_BOUNCE_BASE + (uint64_t)vcpu * KXEN_PAGE_SIZE;
		if (req->dir == IOREQ_WRITE)
			memcpy(bounce, data, bytes);
	} else if (req->dir == IOREQ_WRITE) {
		req->data = *(uint64_t *)data;
	}
	rc = send_sync(s, srv, vcpu, req, data);
	if (rc == 0 && bounce && req->dir == IOREQ_READ)
		memcpy(data, bounce, bytes);
	return rc;
}

int ioreq_send(struct ioreq_servers *s, unsigned vcpu, enum io_space space,
	       uint64_t addr, unsigned size, unsigned count, bool is_write,
	       void *data)
{
	struct ioreq req = {.addr = addr,
			    .size = size,
			    .count = count,
			    .dir = is_write ? IOREQ_WRITE : IOREQ_READ,
			    .type = space == IO_SPACE_PORT ? IOREQ_TYPE_PIO
							   : IOREQ_TYPE_COPY};
	struct claimed c;
	struct server *srv;
	int rc;

	if (vcpu >= s->d->max_vcpus || count == 0)
		return -EINVAL;
	srv = claim(s, range_type(space), addr, &c);
	if (!srv)
		return 0;
	rc = send_one(s, srv, c.r.flags, vcpu, &req, data);
	unclaim(s, srv, &c);
	if (rc) {
		domain_crash(s->d, "vCPU %u: %s %#llx: %s", vcpu,
			     space == IO_SPACE_PORT ? "port" : "MMIO",
			     (unsigned long long)addr, send_error(rc));
		return rc;
	}
	return 1;
}

unsigned ioreq_range_stats(struct ioreq_servers *s,
			   struct kxen_dm_range_stat *out, unsigned max)
{
	unsigned n = 0;

	pthread_mutex_lock(&s->lock);
	for (unsigned j = 0; j < IOREQ_MAX_SERVERS; j++) {
		const struct server *srv = &s->servers[j];

		for (unsigned i = 0;
		     srv->used && !srv->dead && i < srv->nr_ranges && n < max;
		     i++) {
			const struct range *r = &srv->ranges[i];

			out[n++] =
			    (struct kxen_dm_range_stat){.server = j,
							.type = r->type,
							.start = r->start,
							.end = r->end,
							.exits = r->exits,
							.time_ns = r->time_ns};
		}
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* ---- PCI configuration mechanism #1 (PCI 3.0 §3.2.2.3.2) ---------- */

static int pci_config_io(void *opaque, uint64_t port, unsigned size,
			 bool is_write, uint64_t *val)
{
	struct ioreq_servers *s = opaque;
	struct ioreq req = {.size = size,
			    .count = 1,
			    .dir = is_write ? IOREQ_WRITE : IOREQ_READ,
			    .type = IOREQ_TYPE_PCI_CONFIG};
	uint32_t cf8, sbdf;
	struct claimed c;
	struct server *srv;
	int rc;

	if (port == 0xcf8) {
		/* CONFIG_ADDRESS is a 32-bit register; narrower accesses at
		 * 0xcf8 are ordinary port I/O that nobody here decodes. Only
		 * 0xcf8 itself is ours: 0xcf9 (the reset register) and
		 * 0xcfa-0xcfb go on to the device model, as on PIIX. */
		if (size != 4) {
			if (!is_write)
				*val = (1ull << (size * 8)) - 1;
			return 0;
		}
		pthread_mutex_lock(&s->lock);
		if (is_write)
			s->cf8 = (uint32_t)*val & 0x80fffffcu;
		else
			*val = s->cf8;
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	pthread_mutex_lock(&s->lock);
	cf8 = s->cf8;
	pthread_mutex_unlock(&s->lock);
	if (!is_write)
		*val = (1ull << (size * 8)) - 1; /* no device: all ones */
	if (!(cf8 & 0x80000000u) || (port & 3) + size > 4 || current_vcpu < 0)
		return 0;
	sbdf = (cf8 >> 8) & 0xffff; /* segment 0, bus, device, function */
	srv = claim(s, KXEN_IOREQ_RANGE_PCI, sbdf, &c);
	if (!srv)
		return 0;
	req.addr = ((uint64_t)sbdf << 32) | ((cf8 & 0xfc) + (port & 3));
	rc = send_one(s, srv, 0, current_vcpu, &req, val);
	unclaim(s, srv, &c);
	if (rc)
		domain_crash(s->d, "vCPU %d: PCI config %04x:%02x: %s",
			     current_vcpu, sbdf >> 3, sbdf & 7, send_error(rc));
	return 0;
}

int ioreq_register_pci_config(struct ioreq_servers *s, struct io_table *t)
{
	int rc = io_table_register(t, IO_SPACE_PORT, 0xcf8, 1, "pci-cf8",
				   pci_config_io, s);

	return rc ? rc
		  : io_table_register(t, IO_SPACE_PORT, 0xcfc, 4, "pci-cfc",
				      pci_config_io, s);
}
