import { jsonFloat } from './pyjson';
import { reprPreview } from './pyrepr';
import type { PyValue } from './pyvalue';

/**
 * A value as JSON text, for formats whose payload is JSON (JWT): `null`, `true`, `"text"` instead
 * of Python's `None`, `True`, `'text'`. Strings use JSON's escapes, and invisible characters
 * (controls, bidi overrides, other format and separator characters) are escaped too, so hostile
 * text never shows as itself. Output stops just past `maxLength` characters, whatever the value's
 * size; a caller shortening it sees that it was cut.
 */

const INVISIBLE = /[\p{C}\p{Z}]/u;

function escaped(code: number): string {
  return '\\u' + code.toString(16).padStart(4, '0');
}

function jsonText(value: string, budget: { left: number }): string {
  let out = '"';
  for (const ch of value) {
    if (out.length > budget.left) break;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
    }
    if (ch !== ' ' && INVISIBLE.test(ch)) {
      for (let i = 0; i < ch.length; i++) out += escaped(ch.charCodeAt(i));
    } else out += ch;
  }
  return out + '"';
}

function write(value: PyValue, out: string[], budget: { left: number }): void {
  if (budget.left <= 0) return;
  const push = (text: string) => {
    out.push(text);
    budget.left -= text.length;
  };
  switch (value.type) {
    case 'none':
      return push('null');
    case 'bool':
      return push(value.value ? 'true' : 'false');
    case 'int':
      return push(value.value.toString());
    case 'float':
      return push(jsonFloat(value.value));
    case 'str':
      return push(jsonText(value.value, budget));
    case 'list':
    case 'tuple':
      push('[');
      value.items.forEach((item, i) => {
        if (budget.left <= 0) return;
        if (i > 0) push(', ');
        write(item, out, budget);
      });
      return push(']');
    case 'dict': {
      push('{');
      let first = true;
      for (const [key, item] of value.entries) {
        if (budget.left <= 0) break;
        if (!first) push(', ');
        first = false;
        push(`${jsonText(key, budget)}: `);
        write(item, out, budget);
      }
      return push('}');
    }
    default:
      // Not JSON (bytes, Markup, UUID, datetime): Python's repr, bounded.
      return push(reprPreview(value, Math.max(1, budget.left)));
  }
}

function render(value: PyValue, maxLength: number): { text: string; cut: boolean } {
  const out: string[] = [];
  write(value, out, { left: maxLength + 1 });
  const text = out.join('');
  return { text, cut: text.length > maxLength };
}

/** JSON text of `value` for display, at most `maxLength` characters (cut ones end with …). */
export function jsonPreview(value: PyValue, maxLength: number): string {
  const { text, cut } = render(value, maxLength);
  return cut ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** JSON text of `value` when it fits in `maxLength` characters, else null. */
export function jsonWithin(value: PyValue, maxLength: number): string | null {
  const { text, cut } = render(value, maxLength);
  return cut ? null : text;
}
