import { parseArgs } from 'node:util';
import { isDigestName, isKeyDerivation, type DigestName, type KeyDerivation, type SecretInput } from '../core';

export class UsageError extends Error {}

export const COMMANDS = ['decode', 'verify', 'sign'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliOptions {
  command: Command;
  /** Positional argument: the cookie (decode/verify); `-` means stdin. */
  input: string | null;
  secrets: SecretInput[];
  salt?: string;
  digest?: DigestName;
  keyDerivation?: KeyDerivation;
  maxAge?: number;
  now?: number;
  timestamp?: number;
  payload?: string;
  name?: string;
  format?: 'flask' | 'flask-session';
  json: boolean;
  sortKeys: boolean;
  ensureAscii: boolean;
}

const OPTIONS = {
  secret: { type: 'string', multiple: true },
  'secret-hex': { type: 'string', multiple: true },
  'secret-env': { type: 'string', multiple: true },
  salt: { type: 'string' },
  digest: { type: 'string' },
  'key-derivation': { type: 'string' },
  'max-age': { type: 'string' },
  now: { type: 'string' },
  timestamp: { type: 'string' },
  payload: { type: 'string' },
  name: { type: 'string' },
  format: { type: 'string' },
  json: { type: 'boolean' },
  'no-sort-keys': { type: 'boolean' },
  'no-ensure-ascii': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

function integer(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text.trim()) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${flag} needs a whole number${min === 0 ? ' ≥ 0' : ''}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

export type ParsedCli = { kind: 'help'; command: Command | null } | { kind: 'version' } | { kind: 'run'; options: CliOptions };

const SHORT: Record<string, string> = { '-h': '--help', '-V': '--version' };

/**
 * Rewrites argv so that only known options are read as options: a cookie may begin
 * with `-` (Flask-Session ids do, 1 in 64), and so may a secret after `--secret`.
 * Options come out as `--name` / `--name=value`, positionals after one `--`.
 */
function separateOptions(argv: string[]): { options: string[]; positionals: string[] } {
  const options: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = Object.hasOwn(SHORT, argv[i]!) ? SHORT[argv[i]!]! : argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const name = arg.startsWith('--') ? arg.slice(2).split('=', 1)[0]! : null;
    if (name === null || !Object.hasOwn(OPTIONS, name)) {
      positionals.push(arg);
    } else if (OPTIONS[name as keyof typeof OPTIONS].type === 'string' && !arg.includes('=')) {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      options.push(`${arg}=${argv[++i]}`);
    } else {
      options.push(arg);
    }
  }
  return { options, positionals };
}

export function parseCli(argv: string[], env: Record<string, string | undefined>): ParsedCli {
  const separated = separateOptions(argv);
  let parsed;
  try {
    parsed = parseArgs({ args: [...separated.options, '--', ...separated.positionals], options: OPTIONS, allowPositionals: true, tokens: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  const { values, positionals, tokens } = parsed;
  const command = positionals[0];
  if (values.version) return { kind: 'version' };
  if (values.help || command === undefined || command === 'help') {
    const topic = command === 'help' ? positionals[1] : command;
    return { kind: 'help', command: (COMMANDS as readonly string[]).includes(topic ?? '') ? (topic as Command) : null };
  }
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command ${JSON.stringify(command)} (expected decode, verify or sign)`);
  if (positionals.length > 2) {
    const extra = positionals.slice(1).find((p) => p.startsWith('--')) ?? positionals[2]!;
    throw new UsageError(
      extra.startsWith('--')
        ? `unknown option ${JSON.stringify(extra)} (a cookie that begins with "-" can also follow "--")`
        : `unexpected argument ${JSON.stringify(extra)}`,
    );
  }

  // Secrets keep the order they were given in, whichever flag carried them: matched indices refer to it.
  const secrets: SecretInput[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option' || token.value === undefined) continue;
    if (token.name === 'secret') secrets.push({ text: token.value });
    else if (token.name === 'secret-hex') {
      if (!/^([0-9a-fA-F]{2})*$/.test(token.value)) throw new UsageError(`--secret-hex needs an even number of hex digits, got ${JSON.stringify(token.value)}`);
      secrets.push({ hex: token.value });
    } else if (token.name === 'secret-env') {
      const value = Object.hasOwn(env, token.value) ? env[token.value] : undefined;
      if (typeof value !== 'string') throw new UsageError(`--secret-env: environment variable ${token.value} is not set`);
      secrets.push({ text: value });
    }
  }
  const digest = values.digest;
  if (digest !== undefined && !isDigestName(digest)) throw new UsageError(`--digest must be one of sha1, sha224, sha256, sha384, sha512, md5; got ${JSON.stringify(digest)}`);
  const keyDerivation = values['key-derivation'];
  if (keyDerivation !== undefined && !isKeyDerivation(keyDerivation)) {
    throw new UsageError(`--key-derivation must be one of hmac, django-concat, concat, none; got ${JSON.stringify(keyDerivation)}`);
  }
  const format = values.format;
  if (format !== undefined && format !== 'flask' && format !== 'flask-session') throw new UsageError(`--format must be flask or flask-session, got ${JSON.stringify(format)}`);

  const options: CliOptions = {
    command: command as Command,
    input: positionals[1] ?? null,
    secrets,
    salt: values.salt,
    digest,
    keyDerivation,
    maxAge: integer('max-age', values['max-age'], 0),
    now: integer('now', values.now, 0),
    timestamp: integer('timestamp', values.timestamp, 0),
    payload: values.payload,
    name: values.name,
    format,
    json: values.json ?? false,
    sortKeys: !values['no-sort-keys'],
    ensureAscii: !values['no-ensure-ascii'],
  };
  if (options.command === 'sign') {
    if (options.input !== null) throw new UsageError('sign takes no cookie argument; give the payload with --payload');
    if (options.payload === undefined) throw new UsageError('sign needs --payload JSON (or --payload - to read it from stdin)');
    if (secrets.length === 0) throw new UsageError('sign needs --secret (or --secret-hex / --secret-env)');
  } else {
    if (options.input === null) throw new UsageError(`${command} needs a cookie value (or - to read it from stdin)`);
    if (options.command === 'verify' && secrets.length === 0) throw new UsageError('verify needs at least one --secret (or --secret-hex / --secret-env)');
  }
  return { kind: 'run', options };
}

export const HELP: Record<Command | 'main', string> = {
  main: `session-lens — decode, verify and sign web-framework session cookies (Flask, Flask-Session)

Usage:
  session-lens decode COOKIE [--json]
  session-lens verify COOKIE --secret KEY [--secret FALLBACK …] [options]
  session-lens sign --secret KEY --payload JSON [--timestamp UNIX] [options]

COOKIE may be a bare value, "name=value", a Cookie or Set-Cookie header line,
or "-" to read it from standard input (at most 1 MiB). A COOKIE that begins
with "-" is read as the cookie unless it is one of the options; anything after
"--" is never an option.

Run "session-lens help COMMAND" for the options of each command.

Exit status: 0 decoded, valid or a deletion; 1 verified but not valid; 2 usage
error, malformed or refused input, or output that could not be written.`,
  decode: `session-lens decode COOKIE [--json] [--name NAME] [--format flask|flask-session]

Decodes a session cookie without any secret: format, payload (every Flask
TaggedJSON type), compression and signing time. Nothing is verified.
From a Cookie line, the cookie named session (or NAME) is read, else the one
shaped most like a session among the first 200. A Set-Cookie that deletes the
cookie is reported as a deletion.`,
  verify: `session-lens verify COOKIE --secret KEY [--secret FALLBACK …] [options]

Verifies the signature the way the server would and says which key matched.
Give SECRET_KEY first, then any SECRET_KEY_FALLBACKS.

  --secret TEXT          a secret as text (UTF-8); repeat for fallbacks
  --secret-hex HEX       a secret given as hex bytes (e.g. from os.urandom)
  --secret-env VAR       read a secret from an environment variable (keeps it out of shell history)
  --salt TEXT            default: cookie-session (Flask) / flask-session (Flask-Session ids)
  --digest NAME          sha1 (default), sha224, sha256, sha384, sha512, md5
  --key-derivation NAME  hmac (Flask's default), django-concat, concat, none
  --max-age SECONDS      reject older signatures (Flask: PERMANENT_SESSION_LIFETIME, 2678400)
  --now UNIX             the current time to check the age against (default: the clock)
  --format NAME          flask or flask-session, instead of detecting it
  --name NAME            the cookie name, when it helps detection
  --json                 print one JSON object instead of text`,
  sign: `session-lens sign --secret KEY --payload JSON [options]

Signs a payload as Flask would and prints the cookie value. The payload uses
the "$type" representation printed by "decode --json" (tuples, bytes, Markup,
UUID, datetime, big integers), at most 1 MiB; --payload - reads it from
standard input.

  --secret/--secret-hex/--secret-env   the key that signs (the first one given)
  --timestamp UNIX       signing time (default: now)
  --salt, --digest, --key-derivation   as for verify
  --no-sort-keys         keep key order (Flask sorts keys by default)
  --no-ensure-ascii      write non-ASCII as UTF-8 (Flask escapes it by default)
  --json                 print {cookie, compressed, timestamp, payload_json_text}`,
};
