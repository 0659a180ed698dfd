import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run), or another one named by RELANCE_CHROMIUM. */
export const CHROMIUM = process.env.RELANCE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Starts headless Chromium for the browser tests. The flags keep it off the
 * network it cannot reach here (background updates, sync) and let it run as
 * root in a container. Fails at once, saying how to fix it, when it is missing.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install -y chromium, as .ci/run does) ` +
        'or set RELANCE_CHROMIUM to a Chromium executable.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
