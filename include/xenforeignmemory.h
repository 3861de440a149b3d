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

typedef struct xenforeignmemory_handle xenforeignmemory_handle;

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

#endif /* XENFOREIGNMEMORY_H */
