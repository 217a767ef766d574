import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/redact/secret.js';
import { redact, redactPushTargets } from '../../../src/redact/push-targets.js';

describe('redaction', () => {
  it('masks the segment after the application in push targets, whatever it is', () => {
    expect(redactPushTargets('push rtmp://stream.dlive.tv/live/abc123;')).toBe('push rtmp://stream.dlive.tv/live/********;');
    expect(redactPushTargets('<address>127.0.0.1:11935/app/sk_us-west_XYZ</address>')).toBe('<address>127.0.0.1:11935/app/********</address>');
    expect(redactPushTargets('stream.dlive.tv:1935/live/k-1 connected')).toBe('stream.dlive.tv:1935/live/******** connected');
    expect(redactPushTargets('rtmps://fa723fc1b171.global-contribute.live-video.net:443/app/key?x=1 and more')).toBe('rtmps://fa723fc1b171.global-contribute.live-video.net:443/app/******** and more');
    expect(redactPushTargets('localhost:11935/app/key')).toBe('localhost:11935/app/********');
  });

  it('leaves file paths, gateway URLs and application-only targets readable', () => {
    const keep = [
      'in /etc/nginx/conf.d/orbis/rtmp.conf:12',
      'http://127.0.0.1:8080/btfs/QmbQb1kfwEmf4sqCUcccDYHBiuvKAsE4h8LQsQJ13VvZR2: Connection refused',
      'stream.dlive.tv/live connected for 5.1 s',
      'diffusion/orbis published from 127.0.0.1',
      'scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2:black',
      'already masked stream.dlive.tv/live/********',
    ];
    for (const text of keep) expect(redactPushTargets(text)).toBe(text);
  });

  it('masks known key values anywhere, then push targets', () => {
    const keys = [new Secret('s3cr3t-key', 'env'), 'other'];
    expect(redact('error near "s3cr3t-key" in rtmp://h.example/app/unknownkey', keys)).toBe('error near "********" in rtmp://h.example/app/********');
  });
});
