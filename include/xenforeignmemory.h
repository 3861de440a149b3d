/*
 * xenforeignmemory.h for kxen: map another domain's guest frames into
 * this process, with the names, argument order and return conventions of
 * Xen 4.17's libxenforeignmemory. kxen backs guest RAM with memfds; a
 * mapping is an mmap of the memfd kxend hands over for the frame's RAM
 * region, so writes go straight to guest memory.
 */
#ifndef XENFOREIGNMEMORY_H
#define XENFOREIGNMEMORY_H

#include <stddef.h>
#include <stdint.h>

#include "xentoollog.h"

#ifndef KXEN_XEN_PFN_T_DEFINED
#define KXEN_XEN_PFN_T_DEFINED
typedef unsigned long xen_pfn_t; /* as Xen's x86 public headers */
#endif

#ifndef KXEN_DOMID_T_DEFINED
#define KXEN_DOMID_T_DEFINED
typedef uint16_t domid_t;
#endif

/* Resource types and frames of map_resource (Xen's public/memory.h). */
#ifndef XENMEM_resource_ioreq_server
#define XENMEM_resource_ioreq_server 0
#define XENMEM_resource_ioreq_server_frame_bufioreq 0
#define XENMEM_resource_ioreq_server_frame_ioreq(n) (1 + (n))
#endif

typedef struct xenforeignmemory_handle xenforeignmemory_handle;
typedef struct xenforeignmemory_resource_handle
    xenforeignmemory_resource_handle;

/*
 * Open a handle (connects to kxend). logger is unused; open_flags must
 * be 0. NULL with errno set on failure.
 */
xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger,
					       unsigned open_flags);

/* Close the handle; existing mappings stay valid. 0, or -1 + errno. */
int xenforeignmemory_close(xenforeignmemory_handle *fmem);

/*
 * Map `pages` guest frames arr[] of domain dom contiguously, with prot
 * (PROT_READ/PROT_WRITE). With err != NULL, err[i] receives 0 or a
 * negative errno per frame and the call returns the mapping even when
 * frames failed (those stay inaccessible); with err == NULL any failure
 * fails the call. NULL + errno on failure.
 */
void *xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom,
			   int prot, size_t pages,
			   const xen_pfn_t arr[/*pages*/], int err[/*pages*/]);

/* Undo xenforeignmemory_map. 0, or -1 + errno. */
int xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr,
			   size_t pages);

/*
 * Limit the handle to domain domid: mapping frames or resources of any
 * other domain fails with EPERM from now on. 0, or -1 + errno.
 */
int xenforeignmemory_restrict(xenforeignmemory_handle *fmem, domid_t domid);

/*
 * Map nr_frames frames of a domain's resource from frame on, shared with
 * the hypervisor. kxen has one type, XENMEM_resource_ioreq_server, whose
 * id is an ioreq server: frame 0 is its buffered page (only when it has
 * one), frame 1 its synchronous page (vCPU n's ioreq at index n).
 * *paddr is a placement hint on entry (NULL: anywhere) and the mapping's
 * address on return; prot and flags go to mmap(2), which always gets
 * MAP_SHARED. NULL + errno on failure.
 */
xenforeignmemory_resource_handle *
xenforeignmemory_map_resource(xenforeignmemory_handle *fmem, domid_t domid,
			      unsigned int type, unsigned int id,
			      unsigned long frame, unsigned long nr_frames,
			      void **paddr, int prot, int flags);

/* Unmap a resource and free fres. 0, or -1 + errno. */
int xenforeignmemory_unmap_resource(xenforeignmemory_handle *fmem,
				    xenforeignmemory_resource_handle *fres);

#endif /* XENFOREIGNMEMORY_H */
