import { build } from 'esbuild';
import type { BenchResult } from './lib';

/** The sender's minified bundle, built with RelanceFunction's options, against the campaigns function's (with mjml). */
export async function benchBundles(): Promise<BenchResult[]> {
  const size = async (entry: string, runtimeSdk: boolean) => {
    const out = await build({
      // As RelanceFunction: the sender takes the AWS SDK from the Lambda runtime (`runtimeSdk`).
      external: runtimeSdk ? ['@aws-sdk/*', '@smithy/*'] : [],
      entryPoints: [entry],
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      write: false,
      mainFields: ['module', 'main'],
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      logLevel: 'silent',
    });
    return (out.outputFiles[0]?.contents.length ?? 0) / 1024;
  };
  const sender = await size('functions/handlers/sender.ts', true);
  const campaigns = await size('functions/handlers/campaigns.ts', false);
  return [
    {
      name: 'sender Lambda bundle (minified)',
      unit: 'KB',
      value: sender,
      baseline: 'campaigns Lambda bundle (compiles MJML)',
      baselineValue: campaigns,
      ratio: sender / campaigns,
      ratioMeaning: 'share of the MJML-compiling bundle',
      target: '≤ 400 KB',
      met: sender <= 400,
    },
  ];
}
