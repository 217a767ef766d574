// nginx: the configuration is valid (`nginx -t`), the rtmp module is loaded exactly once
// (a second load_module breaks nginx; none and the rtmp block cannot work), and the stats
// page answers.
import { nginxTestProblem, rtmpModuleLoads } from '../parse/nginx.js';
import type { Observations } from '../parse/output.js';
import { parseStat, type StatReport } from '../parse/stat.js';
import type { VerifyInput } from '../types.js';
import { CHECK, fail, pass, type Outcome } from './outcome.js';

export function nginxConfigCheck(o: Pick<Observations, 'nginxTest'>): Outcome {
  const t = o.nginxTest;
  if (!t) return fail(CHECK.nginxConfig, 'not run', 'the verify script stopped before `nginx -t`');
  if (t.rc === 127) return fail(CHECK.nginxConfig, 'nginx is not installed', 'provision the host (role nginx-rtmp)', { needs: [CHECK.unitNginx] });
  if (t.rc === 0) return pass(CHECK.nginxConfig, 'nginx -t: syntax ok, test successful');
  if (t.rc === 124) return fail(CHECK.nginxConfig, 'nginx -t did not finish within 20 s', 'nginx resolves the push hosts while testing: check the Pi\'s DNS for DLIVE_SERVEUR\'s host');
  return fail(CHECK.nginxConfig, `nginx -t failed: ${nginxTestProblem(t.output)}`, 'the configuration nginx would load is invalid: re-provision (orbis provision validates before anything goes live), or undo the hand edit it names');
}

export function rtmpModuleCheck(o: Pick<Observations, 'nginxModules'>): Outcome {
  const name = CHECK.nginxModule;
  const m = o.nginxModules;
  if (!m) return fail(name, 'not run', 'the verify script stopped before `nginx -T`');
  if (m.rc !== 0) return fail(name, 'nginx -T failed', 'fix the configuration first (see nginx.config)', { needs: [CHECK.nginxConfig] });
  const loads = rtmpModuleLoads(m.output);
  if (loads.length === 1) return pass(name, `loaded once (${loads[0]?.file || 'main configuration'})`);
  if (loads.length === 0) return fail(name, 'the rtmp module is not loaded', 'install libnginx-mod-rtmp (it loads itself from /etc/nginx/modules-enabled/50-mod-rtmp.conf) and keep `include /etc/nginx/modules-enabled/*.conf;` at the top of nginx.conf');
  const files = [...new Set(loads.map((l) => l.file || 'main configuration'))].join(', ');
  return fail(name, `loaded ${loads.length} times (${files})`, 'keep only the package\'s load in modules-enabled/50-mod-rtmp.conf: remove the other load_module line (a second load makes nginx refuse to start)');
}

/** /stat answers with nginx-rtmp's XML; the parsed report for the stream checks. */
export function statCheck(input: VerifyInput, o: Pick<Observations, 'stat'>): { outcome: Outcome; report?: StatReport } {
  const name = CHECK.nginxStat;
  const needs = [CHECK.unitNginx, CHECK.listenStats];
  const url = `http://${input.stats.address === '0.0.0.0' ? '127.0.0.1' : input.stats.address}:${input.stats.port}/stat`;
  const s = o.stat;
  if (!s) return { outcome: fail(name, 'not run', 'the verify script stopped before /stat', { settle: true }) };
  if (s.rc === 127) return { outcome: fail(name, 'curl is not installed on the Pi', 'apt-get install curl') };
  if (s.rc !== 0) return { outcome: fail(name, `${url}: ${s.error || `curl exit ${s.rc}`}`, 'the stats server does not answer: see `journalctl -u nginx -n 50`', { settle: true, needs }) };
  if (s.code !== 200) return { outcome: fail(name, `${url}: HTTP ${s.code}`, 'the stats location (rtmp_stat all) is missing from the stats server: re-provision', { settle: true, needs }) };
  const report = parseStat(s.body);
  if (!report) return { outcome: fail(name, `${url}: not nginx-rtmp statistics`, 'something else answers on NGINX_PORT_STATS: see listen.stats', { settle: true, needs }) };
  return { outcome: pass(name, `${url} answers (nginx ${report.nginxVersion}, rtmp ${report.rtmpVersion}, up ${report.uptimeSec} s)`, true), report };
}
