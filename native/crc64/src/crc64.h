/*
 * CRC-64/XZ (ECMA-182 polynomial, reflected, init and xorout all ones): the
 * x-oss-hash-crc64ecma that Alibaba OSS returns for parts and objects.
 *
 * Pure C, no Node: the N-API wrapper (addon.c) and the standalone self-test
 * (test/selftest.c, used to exercise the arm64 path under qemu) both link it.
 */
#ifndef VOD_CRC64_H
#define VOD_CRC64_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  CRC64_IMPL_TABLE = 0,  /* slicing-by-8, portable */
  CRC64_IMPL_PCLMUL = 1, /* x86-64 PCLMULQDQ folding */
  CRC64_IMPL_PMULL = 2   /* arm64 PMULL folding */
} crc64_impl;

/* Builds tables and fold constants and probes the CPU. Idempotent; call once
 * before anything else (not thread-safe itself, everything after it is). */
void crc64_init(void);

/* Which implementation crc64_update uses on this CPU. */
crc64_impl crc64_best_impl(void);
const char *crc64_impl_name(crc64_impl impl);

/* Continues a finished CRC (0 = start of data) over buf[0..len). */
uint64_t crc64_update(uint64_t crc, const uint8_t *buf, size_t len);
/* The same with a forced implementation (benchmarks, cross-checks). Falls back
 * to the table if the requested one is not available on this CPU. */
uint64_t crc64_update_impl(crc64_impl impl, uint64_t crc, const uint8_t *buf, size_t len);

/* crc(A||B) from crc(A), crc(B) and len(B) in bytes, without the bytes. */
uint64_t crc64_combine(uint64_t crc1, uint64_t crc2, uint64_t len2);

#endif
