/*
 * CRC-64/XZ: ECMA-182 polynomial P = x^64 + 0x42F0E1EBA9EA3693 (normal form),
 * processed bit-reflected (reflected constant 0xC96C5795D7870F42), init and
 * xorout all ones. Check value: crc("123456789") = 0x995DC9BBDF1939FA.
 *
 * Three implementations, picked at run time:
 *  - carry-less multiply folding (Intel, "Fast CRC Computation for Generic
 *    Polynomials Using PCLMULQDQ Instruction", 2009) with PCLMULQDQ on x86-64
 *    and PMULL on arm64: four 128-bit lanes folded 512 bits at a time, then
 *    folded into one lane and reduced to 64 bits by Barrett reduction;
 *  - slicing-by-8 tables: the portable fallback, and the tail (< 16 bytes) and
 *    short inputs (< 64 bytes) of the folding paths.
 *
 * Why hand-written rather than a library: the one npm addon (crc64-ecma182)
 * is table-driven (~1.4 GB/s, 0.7 CPU-s/GiB), too costly next to the network
 * send; zlib-ng/ISA-L are not available as Node addons here.
 *
 * ---- How the constants are derived (all computed in crc64_init) ----------
 * Reflected form: a 64-bit word w stands for the polynomial whose coefficient
 * of x^(63-i) is bit i of w; a 128-bit register loaded little-endian from the
 * data stands for the polynomial with x^(127-i) at bit i (byte 0, bit 0 is the
 * highest power: that is how a reflected CRC reads the stream). In this form
 * a carry-less product of two 64-bit words has x^(126-m) at bit m, i.e. read
 * as a 128-bit register it is the true product times x. Hence:
 *
 *  Folding. A 128-bit block X = H*x^64 + L followed by D more bits of message
 *  contributes X*x^D = H*x^(D+64) + L*x^D (mod P). We replace it by
 *  clmul(h, K_lo) ^ clmul(l, K_hi), a 128-bit value aligned with the block D
 *  bits later, with K_lo = x^(D+63) mod P and K_hi = x^(D-1) mod P (the "-1"
 *  cancels the extra x of the reflected product). D = 512 for the 4-lane
 *  loop, D = 128 to fold lane into lane. x^n mod P in reflected form is
 *  x^0 = 1<<63 shifted right n times, xoring the reflected polynomial whenever
 *  a 1 falls off bit 0 (xpow_mod below).
 *
 *  Final reduction. The last 128-bit register R = H*x^64 + L is the whole
 *  remaining message, and the CRC register wanted is R*x^64 mod P
 *  = H*x^128 + L*x^64 (mod P). W = clmul(h, x^127 mod P) ^ (l moved to the
 *  low qword) is congruent and of degree < 128: W = A*x^64 + B with a in the
 *  low qword and b in the high qword. Barrett: with mu = floor(x^128 / P)
 *  (degree 64), the quotient Q = floor(W / P) = floor(A * mu / x^64), exactly,
 *  in GF(2). Multiplying by a constant c whose bit j holds the coefficient of
 *  x^(64-j) makes the product's bit m stand for x^(127-m), so the low qword is
 *  directly the high half: q = lo64(clmul(a, MU)) with MU = (refl(mu') << 1)
 *  | 1, where mu = x^64 + mu' (mu's x^0 term only touches the discarded
 *  half). Then W mod P = B + lo64(Q*P) = B + Q + lo64(Q*(P' - 1)), and with
 *  the same trick lo64(Q*(P' - 1)) = hi64(clmul(q, POLY << 1)), POLY being
 *  the reflected constant. So crc = b ^ q ^ hi64(clmul(q, POLY << 1)).
 *
 *  Init/xorout: the register (~crc) is xored into the first 8 data bytes,
 *  which equals starting the division with it (needs >= 8 bytes; we fold only
 *  from 64 up).
 */
#include "crc64.h"

#define POLY_REF 0xC96C5795D7870F42ULL
#define POLY_NORMAL 0x42F0E1EBA9EA3693ULL

static uint64_t table[8][256];
static int initialized;
static crc64_impl best_impl = CRC64_IMPL_TABLE;
static int have_fold;

/* Fold constants in reflected form (see above). */
static uint64_t k512_lo, k512_hi; /* D = 512: x^575, x^511 mod P */
static uint64_t k128_lo, k128_hi; /* D = 128: x^191, x^127 mod P */
static uint64_t k_mu;             /* Barrett: floor(x^128 / P), shifted as explained */
static uint64_t k_poly;           /* POLY_REF << 1 */

/* x^(2^n) mod P for combine; lengths < 2^64 bytes need n <= 66. */
static uint64_t x2n_table[67];

static uint64_t xpow_mod(unsigned n) {
  uint64_t v = 1ULL << 63; /* x^0 */
  while (n--) v = (v & 1) ? (v >> 1) ^ POLY_REF : v >> 1;
  return v;
}

static uint64_t reflect64(uint64_t v) {
  uint64_t r = 0;
  for (int i = 0; i < 64; i++) {
    r = (r << 1) | (v & 1);
    v >>= 1;
  }
  return r;
}

/* mu' = floor(x^128 / P) - x^64, by schoolbook division in normal form. */
static uint64_t barrett_mu_low(void) {
  /* After the x^128 step the remainder is P' * x^64: hi holds x^127..x^64, lo x^63..x^0. */
  uint64_t hi = POLY_NORMAL, lo = 0, q = 0;
  for (int s = 63; s >= 0; s--) { /* degree 64 + s */
    if ((hi >> s) & 1) {
      q |= 1ULL << s;
      hi ^= 1ULL << s; /* x^(64+s) cancels against P's leading term */
      /* xor P' * x^s */
      lo ^= POLY_NORMAL << s;
      if (s) hi ^= POLY_NORMAL >> (64 - s);
    }
  }
  (void)lo;
  return q;
}

/* ---- slicing-by-8 ------------------------------------------------------- */

static uint64_t crc_table(uint64_t crc, const uint8_t *p, size_t n) {
  while (n >= 8) {
    /* Byte-wise assembly is endian-proof; compilers turn it into one load. */
    uint64_t w = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
                 (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
    crc ^= w;
    crc = table[7][crc & 0xff] ^ table[6][(crc >> 8) & 0xff] ^ table[5][(crc >> 16) & 0xff] ^
          table[4][(crc >> 24) & 0xff] ^ table[3][(crc >> 32) & 0xff] ^ table[2][(crc >> 40) & 0xff] ^
          table[1][(crc >> 48) & 0xff] ^ table[0][crc >> 56];
    p += 8;
    n -= 8;
  }
  while (n--) crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

/* ---- x86-64: PCLMULQDQ ---------------------------------------------------- */

#if defined(__x86_64__) || defined(_M_X64)
#define HAVE_PCLMUL_PATH 1
#include <emmintrin.h>
#include <smmintrin.h>
#include <wmmintrin.h>

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#define TARGET_PCLMUL /* MSVC allows the intrinsics without target flags */
static int cpu_has_fold(void) {
  int r[4];
  __cpuid(r, 1);
  return (r[2] & (1 << 1)) && (r[2] & (1 << 19)); /* PCLMULQDQ, SSE4.1 */
}
#else
#include <cpuid.h>
/* The file builds with default flags; only these functions use PCLMUL/SSE4.1,
 * and only after CPUID said the CPU has them. */
#define TARGET_PCLMUL __attribute__((target("pclmul,sse4.1")))
static int cpu_has_fold(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  return (c & bit_PCLMUL) && (c & bit_SSE4_1);
}
#endif

TARGET_PCLMUL static inline __m128i fold128(__m128i x, __m128i k) {
  return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}

#define LOAD(p) _mm_loadu_si128((const __m128i *)(const void *)(p))

/* crc is the raw register (already inverted); n >= 64. */
TARGET_PCLMUL static uint64_t crc_fold(uint64_t crc, const uint8_t *p, size_t n) {
  const __m128i k4 = _mm_set_epi64x((long long)k512_hi, (long long)k512_lo);
  const __m128i k1 = _mm_set_epi64x((long long)k128_hi, (long long)k128_lo);
  const __m128i kb = _mm_set_epi64x((long long)k_poly, (long long)k_mu);
  __m128i x0 = _mm_xor_si128(LOAD(p), _mm_cvtsi64_si128((long long)crc));
  __m128i x1 = LOAD(p + 16), x2 = LOAD(p + 32), x3 = LOAD(p + 48);
  p += 64;
  n -= 64;
  while (n >= 64) {
    x0 = _mm_xor_si128(fold128(x0, k4), LOAD(p));
    x1 = _mm_xor_si128(fold128(x1, k4), LOAD(p + 16));
    x2 = _mm_xor_si128(fold128(x2, k4), LOAD(p + 32));
    x3 = _mm_xor_si128(fold128(x3, k4), LOAD(p + 48));
    p += 64;
    n -= 64;
  }
  x1 = _mm_xor_si128(x1, fold128(x0, k1));
  x2 = _mm_xor_si128(x2, fold128(x1, k1));
  x3 = _mm_xor_si128(x3, fold128(x2, k1));
  while (n >= 16) {
    x3 = _mm_xor_si128(fold128(x3, k1), LOAD(p));
    p += 16;
    n -= 16;
  }
  /* W = h * (x^127 mod P) ^ l moved down: a in the low qword, b in the high. */
  __m128i w = _mm_xor_si128(_mm_clmulepi64_si128(x3, k1, 0x10), _mm_srli_si128(x3, 8));
  __m128i q = _mm_clmulepi64_si128(w, kb, 0x00); /* low qword: Q */
  __m128i t = _mm_clmulepi64_si128(q, kb, 0x10); /* Q * (P' - 1), high qword */
  uint64_t r = (uint64_t)_mm_extract_epi64(w, 1) ^ (uint64_t)_mm_cvtsi128_si64(q) ^
               (uint64_t)_mm_extract_epi64(t, 1);
  return crc_table(r, p, n);
}
#undef LOAD

/* ---- arm64: PMULL ------------------------------------------------------------ */

#elif defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_PMULL_PATH 1
#include <arm_neon.h>

#if defined(__ARM_FEATURE_CRYPTO) || defined(__ARM_FEATURE_AES)
#define TARGET_PMULL /* the baseline already has it (e.g. every Apple arm64 target) */
#elif defined(__clang__)
#define TARGET_PMULL __attribute__((target("aes")))
#else
#define TARGET_PMULL __attribute__((target("+crypto")))
#endif

#if defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_PMULL
#define HWCAP_PMULL (1 << 4)
#endif
static int cpu_has_fold(void) { return (getauxval(AT_HWCAP) & HWCAP_PMULL) != 0; }
#elif defined(__APPLE__)
#include <sys/sysctl.h>
static int cpu_has_fold(void) {
  int v = 0;
  size_t sz = sizeof v;
  if (sysctlbyname("hw.optional.arm.FEAT_PMULL", &v, &sz, NULL, 0) == 0) return v != 0;
  return 1; /* the key exists since macOS 12; every Apple arm64 CPU has PMULL */
}
#else
static int cpu_has_fold(void) { return 0; }
#endif

TARGET_PMULL static inline uint64x2_t clmul_ll(uint64x2_t a, uint64x2_t b) {
  return vreinterpretq_u64_p128(vmull_p64((poly64_t)vgetq_lane_u64(a, 0), (poly64_t)vgetq_lane_u64(b, 0)));
}
TARGET_PMULL static inline uint64x2_t clmul_hh(uint64x2_t a, uint64x2_t b) {
  return vreinterpretq_u64_p128(vmull_high_p64(vreinterpretq_p64_u64(a), vreinterpretq_p64_u64(b)));
}
TARGET_PMULL static inline uint64x2_t fold128(uint64x2_t x, uint64x2_t k) {
  return veorq_u64(clmul_ll(x, k), clmul_hh(x, k));
}

#define LOAD(p) vreinterpretq_u64_u8(vld1q_u8(p))

TARGET_PMULL static uint64_t crc_fold(uint64_t crc, const uint8_t *p, size_t n) {
  const uint64x2_t k4 = vcombine_u64(vcreate_u64(k512_lo), vcreate_u64(k512_hi));
  const uint64x2_t k1 = vcombine_u64(vcreate_u64(k128_lo), vcreate_u64(k128_hi));
  uint64x2_t x0 = veorq_u64(LOAD(p), vcombine_u64(vcreate_u64(crc), vcreate_u64(0)));
  uint64x2_t x1 = LOAD(p + 16), x2 = LOAD(p + 32), x3 = LOAD(p + 48);
  p += 64;
  n -= 64;
  while (n >= 64) {
    x0 = veorq_u64(fold128(x0, k4), LOAD(p));
    x1 = veorq_u64(fold128(x1, k4), LOAD(p + 16));
    x2 = veorq_u64(fold128(x2, k4), LOAD(p + 32));
    x3 = veorq_u64(fold128(x3, k4), LOAD(p + 48));
    p += 64;
    n -= 64;
  }
  x1 = veorq_u64(x1, fold128(x0, k1));
  x2 = veorq_u64(x2, fold128(x1, k1));
  x3 = veorq_u64(x3, fold128(x2, k1));
  while (n >= 16) {
    x3 = veorq_u64(fold128(x3, k1), LOAD(p));
    p += 16;
    n -= 16;
  }
  uint64_t h = vgetq_lane_u64(x3, 0), l = vgetq_lane_u64(x3, 1);
  uint64x2_t w = vreinterpretq_u64_p128(vmull_p64((poly64_t)h, (poly64_t)k128_hi));
  uint64_t a = vgetq_lane_u64(w, 0) ^ l, b = vgetq_lane_u64(w, 1);
  uint64_t q = vgetq_lane_u64(vreinterpretq_u64_p128(vmull_p64((poly64_t)a, (poly64_t)k_mu)), 0);
  uint64_t t = vgetq_lane_u64(vreinterpretq_u64_p128(vmull_p64((poly64_t)q, (poly64_t)k_poly)), 1);
  return crc_table(b ^ q ^ t, p, n);
}
#undef LOAD
#endif

/* a * b mod P in reflected form (zlib's multmodp, for 64 bits). */
static uint64_t multmodp(uint64_t a, uint64_t b) {
  uint64_t m = 1ULL << 63, p = 0;
  if (a == 0) return 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) == 0) break;
    }
    m >>= 1;
    b = (b & 1) ? (b >> 1) ^ POLY_REF : b >> 1;
  }
  return p;
}

/* ---- public ------------------------------------------------------------------ */

void crc64_init(void) {
  if (initialized) return;
  for (unsigned i = 0; i < 256; i++) {
    uint64_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ POLY_REF : c >> 1;
    table[0][i] = c;
  }
  for (unsigned i = 0; i < 256; i++)
    for (int k = 1; k < 8; k++) table[k][i] = (table[k - 1][i] >> 8) ^ table[0][table[k - 1][i] & 0xff];

  k512_lo = xpow_mod(512 + 63);
  k512_hi = xpow_mod(512 - 1);
  k128_lo = xpow_mod(128 + 63);
  k128_hi = xpow_mod(128 - 1);
  k_mu = (reflect64(barrett_mu_low()) << 1) | 1;
  k_poly = POLY_REF << 1;

  x2n_table[0] = 1ULL << 62; /* x^1; then x^(2^n) = (x^(2^(n-1)))^2 */
  for (int n = 1; n < 67; n++) x2n_table[n] = multmodp(x2n_table[n - 1], x2n_table[n - 1]);

#if defined(HAVE_PCLMUL_PATH)
  have_fold = cpu_has_fold();
  if (have_fold) best_impl = CRC64_IMPL_PCLMUL;
#elif defined(HAVE_PMULL_PATH)
  have_fold = cpu_has_fold();
  if (have_fold) best_impl = CRC64_IMPL_PMULL;
#endif
  initialized = 1;
}

crc64_impl crc64_best_impl(void) { return best_impl; }

const char *crc64_impl_name(crc64_impl impl) {
  switch (impl) {
    case CRC64_IMPL_PCLMUL: return "pclmul";
    case CRC64_IMPL_PMULL: return "pmull";
    default: return "table";
  }
}

uint64_t crc64_update_impl(crc64_impl impl, uint64_t crc, const uint8_t *buf, size_t len) {
  uint64_t r = ~crc;
#if defined(HAVE_PCLMUL_PATH) || defined(HAVE_PMULL_PATH)
  if (impl != CRC64_IMPL_TABLE && impl == best_impl && len >= 64) return ~crc_fold(r, buf, len);
#else
  (void)impl;
#endif
  return ~crc_table(r, buf, len);
}

uint64_t crc64_update(uint64_t crc, const uint8_t *buf, size_t len) {
  return crc64_update_impl(best_impl, crc, buf, len);
}

/* Same identity as zlib's crc32_combine: crc(A||B) = crc(A) * x^(8 len(B)) + crc(B)
 * mod P (the all-ones init and xorout cancel out). */
uint64_t crc64_combine(uint64_t crc1, uint64_t crc2, uint64_t len2) {
  uint64_t p = 1ULL << 63; /* x^0 */
  unsigned k = 3;          /* bytes -> bits: x^(2^3) per byte */
  while (len2) {
    if (len2 & 1) p = multmodp(x2n_table[k], p);
    len2 >>= 1;
    k++;
  }
  return multmodp(p, crc1) ^ crc2;
}
