import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CandidateBatch, WordlistReader, readWordlist, type WordlistOptions } from '../../src/core/audit';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function read(text: string | Uint8Array, options: WordlistOptions = {}, chunkSize = Infinity): Uint8Array[] {
  const data = typeof text === 'string' ? encoder.encode(text) : text;
  const reader = new WordlistReader(options);
  const batch = new CandidateBatch();
  for (let i = 0; i < data.length; i += Math.min(chunkSize, data.length)) reader.push(data.subarray(i, i + chunkSize), batch);
  reader.end(batch);
  return Array.from({ length: batch.count }, (_, i) => batch.get(i));
}
const texts = (text: string, options?: WordlistOptions) => read(text, options).map((b) => decoder.decode(b));

describe('wordlist lines, as flask-unsign reads them', () => {
  it('one candidate per line; quotes and surrounding whitespace go, blank lines and \\r of \\r\\n too', () => {
    expect(texts('"secret"\r\n\r\n  \'dev\'  \n\nplain text \n"last"')).toEqual(['secret', 'dev', 'plain text', 'last']);
  });

  it('evaluates Python string literals: escapes, prefixes, triple quotes, adjacent literals, parentheses, comments', () => {
    const lines = [
      String.raw`'it\'s'`,
      String.raw`"tab\there"`,
      String.raw`'\x41\101\u00e9\U0001F600'`,
      String.raw`r'raw\n'`,
      String.raw`'unknown \q escape'`,
      `'''a'b'''`,
      `"con" 'cat'`,
      `("paren")`,
      `'value'  # a comment`,
      `u"unicode prefix"`,
    ];
    expect(texts(lines.join('\n'))).toEqual(["it's", 'tab\there', 'AAé😀', String.raw`raw\n`, String.raw`unknown \q escape`, "a'b", 'concat', 'paren', 'value', 'unicode prefix']);
  });

  it('bytes literals give bytes; undecodable lines are their stripped bytes', () => {
    expect(read(String.raw`b'\xff\x00k'`)).toEqual([Uint8Array.of(0xff, 0, 0x6b)]);
    expect(read(Uint8Array.of(0x20, 0xff, 0x27, 0x61, 0x27, 0x0d, 0x0a))).toEqual([Uint8Array.of(0xff, 0x27, 0x61, 0x27)]);
  });

  it('a line that is not a string literal is its stripped text', () => {
    expect(texts(`"unterminated\n'\\xZZ'\n12345\n'a',\nf'fstring'\nrb'x' 'mixed'`)).toEqual(['"unterminated', "'\\xZZ'", '12345', "'a',", "f'fstring'", "rb'x' 'mixed'"]);
  });

  it('skips what Flask could never sign with: empty strings and lone surrogates', () => {
    expect(texts(`""\n''\n'\\ud800'\nok`)).toEqual(['ok']);
  });

  it('--no-literal-eval: each stripped line as it is', () => {
    expect(texts(`"quoted"\n  'x\\n'  \n`, { literal: false })).toEqual(['"quoted"', "'x\\n'"]);
  });

  it('any chunking of the input gives the same candidates', () => {
    const line = fc.oneof(fc.string({ unit: fc.constantFrom('"', "'", '\\', 'a', 'x', 'u', 'b', 'r', '0', ' ', '\t', '\r', '#', 'é', '😀') }), fc.string());
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.integer({ min: 1, max: 40 }), fc.boolean(), (lines, chunk, literal) => {
        const text = lines.join('\n');
        expect(read(text, { literal }, chunk)).toEqual(read(text, { literal }));
      }),
    );
  });

  const shared = join(import.meta.dirname, '..', '..', '..', 'shared', 'wordlists', 'flask-unsign-all.txt');
  it.skipIf(!existsSync(shared))('flask-unsign-all.txt in 64 KiB chunks: the values flask-unsign 1.2.1 parses from it', async () => {
    const data = readFileSync(shared);
    const chunks = Array.from({ length: Math.ceil(data.length / 65536) }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536));
    const distinct = new Set<string>();
    let count = 0;
    for await (const batch of readWordlist(chunks)) {
      for (let i = 0; i < batch.count; i++) distinct.add(Buffer.from(batch.get(i)).toString('hex'));
      count += batch.count;
    }
    // flask-unsign's parse() gives 55,982 values, 52,829 distinct; three lines are the empty string, which is skipped here.
    expect(count).toBe(55_982 - 3);
    expect(distinct.size).toBe(52_829 - 1);
  });
});
