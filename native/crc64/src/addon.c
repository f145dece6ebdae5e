/*
 * Node-API wrapper of crc64.c. Plain node_api.h (no node-addon-api) so the
 * addon needs no npm dependency and is ABI-stable across Node and Electron.
 *
 *   update(crc: bigint, buf: Uint8Array): bigint      fastest implementation
 *   updateTable(crc: bigint, buf: Uint8Array): bigint slicing-by-8 only (benchmarks)
 *   combine(crc1: bigint, crc2: bigint, len2: number | bigint): bigint
 *   implementation: 'pclmul' | 'pmull' | 'table'
 *
 * The CRC crosses as a BigInt: one conversion each way per call costs well
 * under a microsecond, against ~5 us of hashing for a 64 KiB chunk.
 */
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <stdio.h>
#include "crc64.h"

#define CHECK(call)                                                    \
  do {                                                                 \
    if ((call) != napi_ok) {                                           \
      napi_throw_error(env, NULL, "crc64 addon: Node-API call failed"); \
      return NULL;                                                     \
    }                                                                  \
  } while (0)

static int get_crc(napi_env env, napi_value v, const char *name, uint64_t *out) {
  napi_valuetype t;
  bool lossless = false;
  char msg[128];
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_bigint) {
    snprintf(msg, sizeof msg, "crc64: %s must be a bigint (0n to start)", name);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return 0;
  }
  if (napi_get_value_bigint_uint64(env, v, out, &lossless) != napi_ok || !lossless) {
    snprintf(msg, sizeof msg, "crc64: %s must be an unsigned 64-bit value", name);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return 0;
  }
  return 1;
}

/* Accepts any Uint8Array (Buffers included, and views into larger
 * ArrayBuffers: Node-API hands back the pointer already moved by byteOffset). */
static int get_bytes(napi_env env, napi_value v, const uint8_t **data, size_t *len) {
  bool is_ta = false;
  napi_typedarray_type type;
  void *p = NULL;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &type, len, &p, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "crc64: buf must be a Uint8Array or Buffer");
    return 0;
  }
  *data = *len ? (const uint8_t *)p : (const uint8_t *)"";
  return 1;
}

static napi_value do_update(napi_env env, napi_callback_info info, crc64_impl impl) {
  size_t argc = 2;
  napi_value argv[2], result;
  uint64_t crc;
  const uint8_t *data;
  size_t len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "crc64: update(crc, buf) takes two arguments");
    return NULL;
  }
  if (!get_crc(env, argv[0], "crc", &crc) || !get_bytes(env, argv[1], &data, &len)) return NULL;
  CHECK(napi_create_bigint_uint64(env, crc64_update_impl(impl, crc, data, len), &result));
  return result;
}

static napi_value update(napi_env env, napi_callback_info info) {
  return do_update(env, info, crc64_best_impl());
}

static napi_value update_table(napi_env env, napi_callback_info info) {
  return do_update(env, info, CRC64_IMPL_TABLE);
}

static napi_value combine(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  uint64_t crc1, crc2, len2 = 0;
  napi_valuetype t;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "crc64: combine(crc1, crc2, len2) takes three arguments");
    return NULL;
  }
  if (!get_crc(env, argv[0], "crc1", &crc1) || !get_crc(env, argv[1], "crc2", &crc2)) return NULL;
  CHECK(napi_typeof(env, argv[2], &t));
  if (t == napi_bigint) {
    bool lossless = false;
    CHECK(napi_get_value_bigint_uint64(env, argv[2], &len2, &lossless));
    if (!lossless) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "crc64: len2 must be a non-negative 64-bit length");
      return NULL;
    }
  } else if (t == napi_number) {
    double d;
    CHECK(napi_get_value_double(env, argv[2], &d));
    if (!(d >= 0 && d <= 9007199254740991.0) || d != (double)(uint64_t)d) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "crc64: len2 must be a non-negative safe integer");
      return NULL;
    }
    len2 = (uint64_t)d;
  } else {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "crc64: len2 must be a number or bigint");
    return NULL;
  }
  CHECK(napi_create_bigint_uint64(env, crc64_combine(crc1, crc2, len2), &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value impl;
  crc64_init();
  napi_property_descriptor props[] = {
      {"update", NULL, update, NULL, NULL, NULL, napi_enumerable, NULL},
      {"updateTable", NULL, update_table, NULL, NULL, NULL, napi_enumerable, NULL},
      {"combine", NULL, combine, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  CHECK(napi_create_string_utf8(env, crc64_impl_name(crc64_best_impl()), NAPI_AUTO_LENGTH, &impl));
  CHECK(napi_set_named_property(env, exports, "implementation", impl));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
