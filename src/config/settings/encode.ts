// The one encode that feeds every platform (FFmpeg runs once; nginx-rtmp fans out).
import { evenInteger, integer, oneOf, optional } from '../value-types.js';
import { setting } from './spec.js';

export const VIDEO_ENCODER_CHOICES = ['auto', 'libx264', 'h264_v4l2m2m'] as const;
export type VideoEncoderChoice = (typeof VIDEO_ENCODER_CHOICES)[number];
export type VideoEncoder = Exclude<VideoEncoderChoice, 'auto'>;

export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;
export type X264Preset = (typeof X264_PRESETS)[number];

export const H264_PROFILES = ['baseline', 'main', 'high'] as const;
export type H264Profile = (typeof H264_PROFILES)[number];

export const H264_LEVELS = ['3.0', '3.1', '3.2', '4.0', '4.1', '4.2'] as const;
export type H264Level = (typeof H264_LEVELS)[number];

export const ENCODE_SETTINGS = {
  ENCODEUR_VIDEO: setting(oneOf(VIDEO_ENCODER_CHOICES), 'auto', 'encode', ['ffmpeg', 'orbis-service'],
    'H.264 encoder (ENCODEUR = encoder). auto: h264_v4l2m2m (hardware) on a Pi 4 whose FFmpeg has it and ' +
    'that has /dev/video11, libx264 (software) everywhere else; a Pi 5 has no hardware encoder.'),
  PRESET_ENCODAGE: setting(oneOf(X264_PRESETS), 'ultrafast', 'encode', ['ffmpeg', 'orbis-service'],
    'x264 preset (libx264 only; the hardware encoder has none). Faster presets cost less CPU; a Pi 4 in ' +
    'software needs ultrafast to hold real time at 720p.'),
  PROFIL_H264: setting(oneOf(H264_PROFILES), 'main', 'encode', ['ffmpeg', 'orbis-service'],
    'H.264 profile. Both platforms ask for main.'),
  NIVEAU_H264: setting(oneOf(H264_LEVELS), '4.0', 'encode', ['ffmpeg', 'orbis-service'],
    'H.264 level (NIVEAU). Both platforms ask for 4.0, which covers up to 1080p at 30 fps; 1080p60 needs 4.2.'),
  DEBIT_IMAGES: setting(integer(1, 60, 'fps'), '30', 'encode', ['ffmpeg', 'orbis-service'],
    'Frames per second (DEBIT_IMAGES = frame rate). DLive: 30; Kick: 30 or 60; both platforms on: 30.'),
  GOP: setting(optional(integer(1, 600, 'frames')), '', 'encode', ['ffmpeg', 'orbis-service'],
    'Keyframe interval in frames. Both platforms require 2 seconds, so it must be 2 x DEBIT_IMAGES; ' +
    'empty: orbis computes it.'),
  LARGEUR_MAX: setting(evenInteger(320, 1920, 'pixels'), '1280', 'encode', ['orbis-service'],
    'Output width (LARGEUR = width). Sources are scaled to fit and padded with black bars. A Pi 4 cannot ' +
    'sustain 1080p with software filters: 1280x720 is the tested compromise.'),
  HAUTEUR_MAX: setting(evenInteger(180, 1080, 'pixels'), '720', 'encode', ['orbis-service'],
    'Output height (HAUTEUR = height). At most 1080, as both platforms accept.'),
  ENCODAGE_BITRATE_VIDEO: setting(optional(integer(500, 20000, 'kbps')), '', 'encode', ['ffmpeg', 'orbis-service'],
    'Video bitrate of the single encode, in kbps. Empty: with one platform on, that platform\'s ' +
    '*_BITRATE_VIDEO; with both, the lower of DLIVE_BITRATE_VIDEO and KICK_BITRATE_VIDEO. With both on, ' +
    'the bitrate used must lie in both platforms\' ranges at once: 3500-4500.'),
  ENCODAGE_BITRATE_AUDIO: setting(optional(integer(32, 320, 'kbps')), '', 'encode', ['orbis-service'],
    'AAC audio bitrate of the single encode, in kbps. Empty: chosen from *_BITRATE_AUDIO by the same rule ' +
    'as the video bitrate. With both platforms on it must be 160.'),
};
