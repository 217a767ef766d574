import { describe, expect, it } from 'vitest';
import { resolveVideoEncoder, type EncoderFacts } from '../../../src/config/encoder-choice.js';

const PI4 = 'Raspberry Pi 4 Model B Rev 1.4';
const PI5 = 'Raspberry Pi 5 Model B Rev 1.0';
const WITH_HW = ['libx264', 'h264_v4l2m2m', 'h264_omx'];
const facts = (over: Partial<EncoderFacts>): EncoderFacts => ({ piModel: PI4, ffmpegEncoders: WITH_HW, hasVideo11: true, ...over });

describe('ENCODEUR_VIDEO=auto', () => {
  it.each([
    ['a Pi 4 with the encoder listed and /dev/video11', facts({}), 'h264_v4l2m2m'],
    ['a Pi 400', facts({ piModel: 'Raspberry Pi 400 Rev 1.0' }), 'h264_v4l2m2m'],
    ['a Compute Module 4', facts({ piModel: 'Raspberry Pi Compute Module 4 Rev 1.1' }), 'h264_v4l2m2m'],
    ['a Pi 5 (no hardware encoder)', facts({ piModel: PI5, hasVideo11: false }), 'libx264'],
    ['a Pi 5 even if a device node exists', facts({ piModel: PI5 }), 'libx264'],
    ['a Pi 4 without /dev/video11', facts({ hasVideo11: false }), 'libx264'],
    ['a Pi 4 whose FFmpeg lacks the encoder', facts({ ffmpegEncoders: ['libx264'] }), 'libx264'],
    ['not a Pi', facts({ piModel: undefined, hasVideo11: false }), 'libx264'],
    ['a Pi 3', facts({ piModel: 'Raspberry Pi 3 Model B Plus Rev 1.3' }), 'libx264'],
  ])('%s: %s', (_what, input, expected) => {
    const resolution = resolveVideoEncoder('auto', input);
    expect(resolution.ok && resolution.encoder).toBe(expected);
  });

  it('says why software was chosen', () => {
    const resolution = resolveVideoEncoder('auto', facts({ piModel: PI5, hasVideo11: false }));
    expect(resolution).toEqual({
      ok: true, encoder: 'libx264',
      reason: `auto: ${PI5} is not a Pi 4 (only the Pi 4 family has the hardware encoder); /dev/video11 does not exist`,
    });
  });

  it('on a fresh Pi 4 without FFmpeg yet, assumes the package has the encoder, and says so', () => {
    const resolution = resolveVideoEncoder('auto', facts({ ffmpegEncoders: undefined }));
    expect(resolution).toMatchObject({ ok: true, encoder: 'h264_v4l2m2m', assumption: expect.stringContaining('FFmpeg is not installed yet') });
  });
});

describe('an explicit encoder', () => {
  it('libx264 is used anywhere', () => {
    expect(resolveVideoEncoder('libx264', facts({}))).toMatchObject({ ok: true, encoder: 'libx264' });
  });

  it('h264_v4l2m2m on a Pi 4 that has it', () => {
    expect(resolveVideoEncoder('h264_v4l2m2m', facts({}))).toMatchObject({ ok: true, encoder: 'h264_v4l2m2m' });
  });

  it('h264_v4l2m2m on a Pi 5 is an error that says what is missing and what to do', () => {
    expect(resolveVideoEncoder('h264_v4l2m2m', facts({ piModel: PI5, hasVideo11: false }))).toEqual({
      ok: false,
      message: `ENCODEUR_VIDEO=h264_v4l2m2m, but this host cannot use the hardware encoder: ${PI5} is not a Pi 4 (only the Pi 4 family has the hardware encoder); /dev/video11 does not exist`,
      hint: 'set ENCODEUR_VIDEO=auto (hardware where it exists, libx264 elsewhere) or libx264',
    });
  });
});
