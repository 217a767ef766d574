// nginx-rtmp's /stat XML (rtmp_stat all): per application, per live stream, its clients. The
// publisher is the client with <publishing/>; a push is a client whose flashver is
// `ngx-local-relay` and whose address is the push target (`host[:port]/app/<key>`: a stream
// key, masked before anything is shown). The format is small and fixed, so a tiny tolerant
// XML reader does instead of a dependency.

export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
    if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return ENTITIES[e.toLowerCase()] ?? '';
  });
}

/** Parse XML into elements (attributes ignored: nginx-rtmp uses none). Undefined if malformed. */
export function parseXml(xml: string): XmlElement | undefined {
  const root: XmlElement = { name: '#document', children: [], text: '' };
  const stack: XmlElement[] = [root];
  const tag = /<(\/?)([A-Za-z_][\w.-]*)[^>]*?(\/?)>|<\?[^>]*\?>|<!--[\s\S]*?-->|([^<]+)/g;
  for (const m of xml.matchAll(tag)) {
    const top = stack[stack.length - 1];
    if (!top) return undefined;
    if (m[4] !== undefined) {
      top.text += decode(m[4]);
      continue;
    }
    if (m[2] === undefined) continue; // declaration or comment
    if (m[1] === '/') {
      if (top.name !== m[2] || stack.length === 1) return undefined;
      stack.pop();
      continue;
    }
    const element: XmlElement = { name: m[2], children: [], text: '' };
    top.children.push(element);
    if (m[3] !== '/') stack.push(element);
  }
  if (stack.length !== 1) return undefined;
  return root.children.find((c) => c.name !== '#text');
}

function child(e: XmlElement | undefined, name: string): XmlElement | undefined {
  return e?.children.find((c) => c.name === name);
}

function children(e: XmlElement | undefined, name: string): XmlElement[] {
  return e?.children.filter((c) => c.name === name) ?? [];
}

function textOf(e: XmlElement | undefined, name: string): string {
  return child(e, name)?.text.trim() ?? '';
}

export interface StatClient {
  /** nginx's connection number: what rtmp_control's `clientid` names (`orbis reconnect`). */
  id: number;
  address: string;
  flashver: string;
  /** Milliseconds since the client connected. */
  timeMs: number;
  publishing: boolean;
  active: boolean;
  /** A push relay (nginx-rtmp's own outgoing connection). */
  relay: boolean;
  /** Frames nginx dropped for this client (a push that cannot keep up). */
  dropped: number;
}

export interface StatStream {
  name: string;
  /** Milliseconds since the stream began (its first publish). */
  timeMs: number;
  /** Bits per second nginx receives from the publisher, and sends to every client together. */
  bwIn: number;
  bwOut: number;
  clients: StatClient[];
  video?: { width: number; height: number; fps: number; codec: string };
}

export interface StatReport {
  nginxVersion: string;
  rtmpVersion: string;
  uptimeSec: number;
  applications: Array<{ name: string; streams: StatStream[] }>;
}

export function parseStat(xml: string): StatReport | undefined {
  const rtmp = parseXml(xml);
  if (!rtmp || rtmp.name !== 'rtmp') return undefined;
  const applications = children(rtmp, 'server').flatMap((server) =>
    children(server, 'application').map((app) => ({
      name: textOf(app, 'name'),
      streams: children(child(app, 'live'), 'stream').map(parseStream),
    })),
  );
  return {
    nginxVersion: textOf(rtmp, 'nginx_version'),
    rtmpVersion: textOf(rtmp, 'nginx_rtmp_version'),
    uptimeSec: Number(textOf(rtmp, 'uptime')) || 0,
    applications,
  };
}

function parseStream(stream: XmlElement): StatStream {
  const clients = children(stream, 'client').map((c) => {
    const flashver = textOf(c, 'flashver');
    return {
      id: Number(textOf(c, 'id')) || 0,
      address: textOf(c, 'address'),
      flashver,
      timeMs: Number(textOf(c, 'time')) || 0,
      publishing: child(c, 'publishing') !== undefined,
      active: child(c, 'active') !== undefined,
      relay: flashver.startsWith('ngx-') && flashver.includes('relay'),
      dropped: Number(textOf(c, 'dropped')) || 0,
    };
  });
  const video = child(child(stream, 'meta'), 'video');
  return {
    name: textOf(stream, 'name'),
    timeMs: Number(textOf(stream, 'time')) || 0,
    bwIn: Number(textOf(stream, 'bw_in')) || 0,
    bwOut: Number(textOf(stream, 'bw_out')) || 0,
    clients,
    ...(video
      ? { video: { width: Number(textOf(video, 'width')) || 0, height: Number(textOf(video, 'height')) || 0, fps: Number(textOf(video, 'frame_rate')) || 0, codec: textOf(video, 'codec') } }
      : {}),
  };
}
