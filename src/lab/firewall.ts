// The lab's forwarding policy (../shared/DESIGN.md, "The lab", point 3): traffic leaving the
// lab subnet may only go to the Debian mirror on 80/443 and to this machine's resolvers on 53;
// replies come back; everything else from the lab is dropped. This machine's network is
// watched: a Pi with a missing /etc/hosts entry must not reach a real platform.
//
// All rules live in two chains named after the lab, entered by one jump each, so teardown
// removes exactly what the lab added (and nothing of anyone else's).
import type { LabLayout } from './config.js';
import { run, runAllowFailure } from './exec.js';

export interface FirewallPlan {
  subnet: string;
  mirrorAddresses: readonly string[];
  resolvers: readonly string[];
}

const HINT = 'the lab needs iptables (Debian package iptables) and root';

/** The rules of the lab's FORWARD chain, in order, as iptables arguments. Pure, for review. */
export function forwardRules(layout: LabLayout, plan: FirewallPlan): string[][] {
  const chain = layout.forwardChain;
  const br = layout.bridge;
  const rules: string[][] = [
    // Host to host inside the lab (seen here only if br_netfilter is loaded, e.g. by Docker).
    ['-A', chain, '-i', br, '-o', br, '-j', 'ACCEPT'],
    // Replies to connections the lab opened (apt downloads, DNS answers).
    ['-A', chain, '-o', br, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
  ];
  for (const address of plan.mirrorAddresses) {
    rules.push(['-A', chain, '-i', br, '-d', `${address}/32`, '-p', 'tcp', '-m', 'multiport', '--dports', '80,443', '-j', 'ACCEPT']);
  }
  for (const resolver of plan.resolvers) {
    rules.push(['-A', chain, '-i', br, '-d', `${resolver}/32`, '-p', 'udp', '--dport', '53', '-j', 'ACCEPT']);
    rules.push(['-A', chain, '-i', br, '-d', `${resolver}/32`, '-p', 'tcp', '--dport', '53', '-j', 'ACCEPT']);
  }
  // Everything else that leaves the lab, and anything unsolicited coming in.
  rules.push(['-A', chain, '-i', br, '-j', 'DROP']);
  rules.push(['-A', chain, '-o', br, '-j', 'DROP']);
  return rules;
}

export async function installFirewall(layout: LabLayout, plan: FirewallPlan): Promise<void> {
  await removeFirewall(layout);
  const ipt = (args: string[]) => run('iptables', ['-w', ...args], { hint: HINT });
  await ipt(['-N', layout.forwardChain]);
  for (const rule of forwardRules(layout, plan)) await ipt(rule);
  // First in FORWARD, so no broader ACCEPT rule of someone else's is consulted before ours.
  for (const jump of forwardJumps(layout)) await ipt(['-I', 'FORWARD', '1', ...jump]);

  await ipt(['-t', 'nat', '-N', layout.natChain]);
  await ipt(['-t', 'nat', '-A', layout.natChain, '-s', plan.subnet, '!', '-d', plan.subnet, '-j', 'MASQUERADE']);
  await ipt(['-t', 'nat', '-I', 'POSTROUTING', '1', ...natJump(layout, plan.subnet)]);
}

/** Remove the lab's jumps and chains; silent about anything already gone. */
export async function removeFirewall(layout: LabLayout): Promise<void> {
  await deleteJumpsTo('filter', 'FORWARD', layout.forwardChain);
  await runAllowFailure('iptables', ['-w', '-F', layout.forwardChain]);
  await runAllowFailure('iptables', ['-w', '-X', layout.forwardChain]);
  await deleteJumpsTo('nat', 'POSTROUTING', layout.natChain);
  await runAllowFailure('iptables', ['-w', '-t', 'nat', '-F', layout.natChain]);
  await runAllowFailure('iptables', ['-w', '-t', 'nat', '-X', layout.natChain]);
}

/** The lab's rules as `iptables -S` prints them (for status and diagnostics). */
export async function listLabRules(layout: LabLayout): Promise<string[]> {
  const lines: string[] = [];
  for (const [table, chain] of [
    ['filter', 'FORWARD'],
    ['filter', layout.forwardChain],
    ['nat', 'POSTROUTING'],
    ['nat', layout.natChain],
  ] as const) {
    const result = await runAllowFailure('iptables', ['-w', '-t', table, '-S', chain]);
    lines.push(...result.stdout.split('\n').filter((l) => l.includes(layout.forwardChain) || l.includes(layout.natChain)));
  }
  return lines;
}

function forwardJumps(layout: LabLayout): string[][] {
  return [
    ['-o', layout.bridge, '-j', layout.forwardChain],
    ['-i', layout.bridge, '-j', layout.forwardChain],
  ];
}

function natJump(layout: LabLayout, subnet: string): string[] {
  return ['-s', subnet, '-j', layout.natChain];
}

async function deleteJumpsTo(table: 'filter' | 'nat', builtin: string, chain: string): Promise<void> {
  const listing = await runAllowFailure('iptables', ['-w', '-t', table, '-S', builtin]);
  const jumps = listing.stdout
    .split('\n')
    .filter((line) => line.startsWith(`-A ${builtin} `) && line.split(/\s+/).includes(chain));
  for (const line of jumps) {
    // `-S` prints rules in the syntax `-D` accepts; the fields here contain no quoting.
    const spec = line.split(/\s+/).slice(2);
    await runAllowFailure('iptables', ['-w', '-t', table, '-D', builtin, ...spec]);
  }
}
