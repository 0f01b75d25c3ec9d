/**
 * The URL of a worker thread's entry script that lives beside the module starting it. Compiled,
 * that is the `.js` file next to it. Under vitest the starting module is TypeScript source
 * (`src/…/x.ts`), which Node cannot load in a thread: the script is then taken from `dist/`,
 * which every test and bench run builds first (test/global-setup.ts).
 */
export function offloadScriptUrl(name: string, startedFrom: string): URL {
  const beside = new URL(`./${name}.js`, startedFrom);
  if (!startedFrom.endsWith('.ts')) return beside;
  const at = beside.pathname.lastIndexOf('/src/');
  if (at < 0) throw new Error(`worker script ${name}: ${startedFrom} is TypeScript outside src/, with no compiled copy to run`);
  return new URL(`${beside.pathname.slice(0, at)}/dist/${beside.pathname.slice(at + '/src/'.length)}`, 'file://');
}
