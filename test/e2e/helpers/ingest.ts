// Taking the lab's stand-in platforms down and up again, to test what a Pi does when one of them
// is gone. Kick: its TLS server (stunnel@kick on the ingest) stops, so its connections close and
// new ones are refused. DLive: its nginx-rtmp application shares the ingest's nginx with Kick's,
// so it cannot stop alone; instead, in the ingest's network namespace, connections to 1935 from
// outside the ingest are reset (Kick reaches that nginx through stunnel, from loopback), and the
// ones already established are killed (`ss -K`), so that the ingest forgets its publisher at
// once, as a platform that went down does.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LabState } from '../../../src/lab/index.js';
import { mustOnHost } from './lab.js';

const run = promisify(execFile);

const DLIVE_RULE = ['INPUT', '-p', 'tcp', '--dport', '1935', '!', '-s', '127.0.0.0/8', '-j', 'REJECT', '--reject-with', 'tcp-reset'];

function ingestOf(lab: LabState) {
  if (!lab.ingestHost) throw new Error(`lab "${lab.name}" has no ingest host`);
  return lab.ingestHost;
}

function inIngestNetns(lab: LabState, command: string[]) {
  return run('ip', ['netns', 'exec', ingestOf(lab).netns, ...command]);
}

export async function platformDown(lab: LabState, platform: 'dlive' | 'kick'): Promise<void> {
  if (platform === 'kick') {
    await mustOnHost(ingestOf(lab), 'systemctl stop stunnel@kick.service', { user: 'root' });
    return;
  }
  await inIngestNetns(lab, ['iptables', '-I', ...DLIVE_RULE]);
  await inIngestNetns(lab, ['ss', '-K', '-tn', 'state', 'established', '( sport = :1935 )', 'and', 'not', 'dst', '127.0.0.0/8']);
}

export async function platformUp(lab: LabState, platform: 'dlive' | 'kick'): Promise<void> {
  if (platform === 'kick') {
    await mustOnHost(ingestOf(lab), 'systemctl start stunnel@kick.service', { user: 'root' });
    return;
  }
  // Every copy of the rule (a test that failed halfway may have left one).
  for (;;) {
    try {
      await inIngestNetns(lab, ['iptables', '-D', ...DLIVE_RULE]);
    } catch {
      return;
    }
  }
}
