import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HELP } from '../../src/cli/args';
import { WORDLIST_CHUNK_BYTES, hashcatLine } from '../../src/cli/audit';
import { main } from '../../src/cli/session-lens';
import { BUILT_IN_SECRETS } from '../../src/core/audit';

const BUILT_IN = BUILT_IN_SECRETS.length;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI with in-memory wordlists (read back `chunk` bytes at a time, to put
 * lines across chunk boundaries) and a clock that advances one second per look.
 */
function runCli(argv: string[], opts: { stdin?: string; lists?: Record<string, string | Uint8Array>; chunk?: number; clock?: number[] } = {}): Run {
  let stdout = '';
  let stderr = '';
  const clock = [...(opts.clock ?? [])];
  const code = main({
    argv,
    env: {},
    readStdin: () => new TextEncoder().encode(opts.stdin ?? ''),
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    color: false,
    openWordlist: opts.lists
      ? (path) => {
          const content = opts.lists![path];
          if (content === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
          const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
          let offset = 0;
          return {
            read(buffer) {
              const n = Math.min(buffer.length, opts.chunk ?? buffer.length, bytes.length - offset);
              buffer.set(bytes.subarray(offset, offset + n));
              offset += n;
              return n;
            },
            close() {},
          };
        }
      : undefined,
    now: opts.clock ? () => clock.shift() ?? 0 : undefined,
  });
  return { code, stdout, stderr };
}

const b64url = (b: Buffer) => b.toString('base64url');

/** A Flask cookie signed as itsdangerous signs it (computed here with node:crypto, not the project's signer). */
function flaskCookie(secret: string | Uint8Array, payload = '{"user":"alice"}', options: { salt?: string; digest?: string; timestamp?: number } = {}): string {
  const digest = options.digest ?? 'sha1';
  const body = `${b64url(Buffer.from(payload))}.${b64url(Buffer.from(Math.floor(options.timestamp ?? 1_764_086_400).toString(16).padStart(8, '0'), 'hex').subarray(0, 4))}`;
  const key = createHmac(digest, secret).update(options.salt ?? 'cookie-session').digest();
  return `${body}.${b64url(createHmac(digest, key).update(body).digest())}`;
}

function json(run: Run): Record<string, unknown> {
  expect(run.stdout.endsWith('\n')).toBe(true);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

const ROTATE = "this app's SECRET_KEY is public: rotate it (keep the old one in SECRET_KEY_FALLBACKS for a smooth rotation)";

describe('audit: arguments', () => {
  it('needs a cookie and refuses the options of other commands', () => {
    const cases: [string[], RegExp][] = [
      [['audit'], /audit needs a cookie value/],
      [['audit', 'x.y.z', '--secret', 'k'], /audit looks for the secret itself and takes no --secret/],
      [['audit', 'x.y.z', '--secret-env', 'K'], /no --secret-env/],
      [['audit', 'x.y.z', '--max-age', '5'], /--max-age is not an option of audit/],
      [['audit', 'x.y.z', '--payload', '{}'], /--payload is not an option of audit/],
      [['verify', 'x.y.z', '--secret', 'k', '--wordlist', 'w'], /--wordlist is an option of audit, not of verify/],
      [['decode', 'x.y.z', '--builtin'], /--builtin is an option of audit, not of decode/],
      [['decode', 'x.y.z', '--hashcat'], /--hashcat is an option of audit/],
      [['audit', 'x.y.z', '--hashcat', '--wordlist', 'w'], /takes no --wordlist/],
      [['audit', '-', '--wordlist', '-'], /cannot both come from standard input/],
      [['audit', 'x.y.z', '--wordlist', '-', '--wordlist', '-'], /only once/],
      [['audit', 'x.y.z', '--wordlist'], /--wordlist needs a value/],
      [['audit', 'x.y.z', '--builtin=yes'], /--builtin takes no value/],
      [['audit', 'x.y.z', '--format', 'rails'], /audit does not search Rails secrets: its keys come from secret_key_base by PBKDF2/],
      [['audit', 'x.y.z', '--format', 'laravel'], /--format must be flask or flask-session/],
      [['audit', 'x.y.z', '--format', 'django'], /not value:timestamp:signature/],
      [['audit', 'x.y.z', '--digest', 'sha3'], /--digest must be one of/],
      [['frobnicate'], /expected decode, verify, sign or audit/],
    ];
    for (const [argv, message] of cases) {
      const run = runCli(argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stdout, argv.join(' ')).toBe('');
      expect(run.stderr, argv.join(' ')).toMatch(message);
    }
  });

  it('documents the command, its options and its exit status in --help', () => {
    const help = runCli(['help', 'audit']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(HELP.audit + '\n');
    for (const option of ['--wordlist FILE', '--builtin', '--no-literal-eval', '--salt', '--digest', '--key-derivation', '--format', '--name', '--json', '--hashcat', '-m 29100']) {
      expect(help.stdout).toContain(option);
    }
    expect(help.stdout).toMatch(/0 no known secret.*3 the secret was\s+found; 2 usage error/s);
    expect(runCli(['--help']).stdout).toMatch(/session-lens audit COOKIE \[--wordlist FILE …\] \[--builtin\] \[--json\]/);
    expect(runCli(['--help']).stdout).toMatch(/3 audit found the secret/);
    expect(runCli(['audit', '--help']).stdout).toBe(HELP.audit + '\n');
  });
});

describe('audit: the built-in list', () => {
  it('is what runs without --wordlist, and what --builtin alone means', () => {
    for (const extra of [[], ['--builtin']]) {
      const found = runCli(['audit', flaskCookie('changeme'), ...extra]);
      expect(found.code).toBe(3);
      expect(found.stdout).toBe(`Secret found: 'changeme' (built-in list) — ${ROTATE}\n`);
      const none = runCli(['audit', flaskCookie('a strong random key, 4bWx9'), ...extra, '--json']);
      expect(none.code).toBe(0);
      expect(json(none)).toMatchObject({ found: false, candidates_tried: BUILT_IN });
    }
  });

  it('is tried first, even when a wordlist holds the secret too', () => {
    const lists = { w: 'first\ndev\n' };
    const out = json(runCli(['audit', flaskCookie('dev'), '--wordlist', 'w', '--json'], { lists }));
    expect(out).toMatchObject({ found: true, secret: 'dev', source: 'built-in', wordlist: null, line: null, candidates_tried: BUILT_IN_SECRETS.indexOf('dev') + 1 });
  });

  it('reports a secret that is not UTF-8 as null text with secret_hex, and as Python bytes in text', () => {
    const quickstart = Uint8Array.from(Buffer.from('5f352379324c22463451387a0aec5d2f', 'hex'));
    const cookie = flaskCookie(quickstart);
    const out = json(runCli(['audit', cookie, '--json']));
    expect(out).toMatchObject({ found: true, secret: null, secret_hex: '5f352379324c22463451387a0aec5d2f', source: 'built-in' });
    expect(runCli(['audit', cookie]).stdout).toBe(`Secret found: b'_5#y2L"F4Q8z\\n\\xec]/' (built-in list) — ${ROTATE}\n`);
  });
});

describe('audit: wordlists', () => {
  it('prints one JSON object with the contract fields, and exits 3 on a finding', () => {
    const lists = { 'list.txt': 'alpha\nbeta\n"gamma"\n' };
    const run = runCli(['audit', flaskCookie('gamma'), '--wordlist', 'list.txt', '--json'], { lists, clock: [1000, 1500] });
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('');
    expect(json(run)).toEqual({
      format: 'flask',
      found: true,
      secret: 'gamma',
      secret_hex: Buffer.from('gamma').toString('hex'),
      source: 'wordlist',
      wordlist: 'list.txt',
      line: 3,
      candidates_tried: BUILT_IN + 3,
      seconds: 0.5,
      rate_per_second: (BUILT_IN + 3) * 2,
    });
  });

  it('says how many candidates it tried and how fast when nothing matches, and exits 0', () => {
    const lists = { a: 'one\ntwo\n', b: 'three' };
    const argv = ['audit', flaskCookie('not in any list'), '--wordlist', 'a', '--wordlist', 'b'];
    const text = runCli(argv, { lists, clock: [0, 2000] });
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(`No known secret among ${BUILT_IN + 3} candidates (${Math.round((BUILT_IN + 3) / 2)}/s)\n`);
    const out = json(runCli([...argv, '--json'], { lists, clock: [0, 2000] }));
    expect(out).toEqual({
      format: 'flask',
      found: false,
      secret: null,
      secret_hex: null,
      source: null,
      wordlist: null,
      line: null,
      candidates_tried: BUILT_IN + 3,
      seconds: 2,
      rate_per_second: Math.round((BUILT_IN + 3) / 2),
    });
  });

  it('reads lines as flask-unsign does: quotes stripped, literals evaluated, blank lines skipped but counted', () => {
    const list = ['', '  ', "'single'", '"double"  ', '', 'b"\\x41\\x42"', "  'it\\'s'  ", 'plain text', '\r', 'last\r'].join('\n');
    const lists = { w: list };
    const expectations: [string, number, number][] = [
      // secret, line (1-based, blank lines counted), position among the candidates
      ['single', 3, 1],
      ['double', 4, 2],
      ['AB', 6, 3],
      ["it's", 7, 4],
      ['plain text', 8, 5],
      ['last', 10, 6],
    ];
    for (const [secret, line, position] of expectations) {
      for (const chunk of [1, 3, 1000]) {
        const out = json(runCli(['audit', flaskCookie(secret), '--wordlist', 'w', '--json'], { lists, chunk }));
        expect(out, `${secret} in chunks of ${chunk}`).toMatchObject({ found: true, secret, line, candidates_tried: BUILT_IN + position });
      }
    }
    // Quotes stay with --no-literal-eval.
    expect(json(runCli(['audit', flaskCookie("'single'"), '--wordlist', 'w', '--no-literal-eval', '--json'], { lists }))).toMatchObject({ secret: "'single'", line: 3 });
    expect(runCli(['audit', flaskCookie('single'), '--wordlist', 'w', '--no-literal-eval', '--json'], { lists }).code).toBe(0);
    const text = runCli(['audit', flaskCookie('plain text'), '--wordlist', 'w'], { lists });
    expect(text.stdout).toBe(`Secret found: 'plain text' (wordlist line 8 of w) — ${ROTATE}\n`);
  });

  it('finds the line of a secret whose line spans chunk boundaries, in any of several lists', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `candidate-${i}-${'x'.repeat(i % 97)}`);
    const lists = { first: 'nothing here\n', second: lines.join('\n') + '\n' };
    for (const index of [0, 1234, 2999]) {
      for (const chunk of [7, 4096, 65536]) {
        const out = json(runCli(['audit', flaskCookie(lines[index]!), '--wordlist', 'first', '--wordlist', 'second', '--json'], { lists, chunk }));
        expect(out, `line ${index + 1}, chunks of ${chunk}`).toMatchObject({ found: true, wordlist: 'second', line: index + 1, candidates_tried: BUILT_IN + 1 + index + 1 });
      }
    }
  });

  it('takes a non-UTF-8 secret from a bytes literal or raw bytes', () => {
    const raw = new Uint8Array([0x61, 0x0a, 0xff, 0xfe, 0x0a]); // "a", then the bytes ff fe
    const out = json(runCli(['audit', flaskCookie(Uint8Array.of(0xff, 0xfe)), '--wordlist', 'w', '--json'], { lists: { w: raw } }));
    expect(out).toMatchObject({ found: true, secret: null, secret_hex: 'fffe', line: 2 });
    const literal = json(runCli(['audit', flaskCookie(Uint8Array.of(0, 0x80)), '--wordlist', 'w', '--json'], { lists: { w: "b'\\x00\\x80'\n" } }));
    expect(literal).toMatchObject({ found: true, secret: null, secret_hex: '0080', line: 1 });
    const text = runCli(['audit', flaskCookie(Uint8Array.of(0, 0x80)), '--wordlist', 'w'], { lists: { w: "b'\\x00\\x80'\n" } });
    expect(text.stdout).toBe(`Secret found: b'\\x00\\x80' (wordlist line 1 of w) — ${ROTATE}\n`);
  });

  it('escapes control and bidi characters of a secret in text and JSON', () => {
    const secret = 'red\x1b[31m\u202eevil';
    const lists = { w: `"red\\x1b[31m\\u202eevil"\n` };
    const text = runCli(['audit', flaskCookie(secret), '--wordlist', 'w'], { lists });
    expect(text.code).toBe(3);
    expect(text.stdout).not.toMatch(/\u202e/);
    expect(text.stdout.includes('\x1b')).toBe(false);
    expect(text.stdout).toContain('\\x1b[31m\\u202eevil');
    const out = runCli(['audit', flaskCookie(secret), '--wordlist', 'w', '--json'], { lists });
    expect(out.stdout).not.toMatch(/\u202e/);
    expect(out.stdout.includes('\x1b')).toBe(false);
    expect(JSON.parse(out.stdout).secret).toBe(secret);
    // A wordlist name is escaped too.
    const named = runCli(['audit', flaskCookie('zq-1'), '--wordlist', 'w\x1b]0;title\x07'], { lists: { 'w\x1b]0;title\x07': 'zq-1\n' } });
    expect(named.stdout).toContain('wordlist line 1 of w\\x1b]0;title\\x07');
  });

  it('reads files from disk, and reports one it cannot read with exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'session-lens-audit-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'list.txt');
    // Longer than one read, so the secret's line is in the second chunk.
    writeFileSync(file, `${'filler\n'.repeat(Math.ceil(WORDLIST_CHUNK_BYTES / 7) + 10)}the secret, 7Qp\n`);
    const run = runCli(['audit', flaskCookie('the secret, 7Qp'), '--wordlist', file, '--json']);
    expect(run.code).toBe(3);
    expect(json(run)).toMatchObject({ secret: 'the secret, 7Qp', wordlist: file, line: Math.ceil(WORDLIST_CHUNK_BYTES / 7) + 11 });
    const missing = runCli(['audit', flaskCookie('x'), '--wordlist', join(dir, 'missing.txt')]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^session-lens: cannot read wordlist .*missing\.txt: ENOENT/);
    const directory = runCli(['audit', flaskCookie('x'), '--wordlist', dir]);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toMatch(/cannot read wordlist .*EISDIR/);
  });
});

describe('audit: cookies and signers', () => {
  it('exits 2 on a malformed cookie or a deletion, and reads name=value, Cookie and Set-Cookie lines', () => {
    for (const bad of ['no-signature-here', 'a.b.!!!!', `${flaskCookie('k').slice(0, -5)}`]) {
      const run = runCli(['audit', bad]);
      expect(run.code, bad).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^session-lens: .*\[ERR_/);
    }
    const deletion = runCli(['audit', 'Set-Cookie: session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/']);
    expect(deletion.code).toBe(2);
    expect(deletion.stderr).toMatch(/deletes session: there is no signed value to audit/);
    const cookie = flaskCookie('secret');
    for (const input of [`session=${cookie}`, `Cookie: theme=dark; session=${cookie}`, `Set-Cookie: session=${cookie}; HttpOnly; Path=/`, `"${cookie}"`]) {
      expect(runCli(['audit', input]).code, input).toBe(3);
    }
    expect(runCli(['audit', '-'], { stdin: `${cookie}\n` }).code).toBe(3);
    expect(runCli(['audit', `Cookie: a=1; sess=${cookie}`, '--name', 'sess', '--json']).code).toBe(3);
  });

  it('uses the signer options of verify', () => {
    const cookie = flaskCookie('secret', '{"a":1}', { salt: 'my-salt', digest: 'sha256' });
    expect(json(runCli(['audit', cookie, '--salt', 'my-salt', '--digest', 'sha256', '--json']))).toMatchObject({ found: true, secret: 'secret' });
    // Wrong salt: nothing matches.
    expect(runCli(['audit', cookie, '--digest', 'sha256']).code).toBe(0);
    // The default sha1 cannot give a 32-byte signature: refused, with the digests that fit.
    const wrong = runCli(['audit', cookie, '--salt', 'my-salt']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/signature is 32 bytes; sha1 gives 20 \(sha256 would fit\)/);
    // django-concat derivation: key = sha1(salt + "signer" + secret).
    const body = `${b64url(Buffer.from('{"a":1}'))}.aSXSgA`;
    const derived = createHash('sha1').update('cookie-sessionsignerdev').digest();
    const django = `${body}.${b64url(createHmac('sha1', derived).update(body).digest())}`;
    expect(json(runCli(['audit', django, '--key-derivation', 'django-concat', '--json']))).toMatchObject({ found: true, secret: 'dev' });
  });

  it('detects a signed Flask-Session id and searches with its salt', () => {
    const sid = '2f1b5bd8-8b54-4f39-9f51-6a3f7b6c9e10';
    const key = createHmac('sha1', 'secret').update('flask-session').digest();
    const value = `${sid}.${b64url(createHmac('sha1', key).update(sid).digest())}`;
    const out = json(runCli(['audit', value, '--json']));
    expect(out).toMatchObject({ format: 'flask-session', found: true, secret: 'secret', source: 'built-in' });
    const text = runCli(['audit', value]);
    expect(text.stdout).toMatch(/^Secret found: 'secret' \(built-in list\) — the app's SECRET_KEY is public \(it signs these session ids\): rotate it/);
    // An unsigned id has no signature to search for.
    const unsigned = runCli(['audit', sid]);
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toMatch(/no '\.' found: the value carries no signature/);
  });
});

describe('audit --hashcat', () => {
  // hashcat's self-test pair for -m 29100 (src/modules/module_29100.c: ST_HASH / ST_PASS).
  const HASHCAT_EXAMPLE = 'eyJ1c2VybmFtZSI6ImFkbWluIn0.YjdgRQ.1OTlf1PD0H9wXsu_qS0aywAJVD8';

  it("agrees with hashcat's example: the same line, and the secret hashcat finds in it", () => {
    const run = runCli(['audit', HASHCAT_EXAMPLE, '--hashcat']);
    expect(run).toEqual({ code: 0, stdout: `${HASHCAT_EXAMPLE}\n`, stderr: '' });
    expect(json(runCli(['audit', HASHCAT_EXAMPLE, '--wordlist', 'w', '--json'], { lists: { w: 'hashcat\n' } }))).toMatchObject({ found: true, secret: 'hashcat', line: 1 });
    expect(json(runCli(['audit', `session=${HASHCAT_EXAMPLE}`, '--hashcat', '--json']))).toEqual({ hashcat_mode: 29100, hash: HASHCAT_EXAMPLE, notes: [] });
  });

  it('prints the bare cookie value from any input form, with a note past 27 payload characters', () => {
    const cookie = flaskCookie('k', '{"user":"alice","roles":["admin"]}');
    const run = runCli(['audit', `Set-Cookie: session="${cookie}"; Path=/`, '--hashcat']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${cookie}\n`);
    expect(run.stderr).toMatch(/note: the payload part is \d+ characters: hashcat 6\.2\.6 takes at most 27/);
    expect(hashcatLine('session', cookie, { format: undefined } as never).notes).toHaveLength(1);
  });

  it('refuses what mode 29100 cannot take, saying why', () => {
    const compressed = `.eJyrVipKTUktUrJSSkxJSS1KLVaqBQBCYwZj.aSXSgA.${'A'.repeat(27)}`;
    const sid = '2f1b5bd8-8b54-4f39-9f51-6a3f7b6c9e10';
    const cases: [string[], RegExp][] = [
      [[compressed], /zlib-compressed/],
      [[flaskCookie('k'), '--salt', 'other'], /fixed to Flask's default signer/],
      [[flaskCookie('k'), '--digest', 'sha256'], /fixed to Flask's default signer/],
      [[flaskCookie('k'), '--key-derivation', 'concat'], /fixed to Flask's default signer/],
      [[`${sid}.${'A'.repeat(27)}`], /Flask's signed session cookie only/],
      [[flaskCookie('k', JSON.stringify({ data: 'x'.repeat(100) }))], /payload part is \d+ characters; the mode takes at most 120/],
      [[`${flaskCookie('k').slice(0, -1)}`], /signature must be 27 base64url characters/],
      [['e30.AAAAAAAA.' + 'A'.repeat(27)], /timestamp part must be 1 to 6 characters/],
    ];
    for (const [argv, message] of cases) {
      const run = runCli(['audit', ...argv, '--hashcat']);
      expect(run.code, argv[0]).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr, argv[0]).toMatch(message);
      expect(run.stderr).toMatch(/audit --wordlist checks it here instead/);
    }
  });
});
