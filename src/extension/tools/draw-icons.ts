/**
 * Draws the extension icons (a cookie seen through a magnifying lens) into public/icons/.
 * Uses only Node built-ins. Run after changing the drawing:
 *
 *   node --import tsx src/extension/tools/draw-icons.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

type Rgba = readonly [number, number, number, number];

const COOKIE: Rgba = [214, 150, 72, 255];
const COOKIE_RIM: Rgba = [168, 105, 45, 255];
const CHIP: Rgba = [84, 48, 22, 255];
const LENS: Rgba = [36, 86, 168, 255];
const GLINT: Rgba = [255, 255, 255, 150];

const CENTER = 0.4;
const COOKIE_RADIUS = 0.29;
const RING_INNER = 0.31;
const RING_OUTER = 0.385;
const CHIPS: ReadonlyArray<readonly [number, number]> = [
  [0.3, 0.31],
  [0.47, 0.29],
  [0.4, 0.44],
  [0.27, 0.5],
  [0.52, 0.5],
];
const CHIP_RADIUS = 0.045;

function distanceToSegment(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

/** Colour of the point (x, y) in unit coordinates, painted back to front. */
function shade(x: number, y: number): Rgba | null {
  const r = Math.hypot(x - CENTER, y - CENTER);
  let colour: Rgba | null = null;
  if (r <= COOKIE_RADIUS) {
    colour = r > COOKIE_RADIUS - 0.04 ? COOKIE_RIM : COOKIE;
    if (CHIPS.some(([cx, cy]) => Math.hypot(x - cx, y - cy) <= CHIP_RADIUS)) colour = CHIP;
  }
  // A small highlight on the glass, top left.
  if (Math.hypot(x - 0.27, y - 0.22) <= 0.035) colour = GLINT;
  if (r >= RING_INNER && r <= RING_OUTER) colour = LENS;
  if (distanceToSegment(x, y, 0.68, 0.68, 0.9, 0.9) <= 0.075) colour = LENS;
  return colour;
}

function render(size: number, samples = 4): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy += 1) {
        for (let sx = 0; sx < samples; sx += 1) {
          const c = shade((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          if (!c) continue;
          const alpha = c[3] / 255;
          r += c[0] * alpha;
          g += c[1] * alpha;
          b += c[2] * alpha;
          a += alpha;
        }
      }
      const o = (py * size + px) * 4;
      const n = samples * samples;
      // Straight (non-premultiplied) alpha, as PNG wants.
      pixels[o] = a > 0 ? Math.round(r / a) : 0;
      pixels[o + 1] = a > 0 ? Math.round(g / a) : 0;
      pixels[o + 2] = a > 0 ? Math.round(b / a) : 0;
      pixels[o + 3] = Math.round((a / n) * 255);
    }
  }
  return pixels;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

export function encodePng(size: number, rgba: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y += 1) {
    rows.push(Buffer.from([0]), rgba.subarray(y * size * 4, (y + 1) * size * 4)); // filter: none
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const outDir = join(dirname(fileURLToPath(import.meta.url)), '../../../public/icons');
mkdirSync(outDir, { recursive: true });
for (const size of [16, 32, 48, 128]) {
  const file = join(outDir, `icon-${size}.png`);
  writeFileSync(file, encodePng(size, render(size)));
  console.log(`wrote ${file}`);
}
