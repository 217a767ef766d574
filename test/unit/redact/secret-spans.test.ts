import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { secretSpansOf, stackSecretAnchors } from '../../../src/redact/secret-spans.js';
import { packageRoot } from '../../../src/util/paths.js';

describe('secret spans of a template', () => {
  it('the anchor is the text right before the secret, back to a blank or a placeholder', () => {
    expect(secretSpansOf('  push {{URL}} playPath={{secret KEY}};\nKEY={{secret OTHER}}\nx {{A}}{{secret B}}\n').anchors).toEqual(['playPath=', 'KEY=', '']);
    expect(secretSpansOf('no secret here: {{A}}\n').anchors).toEqual([]);
  });

  it('the literal words leave out every placeholder', () => {
    expect(secretSpansOf('push {{DLIVE_SERVEUR}} playPath={{secret K}};').literalWords).toEqual(['push', 'playPath=']);
  });

  it("every secret in the stack's templates sits after an anchor, so text from a Pi is masked there whatever it holds", () => {
    const root = join(packageRoot(), 'templates');
    const withSecrets = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.hbs'))
      .map((f) => [f, secretSpansOf(readFileSync(join(root, f), 'utf8')).anchors] as const)
      .filter(([, anchors]) => anchors.length > 0);
    expect(withSecrets.length).toBeGreaterThan(0);
    for (const [file, anchors] of withSecrets) expect(anchors.filter((a) => a.length === 0), file).toEqual([]);
    expect(stackSecretAnchors()).toContain('playPath=');
  });
});
