/**
 * HMAC-SHA1 with itsdangerous' hmac key derivation, four candidates at a
 * time in WebAssembly SIMD lanes: the Flask default, and the search's hot
 * path. The module is assembled here, from this source, at first use — no
 * prebuilt binary. Hosts without WebAssembly SIMD (or whose CSP forbids
 * compiling it) get null and the word kernel instead.
 *
 * Memory (bytes):
 *   0     state, 5 × v128          80    inner digest, 5 × v128
 *   160   derived key, 5 × v128    256   schedule scratch, 80 × v128
 *   1536  expected first signature word, splatted
 *   2048  keys: per group of four, 16 words × 4 lanes
 *   then  the salt's and the message's fixed schedules, splatted.
 */

const STATE = 0;
const INNER = 80;
const DERIVED = 160;
const SCHED = 256;
export const EXPECT = 1536;
export const KEYS = 2048;
export const GROUP_BYTES = 256;
export const SCHEDULE_BYTES = 80 * 16;

const IV = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
const K = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6];

// Opcodes used below (WebAssembly core and SIMD specifications).
const OP = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f, call: 0x10,
  localGet: 0x20, localSet: 0x21, localTee: 0x22, i32Const: 0x41, i32GeU: 0x4f, i32Add: 0x6a, i32Sub: 0x6b,
} as const; // prettier-ignore
const SIMD = {
  load: 0x00, store: 0x0b, const: 0x0c, splat: 0x11, eq: 0x37, and: 0x4e, or: 0x50, xor: 0x51, bitselect: 0x52,
  anyTrue: 0x53, shl: 0xab, shrU: 0xad, add: 0xae,
} as const; // prettier-ignore
const V128 = 0x7b;
const I32 = 0x7f;
const VOID = 0x40;

function uleb(value: number, out: number[]): void {
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
}

function sleb(value: number, out: number[]): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(byte & 0x40)) || (v === -1 && byte & 0x40)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

class Code {
  readonly bytes: number[] = [];

  op(...codes: number[]): this {
    this.bytes.push(...codes);
    return this;
  }

  simd(code: number): this {
    this.bytes.push(0xfd);
    uleb(code, this.bytes);
    return this;
  }

  get(local: number): this {
    this.bytes.push(OP.localGet);
    uleb(local, this.bytes);
    return this;
  }

  set(local: number): this {
    this.bytes.push(OP.localSet);
    uleb(local, this.bytes);
    return this;
  }

  tee(local: number): this {
    this.bytes.push(OP.localTee);
    uleb(local, this.bytes);
    return this;
  }

  i32(value: number): this {
    this.bytes.push(OP.i32Const);
    sleb(value, this.bytes);
    return this;
  }

  /** v128.load/store with 16-byte alignment and a constant offset. */
  load(offset: number): this {
    this.simd(SIMD.load).bytes.push(4);
    uleb(offset, this.bytes);
    return this;
  }

  store(offset: number): this {
    this.simd(SIMD.store).bytes.push(4);
    uleb(offset, this.bytes);
    return this;
  }

  splat(value: number): this {
    this.simd(SIMD.const);
    for (let lane = 0; lane < 4; lane++) for (let i = 0; i < 4; i++) this.bytes.push((value >>> (8 * i)) & 0xff);
    return this;
  }

  /** Rotates the v128 on the stack (also held in `local`) left by n. */
  rotl(local: number, n: number): this {
    return this.tee(local).i32(n).simd(SIMD.shl).get(local).i32(32 - n).simd(SIMD.shrU).simd(SIMD.or);
  }

  call(fn: number): this {
    this.bytes.push(OP.call);
    uleb(fn, this.bytes);
    return this;
  }
}

/** expand(base): the schedule at base, words 16 … 79. Locals: 0 base, 1 scratch v128. */
function expandBody(): Code {
  const c = new Code();
  for (let t = 16; t < 80; t++) {
    c.get(0);
    c.get(0).load((t - 3) * 16).get(0).load((t - 8) * 16).simd(SIMD.xor);
    c.get(0).load((t - 14) * 16).simd(SIMD.xor).get(0).load((t - 16) * 16).simd(SIMD.xor);
    c.rotl(1, 1).store(t * 16);
  }
  return c;
}

/** compress(base): 80 rounds over the schedule at base into the state. Locals: 0 base, 1–5 a…e, 6 scratch, 7–10 round constants. */
function compressBody(): Code {
  const c = new Code();
  for (let i = 0; i < 5; i++) c.i32(STATE).load(i * 16).set(1 + i);
  for (let i = 0; i < 4; i++) c.splat(K[i]!).set(7 + i);
  const role = [1, 2, 3, 4, 5]; // locals holding a, b, c, d, e: renamed, never moved
  for (let t = 0; t < 80; t++) {
    const [a, b, cc, d, e] = role as [number, number, number, number, number];
    c.get(a).rotl(6, 5);
    if (t < 20) c.get(cc).get(d).get(b).simd(SIMD.bitselect);
    else if (t >= 40 && t < 60) c.get(cc).get(b).get(b).get(d).simd(SIMD.xor).simd(SIMD.bitselect);
    else c.get(b).get(cc).simd(SIMD.xor).get(d).simd(SIMD.xor);
    c.simd(SIMD.add).get(e).simd(SIMD.add).get(7 + Math.floor(t / 20)).simd(SIMD.add);
    c.get(0).load(t * 16).simd(SIMD.add).set(e);
    c.get(b).rotl(6, 30).set(b);
    role.unshift(role.pop()!);
  }
  for (let i = 0; i < 5; i++) c.i32(STATE).i32(STATE).load(i * 16).get(role[i]!).simd(SIMD.add).store(i * 16);
  return c;
}

const FN_EXPAND = 0;
const FN_COMPRESS = 1;

/**
 * run(groups, keys, salt, saltBlocks, message, messageBlocks) → the first
 * group whose first signature word matches in some lane, or −1.
 * Locals: 0–5 params, 6 group, 7 key pointer, 8 block pointer, 9 blocks left.
 */
function runBody(): Code {
  const c = new Code();
  const G = 6;
  const KP = 7;
  const P = 8;
  const N = 9;
  const setIv = () => {
    for (let i = 0; i < 5; i++) c.i32(STATE).splat(IV[i]!).store(i * 16);
  };
  const copy = (from: number, to: number) => {
    for (let i = 0; i < 5; i++) c.i32(to).i32(from).load(i * 16).store(i * 16);
  };
  const compressSchedule = () => c.i32(SCHED).call(FN_EXPAND).i32(SCHED).call(FN_COMPRESS);
  const fixedBlocks = (address: number, blocks: number) => {
    c.get(address).set(P).get(blocks).set(N);
    c.op(OP.loop, VOID);
    c.get(P).call(FN_COMPRESS);
    c.get(P).i32(SCHEDULE_BYTES).op(OP.i32Add).set(P);
    c.get(N).i32(1).op(OP.i32Sub).tee(N).op(OP.brIf, 0, OP.end);
  };
  /** HMAC of a fixed message; `keyWord(i)` pushes key word i (all lanes). Result in the state. */
  const hmac = (keyWord: (i: number, pad: number) => void, message: number, blocks: number) => {
    setIv();
    for (let i = 0; i < 16; i++) {
      c.i32(SCHED);
      keyWord(i, 0x36363636);
      c.store(i * 16);
    }
    compressSchedule();
    fixedBlocks(message, blocks);
    copy(STATE, INNER);
    setIv();
    for (let i = 0; i < 16; i++) {
      c.i32(SCHED);
      keyWord(i, 0x5c5c5c5c);
      c.store(i * 16);
    }
    compressSchedule();
    for (let i = 0; i < 5; i++) c.i32(SCHED).i32(INNER).load(i * 16).store(i * 16);
    for (let i = 5; i < 16; i++) c.i32(SCHED).splat(i === 5 ? 0x80000000 : i === 15 ? (64 + 20) * 8 : 0).store(i * 16);
    compressSchedule();
  };

  c.get(1).set(KP);
  c.op(OP.block, VOID, OP.loop, VOID);
  c.get(G).get(0).op(OP.i32GeU, OP.brIf, 1);
  hmac((i, pad) => c.get(KP).load(i * 16).splat(pad).simd(SIMD.xor), 2, 3);
  copy(STATE, DERIVED);
  hmac((i, pad) => (i < 5 ? c.i32(DERIVED).load(i * 16).splat(pad).simd(SIMD.xor) : c.splat(pad)), 4, 5);
  c.i32(STATE).load(0).i32(EXPECT).load(0).simd(SIMD.eq).simd(SIMD.anyTrue);
  c.op(OP.if, VOID).get(G).op(OP.return, OP.end);
  c.get(G).i32(1).op(OP.i32Add).set(G);
  c.get(KP).i32(GROUP_BYTES).op(OP.i32Add).set(KP);
  c.op(OP.br, 0, OP.end, OP.end);
  c.i32(-1);
  return c;
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  out.push(...content);
}

function functionEntry(locals: [count: number, type: number][], body: Code): number[] {
  const entry: number[] = [];
  uleb(locals.length, entry);
  for (const [count, type] of locals) {
    uleb(count, entry);
    entry.push(type);
  }
  entry.push(...body.bytes, OP.end);
  const sized: number[] = [];
  uleb(entry.length, sized);
  return sized.concat(entry);
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  // Types: 0 (i32) → (), 1 (i32 × 6) → i32.
  section(1, [2, 0x60, 1, I32, 0, 0x60, 6, I32, I32, I32, I32, I32, I32, 1, I32], out);
  section(3, [3, 0, 0, 1], out);
  section(5, [1, 0, 1], out); // one memory, at least one page, grown by the host
  const exportRun = [...'run'].map((ch) => ch.charCodeAt(0));
  const exportMemory = [...'memory'].map((ch) => ch.charCodeAt(0));
  section(7, [2, exportRun.length, ...exportRun, 0, 2, exportMemory.length, ...exportMemory, 2, 0], out);
  const code: number[] = [3];
  code.push(...functionEntry([[1, V128]], expandBody()));
  code.push(...functionEntry([[10, V128]], compressBody()));
  code.push(...functionEntry([[4, I32]], runBody()));
  section(10, code, out);
  return Uint8Array.from(out);
}

export interface SimdSha1 {
  memory: WebAssembly.Memory;
  run(groups: number, keys: number, salt: number, saltBlocks: number, message: number, messageBlocks: number): number;
}

let compiled: WebAssembly.Module | null | undefined;

/** A fresh instance, or null where WebAssembly SIMD cannot run here. */
export function instantiateSimdSha1(): SimdSha1 | null {
  if (compiled === undefined) {
    try {
      compiled = typeof WebAssembly === 'object' ? new WebAssembly.Module(moduleBytes()) : null;
    } catch {
      compiled = null;
    }
  }
  if (!compiled) return null;
  const exports = new WebAssembly.Instance(compiled).exports as unknown as SimdSha1;
  return { memory: exports.memory, run: exports.run };
}
