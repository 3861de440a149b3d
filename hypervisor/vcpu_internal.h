/* Functions shared by vcpu.c and vcpu_irq.c only. */
#ifndef KXEN_VCPU_INTERNAL_H
#define KXEN_VCPU_INTERNAL_H

#include <stdbool.h>

struct vcpu;

void vcpu_startup(struct vcpu *v);
bool vcpu_halt_wakes(struct vcpu *v);
void vcpu_inject(struct vcpu *v);
void vcpu_sync_cr8(struct vcpu *v);

#endif
