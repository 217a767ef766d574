// Facts and desired resources for table-driven plan tests: a converged-looking bookworm host that
// each test bends into the case it needs.
import { createHash } from 'node:crypto';
import type { PlanContext, ResourceId, ResourceType } from '../../../src/resources/types.js';
import type { HostFacts, PathFact } from '../../../src/facts/types.js';

export function hostFacts(overrides: Partial<HostFacts> = {}): HostFacts {
  return {
    os: { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
    arch: 'arm64',
    kernel: '6.1.0-rpi7-rpi-v8',
    hostname: 'pi1',
    piModel: 'Raspberry Pi 4 Model B Rev 1.5',
    packages: {},
    units: {},
    paths: {},
    users: { pi: { uid: 1000, gid: 1000, home: '/home/pi', shell: '/bin/bash', groups: ['pi', 'sudo', 'video'] } },
    groups: { pi: { gid: 1000 }, video: { gid: 44 }, sudo: { gid: 27 } },
    guards: {},
    encoders: [],
    hasV4l2Encoder: false,
    manifest: {},
    manifestRoles: {},
    manifestInstalled: {},
    unvalidated: {},
    pendingHandlers: [],
    root: true,
    ...overrides,
  };
}

export function context(overrides: Partial<Record<keyof PlanContext, string[]>> = {}): PlanContext {
  return {
    packagesToInstall: new Set(overrides.packagesToInstall ?? []),
    usersToCreate: new Set(overrides.usersToCreate ?? []),
    groupsToCreate: new Set(overrides.groupsToCreate ?? []),
    pathsToCreate: new Set(overrides.pathsToCreate ?? []),
  };
}

export function id(type: ResourceType, name: string, role = 'test'): ResourceId {
  return { role, type, name };
}

export function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function fileFact(content: string, extra: Partial<PathFact> = {}): PathFact {
  return { exists: true, type: 'file', mode: '0644', owner: 'root', group: 'root', sha256: sha(content), size: content.length, ...extra };
}

export function dirFact(extra: Partial<PathFact> = {}): PathFact {
  return { exists: true, type: 'directory', mode: '0755', owner: 'root', group: 'root', ...extra };
}

export const ABSENT: PathFact = { exists: false };
