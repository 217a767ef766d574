// IPv4 subnets for the lab bridge: parsing, and the fixed address plan inside one subnet.
import { LabError } from './exec.js';

export interface Subnet {
  /** As given and normalised, e.g. `10.213.0.0/24`. */
  cidr: string;
  network: number;
  prefix: number;
}

export function parseSubnet(text: string): Subnet {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  const hint = 'give a private IPv4 network in CIDR form, /16 to /27, e.g. 10.213.0.0/24';
  if (!match) throw new LabError(`lab subnet "${text}" is not an IPv4 CIDR`, hint);
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255)) throw new LabError(`lab subnet "${text}" has an octet above 255`, hint);
  if (prefix < 16 || prefix > 27) throw new LabError(`lab subnet "${text}": prefix /${prefix} is out of range`, hint);
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (value % size !== 0) {
    throw new LabError(
      `lab subnet "${text}" has host bits set`,
      `use the network address, e.g. ${toDotted(value - (value % size))}/${prefix}`,
    );
  }
  return { cidr: `${toDotted(value)}/${prefix}`, network: value, prefix };
}

/** The n-th address of the subnet (n = 1 is the bridge/gateway). */
export function addressAt(subnet: Subnet, n: number): string {
  const size = 2 ** (32 - subnet.prefix);
  if (n < 1 || n >= size - 1) {
    throw new LabError(
      `the lab subnet ${subnet.cidr} has no room for host number ${n}`,
      'use a larger --subnet (e.g. a /24) or remove hosts you no longer need',
    );
  }
  return toDotted(subnet.network + n);
}

/** How many host numbers the subnet offers (excluding network and broadcast). */
export function capacity(subnet: Subnet): number {
  return 2 ** (32 - subnet.prefix) - 2;
}

export function contains(subnet: Subnet, address: string): boolean {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4) return false;
  const value = parts.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - subnet.prefix);
  return value >= subnet.network && value < subnet.network + size;
}

function toDotted(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
