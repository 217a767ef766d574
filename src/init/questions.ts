// The questions `orbis init` asks on a terminal, for whatever the flags did not say. The asker
// is passed in, so the flow is tested without a terminal; keys are asked with input hidden and
// checked as they come, with the reason (never the key) shown before asking again.
import { ConfigError, formatIssue } from '../config/errors.js';
import type { Secret } from '../redact/secret.js';
import { parseTarget, type TargetSpec } from '../transport/ssh-config.js';
import {
  checkKey,
  checkName,
  DEFAULT_TARGET,
  defaultName,
  enabledPlatforms,
  KEY_WHERE,
  parsePlatforms,
  PLATFORM_LABELS,
  type InitAnswers,
  type KeyStore,
  type Platform,
  type PlatformChoice,
} from './answers.js';

export interface Asker {
  /** A visible answer; an empty answer is `fallback`. */
  line(question: string, fallback: string): Promise<string>;
  /** An answer typed with nothing shown. */
  hidden(question: string): Promise<Secret>;
  say(text: string): void;
}

/** What the flags already settled (the rest is asked). */
export interface Given {
  platforms?: PlatformChoice;
  keys: Partial<Record<Platform, Secret>>;
  keyEnv: Partial<Record<Platform, string>>;
  store?: KeyStore;
  target?: TargetSpec;
  name?: string;
}

const TRIES = 3;

async function retry<T>(asker: Asker, ask: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask();
    } catch (error) {
      if (attempt >= TRIES) throw error;
      const text = error instanceof ConfigError ? error.issues.map((i) => formatIssue({ ...i, source: undefined })).join('\n') : error instanceof Error ? error.message : String(error);
      asker.say(`  ${text}`);
    }
  }
}

export async function askAnswers(given: Given, asker: Asker): Promise<InitAnswers> {
  const platforms =
    given.platforms ??
    (await retry(asker, async () => {
      const answer = await asker.line('Stream to which platforms? dlive, kick or toutes (both)', 'toutes');
      const choice = parsePlatforms(answer);
      if (!choice) throw new Error(`"${answer}" is not one of dlive, kick, toutes`);
      return choice;
    }));

  const keys = { ...given.keys };
  for (const platform of enabledPlatforms(platforms)) {
    if (keys[platform] || given.keyEnv[platform]) continue;
    const label = PLATFORM_LABELS[platform];
    const typed = await retry(asker, async () => {
      const secret = await asker.hidden(`${label} stream key (from ${KEY_WHERE[platform]}; hidden as you type; Enter to add it later): `);
      return secret.isEmpty ? undefined : checkKey(platform, secret.reveal(), `the ${label} key typed`);
    });
    if (typed) keys[platform] = typed;
    else asker.say(`  no ${label} key for now: put it in conf/orbis.conf (${platform === 'dlive' ? 'DLIVE' : 'KICK'}_CLE_FLUX) before provisioning`);
  }

  const anyTyped = enabledPlatforms(platforms).some((p) => keys[p]);
  const store =
    given.store ??
    (anyTyped
      ? await retry(asker, async () => {
          const answer = await asker.line(
            'Keep the keys in\n  1) conf/orbis.conf: clear text, readable by you only (0600), ignored by git\n  2) conf/secrets.age: encrypted with age (`orbis secrets`), safe to commit\nChoice',
            '1',
          );
          if (answer === '1' || /^conf/i.test(answer)) return 'conf' as const;
          if (answer === '2' || /^secret/i.test(answer)) return 'secrets' as const;
          throw new Error(`"${answer}": answer 1 or 2`);
        })
      : 'conf');

  const target =
    given.target ??
    (await retry(asker, async () => parseTarget(await asker.line('Your Pi, as [user@]host[:port]', DEFAULT_TARGET))));
  const name = given.name ?? (await retry(asker, async () => checkName(await asker.line('Its name in the inventory', defaultName(target)))));
  return { platforms, keys, keyEnv: given.keyEnv, store, target, name };
}
