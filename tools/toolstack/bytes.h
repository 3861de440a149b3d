/*
 * Little-endian stores and loads into byte buffers, and the 8-bit sum
 * that ACPI, the MP spec and Multiboot checksums are built on. Firmware
 * tables are written field by field at the offsets their specs give, so
 * no struct packing or host layout is involved.
 */
#ifndef KXL_BYTES_H
#define KXL_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void kxl_put8(unsigned char *p, size_t off, uint8_t v)
{
	p[off] = v;
}

static inline void kxl_put16(unsigned char *p, size_t off, uint16_t v)
{
	p[off] = (unsigned char)v;
	p[off + 1] = (unsigned char)(v >> 8);
}

static inline void kxl_put32(unsigned char *p, size_t off, uint32_t v)
{
	kxl_put16(p, off, (uint16_t)v);
	kxl_put16(p, off + 2, (uint16_t)(v >> 16));
}

static inline void kxl_put64(unsigned char *p, size_t off, uint64_t v)
{
	kxl_put32(p, off, (uint32_t)v);
	kxl_put32(p, off + 4, (uint32_t)(v >> 32));
}

static inline uint16_t kxl_get16(const unsigned char *p, size_t off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static inline uint32_t kxl_get32(const unsigned char *p, size_t off)
{
	return kxl_get16(p, off) | (uint32_t)kxl_get16(p, off + 2) << 16;
}

static inline uint64_t kxl_get64(const unsigned char *p, size_t off)
{
	return kxl_get32(p, off) | (uint64_t)kxl_get32(p, off + 4) << 32;
}

/* Sum of len bytes modulo 256: a table is valid when this is 0. */
static inline uint8_t kxl_sum8(const unsigned char *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Store at p[off] the byte that makes the sum of p[0, len) zero. */
static inline void kxl_fix_sum8(unsigned char *p, size_t len, size_t off)
{
	p[off] = 0;
	p[off] = (uint8_t)(0x100 - kxl_sum8(p, len));
}

#endif /* KXL_BYTES_H */
