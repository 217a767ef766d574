// `nginx -T`, filtered on the host to its file markers and load_module lines: how many times,
// and where, the rtmp module is loaded. A second load breaks nginx ("already loaded"); none
// means the rtmp block cannot work (upstream-orbis.md §3, §6.2).

export interface ModuleLoad {
  file: string;
  line: string;
}

export function rtmpModuleLoads(filtered: string): ModuleLoad[] {
  const loads: ModuleLoad[] = [];
  let file = '';
  for (const raw of filtered.split('\n')) {
    const marker = /^# configuration file (.*?):?\s*$/.exec(raw);
    if (marker) {
      file = marker[1] ?? '';
      continue;
    }
    // Only an effective directive counts: not a commented-out one, not a mention in a comment.
    const line = raw.trim();
    if (/^load_module\s+\S*ngx_rtmp_module\.so\s*;/.test(line)) loads.push({ file, line });
  }
  return loads;
}

/** The lines of `nginx -t` worth showing (the emerg/error ones, else the last). */
export function nginxTestProblem(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const bad = lines.filter((l) => /\[(emerg|alert|crit|error)\]|failed/.test(l));
  return (bad.length > 0 ? bad : lines.slice(-1)).slice(0, 3).join(' / ');
}
