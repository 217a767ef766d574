// Checks across settings (beyond each value's own type), apart from the encode (encode.ts).
import type { SettingProblem } from './locate.js';
import type { Settings, SettingName } from './settings.js';

/** `isDefault(name)`: the value was not set anywhere, so a clash is blamed on the one that was. */
export function checkSettings(settings: Settings, isDefault: (name: SettingName) => boolean = () => false): SettingProblem[] {
  return [...checkGatewayPort(settings, isDefault), ...checkPortClashes(settings, isDefault)];
}

/** Upstream's port moved by hand in some files only: the gateway URL and its port must agree. */
function checkGatewayPort(settings: Settings, isDefault: (name: SettingName) => boolean): SettingProblem[] {
  const url = new URL(settings.BTFS_PASSERELLE);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return [];
  const urlPort = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  if (urlPort === settings.BTFS_PORT_PASSERELLE) return [];
  const gatewayPort = settings.BTFS_PORT_PASSERELLE;
  if (isDefault('BTFS_PASSERELLE') && !isDefault('BTFS_PORT_PASSERELLE')) {
    return [{
      variable: 'BTFS_PORT_PASSERELLE',
      message: `is ${gatewayPort}, but BTFS_PASSERELLE (${settings.BTFS_PASSERELLE}) points at port ${urlPort}`,
      hint: `also set BTFS_PASSERELLE=http://127.0.0.1:${gatewayPort}/btfs`,
    }];
  }
  return [{
    variable: 'BTFS_PASSERELLE',
    message: `points at port ${urlPort}, but the gateway listens on BTFS_PORT_PASSERELLE=${gatewayPort}`,
    hint: `use http://127.0.0.1:${gatewayPort}/btfs, or change BTFS_PORT_PASSERELLE`,
  }];
}

const LOCAL_PORTS: readonly SettingName[] = [
  'NGINX_PORT_RTMP', 'NGINX_PORT_STATS', 'STUNNEL_PORT_LOCAL', 'BTFS_PORT_PASSERELLE', 'BTFS_PORT_API', 'BTFS_PORT_ESSAIM',
];

/** Two services on one port: the second fails to start, far from the cause. */
function checkPortClashes(settings: Settings, isDefault: (name: SettingName) => boolean): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const taken = new Map<number, SettingName>();
  for (const name of LOCAL_PORTS) {
    const port = settings[name] as number;
    const first = taken.get(port);
    if (first === undefined) {
      taken.set(port, name);
      continue;
    }
    const [blamed, other] = isDefault(name) && !isDefault(first) ? [first, name] : [name, first];
    problems.push({
      variable: blamed,
      message: `${port} is also the port of ${other}: two services cannot listen on the same port`,
      hint: `give ${blamed} a port of its own`,
    });
  }
  return problems;
}
