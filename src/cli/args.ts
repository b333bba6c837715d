import {
  FORMATS,
  RAILS_KEY_DIGEST,
  RAILS_VERSIONS,
  isDigestName,
  isKeyDerivation,
  isKnownFormatId,
  type DigestName,
  type KeyDerivation,
  type KnownFormatId,
  type RailsVersion,
  type SecretInput,
} from '../core';

export class UsageError extends Error {}

/** Input the command cannot work with (an unreadable wordlist, a cookie hashcat cannot take): status 2, no usage hint. */
export class InputError extends Error {}

export const COMMANDS = ['decode', 'verify', 'sign', 'audit'] as const;

const FORMAT_LIST = FORMATS.map((f) => f.id).join(', ');
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
  /** --name / --cookie-name: the cookie's name (cookie-session signs it with the value). */
  name?: string;
  /** --sig: cookie-session's `<name>.sig` cookie, when the input does not carry it. */
  signatureCookie?: string;
  format?: KnownFormatId;
  /** audit: wordlists in the order given (`-` is standard input); the built-in list always comes first. */
  wordlists: string[];
  /** audit: read wordlist lines as Python string literals, as flask-unsign does (false: --no-literal-eval). */
  literalEval: boolean;
  /** audit: print the cookie as a hashcat -m 29100 line instead of searching. */
  hashcat: boolean;
  json: boolean;
  sortKeys: boolean;
  ensureAscii: boolean;
}

const OPTIONS = {
  secret: 'string',
  'secret-hex': 'string',
  'secret-env': 'string',
  salt: 'string',
  digest: 'string',
  'key-derivation': 'string',
  'max-age': 'string',
  now: 'string',
  timestamp: 'string',
  payload: 'string',
  name: 'string',
  'cookie-name': 'string',
  sig: 'string',
  'secret-key-base': 'string',
  'rails-version': 'string',
  format: 'string',
  wordlist: 'string',
  builtin: 'boolean',
  'no-literal-eval': 'boolean',
  hashcat: 'boolean',
  json: 'boolean',
  'no-sort-keys': 'boolean',
  'no-ensure-ascii': 'boolean',
  help: 'boolean',
  version: 'boolean',
} as const;
type OptionName = keyof typeof OPTIONS;

function integer(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text.trim()) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${flag} needs a whole number${min === 0 ? ' ≥ 0' : ''}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

export type ParsedCli = { kind: 'help'; command: Command | null } | { kind: 'version' } | { kind: 'run'; options: CliOptions };

const SHORT = new Map([
  ['-h', '--help'],
  ['-V', '--version'],
]);

interface OptionToken {
  name: OptionName;
  value: string | undefined;
}

/**
 * Only known options are options: a cookie may begin with `-` (Flask-Session ids do, 1 in 64),
 * and so may the value of `--secret`; after `--` nothing is an option. One pass, so tens of
 * thousands of `--secret`s cost linear time (node:util's parseArgs does not).
 */
function readArgs(argv: string[]): { tokens: OptionToken[]; positionals: string[] } {
  const tokens: OptionToken[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = SHORT.get(argv[i]!) ?? argv[i]!;
    if (arg === '--') {
      for (let j = i + 1; j < argv.length; j++) positionals.push(argv[j]!);
      break;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : '';
    if (!Object.hasOwn(OPTIONS, name)) {
      positionals.push(arg);
      continue;
    }
    const option = name as OptionName;
    if (OPTIONS[option] === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${option} takes no value`);
      tokens.push({ name: option, value: undefined });
    } else if (eq >= 0) {
      tokens.push({ name: option, value: arg.slice(eq + 1) });
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`--${option} needs a value`);
      tokens.push({ name: option, value: argv[++i]! });
    }
  }
  return { tokens, positionals };
}

export function parseCli(argv: string[], env: Record<string, string | undefined>): ParsedCli {
  const { tokens, positionals } = readArgs(argv);
  // A repeated single-value option keeps its last value.
  const values = new Map<OptionName, string | undefined>(tokens.map((t) => [t.name, t.value]));
  const value = (name: OptionName) => values.get(name);
  const flag = (name: OptionName) => values.has(name);
  const command = positionals[0];
  if (flag('version')) return { kind: 'version' };
  if (flag('help') || command === undefined || command === 'help') {
    const topic = command === 'help' ? positionals[1] : command;
    return { kind: 'help', command: (COMMANDS as readonly string[]).includes(topic ?? '') ? (topic as Command) : null };
  }
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command ${JSON.stringify(command)} (expected decode, verify, sign or audit)`);
  if (positionals.length > 2) {
    const extra = positionals.slice(1).find((p) => p.startsWith('--')) ?? positionals[2]!;
    throw new UsageError(
      extra.startsWith('--')
        ? `unknown option ${JSON.stringify(extra)} (a cookie that begins with "-" can also follow "--")`
        : `unexpected argument ${JSON.stringify(extra)}`,
    );
  }

  if (command === 'audit') {
    const foreign = (['secret', 'secret-hex', 'secret-env', 'secret-key-base', 'max-age', 'now', 'timestamp', 'payload', 'no-sort-keys', 'no-ensure-ascii'] as const).find(flag);
    if (foreign) {
      throw new UsageError(foreign.startsWith('secret') ? `audit looks for the secret itself and takes no --${foreign} (verify checks a secret you know)` : `--${foreign} is not an option of audit`);
    }
  }

  // Secrets keep the order they were given in, whichever flag carried them: matched indices refer to it.
  const secrets: SecretInput[] = [];
  for (const token of tokens) {
    if (token.value === undefined) continue;
    // Rails' secret_key_base is a secret like the others, used as text (as Rails uses it).
    if (token.name === 'secret' || token.name === 'secret-key-base') secrets.push({ text: token.value });
    else if (token.name === 'secret-hex') {
      if (!/^([0-9a-fA-F]{2})*$/.test(token.value)) throw new UsageError(`--secret-hex needs an even number of hex digits, got ${JSON.stringify(token.value)}`);
      secrets.push({ hex: token.value });
    } else if (token.name === 'secret-env') {
      const fromEnv = Object.hasOwn(env, token.value) ? env[token.value] : undefined;
      if (typeof fromEnv !== 'string') throw new UsageError(`--secret-env: environment variable ${token.value} is not set`);
      secrets.push({ text: fromEnv });
    }
  }
  const railsVersion = value('rails-version');
  if (railsVersion !== undefined && !(RAILS_VERSIONS as readonly string[]).includes(railsVersion)) {
    throw new UsageError(`--rails-version must be ${RAILS_VERSIONS.join(', ')} (the app's load_defaults), got ${JSON.stringify(railsVersion)}`);
  }
  if (railsVersion !== undefined && value('digest') !== undefined) throw new UsageError('--rails-version sets the key digest: give it or --digest, not both');
  // The key generator's digest follows load_defaults: SHA-1 before 7.0, SHA-256 since.
  const digest = railsVersion !== undefined ? RAILS_KEY_DIGEST[railsVersion as RailsVersion] : value('digest');
  if (digest !== undefined && !isDigestName(digest)) throw new UsageError(`--digest must be one of sha1, sha224, sha256, sha384, sha512, md5; got ${JSON.stringify(digest)}`);
  const keyDerivation = value('key-derivation');
  if (keyDerivation !== undefined && !isKeyDerivation(keyDerivation)) {
    throw new UsageError(`--key-derivation must be one of hmac, django-concat, concat, none; got ${JSON.stringify(keyDerivation)}`);
  }
  const format = value('format');
  if (format !== undefined && !isKnownFormatId(format)) throw new UsageError(`--format must be ${FORMATS.map((f) => f.id).join(' or ')}, got ${JSON.stringify(format)}`);

  const options: CliOptions = {
    command: command as Command,
    input: positionals[1] ?? null,
    secrets,
    salt: value('salt'),
    digest,
    keyDerivation,
    maxAge: integer('max-age', value('max-age'), 0),
    now: integer('now', value('now'), 0),
    timestamp: integer('timestamp', value('timestamp'), 0),
    payload: value('payload'),
    name: tokens.findLast((t) => t.name === 'name' || t.name === 'cookie-name')?.value,
    signatureCookie: value('sig'),
    format,
    wordlists: tokens.filter((t) => t.name === 'wordlist').map((t) => t.value!),
    literalEval: !flag('no-literal-eval'),
    hashcat: flag('hashcat'),
    json: flag('json'),
    sortKeys: !flag('no-sort-keys'),
    ensureAscii: !flag('no-ensure-ascii'),
  };
  const auditOnly = (['wordlist', 'builtin', 'no-literal-eval', 'hashcat'] as const).find(flag);
  if (auditOnly && options.command !== 'audit') throw new UsageError(`--${auditOnly} is an option of audit, not of ${command}`);
  if (options.command === 'audit') {
    if (options.input === null) throw new UsageError('audit needs a cookie value (or - to read it from stdin)');
    if (options.hashcat && options.wordlists.length > 0) throw new UsageError('--hashcat prints the line for hashcat instead of searching; it takes no --wordlist');
    const fromStdin = options.wordlists.filter((w) => w === '-').length;
    if (fromStdin > 0 && options.input === '-') throw new UsageError('the cookie and a wordlist cannot both come from standard input (-)');
    if (fromStdin > 1) throw new UsageError('standard input (-) can be read as a wordlist only once');
  } else if (options.command === 'sign') {
    if (options.input !== null) throw new UsageError('sign takes no cookie argument; give the payload with --payload');
    if (options.payload === undefined) throw new UsageError('sign needs --payload JSON (or --payload - to read it from stdin)');
    if (secrets.length === 0) throw new UsageError('sign needs --secret (or --secret-hex / --secret-env / --secret-key-base)');
  } else {
    if (options.input === null) throw new UsageError(`${command} needs a cookie value (or - to read it from stdin)`);
    if (options.command === 'verify' && secrets.length === 0) throw new UsageError('verify needs at least one --secret (or --secret-hex / --secret-env / --secret-key-base)');
  }
  return { kind: 'run', options };
}

export const HELP: Record<Command | 'main', string> = {
  main: `session-lens — decode, verify, sign and audit web-framework session cookies (Flask, Flask-Session,
Django, express-session, cookie-parser, cookie-session, JWT)

Usage:
  session-lens decode COOKIE [--json]
  session-lens verify COOKIE --secret KEY [--secret FALLBACK …] [options]
  session-lens sign --secret KEY --payload JSON [--timestamp UNIX] [options]
  session-lens audit COOKIE [--wordlist FILE …] [--builtin] [--json] [options]

COOKIE may be a bare value, "name=value", a Cookie or Set-Cookie header line,
or "-" to read it from standard input (at most 1 MiB). A COOKIE that begins
with "-" is read as the cookie unless it is one of the options; anything after
"--" is never an option.

Run "session-lens help COMMAND" for the options of each command.

Exit status: 0 decoded, valid or a deletion (audit: no known secret); 1 verified
but not valid; 2 usage error, malformed or refused input, or output that could
not be written; 3 audit found the secret (a finding).`,
  decode: `session-lens decode COOKIE [--json] [--name NAME] [--format FORMAT]

Decodes a session cookie without any secret: format, payload (every Flask
TaggedJSON type), compression and signing time. Nothing is verified.
From a Cookie line, the cookie named session (or NAME) is read, else the one
shaped most like a session among the first 200. A Set-Cookie that deletes the
cookie is reported as a deletion. FORMAT: ${FORMAT_LIST}. A value
may be given as on the wire (percent-encoded, quoted) or decoded.`,
  verify: `session-lens verify COOKIE --secret KEY [--secret FALLBACK …] [options]

Verifies the signature the way the server would and says which key matched.
Give the secrets in the framework's rotation order: SECRET_KEY first, then any
SECRET_KEY_FALLBACKS (Flask, Django); the secret array's order (express-session,
cookie-parser); keys[0] first (cookie-session).

  --secret TEXT          a secret as text (UTF-8); repeat for fallbacks
  --secret-hex HEX       a secret given as hex bytes (e.g. from os.urandom)
  --secret-env VAR       read a secret from an environment variable (keeps it out of shell history)
  --salt TEXT            default: cookie-session (Flask) / flask-session (Flask-Session ids) /
                         django.contrib.sessions.backends.signed_cookies (Django)
  --digest NAME          sha1 (default; Django: sha256), sha224, sha256, sha384, sha512, md5
  --key-derivation NAME  hmac (Flask's default), django-concat, concat, none
  --max-age SECONDS      reject older signatures (Flask: PERMANENT_SESSION_LIFETIME, 2678400;
                         Django: SESSION_COOKIE_AGE, 1209600 unless given)
  --now UNIX             the current time to check the age against (default: the clock)
  --format NAME          ${FORMAT_LIST}, instead of detecting it
  --name, --cookie-name NAME   the cookie name: it helps detection, and cookie-session signs it
  --sig VALUE            cookie-session: the NAME.sig cookie (read from a Cookie line by itself)
  --secret-key-base KEY  Rails: secret_key_base (as text, as Rails uses it); like --secret
  --rails-version V      Rails: 6.1, 7.0 or 7.1, the app's load_defaults (SHA-1 keys before 7.0,
                         SHA-256 since); both are tried when it is not given. The purpose
                         is checked against --cookie-name (Rails: cookie.NAME)
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
  --format jwt           sign a JWT instead (payload: a JSON object; --digest
                         sha256|sha384|sha512 for HS256/384/512; prints the token)
  --format flask-session sign a session id instead (payload: the id as a JSON string)
  --format django        sign a Django signed_cookies session (payload: a JSON object;
                         --digest sha1 for Django ≤ 3.0)
  --format express-session   sign a session id (payload: the id as a JSON string)
  --format cookie-parser sign a value as res.cookie(…, {signed: true}) (a JSON string as
                         it is, anything else as j:JSON)
  --format cookie-session    sign a session (a JSON object); also prints NAME.sig
                         (--cookie-name, default session; --digest, default sha1)
  --format rails         encrypt a value as Rails' cookie jar does (AES-256-GCM, a random IV;
                         --cookie-name is its purpose, --rails-version its key digest)
  --json                 print {cookie, compressed, timestamp, payload_json_text}
                         ({cookie, format} with another --format; cookie-session adds
                         sig and sig_cookie)`,
  audit: `session-lens audit COOKIE [--wordlist FILE …] [--builtin] [--json] [options]

Looks for the secret that signed the cookie among known weak secrets: the
built-in list of published placeholder keys (always tried first), then each
--wordlist in turn. A secret found means anyone can forge this app's sessions.

  --wordlist FILE        a wordlist, one candidate per line, read as flask-unsign
                         reads it (quotes stripped, Python string literals such as
                         b'\\x00…' evaluated, blank lines skipped); streamed, so
                         any size works; repeat for more; - reads standard input
  --builtin              only the built-in list (also what no --wordlist means)
  --no-literal-eval      take each stripped line as it is (flask-unsign's option)
  --salt, --digest, --key-derivation   the signer, as for verify
  --format NAME          flask, flask-session (signed ids), django, jwt (HS256/384/512),
                         express-session, cookie-parser or cookie-session, instead of
                         detecting it (rails: refused, its PBKDF2 keys are too slow to search)
  --name, --cookie-name NAME   the cookie name: it helps detection, and cookie-session signs it
  --sig VALUE            cookie-session: the NAME.sig cookie (read from a Cookie line by itself)
  --json                 print {found, secret, secret_hex, source, wordlist, line,
                         candidates_tried, seconds, rate_per_second}
  --hashcat              print the cookie as a line for hashcat -m 29100 (Flask
                         Session Cookie) instead of searching, for GPU rigs and
                         huge lists: hashcat -m 29100 -a 0 FILE WORDLIST

Exit status: 0 no known secret (or --hashcat printed the line); 3 the secret was
found; 2 usage error, malformed cookie or unreadable wordlist.`,
};
