/*
 * The domain builder: turn a parsed config into a running domain, in the
 * order Xen's libxl/libxc do it (create paused, set the memory limit,
 * populate RAM, load the image through foreign mappings, set the boot
 * vCPU's registers, unpause).
 */
#ifndef KXL_BUILDER_H
#define KXL_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "image.h"
#include "kxenctrl.h"

/*
 * Build and start the domain cfg describes. Returns 0 with its id in
 * *domid, or -1 with one line in err; a domain created before the
 * failure has been destroyed again.
 */
int kxl_build(xc_interface *xch, const struct kxl_config *cfg, uint32_t *domid,
	      char *err, size_t errlen);

/*
 * kxl_build with a step between building and unpausing (kxl create
 * starts the device model there). A hook that fails leaves one line in
 * err and returns -1; the domain is then destroyed.
 */
struct kxl_build_hooks {
	int (*before_unpause)(void *ctx, uint32_t domid, char *err,
			      size_t errlen);
	void *ctx;
};
int kxl_build_with(xc_interface *xch, const struct kxl_config *cfg,
		   const struct kxl_build_hooks *hooks, uint32_t *domid,
		   char *err, size_t errlen);

/* The boot vCPU's registers for an image (pure; see DESIGN.md Boot). */
void kxl_boot_context(const struct kxl_image *img,
		      struct kxen_vcpu_context *ctx);

#endif /* KXL_BUILDER_H */
