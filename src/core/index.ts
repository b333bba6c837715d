/** Public surface of the pure core: formats, values, errors. No browser or Node APIs below this line. */
export * from './errors';
export * from './pyvalue';
export { parsePythonJson, writePythonJson, formatPythonFloat, jsonString } from './pyjson';
export { pyRepr, pyStr, reprStr, dashedUuid } from './pyrepr';
export { parseTypedJson, writeTypedJson, fromTypedTree } from './typed-repr';
export { tag, untag, TAG_KEYS } from './taggedjson';
export { DIGESTS, KEY_DERIVATIONS, isDigestName, isKeyDerivation, secretBytes, type DigestName, type KeyDerivation, type SecretInput } from './crypto';
export { LEGACY_EPOCH, type SignatureStatus } from './itsdangerous';
export { DEFAULT_MAX_DECOMPRESSED_BYTES } from './zlib';
export * from './formats/types';
export * from './formats/flask';
export * from './formats/flask-session';
export * from './detect';
export type { CapturedExchange, HttpHeader } from './exchange';
