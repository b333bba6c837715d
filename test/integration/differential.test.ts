import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFlaskCookie, py, pyEquals, pyRepr, signFlaskCookie, verifyFlaskCookie, writePythonJson, writeTypedJson, type PyValue } from '../../src/core';
import { sessionPayload, secretInput, signerConfig } from '../support/arbitraries';
import { nest } from '../support/hostile';
import { FlaskOracle } from '../support/oracle';
import { pythonFor, type FlaskStack } from '../support/services';

/**
 * Differential tests: the TypeScript codec and the real Flask/itsdangerous
 * (on both stacks at hand) must agree on random payloads, signer settings
 * and hand-crafted tagged JSON, including Flask's accidental behaviours.
 */

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 150);
const STACKS: FlaskStack[] = ['debian', 'modern'];

function str(value: string): PyValue {
  return { type: 'str', value };
}
function single(key: string, value: PyValue): PyValue {
  return { type: 'dict', entries: new Map([[key, value]]) };
}

/** `{" m": {"d": [{" d": date}, …]}}`: a Markup tag whose str() holds the datetimes' repr. */
function markupOfDates(dates: string[]): PyValue {
  return py.dict([[' m', py.dict([['d', py.list(dates.map((d) => py.dict([[' d', py.str(d)]])))]])]]);
}

const dayNames = fc.constantFrom('', 'Thu, ', 'thu ', 'Mon,', 'Xyz, ');
const months = fc.constantFrom('Feb', 'feb', 'February', 'Dec', 'Foo');
const years = fc.constantFrom('2024', '24', '99', '69', '0099', '1999,', '9999', '10000');
const times = fc.constantFrom('12:34:56', '12:34', '23:59:60', '25:00:00', '12.34.56', '1:2:3', '12:34:56,');
const zones = fc.constantFrom('GMT', 'UTC', '+0200', '-0500', '-0000', '+2400', 'EST', 'PDT', 'Z', 'XYZ', '');

/** Dates in the many shapes the RFC 2822 parser behind Flask's ` d` tag accepts or rejects. */
const dateText = fc.oneof(
  fc.tuple(dayNames, fc.integer({ min: 0, max: 32 }), months, years, times, zones).map(([d, day, m, y, t, z]) => `${d}${day} ${m} ${y} ${t} ${z}`.trim()),
  fc.tuple(fc.integer({ min: 1, max: 31 }), months, years, times).map(([day, m, y, t]) => `Thursday, ${day}-${m}-${y} ${t} GMT`),
  fc.tuple(months, fc.integer({ min: 1, max: 31 }), years, times).map(([m, day, y, t]) => `${m} ${day} ${y} ${t}`),
  fc.constantFrom('', ' ', 'garbage', 'Thu, 29 Feb 2024 12:34:56 GMT', '29 Feb 2024', '2024-02-29T12:34:56Z'),
);

const uuidText = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => `{${u}}`),
  fc.uuid().map((u) => `urn:uuid:${u.toUpperCase()}`),
  fc.uuid().map((u) => u.replaceAll('-', '')),
  fc.constantFrom('not-a-uuid', '', '0x' + '0'.repeat(30), ' ' + '1'.repeat(31), '+' + 'a'.repeat(31), '-' + '0'.repeat(31), '1_' + '2'.repeat(30)),
);

const base64Text = fc.oneof(
  fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('base64')),
  fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('base64url')),
  fc.constantFrom('', 'A', 'AB', 'AB=', 'A===', '!!', 'cmF3', 'cm F3', 'é'),
);

const scalar: fc.Arbitrary<PyValue> = fc.oneof(
  fc.constant<PyValue>({ type: 'none' }),
  fc.boolean().map((value): PyValue => ({ type: 'bool', value })),
  fc.integer({ min: -3, max: 3 }).map((n): PyValue => ({ type: 'int', value: BigInt(n) })),
  fc.constantFrom(0, -0, 1.5, NaN).map((value): PyValue => ({ type: 'float', value })),
  fc.string({ maxLength: 4 }).map(str),
);

/** JSON trees full of tag-shaped objects, valid and not: what an attacker or an odd app could sign. */
const craftedTree: fc.Arbitrary<PyValue> = fc.letrec<{ node: PyValue }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    scalar,
    dateText.map((t) => single(' d', str(t))),
    uuidText.map((t) => single(' u', str(t))),
    base64Text.map((t) => single(' b', str(t))),
    fc.constantFrom(' t', ' m', ' di', ' d', ' u', ' b').chain((tagKey) => tie('node').map((inner) => single(tagKey, inner))),
    fc.tuple(fc.constantFrom(' t__', ' b__', 'ab', '', 'x_', '\ud83d\ude00__'), tie('node')).map(([k, v]) => single(' di', single(k, v))),
    fc.array(tie('node'), { maxLength: 3 }).map((items): PyValue => ({ type: 'list', items })),
    fc.array(fc.tuple(fc.constantFrom('a', ' t', ' d', 'b'), tie('node')), { maxLength: 3 }).map((entries): PyValue => ({ type: 'dict', entries: new Map(entries) })),
  ),
})).node;

for (const stack of STACKS) {
  const python = (() => {
    try {
      return pythonFor(stack);
    } catch {
      return null;
    }
  })();

  describe.skipIf(!python || !existsSync(python))(`TypeScript codec vs real Flask (${stack} stack)`, () => {
    let oracle: FlaskOracle;
    beforeAll(async () => {
      oracle = new FlaskOracle(python!);
      const versions = await oracle.versions();
      expect(versions.flask).toMatch(stack === 'debian' ? /^2\.2\./ : /^3\./);
    });
    afterAll(() => oracle?.close());

    it('cookies Flask signs decode to what Flask reads back, for any payload and signer config', async () => {
      await fc.assert(
        fc.asyncProperty(sessionPayload, secretInput, signerConfig, fc.integer({ min: 0, max: 4_000_000_000 }), async (payload, secret, config, timestamp) => {
          const signer = { salt: config.salt, digest: config.digest, key_derivation: config.keyDerivation };
          const cookie = await oracle.sign(writeTypedJson(payload), secret, timestamp, signer);
          const flaskView = await oracle.loads(cookie, [secret], signer);
          expect(flaskView.verdict).toBe('valid');
          const ours = verifyFlaskCookie(cookie, { ...config, secrets: [secret] });
          expect(ours.verdict).toBe('valid');
          expect(ours.decoded.timestamp?.ok && Number(ours.decoded.timestamp.value.seconds)).toBe(timestamp);
          const decoded = ours.decoded.payload?.ok ? ours.decoded.payload.value.value : null;
          expect(decoded && pyEquals(decoded, flaskView.payload!), `${pyRepr(decoded!)} vs ${pyRepr(flaskView.payload!)}`).toBe(true);
        }),
        { numRuns: RUNS },
      );
    });

    it('cookies the core signs are accepted by Flask with the same values', async () => {
      await fc.assert(
        fc.asyncProperty(sessionPayload, secretInput, signerConfig, async (payload, secret, config) => {
          const signed = signFlaskCookie(payload, { ...config, secret, timestamp: 1700000000 });
          if (!signed.ok) throw new Error(signed.error.message);
          const flaskView = await oracle.loads(signed.value.cookie, [secret], { salt: config.salt, digest: config.digest, key_derivation: config.keyDerivation });
          expect(flaskView.verdict, flaskView.exception ?? '').toBe('valid');
          expect(pyEquals(flaskView.payload!, payload), `${pyRepr(flaskView.payload!)} vs ${pyRepr(payload)}`).toBe(true);
        }),
        { numRuns: RUNS },
      );
    });

    it('hand-crafted tagged JSON: same verdict and same value as Flask, accidents included', async () => {
      await fc.assert(
        fc.asyncProperty(craftedTree, async (tree) => {
          const text = writePythonJson(tree, { sortKeys: false, ensureAscii: true });
          const cookie = await oracle.signText(text, { text: 'k' }, 1700000000);
          const flaskView = await oracle.loads(cookie, [{ text: 'k' }]);
          const ours = verifyFlaskCookie(cookie, { secrets: [{ text: 'k' }] });
          expect(ours.verdict, `${text} → Flask: ${flaskView.exception}`).toBe(flaskView.verdict);
          if (flaskView.verdict === 'valid') {
            const decoded = decodeFlaskCookie(cookie);
            const value = decoded.payload?.ok ? decoded.payload.value.value : null;
            expect(value && pyEquals(value, flaskView.payload!), `${text}: ${value && pyRepr(value)} vs ${pyRepr(flaskView.payload!)}`).toBe(true);
          }
        }),
        // Found by this property: repr(timezone) of a negative offset is timedelta(days=-1, seconds=…).
        { numRuns: RUNS * 4, examples: [[markupOfDates(['1 Feb 2024 12:34:56 PDT', '1 Feb 2024 12:34:56 -0001', '1 Feb 2024 12:34:56 +0530', '1 Feb 2024 12:34:56 GMT'])]] },
      );
    });

    it('age checks: expired, future and valid at the same boundaries as itsdangerous', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 2_000_000_000 }), fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 5000 }), async (signedAt, skew, maxAge) => {
          const signed = signFlaskCookie({ type: 'dict', entries: new Map([['a', str('b')]]) }, { secret: { text: 'k' }, timestamp: signedAt });
          if (!signed.ok) throw new Error(signed.error.message);
          const now = signedAt + maxAge + skew;
          const flaskView = await oracle.loads(signed.value.cookie, [{ text: 'k' }], { max_age: maxAge, now });
          expect(verifyFlaskCookie(signed.value.cookie, { secrets: [{ text: 'k' }], maxAge, now }).verdict).toBe(flaskView.verdict);
        }),
        { numRuns: RUNS },
      );
    });

    it('payloads that break in odd places: same verdict as Flask', async () => {
      const texts = [
        '', 'null', '[]', '"x"', '{"a":1,"a":2}', '\ufeff{}', '{"a":NaN,"b":-Infinity}', '{"n":' + '9'.repeat(4301) + '}', '{"n":' + '9'.repeat(4300) + '}',
        '[' .repeat(2000) + ']'.repeat(2000), '{"a":"\\ud800"}', '{"a":"\\x"}', '{"a":1,}', ' {"a":1} ', '{"a":1}x', '{"a":01}', '{"a":-}', '{"a":1e400}',
        '{" di":{}}', '{" di":[]}', '{" di":"ab"}', '{" t":5}', '{" t":{"x":1,"y":2}}', '{" u":5}', '{" b":5}', '{" b":{" b":"WVdJPQ=="}}', '{" d":5}', '{" d":0}', '{" d":[]}',
        '{" d":{" b":"YWI="}}', '{" m":[1,"a"]}', '{" m":{" u":"' + 'a'.repeat(32) + '"}}', '{" m":{" d":"Thu, 29 Feb 2024 12:34:56 +0130"}}', '{" m":null}', '{" m":1.0}',
        // Amplifying tags, a few levels deep (deeper ones are refused: hostile-inputs.test.ts), and brace-padded UUIDs.
        `{"a":${nest('{" m":[', ']}', 6, '"\'\\""')}}`, `{"a":${nest('{" m":{" t":', '}}', 3, '"ab"')}}`, `{"a":${nest('{" t":{" m":', '}}', 3, '[1,"\\u00e9"]')}}`,
        `{"a":{" u":"${'{'.repeat(5000)}12345678123456781234567812345678${'}'.repeat(5000)}"}}`, `{"a":{" u":"${'{'.repeat(5000)}"}}`,
        '{"__proto__":{"x":1},"constructor":[1]}',
      ];
      for (const text of texts) {
        const cookie = await oracle.signText(text, { text: 'k' }, 1700000000);
        const flaskView = await oracle.loads(cookie, [{ text: 'k' }]);
        const ours = verifyFlaskCookie(cookie, { secrets: [{ text: 'k' }] });
        expect(ours.verdict, `${text.slice(0, 60)} → Flask: ${flaskView.exception}`).toBe(flaskView.verdict);
        if (flaskView.verdict === 'valid' && ours.decoded.payload?.ok) {
          expect(pyRepr(ours.decoded.payload.value.value), text.slice(0, 60)).toBe(pyRepr(flaskView.payload!));
        }
      }
    });
  });
}
