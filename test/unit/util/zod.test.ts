import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as zod from 'zod';
import { packageRoot } from '../../../src/util/paths.js';

describe('zod setup', () => {
  it('schemas are made with the JIT off', async () => {
    await import('../../../src/config/index.js');
    await import('../../../src/roles/schema.js');
    await import('../../../src/inventory/index.js');
    expect(zod.config().jitless).toBe(true);
  });

  it('no module imports zod values except src/util/zod.ts (zod reads jitless when a schema is made)', () => {
    const src = join(packageRoot(), 'src');
    const offenders = (readdirSync(src, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(src, f))
      .filter((file) => /^import (?!type )[^;]*from 'zod';/m.test(readFileSync(file, 'utf8')))
      .map((file) => relative(packageRoot(), file));
    expect(offenders).toEqual(['src/util/zod.ts']);
  });
});
