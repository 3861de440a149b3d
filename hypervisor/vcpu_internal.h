/* Functions shared by vcpu.c and vcpu_irq.c only. */
#ifndef KXEN_VCPU_INTERNAL_H
#define KXEN_VCPU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

void vcpu_startup(struct vcpu *v);
bool vcpu_halt_wakes(struct vcpu *v);
void vcpu_inject(struct vcpu *v);
void vcpu_sync_cr8(struct vcpu *v);
/* INT3 / INT n the emulator could not run: deliver it; false if the
 * bytes are something else (the caller crashes the domain). */
bool vcpu_emulate_failed_insn(struct vcpu *v, const uint8_t *insn,
			      unsigned len);

#endif
