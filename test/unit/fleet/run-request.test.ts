// What provision/apply's command line turns into for the run: the verify step's options, which
// `orbis verify` spells the same way (--min-speed, --retry-timeout).
import { describe, expect, it } from 'vitest';
import { buildRequest, type CliRunOptions } from '../../../src/cli/run-and-report.js';

const base: CliRunOptions = { conf: 'conf/orbis.conf', confExplicit: false, var: [], json: false, askBecomePass: false };

function request(options: Partial<CliRunOptions>, mode: 'apply' | 'check' = 'apply') {
  return buildRequest({ command: 'provision', mode, checkStatus: 'changed', target: 'pi@host', options: { ...base, ...options } });
}

describe("provision's verify options", () => {
  it('passes --min-speed and --retry-timeout to the verify step', async () => {
    expect((await request({ minSpeed: '0.05', retryTimeout: '300' })).verify).toEqual({ minSpeed: 0.05, retryTimeoutSec: 300 });
    expect((await request({})).verify).toEqual({});
  });

  it('has no verify step with --no-verify or --check', async () => {
    expect((await request({ verify: false, retryTimeout: '300' })).verify).toBeUndefined();
    expect((await request({ retryTimeout: '300' }, 'check')).verify).toBeUndefined();
  });

  it('refuses a retry timeout that is not a whole number of seconds, naming the option', async () => {
    await expect(request({ retryTimeout: 'abc' })).rejects.toThrow('--retry-timeout takes a whole number of seconds, not "abc"');
    await expect(request({ retryTimeout: '-1' })).rejects.toThrow('--retry-timeout');
  });
});

describe('--connect-timeout', () => {
  it('becomes the SSH handshake timeout of every host (over ssh_config ConnectTimeout)', async () => {
    expect((await request({ connectTimeout: '5' })).connect.readyTimeoutMs).toBe(5000);
    expect((await request({})).connect.readyTimeoutMs).toBeUndefined(); // ConnectTimeout, else 20 s
  });

  it('refuses what is not a number of seconds above 0, naming the option', async () => {
    await expect(request({ connectTimeout: '0' })).rejects.toThrow('--connect-timeout takes a number of seconds above 0 (at most 3600), not "0"');
    await expect(request({ connectTimeout: 'soon' })).rejects.toThrow('--connect-timeout');
  });
});
