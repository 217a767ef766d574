import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuTicksOfStat, peerInventory, peerStack, peerStreamerScript } from '../../bench/streaming.js';

const site = `
- hosts: pis
  become: true
  vars:
    dlive_key: "dlive-secret-key"
    kick_key: "sk_us-west-2_secret"
    rtmp_port: 1935
  tasks: []
`;
const diffuser = 'exec ffmpeg -re -i x -f flv rtmp://127.0.0.1:{{ rtmp_port }}/diffusion/orbis\n';

describe('bench streaming hosts', () => {
  it('reads from the peer playbook its keys and where its diffuser publishes', () => {
    expect(peerStack(site, diffuser)).toEqual({ keys: { dlive: 'dlive-secret-key', kick: 'sk_us-west-2_secret' }, publishUrl: 'rtmp://127.0.0.1:1935/diffusion/orbis' });
    expect(() => peerStack('- hosts: pis\n  vars: {}\n', diffuser)).toThrow(/dlive_key/);
    expect(() => peerStack(site, 'exec ffmpeg -f flv rtmp://elsewhere/x\n')).toThrow(/publishes to no/);
  });

  it('reads the peer playbook as shipped beside the checkout, when it is there', () => {
    let files: [string, string];
    try {
      files = [readFileSync('../shared/reference/ansible-peer/site.yml', 'utf8'), readFileSync('../shared/reference/ansible-peer/templates/diffuser.sh.j2', 'utf8')];
    } catch {
      return; // not on this machine: the bench says so when it runs
    }
    expect(peerStack(...files).publishUrl).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/\S+$/);
  });

  it('writes an inventory in the shape of the peer\'s own (group pis, the lab key)', () => {
    expect(peerInventory({ name: 'peer1', address: '10.9.0.12', user: 'pi', port: 22, keyPath: '/lab/ssh/id_ed25519' })).toBe(
      "# orbis bench: the Ansible peer's host (test/bench/streaming.ts)\n[pis]\npeer1 ansible_host=10.9.0.12 ansible_port=22\n[pis:vars]\nansible_user=pi\nansible_ssh_private_key_file=/lab/ssh/id_ed25519\n",
    );
  });

  it('the peer\'s streamer is valid bash publishing where the playbook\'s diffuser does', () => {
    const script = peerStreamerScript('rtmp://127.0.0.1:1935/diffusion/orbis');
    expect(script).toContain('-f flv rtmp://127.0.0.1:1935/diffusion/orbis\n');
    expect(script).toContain('"${encoder[@]}"');
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
  });

  it('counts a process\'s CPU ticks: its own and its reaped children\'s, whatever its name holds', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
    expect(cpuTicksOfStat('4612 (ffmpeg) S 1 4612 4612 0 -1 4194560 100 0 0 0 250 30 7 3 20 0 4 0 1000')).toBe(290);
    expect(cpuTicksOfStat('77 (a) b (c)) R 1 77 77 0 -1 0 0 0 0 0 1 2 3 4 20 0 1 0 5')).toBe(10);
    expect(cpuTicksOfStat('77 (short) R 1')).toBeNaN();
  });
});
