import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway browser profile folder. `remove()` deletes it; so does the end of the process when
 * nobody called it (Ctrl+C, a killed test run), after exit hooks registered earlier (Playwright's
 * stops Chromium by then).
 */
export async function temporaryProfile(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const removeAtExit = () => rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  process.once('exit', removeAtExit);
  return {
    dir,
    async remove() {
      process.off('exit', removeAtExit);
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
