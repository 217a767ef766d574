// docs/roles.md: each role of roles/ as data: what it installs, writes, runs, starts and checks,
// with the comments of its role.yaml as the reasons, and the settings it uses (usage.ts).
import type { LoadedRole } from '../roles/load.js';
import { settingLink, GENERATED_NOTICE } from './configuration.js';
import { anchor, code, document, table, text } from './markdown.js';
import type { Usage } from './usage.js';
import { YamlComments } from './yaml-comments.js';

const when = (condition: string | undefined): string => (condition === undefined ? '' : code(condition));
const owner = (o: { owner: string; group: string }): string => code(`${o.owner}:${o.group}`);
const list = (names: readonly string[] | undefined): string => (names ?? []).map((n) => code(n)).join(', ');

function section(title: string, head: string[], rows: string[][]): string | undefined {
  const body = table(head, rows);
  return body === '' ? undefined : `### ${title}\n\n${body}`;
}

function roleSection(role: LoadedRole, usage: Usage): string {
  const spec = role.spec;
  const notes = new YamlComments(role.file);
  const why = (key: string, index: number): string => text(notes.item(key, index) ?? '');
  const settings = usage.byRole.get(spec.name) ?? [];
  const variables = usage.roleVariables.filter((v) => v.role === spec.name);
  const facts = [
    spec.version ? `- **Version:** ${code(spec.version)}${spec.requires?.orbis ? `, needs orbis ${code(spec.requires.orbis)}` : ''}` : undefined,
    `- **Depends on:** ${spec.depends.length > 0 ? `${spec.depends.map((d) => `[${code(d)}](#${anchor(d)})`).join(', ')} (applied before it)` : 'nothing'}`,
    `- **Settings used:** ${settings.length > 0 ? settings.map((s) => settingLink(s)).join(', ') : 'none'}`,
    spec.confirmAccess
      ? `- **Safety net:** its changes can cut orbis's own way in, so they are applied first and alone, and the Pi undoes them by itself unless orbis logs in again over a new connection within ${settingLink('SSH_DELAI_CONFIRMATION')} ([bootstrap.md](bootstrap.md#the-safety-net-access-guard))`
      : undefined,
    spec.runsDuringApt
      ? `- **Alongside apt:** needs nothing the other roles' packages bring; once its own packages are installed, its changes run while apt installs theirs (a first provision does not wait for it after apt)`
      : undefined,
    variables.length > 0 ? `- **Role variables:** ${variables.map((v) => `${code(v.name)} (default ${code(v.default)})`).join(', ')}` : undefined,
  ].filter((line): line is string => line !== undefined);
  return [
    `## ${spec.name}`,
    spec.description ? `*${text(spec.description)}*` : undefined,
    notes.header() ? text(notes.header() ?? '') : undefined,
    facts.join('\n'),
    section('Preconditions (checked before anything changes)', ['Name', 'Refused with', 'When', 'Why'], spec.preconditions.map((p, i) => [code(p.name), text(p.message.trim().split(/(?<=\.)\s/)[0] ?? ''), when(p.when), why('preconditions', i)])),
    section('Packages', ['Package', 'Version', 'State', 'When', 'Why'], spec.packages.map((p, i) => [code(p.name), p.version ? code(p.version) : 'any', p.state ?? 'present', when(p.when), why('packages', i)])),
    section('Groups', ['Group', 'System', 'When', 'Why'], spec.groups.map((g, i) => [code(g.name), g.system ? 'yes' : 'no', when(g.when), why('groups', i)])),
    section('Users', ['User', 'System', 'Home', 'Shell', 'Groups', 'When', 'Why'], spec.users.map((u, i) => [code(u.name), u.system ? 'yes' : 'no', u.home ? code(u.home) : '', u.shell ? code(u.shell) : '', list(u.groups), when(u.when), why('users', i)])),
    section('Directories', ['Path', 'Mode', 'Owner', 'When', 'Why'], spec.directories.map((d, i) => [code(d.path), code(d.mode), owner(d), when(d.when), why('directories', i)])),
    section('Downloads (checked against their sha256)', ['Path', 'From', 'Extract', 'Mode', 'Notifies', 'Why'], spec.downloads.map((d, i) => [code(d.path), code(d.url), d.extract ? code(d.extract) : '', code(d.mode), list(d.notify), why('downloads', i)])),
    section('Files', ['Path', 'From', 'Mode', 'Owner', 'Validated by', 'Notifies', 'When', 'Why'], spec.files.map((f, i) => [
      code(f.path),
      f.template ? code(`templates/${f.template}`) : 'inline content',
      code(f.mode),
      owner(f),
      f.validate ? code(f.validate) : '',
      list(f.notify),
      when(f.when),
      why('files', i),
    ])),
    section('Links', ['Path', 'Target', 'Notifies', 'When', 'Why'], spec.links.map((l, i) => [code(l.path), code(l.target), list(l.notify), when(l.when), why('links', i)])),
    section('Commands', ['Name', 'Runs', 'As', 'Notifies', 'When', 'Why'], spec.commands.map((c, i) => [
      code(c.name),
      c.creates ? `once (until ${code(c.creates)} exists)` : c.unless ? 'unless its guard succeeds' : 'every run',
      c.user ? code(c.user) : 'root',
      list(c.notify),
      when(c.when),
      why('commands', i),
    ])),
    section('Services', ['Unit', 'Enabled', 'State', 'Package', 'When', 'Why'], spec.services.map((s, i) => [
      code(s.unit),
      s.enabled === undefined ? '' : s.enabled ? 'yes' : 'no',
      s.state ?? '',
      s.providedBy ? code(s.providedBy) : '',
      when(s.when),
      why('services', i),
    ])),
    section('Handlers (run once at the end of a run that notified them)', ['Name', 'Does', 'When', 'Why'], spec.handlers.map((h, i) => [
      code(h.name),
      h.unit ? `${h.action ?? ''} ${code(h.unit)}` : code(h.command ?? ''),
      when(h.when),
      why('handlers', i),
    ])),
    section('Verify checks (`orbis verify`, and after each provision)', ['Check', 'When'], spec.verify.map((v) => [code(v.check), when(v.when)])),
  ]
    .filter((b): b is string => b !== undefined && b !== '')
    .join('\n\n');
}

export function rolesReference(usage: Usage): string {
  return document([
    GENERATED_NOTICE('roles/*/role.yaml and templates/ (src/docs/roles.ts)'),
    '# Role reference',
    'A role is data (`roles/<name>/role.yaml`, templates in `templates/<name>/`): what to install, write, run, start and check on a ' +
      'Pi. Values in `{{...}}` are filled in from the settings (see [configuration.md](configuration.md)); `when:` conditions name ' +
      'a value such as `platforms.kick` (Kick enabled). Within a role, resources are applied in the order of the sections below; ' +
      'roles are applied dependencies first. `orbis render <host> --out DIR` writes every file the roles would write for a host.',
    table(['Role', 'What it does', 'Depends on'], usage.roles.map((r) => [`[${code(r.spec.name)}](#${anchor(r.spec.name)})`, text(r.spec.description ?? ''), list(r.spec.depends)])),
    ...usage.roles.map((role) => roleSection(role, usage)),
  ]);
}
