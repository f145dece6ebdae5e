/*
 * Standalone check of the C core, without Node: the check value, every
 * implementation against a bit-at-a-time reference over many lengths and
 * misalignments, chunked updates, and combine. Used to exercise the arm64
 * PMULL path under qemu-user on an x86 machine:
 *   aarch64-linux-gnu-gcc -O2 -o /tmp/selftest-arm64 test/selftest.c src/crc64.c
 *   qemu-aarch64 -L /usr/aarch64-linux-gnu /tmp/selftest-arm64
 * The Node tests (test/unit/crc64*.test.ts) cover the addon itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/crc64.h"

static uint64_t crc_bitwise(uint64_t crc, const uint8_t *p, size_t n) {
  crc = ~crc;
  while (n--) {
    crc ^= *p++;
    for (int k = 0; k < 8; k++) crc = (crc & 1) ? (crc >> 1) ^ 0xC96C5795D7870F42ULL : crc >> 1;
  }
  return ~crc;
}

static uint64_t rng = 88172645463325252ULL;
static uint8_t next_byte(void) {
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return (uint8_t)rng;
}

int main(void) {
  int failures = 0;
  crc64_init();
  crc64_impl best = crc64_best_impl();
  printf("best implementation: %s\n", crc64_impl_name(best));
  const uint8_t check[] = "123456789";
  crc64_impl impls[2] = {CRC64_IMPL_TABLE, best};
  for (int i = 0; i < 2; i++) {
    uint64_t c = crc64_update_impl(impls[i], 0, check, 9);
    if (c != 0x995DC9BBDF1939FAULL) { printf("FAIL check %s: %016llx\n", crc64_impl_name(impls[i]), (unsigned long long)c); failures++; }
  }
  size_t cap = (1 << 20) + 64;
  uint8_t *buf = malloc(cap);
  for (size_t i = 0; i < cap; i++) buf[i] = next_byte();
  for (size_t len = 0; len < 3000 || len == (1u << 20) + 3; len = len < 3000 ? len + 1 : len) {
    for (size_t off = 0; off < 17; off += (len > 600 ? 7 : 1)) {
      uint64_t seed = len * 2654435761u;
      uint64_t ref = crc_bitwise(seed, buf + off, len);
      for (int i = 0; i < 2; i++) {
        uint64_t c = crc64_update_impl(impls[i], seed, buf + off, len);
        if (c != ref) { printf("FAIL %s len %zu off %zu\n", crc64_impl_name(impls[i]), len, off); failures++; }
      }
      /* combine: split anywhere */
      size_t cut = len / 3;
      uint64_t a = crc64_update(0, buf + off, cut), b = crc64_update(0, buf + off + cut, len - cut);
      if (crc64_combine(a, b, len - cut) != crc64_update(0, buf + off, len)) { printf("FAIL combine len %zu\n", len); failures++; }
    }
    if (len == 2999) len = (1u << 20) + 3; else if (len == (1u << 20) + 3) break;
  }
  printf(failures ? "%d failures\n" : "all ok\n", failures);
  free(buf);
  return failures != 0;
}
