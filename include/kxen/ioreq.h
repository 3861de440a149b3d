/*
 * Ioreq pages shared between the hypervisor and a device model, with the
 * layout of Xen 4.17's public/hvm/ioreq.h (same names and bit fields), so
 * device-model code written for Xen reads them unchanged.
 *
 * Protocol for one synchronous request (state field): the hypervisor
 * fills the ioreq, issues a write barrier, sets STATE_IOREQ_READY and
 * notifies the vCPU's event channel. The DM sees READY, sets
 * STATE_IOREQ_INPROCESS, handles it, writes data for reads, issues a
 * write barrier, sets STATE_IORESP_READY and notifies back. The
 * hypervisor reads the result after a read barrier and returns the slot
 * to STATE_IOREQ_NONE. A state that moves any other way is a protocol
 * violation and crashes the domain.
 */
#ifndef KXEN_IOREQ_H
#define KXEN_IOREQ_H

#include <stdint.h>

#define IOREQ_READ 1
#define IOREQ_WRITE 0

#define STATE_IOREQ_NONE 0
#define STATE_IOREQ_READY 1
#define STATE_IOREQ_INPROCESS 2
#define STATE_IORESP_READY 3

#define IOREQ_TYPE_PIO 0
#define IOREQ_TYPE_COPY 1
#define IOREQ_TYPE_PCI_CONFIG 2

struct ioreq {
	uint64_t addr;	   /* port, guest-physical address, or SBDF<<32|reg */
	uint64_t data;	   /* value, or guest-physical address of it */
	uint32_t count;	   /* repetitions (rep string instructions) */
	uint32_t size;	   /* bytes per repetition */
	uint32_t vp_eport; /* event channel of this vCPU */
	uint16_t _pad0;
	uint8_t state : 4;
	uint8_t data_is_ptr : 1;
	uint8_t dir : 1; /* IOREQ_READ / IOREQ_WRITE */
	uint8_t df : 1;	 /* direction flag: addresses go down */
	uint8_t _pad1 : 1;
	uint8_t type; /* IOREQ_TYPE_* */
};
typedef struct ioreq ioreq_t;
_Static_assert(sizeof(struct ioreq) == 32, "ioreq layout (Xen ABI)");

struct shared_iopage {
	struct ioreq vcpu_ioreq[1]; /* one per vCPU, indexed by vCPU id */
};
typedef struct shared_iopage shared_iopage_t;

struct buf_ioreq {
	uint8_t type;
	uint8_t pad : 1;
	uint8_t dir : 1;
	uint8_t size : 2; /* 0: 1 byte, 1: 2, 2: 4, 3: 8 (two slots) */
	uint32_t addr : 20;
	uint32_t data;
};
typedef struct buf_ioreq buf_ioreq_t;
_Static_assert(sizeof(struct buf_ioreq) == 8, "buf_ioreq layout (Xen ABI)");

#define IOREQ_BUFFER_SLOT_NUM 511

struct buffered_iopage {
	uint32_t read_pointer;	/* advanced by the DM */
	uint32_t write_pointer; /* advanced by the hypervisor */
	buf_ioreq_t buf_ioreq[IOREQ_BUFFER_SLOT_NUM];
};
typedef struct buffered_iopage buffered_iopage_t;
_Static_assert(sizeof(struct buffered_iopage) <= 4096, "one page");

/* handle_bufioreq values of create_ioreq_server (Xen's). */
#define HVM_IOREQSRV_BUFIOREQ_OFF 0
#define HVM_IOREQSRV_BUFIOREQ_LEGACY 1
#define HVM_IOREQSRV_BUFIOREQ_ATOMIC 2

#endif
