import { SessionLensError } from '../errors';
import { MAX_JSON_DEPTH, MAX_JSON_VALUES } from './pyjson';
import { pyRepr } from './pyrepr';
import { PY_NONE, py, type PyValue } from './pyvalue';

/**
 * Python pickles read as data, never executed (Django's legacy PickleSerializer sessions): the
 * opcodes that build values (protocols 0–5) make PyValues; what would import or call code
 * (GLOBAL, REDUCE, NEWOBJ, BUILD, …) becomes a description of the call, as text, and nothing is
 * looked up or run. Bounded: the values built, copies made by memo lookups included, stay under
 * MAX_JSON_VALUES, and the stack under MAX_JSON_DEPTH. A memo lookup copies its value, so the
 * result is always a tree (a pickle can describe a cycle; the renderers must never see one).
 */

export const PICKLE_MAGIC = 0x80;

/** A value that pickle would build by calling code: shown as `<module.name(args)>`, never constructed. */
interface Call {
  kind: 'call';
  text: string;
}

type Item = PyValue | Call | typeof MARK;
const MARK = Symbol('mark');

function fail(message: string): never {
  throw new SessionLensError('ERR_PAYLOAD_INVALID', `not a pickle this tool reads: ${message}`);
}

function isCall(item: Item): item is Call {
  return typeof item === 'object' && 'kind' in item && item.kind === 'call';
}

/** A Call as the text shown in its place. */
function valueOf(item: Item): PyValue {
  if (item === MARK) fail('a mark where a value belongs');
  return isCall(item) ? py.str(`<${item.text}>`) : item;
}

function describe(item: Item): string {
  if (item === MARK) return '?';
  try {
    return isCall(item) ? item.text : pyRepr(item, 200);
  } catch {
    return '…';
  }
}

/** A dict key: the text of a str, else its repr (PyValue dicts have text keys). */
function keyOf(item: Item): string {
  const v = valueOf(item);
  return v.type === 'str' ? v.value : describe(v);
}

/** Reads a pickle (its bytes) to a PyValue. Throws SessionLensError on anything else, or past the budgets. */
export function readPickle(bytes: Uint8Array): PyValue {
  const stack: Item[] = [];
  const memo = new Map<number, Item>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let budget = MAX_JSON_VALUES;
  const spend = (n: number) => {
    budget -= n;
    if (budget < 0) throw new SessionLensError('ERR_PAYLOAD_TOO_LARGE', `the pickle builds more than ${MAX_JSON_VALUES} values; refused`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.length) fail('truncated');
  };
  const u8 = () => (need(1), bytes[pos++]!);
  const take = (n: number) => (need(n), bytes.subarray(pos, (pos += n)));
  const uint = (n: 1 | 2 | 4 | 8) => {
    need(n);
    const v = n === 1 ? view.getUint8(pos) : n === 2 ? view.getUint16(pos, true) : n === 4 ? view.getUint32(pos, true) : Number(view.getBigUint64(pos, true));
    pos += n;
    return v;
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('an unterminated text argument');
    const text = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const utf8 = (n: number) => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(take(n));
    } catch {
      return fail('a str that is not UTF-8');
    }
  };
  const push = (item: Item) => {
    if (stack.length >= MAX_JSON_DEPTH) throw new SessionLensError('ERR_PAYLOAD_TOO_LARGE', 'the pickle stack is too deep; refused');
    stack.push(item);
  };
  const pop = (): Item => (stack.length === 0 ? fail('an empty stack') : stack.pop()!);
  const popMark = (): Item[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail('no mark');
    const items = stack.splice(at);
    items.shift();
    return items;
  };
  const top = (): Item => (stack.length === 0 ? fail('an empty stack') : stack[stack.length - 1]!);
  /** A copy of a memoized value, charged to the budget: a lookup never shares structure. */
  const copy = (item: Item): Item => {
    if (item === MARK || isCall(item)) return item;
    spend(1);
    switch (item.type) {
      case 'list':
      case 'tuple':
        return { type: item.type, items: item.items.map((v) => copy(v) as PyValue) };
      case 'dict':
        return { type: 'dict', entries: new Map([...item.entries].map(([k, v]) => [k, copy(v) as PyValue])) };
      default:
        return item;
    }
  };
  const addItems = (target: Item, items: Item[]) => {
    if (target === MARK || isCall(target) || target.type !== 'list') {
      if (isCall(target)) return; // list.extend on something we did not build: its items are left out
      fail('appends to something that is not a list');
    }
    spend(items.length);
    for (const item of items) target.items.push(valueOf(item));
  };
  const setItems = (target: Item, items: Item[]) => {
    if (items.length % 2 !== 0) fail('a key without a value');
    if (isCall(target)) return;
    if (target === MARK || target.type !== 'dict') fail('sets items on something that is not a dict');
    spend(items.length / 2);
    for (let i = 0; i < items.length; i += 2) target.entries.set(keyOf(items[i]!), valueOf(items[i + 1]!));
  };
  const call = (callee: Item, args: Item) => {
    spend(1);
    const argText = args !== MARK && !isCall(args) && args.type === 'tuple' ? args.items.map(describe).join(', ') : describe(args);
    push({ kind: 'call', text: `${describe(callee)}(${argText.length > 300 ? `${argText.slice(0, 300)}…` : argText})` });
  };
  const global = (module: string, name: string): Call => ({ kind: 'call', text: `${module}.${name}` });

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        uint(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail('stops with more than one value left');
        return valueOf(stack[0]!);
      case 0x28: // MARK
        push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        spend(1);
        push({ type: 'dict', entries: new Map() });
        break;
      case 0x5d: // EMPTY_LIST
        spend(1);
        push({ type: 'list', items: [] });
        break;
      case 0x29: // EMPTY_TUPLE
        spend(1);
        push({ type: 'tuple', items: [] });
        break;
      case 0x8f: // EMPTY_SET: shown as a list
        spend(1);
        push({ type: 'list', items: [] });
        break;
      case 0x90: // ADDITEMS
      case 0x65: { // APPENDS
        const items = popMark();
        addItems(top(), items);
        break;
      }
      case 0x61: { // APPEND
        const item = pop();
        addItems(top(), [item]);
        break;
      }
      case 0x73: { // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x64: { // DICT
        const items = popMark();
        const dict: PyValue = { type: 'dict', entries: new Map() };
        spend(1);
        setItems(dict, items);
        push(dict);
        break;
      }
      case 0x6c: // LIST
      case 0x91: // FROZENSET
      case 0x74: { // TUPLE
        const items = popMark();
        spend(1 + items.length);
        push({ type: op === 0x74 ? 'tuple' : 'list', items: items.map(valueOf) });
        break;
      }
      case 0x85:
      case 0x86:
      case 0x87: { // TUPLE1..3
        const n = op - 0x84;
        if (stack.length < n) fail('an empty stack');
        const items = stack.splice(stack.length - n);
        spend(1 + n);
        push({ type: 'tuple', items: items.map(valueOf) });
        break;
      }
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x71: // BINPUT
        memo.set(uint(1), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(uint(4), top());
        break;
      case 0x70: // PUT
        memo.set(Number(line()), top());
        break;
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
      case 0x67: { // GET
        const index = op === 0x68 ? uint(1) : op === 0x6a ? uint(4) : Number(line());
        const item = memo.get(index);
        if (item === undefined) fail(`memo ${index} is not set`);
        push(copy(item));
        break;
      }
      case 0x4e: // NONE
        push(PY_NONE);
        break;
      case 0x88: // NEWTRUE
      case 0x89: // NEWFALSE
        push(py.bool(op === 0x88));
        break;
      case 0x4b: // BININT1
        push(py.int(uint(1)));
        break;
      case 0x4d: // BININT2
        push(py.int(uint(2)));
        break;
      case 0x4a: // BININT
        need(4);
        push(py.int(view.getInt32(pos, true)));
        pos += 4;
        break;
      case 0x8a: // LONG1
      case 0x8b: { // LONG4
        const n = op === 0x8a ? uint(1) : uint(4);
        if (n > 1024) throw new SessionLensError('ERR_PAYLOAD_TOO_LARGE', 'an integer of more than 1024 bytes; refused');
        const raw = take(n);
        let value = 0n;
        for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]!);
        if (n > 0 && raw[n - 1]! & 0x80) value -= 1n << BigInt(8 * n);
        push(py.int(value));
        break;
      }
      case 0x49: { // INT (text; 00 and 01 are False and True)
        const text = line();
        if (text === '00' || text === '01') push(py.bool(text === '01'));
        else if (/^-?\d{1,4300}$/.test(text)) push(py.int(BigInt(text)));
        else fail('an INT that is not a number');
        break;
      }
      case 0x4c: { // LONG (text)
        const text = line().replace(/L$/, '');
        if (!/^-?\d{1,4300}$/.test(text)) fail('a LONG that is not a number');
        push(py.int(BigInt(text)));
        break;
      }
      case 0x47: // BINFLOAT
        need(8);
        push(py.float(view.getFloat64(pos, false)));
        pos += 8;
        break;
      case 0x46: { // FLOAT (text)
        const x = Number(line());
        if (Number.isNaN(x)) fail('a FLOAT that is not a number');
        push(py.float(x));
        break;
      }
      case 0x8c: // SHORT_BINUNICODE
        push(py.str(utf8(uint(1))));
        break;
      case 0x58: // BINUNICODE
        push(py.str(utf8(uint(4))));
        break;
      case 0x8d: // BINUNICODE8
        push(py.str(utf8(uint(8))));
        break;
      case 0x56: // UNICODE (raw-unicode-escape text)
        push(py.str(line().replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, four: string, eight: string) => String.fromCodePoint(parseInt(four ?? eight, 16)))));
        break;
      case 0x53: { // STRING: a quoted Python 2 str, as protocol 0 writes it (unescaped loosely: it is only shown)
        const quoted = line();
        if (quoted.length < 2 || quoted[0] !== quoted[quoted.length - 1] || !`'"`.includes(quoted[0]!)) fail('a STRING that is not quoted');
        push(py.str(quoted.slice(1, -1).replace(/\\(.)/g, '$1')));
        break;
      }
      case 0x43: // SHORT_BINBYTES
      case 0x55: // SHORT_BINSTRING
        push({ type: 'bytes', value: take(uint(1)).slice() });
        break;
      case 0x42: // BINBYTES
      case 0x54: // BINSTRING
        push({ type: 'bytes', value: take(uint(4)).slice() });
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        push({ type: 'bytes', value: take(uint(8)).slice() });
        break;
      case 0x63: { // GLOBAL
        const module = line();
        push(global(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        push(global(keyOf(module), keyOf(name)));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: { // NEWOBJ
        const args = pop();
        call(pop(), args);
        break;
      }
      case 0x92: { // NEWOBJ_EX
        pop();
        const args = pop();
        call(pop(), args);
        break;
      }
      case 0x62: { // BUILD: object state, set on an object we never built
        pop();
        break;
      }
      case 0x6f: { // OBJ
        const items = popMark();
        const callee = items.shift();
        if (callee === undefined) fail('OBJ without a class');
        call(callee, { type: 'tuple', items: items.map(valueOf) });
        break;
      }
      case 0x69: { // INST
        const module = line();
        const name = line();
        call(global(module, name), { type: 'tuple', items: popMark().map(valueOf) });
        break;
      }
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(copy(top()));
        break;
      default:
        fail(`opcode 0x${op.toString(16).padStart(2, '0')} is not read`);
    }
  }
}
