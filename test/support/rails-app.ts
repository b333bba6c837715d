import path from 'node:path';
import { startChildApp } from './child-app';
import { REPO_ROOT } from './services';

/** test/ruby/rails_app.rb: a Rack app on Rails' own cookie jar and CookieStore session (Debian's ActionPack 6.1), served by WEBrick. */
export interface RailsApp {
  /** Base URL without a trailing slash. */
  url: string;
  actionpack: string;
  stop(): Promise<void>;
}

export const RAILS_SESSION_COOKIE = '_demo_session';
const APP = path.join(REPO_ROOT, 'test', 'ruby', 'rails_app.rb');

/** `version`: the load_defaults whose key digest the app uses (6.1: SHA-1, 7.x: SHA-256). */
export async function startRailsApp({ secretKeyBase, version = '7.1' }: { secretKeyBase: string; version?: '6.1' | '7.0' | '7.1' }): Promise<RailsApp> {
  const env = { ...process.env, SESSION_LENS_RAILS_SECRET_KEY_BASE: secretKeyBase, SESSION_LENS_RAILS_VERSION: version };
  const app = await startChildApp({ command: 'ruby', args: [APP], env, label: 'test/ruby/rails_app.rb' });
  return { url: app.url, actionpack: String(app.ready.actionpack ?? ''), stop: app.stop };
}
