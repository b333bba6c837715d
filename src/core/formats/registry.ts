import { cookieParserFormat } from './cookie-parser';
import { cookieSessionFormat } from './cookie-session';
import { djangoFormat } from './django';
import { expressSessionFormat } from './express-session';
import { flaskFormat } from './flask';
import { flaskSessionFormat } from './flask-session';
import { jwtFormat } from './jwt';
import { railsFormat } from './rails';
import type { Detection } from './types';

/**
 * Every session format the core knows, in the order detection asks them. Adding a format is its
 * folder plus one line here: detection, decoding, verification, the Timeline and the views that
 * read formats generically pick it up from this list.
 */
export const FORMATS = [flaskFormat, flaskSessionFormat, djangoFormat, expressSessionFormat, cookieParserFormat, cookieSessionFormat, railsFormat, jwtFormat] as const;

export type KnownFormat = (typeof FORMATS)[number];
export type KnownFormatId = KnownFormat['id'];
export type FormatId = KnownFormatId | 'unknown';
export type FormatDetection = Detection<FormatId>;

type FormatWithId<F extends KnownFormatId> = Extract<KnownFormat, { id: F }>;
export type DecodedOf<F extends KnownFormatId> = ReturnType<FormatWithId<F>['decode']>;
export type VerificationOf<F extends KnownFormatId> = ReturnType<FormatWithId<F>['verify']>;

const BY_ID = new Map<string, KnownFormat>(FORMATS.map((f) => [f.id, f]));

export function formatById<F extends KnownFormatId>(id: F): FormatWithId<F> {
  return BY_ID.get(id) as FormatWithId<F>;
}

export function isKnownFormatId(id: string): id is KnownFormatId {
  return BY_ID.has(id);
}
