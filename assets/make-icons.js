#!/usr/bin/env node
'use strict';
// Draws the app and tray icons as PNGs with nothing but zlib (no image tools needed):
//   node assets/make-icons.js  →  assets/icon.png (1024², electron-builder makes .icns/.ico
//   from it) and assets/tray.png (32², also used as a macOS template image: only its
//   alpha counts there, so the glyph is drawn without a background).
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { Buffer } = require('buffer');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Shapes in unit coordinates (0…1).
function inRoundedSquare(x, y, r) {
  const dx = Math.max(r - x, 0, x - (1 - r));
  const dy = Math.max(r - y, 0, y - (1 - r));
  return dx * dx + dy * dy <= r * r;
}
function inTriangle(x, y, a, b, c) {
  const s = (p, q, r) => (p[0] - r[0]) * (q[1] - r[1]) - (q[0] - r[0]) * (p[1] - r[1]);
  const d1 = s([x, y], a, b);
  const d2 = s([x, y], b, c);
  const d3 = s([x, y], c, a);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}
/** The glyph: a play triangle with an upload arrow beside it. */
function inGlyph(x, y) {
  const play = inTriangle(x, y, [0.22, 0.28], [0.22, 0.72], [0.58, 0.5]);
  const arrowHead = inTriangle(x, y, [0.6, 0.48], [0.84, 0.48], [0.72, 0.3]);
  const arrowShaft = x >= 0.68 && x <= 0.76 && y >= 0.47 && y <= 0.72;
  return play || arrowHead || arrowShaft;
}

function draw(size, withBackground) {
  const out = Buffer.alloc(size * size * 4);
  const ss = 4; // 4×4 supersampling for smooth edges
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) / size;
          const y = (py + (sy + 0.5) / ss) / size;
          if (inGlyph(x, y)) fg++;
          else if (withBackground && inRoundedSquare(x, y, 0.22)) bg++;
        }
      }
      const n = ss * ss;
      const t = py / size;
      // Background: a vertical blue gradient; glyph: white (app) or blue (tray).
      const bgc = [Math.round(0x1e + (0x15 - 0x1e) * t), Math.round(0x88 + (0x65 - 0x88) * t), Math.round(0xe5 + (0xc0 - 0xe5) * t)];
      const fgc = withBackground ? [255, 255, 255] : [0x16, 0x77, 0xff];
      const a = (bg + fg) / n;
      const o = (py * size + px) * 4;
      if (a === 0) continue;
      for (let i = 0; i < 3; i++) out[o + i] = Math.round((bgc[i] * bg + fgc[i] * fg) / (bg + fg));
      out[o + 3] = Math.round(a * 255);
    }
  }
  return png(size, out);
}

fs.writeFileSync(path.join(__dirname, 'icon.png'), draw(1024, true));
fs.writeFileSync(path.join(__dirname, 'tray.png'), draw(32, false));
console.log('Wrote assets/icon.png and assets/tray.png');
