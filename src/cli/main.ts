#!/usr/bin/env node
// The executable: `node dist/src/cli/main.js`, and the `orbis` bin. `npm run build` bundles the CLI
// from this file (scripts/build-cli.mjs) into that same path, so every place that runs it (the
// bin, the README, the tests, `npm run demo`, .ci/run) runs the bundle; tsc alone leaves this
// file's unbundled twin there, which works the same, only slower to start. It stays this small:
// stacks through source maps first, then the program, loaded only now.
import { mapStacksToSources } from './source-maps.js';

mapStacksToSources();
const { main } = await import('./program.js');
await main();
