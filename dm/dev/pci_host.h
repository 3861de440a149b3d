/*
 * PCI host bridge (i440FX-like, 8086:1237 at 00:00.0) and the DM's PCI
 * device list: configuration space per function, BAR sizing (write all
 * ones, read back the size mask), command/status, header type, and the
 * hook virtio devices will use to join later. Config cycles arrive from
 * the hypervisor as IOREQ_TYPE_PCI_CONFIG with addr = SBDF << 32 | reg.
 * Spec: PCI Local Bus 3.0 §6; Intel 82441FX datasheet for the IDs.
 *
 * Not thread-safe: the DM's event loop owns it.
 */
#ifndef KXEN_DM_PCI_HOST_H
#define KXEN_DM_PCI_HOST_H

#include <stdbool.h>
#include <stdint.h>

struct pci_bus;
struct pci_device;

/* Per-device behaviour beyond the generic config space. */
struct pci_device_ops {
	/* Optional: a config write landed (after the generic handling). */
	void (*config_write)(void *ctx, unsigned reg, unsigned size,
			     uint32_t val);
	/* Optional: BAR n moved to addr (0 when unmapped by COMMAND). */
	void (*bar_moved)(void *ctx, unsigned bar, uint64_t addr);
};

struct pci_bus *pci_bus_create(void);
void pci_bus_destroy(struct pci_bus *b);

/* Add a device at slot/function with its IDs; the host bridge is added
 * by pci_bus_create at 00:00.0. Returns NULL if the slot is taken. */
struct pci_device *pci_add_device(struct pci_bus *b, unsigned slot,
				  unsigned func, uint16_t vendor,
				  uint16_t device, uint32_t class_code,
				  const struct pci_device_ops *ops, void *ctx);
/* Declare BAR n (0-5): size a power of two >= 16 (I/O >= 4), I/O or
 * 32-bit memory. */
int pci_set_bar(struct pci_device *d, unsigned bar, uint32_t size, bool io);
/* Interrupt pin (1 = INTA .. 4 = INTD; 0 none) and line register. */
void pci_set_intx(struct pci_device *d, uint8_t pin);

/* Config cycle for sbdf (segment 0, bus 0 only) and register (byte
 * offset 0-255), size 1/2/4. Reads of absent functions are all ones. */
int pci_config_access(struct pci_bus *b, uint32_t sbdf, unsigned reg,
		      unsigned size, bool is_write, uint32_t *val);

/* The SBDFs present (for mapping them to the ioreq server). */
unsigned pci_bus_devices(struct pci_bus *b, uint32_t *sbdf, unsigned max);

#endif
