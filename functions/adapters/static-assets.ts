import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ASSET_MANIFEST, type AssetManifest, type AssetSource } from '../http/assets';
import { memo } from '../memo';

/** Serves only what the manifest lists: the entry names and the files, as maps. */
function fromManifest(
  manifest: () => Promise<AssetManifest>,
  read: (file: string) => Promise<Uint8Array>,
): AssetSource {
  const index = memo(async () => {
    const m = await manifest();
    return { entries: new Map(Object.entries(m.entries)), files: new Set(m.files) };
  });
  const cache = new Map<string, () => Promise<Uint8Array>>();
  return {
    async entry(name) {
      return (await index()).entries.get(name);
    },
    async file(name) {
      if (!(await index()).files.has(name)) return undefined;
      let load = cache.get(name);
      if (!load) {
        load = memo(() => read(name));
        cache.set(name, load);
      }
      return load();
    },
  };
}

/**
 * The built assets in a directory (`ASSETS_DIR`: `/var/task/assets` in Lambda, copied there by
 * RelanceFunction's `browserAssets`), read once per instance. Only the files its manifest lists
 * can be read: a name is looked up in that list, never joined to the path unchecked.
 */
export function assetFiles(dir: string): AssetSource {
  return fromManifest(
    async () => JSON.parse(await readFile(join(dir, ASSET_MANIFEST), 'utf8')) as AssetManifest,
    (file) => readFile(join(dir, file)),
  );
}

/** Assets built in memory (the local stack builds them at boot, tests on the fly). */
export function assetsInMemory(built: { manifest: AssetManifest; files: ReadonlyMap<string, Uint8Array> }) {
  return fromManifest(
    async () => built.manifest,
    async (file) => {
      const content = built.files.get(file);
      if (!content) throw new Error(`Asset ${file} is in the manifest but was not built`);
      return content;
    },
  );
}
