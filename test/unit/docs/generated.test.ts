// The generated references (npm run docs) are checked in: regenerated here in memory, any
// difference fails. And the inventory's JSON Schema says what the inventory loader says.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SETTING_NAMES } from '../../../src/config/index.js';
import { generateDocs, staleDocs } from '../../../src/docs/generate.js';
import { inventorySchema, SCHEMA_HINT } from '../../../src/docs/inventory-schema.js';
import { inventoryFileSchema } from '../../../src/inventory/schema.js';
import { packageRoot } from '../../../src/util/paths.js';

const ROOT = packageRoot();
const docs = generateDocs(ROOT);

describe('generated docs', () => {
  it('are checked in as generated (run `npm run docs` when this fails)', () => {
    expect(docs.map((d) => d.path)).toEqual(['docs/configuration.md', 'docs/roles.md', 'docs/inventory.schema.json']);
    for (const doc of docs) expect(readFileSync(join(ROOT, doc.path), 'utf8'), `${doc.path} is stale: run npm run docs`).toBe(doc.content);
    expect(staleDocs(ROOT, docs)).toEqual([]);
  });

  it('a changed source makes a document stale', () => {
    const edited = docs.map((d) => (d.path === 'docs/roles.md' ? { ...d, content: `${d.content}x` } : d));
    expect(staleDocs(ROOT, edited)).toEqual(['docs/roles.md']);
  });

  it('the configuration reference has every setting, its default, range and roles', () => {
    const text = docs.find((d) => d.path === 'docs/configuration.md')?.content ?? '';
    for (const name of SETTING_NAMES) expect(text).toContain(`\n### ${name}\n`);
    expect(text).toMatch(/### KICK_SERVEUR_REEL\n\n.*\n\n- \*\*Type and range:\*\* a host name .*\n- \*\*Default:\*\* `fa723fc1b171\.global-contribute\.live-video\.net`\n- \*\*Used by:\*\* \[`nginx-rtmp`\]\(roles\.md#nginx-rtmp\); \[`stunnel`\]\(roles\.md#stunnel\)\n/);
    expect(text).toContain('| `BLOCAGE_MAX` | [`orbis-service`](roles.md#orbis-service) | `30` | Seconds the stream may stop advancing');
  });

  it('the role reference lists what each role installs, writes, runs and checks, with the reasons', () => {
    const text = docs.find((d) => d.path === 'docs/roles.md')?.content ?? '';
    for (const role of ['ffmpeg', 'nginx-rtmp', 'stunnel', 'btfs', 'orbis-service']) expect(text).toContain(`\n## ${role}\n`);
    expect(text).toContain("| `/etc/nginx/orbis/rtmp.conf` | `templates/nginx-rtmp/rtmp.conf.hbs` | `0600` | `root:root` | `nginx -t` | `restart nginx` |  | Holds the push URLs with the stream keys: root only (nginx's master reads it as root). |");
    expect(text).toContain('| `stunnel@kick.service` | no | stopped | ');
    expect(text).toContain('| `unit.stunnel` | `platforms.kick` |');
    expect(text).toMatch(/- \*\*Depends on:\*\* \[`ffmpeg`\]\(#ffmpeg\), \[`nginx-rtmp`\]/);
  });
});

describe('inventory JSON Schema', () => {
  const schema = inventorySchema();
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  const yamlFiles = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []));
  const accepts = (data: unknown): boolean => validate(data) === true;

  it('accepts the example and every test inventory, as the loader does', () => {
    const files = [join(ROOT, 'inventory', 'example.yaml'), ...yamlFiles(join(ROOT, 'test', 'fixtures', 'inventory'))];
    for (const file of files) {
      const data: unknown = parse(readFileSync(file, 'utf8'));
      expect(inventoryFileSchema.safeParse(data).success, file).toBe(true);
      expect(accepts(data), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('refuses what the loader refuses: unknown keys and settings, bad names, references with both or neither', () => {
    const cases: unknown[] = [
      { hots: {} },
      { vars: { DLIVE_BITRATE: 4000 } },
      { vars: { BLOCAGE_MAX: 10 } }, // a role variable, not a setting
      { hosts: { '1salon': {} } },
      { groups: { all: { hosts: [] } } },
      { hosts: { salon: { vars: { DLIVE_CLE_FLUX: { env: 'A', secret: 'b' } } } } },
      { hosts: { salon: { vars: { DLIVE_CLE_FLUX: {} } } } },
      { hosts: { salon: { port: 70000 } } },
      { groups: { maison: { hosts: ['salon'], color: 'red' } } },
    ];
    for (const data of cases) {
      expect(inventoryFileSchema.safeParse(data).success, JSON.stringify(data)).toBe(false);
      expect(accepts(data), JSON.stringify(data)).toBe(false);
    }
  });

  it('lists every setting with its meaning, for completion', () => {
    const vars = (schema.$defs as Record<string, { properties: Record<string, { description: string }> }>).vars;
    expect(Object.keys(vars?.properties ?? {})).toEqual([...SETTING_NAMES]);
    expect(vars?.properties.KICK_CLE_FLUX?.description).toMatch(/Secret: give it as \{ env: NAME \} or \{ secret: NAME \}/);
  });

  it('the example inventory points editors at it', () => {
    expect(readFileSync(join(ROOT, 'inventory', 'example.yaml'), 'utf8').split('\n')[0]).toBe(SCHEMA_HINT);
  });
});
