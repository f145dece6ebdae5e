# Built by `npm run build:native` (node-gyp rebuild --directory native/crc64).
# Default flags only: the PCLMUL/PMULL code is enabled per function with
# target attributes and chosen at run time by CPUID / HWCAP.
{
  "targets": [
    {
      "target_name": "crc64",
      "sources": ["src/crc64.c", "src/addon.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-std=c11"] },
      "msvs_settings": { "VCCLCompilerTool": { "Optimization": 2 } }
    }
  ]
}
