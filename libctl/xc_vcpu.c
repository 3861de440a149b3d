/* vCPU register state: kxc_vcpu_setcontext / kxc_vcpu_getcontext. */
#include "libctl_priv.h"

#include <errno.h>
#include <string.h>

#include "kxenctrl.h"

int kxc_vcpu_setcontext(xc_interface *xch, uint32_t domid, uint32_t vcpu,
			const struct kxen_vcpu_context *ctx)
{
	struct kxen_vcpu_setcontext req = {.domid = domid, .vcpu = vcpu};

	if (!ctx)
		return kxc_fail(xch, EINVAL, "vcpu_setcontext: no context");
	req.ctx = *ctx;
	return kxc_call(xch, KXEN_OP_VCPU_SETCONTEXT, &req, sizeof(req), NULL,
			0, NULL, NULL);
}

int kxc_vcpu_getcontext(xc_interface *xch, uint32_t domid, uint32_t vcpu,
			struct kxen_vcpu_context *ctx)
{
	struct kxen_vcpu_req req = {.domid = domid, .vcpu = vcpu};

	if (!ctx)
		return kxc_fail(xch, EINVAL, "vcpu_getcontext: no buffer");
	return kxc_call(xch, KXEN_OP_VCPU_GETCONTEXT, &req, sizeof(req), ctx,
			sizeof(*ctx), NULL, NULL);
}
