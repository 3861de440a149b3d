/*
 * Facts about the host kxend runs on (hypervisor/host.c).
 */
#ifndef KXEN_HOST_H
#define KXEN_HOST_H

#include <stdbool.h>

#include "kxen/abi.h"

/* Whether /dev/kvm is PVM's (its module kvm_pvm is loaded; DESIGN.md,
 * Hosts): guest kernel code then runs in KVM's instruction emulator. */
bool host_kvm_is_pvm(void);

#endif
