// Boots the e2e lab once per `vitest --project e2e` run (the ingest only: test files take
// fresh hosts through helpers/lab.ts) and always tears it down afterwards, also when setup or
// tests fail. ORBIS_E2E_KEEP_LAB=1 leaves it up for debugging.
import { labDown, labUp } from '../../src/lab/index.js';
import { E2E_LAB_NAME, E2E_LAB_SUBNET } from './helpers/lab.js';

function log(message: string): void {
  process.stderr.write(`[e2e lab] ${message}\n`);
}

export default async function setup(): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) {
    throw new Error('e2e tests boot the lab (nspawn, netns, iptables) and need root: run them as root, e.g. through .ci/run');
  }
  const started = Date.now();
  try {
    // The arm64 base is built now, beside the amd64 one, if the cache lacks it (cold: minutes).
    await labUp({ name: E2E_LAB_NAME, subnet: E2E_LAB_SUBNET, hosts: 0, prepareArches: ['arm64'], log });
  } catch (error) {
    await labDown({ name: E2E_LAB_NAME, log }).catch((e: unknown) => log(`teardown after failed setup: ${String(e)}`));
    throw error;
  }
  log(`lab "${E2E_LAB_NAME}" up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return async () => {
    if (process.env.ORBIS_E2E_KEEP_LAB === '1') {
      log(`leaving lab "${E2E_LAB_NAME}" up (ORBIS_E2E_KEEP_LAB=1)`);
      return;
    }
    await labDown({ name: E2E_LAB_NAME, log });
  };
}
