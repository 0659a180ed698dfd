import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, type BuildResult, build, buildSync } from 'esbuild';
import { ASSET_MANIFEST, type AssetManifest } from '../functions/http/assets';

/**
 * The front-end build: every browser entry point under functions/ui/browser, bundled by esbuild
 * into one minified script named after its content's hash (`till-5KQ3ZP2L.js`), plus a manifest
 * saying which file each entry became. Served at `GET /assets/{name}` by the `pages` function.
 * The local stack builds in memory at boot; `cdk synth` builds into the `pages` package (see
 * RelanceFunction's `browserAssets`). No one runs it by hand.
 */

/** The browser entry points, by name: one line each. The page of `till` loads `assets/till-<hash>.js`. */
export const BROWSER_ENTRIES = {
  till: 'functions/ui/browser/till/main.ts',
} as const satisfies Record<string, string>;

export type BrowserEntry = keyof typeof BROWSER_ENTRIES;

/**
 * The oldest browsers the scripts run on: those with `Element.replaceChildren` (the till page's
 * baseline since its first version). esbuild lowers newer syntax to them and fails the build on
 * syntax it cannot lower (destructuring, for Safari 14.0: write `pair[0]`); it adds no polyfill,
 * so the code uses no API they lack.
 */
export const BROWSER_TARGETS = ['chrome86', 'edge86', 'firefox78', 'safari14', 'ios14'];

/** What a build gives: the manifest and the files it lists, by name. */
export interface BrowserAssets {
  manifest: AssetManifest;
  files: ReadonlyMap<string, Uint8Array>;
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const OPTIONS = {
  absWorkingDir: REPO_ROOT,
  entryPoints: BROWSER_ENTRIES,
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: BROWSER_TARGETS,
  tsconfig: 'functions/ui/browser/tsconfig.json',
  entryNames: '[name]-[hash]',
  // Nothing is written here: the files stay in memory until the caller puts them somewhere.
  outdir: 'assets',
  write: false,
  metafile: true,
  // The French strings as they are (served as UTF-8) rather than escaped: smaller, and readable.
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'silent',
} satisfies BuildOptions;

function collect(result: BuildResult<typeof OPTIONS>): BrowserAssets {
  const byPath = new Map<string, string>(Object.entries(BROWSER_ENTRIES).map(([name, path]) => [path, name]));
  const entries: Record<string, string> = {};
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    const name = meta.entryPoint && byPath.get(meta.entryPoint);
    if (name) entries[name] = basename(out);
  }
  for (const name of Object.keys(BROWSER_ENTRIES)) {
    if (!entries[name]) throw new Error(`The front-end build produced nothing for the ${name} entry point`);
  }
  const files = new Map(result.outputFiles.map((f) => [basename(f.path), f.contents]));
  return { manifest: { entries, files: [...files.keys()].sort() }, files };
}

/** Bundles every entry point, in memory (the local stack at boot, tests). */
export async function buildBrowserAssets(): Promise<BrowserAssets> {
  return collect(await build(OPTIONS));
}

/** The same, synchronously: for CDK constructs, which cannot wait. */
export function buildBrowserAssetsSync(): BrowserAssets {
  return collect(buildSync(OPTIONS));
}

/** Writes the files and their manifest into `dir` (created if need be). */
export function writeBrowserAssets(assets: BrowserAssets, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of assets.files) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, ASSET_MANIFEST), `${JSON.stringify(assets.manifest, null, 2)}\n`);
}

let builtDir: string | undefined;

/**
 * A directory holding a fresh build (files and manifest), made once per process: what
 * RelanceFunction copies into a package at synthesis. It is named after the build's content
 * (`relance-assets-<hash>` in the temporary directory), so processes synthesising at the same
 * time (tests) agree on its content, and each file is written whole (written aside, then renamed).
 */
export function browserAssetsDir(): string {
  if (builtDir) return builtDir;
  const assets = buildBrowserAssetsSync();
  const manifest = `${JSON.stringify(assets.manifest, null, 2)}\n`;
  const dir = join(
    tmpdir(),
    `relance-assets-${createHash('sha256').update(manifest).digest('hex').slice(0, 16)}`,
  );
  mkdirSync(dir, { recursive: true });
  const write = (name: string, content: string | Uint8Array) => {
    const aside = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(aside, content);
    renameSync(aside, join(dir, name));
  };
  for (const [name, content] of assets.files) write(name, content);
  write(ASSET_MANIFEST, manifest);
  builtDir = dir;
  return dir;
}
