import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DoctorCheck } from './doctor-check.js';

/**
 * A folder slagate will write to: fine when it is a writable directory, or when it is missing and
 * the nearest existing parent is writable (slagate creates it on first use).
 */
export function checkWritableFolder(name: string, path: string, key: string): DoctorCheck {
  const full = resolve(path);
  let at = full;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch {
      const parent = dirname(at);
      if (parent === at) return { name, ok: false, detail: `${full}: no part of the path exists — set ${key} to a folder on this machine` };
      at = parent;
      continue;
    }
    if (!isDir) return { name, ok: false, detail: `${at} is a file, not a folder — set ${key} to a folder` };
    try {
      accessSync(at, constants.W_OK);
    } catch {
      return { name, ok: false, detail: `${at} is not writable by this user — fix its permissions or set ${key} elsewhere` };
    }
    return { name, ok: true, detail: at === full ? `${full} is writable` : `${full} does not exist yet; it will be created in ${at}` };
  }
}
