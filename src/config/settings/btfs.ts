// BTFS: where the videos come from (a local go-btfs daemon and its HTTP gateway).
import { anyText, boolean, contentId, httpUrl, integer, oneOf, optional, port, releaseVersion, sha256Hex, textType, fail, ok, urlTemplate } from '../value-types.js';
import { serviceDirectory, serviceUser } from '../service-policy.js';
import { setting } from './spec.js';

/** 1029 = BTTC testnet, 199 = BTTC mainnet. A repo is tied to the chain it was initialised with. */
export const BTFS_CHAINS = { 1029: 'testnet', 199: 'mainnet' } as const;
export type BtfsChainId = 1029 | 199;

function chainId() {
  const base = oneOf(['1029', '199'], '1029 testnet, 199 mainnet');
  return textType<BtfsChainId>(base.allowed, (text) => {
    if (text === '1029' || text === '199') return ok(Number(text) as BtfsChainId);
    return fail(`must be ${base.allowed}`, 'write 1029 for the testnet or 199 for the mainnet');
  });
}

export const BTFS_SETTINGS = {
  BTFS_PASSERELLE: setting(httpUrl(), 'http://127.0.0.1:8080/btfs', 'btfs', ['orbis-service'],
    'Base URL of the BTFS gateway on the Pi (PASSERELLE = gateway); a video is <this URL>/<CID>. Its port ' +
    'must be BTFS_PORT_PASSERELLE.'),
  BTFS_PORT_PASSERELLE: setting(port(), '8080', 'btfs', ['btfs'],
    'Port of the BTFS HTTP gateway, on 127.0.0.1.'),
  BTFS_PORT_API: setting(port(), '5001', 'btfs', ['btfs'],
    'Port of the BTFS daemon API, always on 127.0.0.1 (it controls the node).'),
  BTFS_PORT_ESSAIM: setting(port(), '4001', 'btfs', ['btfs'],
    'Port of the BTFS swarm (ESSAIM = swarm), where peers connect, TCP and UDP.'),
  BTFS_ESSAIM_EXPOSE: setting(boolean(), 'false', 'btfs', ['btfs'],
    'Whether the swarm listens on every interface (true: peers can connect in; forward the port on your ' +
    'router too) or on 127.0.0.1 only (false: the Pi still fetches videos through its outgoing connections).'),
  BTFS_MODE: setting(oneOf(['simple', 'complet', 'forcer-simple'] as const, 'simple: gateway only, complet: full node'), 'simple', 'btfs', ['btfs'],
    "What kind of BTFS node the Pi runs. simple (go-btfs's simple mode, `btfs init --simple-mode`): a " +
    'gateway with no wallet, no chain and no funding, serving at once; all a Pi that streams needs. complet ' +
    '(full node: storage host, wallet): its daemon opens no gateway until its BTTC address holds BTT for gas ' +
    '(go-btfs waits for it), so the stream waits too. An existing repo is never switched silently: a full-node ' +
    'repo with BTFS_MODE=simple is refused with its address and the ways out; forcer-simple switches it to ' +
    'simple mode (`btfs config sync-simple-mode true`; its identity and wallet keys stay in the repo, unused).'),
  BTFS_CHAINE_ID: setting(chainId(), '199', 'btfs', ['btfs'],
    'BTTC chain a full node (BTFS_MODE=complet) joins (CHAINE = chain): 199 mainnet, 1029 testnet. 199 is the ' +
    "chain `btfs init` stores in a new repo (go-btfs's default); a repo cannot change chain afterwards (go-btfs " +
    'refuses to start), and orbis refuses to change it on an initialised repo. A simple-mode node has no chain: ' +
    "go-btfs's daemon ignores --chain-id there, and orbis neither passes nor checks it."),
  BTFS_HASH_TEST: setting(contentId(), 'QmbQb1kfwEmf4sqCUcccDYHBiuvKAsE4h8LQsQJ13VvZR2', 'btfs', ['orbis-service'],
    'Content id used to test the gateway (a ranged GET must answer): the readiness probe, and the video ' +
    'played when LISTE_LECTURE is empty.'),
  BTFS_VERSION: setting(releaseVersion(), '4.1.0', 'btfs', ['btfs'],
    'go-btfs release to install.'),
  BTFS_URL_TELECHARGEMENT: setting(urlTemplate(),
    'https://github.com/bittorrent/go-btfs/releases/download/btfs-v{version}/btfs-linux-{arch}.tar',
    'btfs', ['btfs'],
    'Where to download the release (TELECHARGEMENT = download); {version} is BTFS_VERSION, {arch} the ' +
    "Pi's Debian architecture (arm64, amd64). The default is go-btfs's own release asset (a plain tar with " +
    'btfs-linux-{arch} and its md5); the raw btfs-linux-{arch} beside it, or a gzipped tar, install too (told ' +
    'by content). A mirror: the same URL on your own server.'),
  BTFS_SHA256_ARM64: setting(optional(sha256Hex()), '', 'btfs', ['btfs'],
    'SHA-256 of the arm64 download. Required to install BTFS on an arm64 Pi: orbis never installs an ' +
    'unchecked download.'),
  BTFS_SHA256_AMD64: setting(optional(sha256Hex()), '', 'btfs', ['btfs'],
    'SHA-256 of the amd64 download (test machines). Required to install BTFS on amd64.'),
  BTFS_MEMOIRE_MAX_MIO: setting(integer(128, 16384, 'MiB'), '768', 'btfs', ['btfs'],
    "Memory the BTFS daemon may use (MEMOIRE = memory, MiO = MiB): go-btfs's memory grows on a Pi until it is " +
    'killed (go-btfs issues #502, #396, #301); systemd stops it at this limit and starts it again at once, and ' +
    "Go's collector works harder from 80% of it. 768 leaves most of a 2 GB Pi to the encoder."),
  BTFS_UTILISATEUR: setting(serviceUser(), 'btfs', 'btfs', ['btfs'],
    'System user that runs the BTFS daemon (UTILISATEUR = user); orbis creates it.'),
  BTFS_REPERTOIRE_REPO: setting(serviceDirectory(), '/var/lib/btfs/.btfs', 'btfs', ['btfs'],
    'BTFS repository (identity, configuration, blocks), owned by BTFS_UTILISATEUR; `btfs init` runs only ' +
    'when it does not exist yet. It holds the node identity unencrypted: it stays 0700.'),

  // Upstream's own BTFS variables that orbis replaces (see upstream-compat.ts).
  BTFS_API: setting(anyText(), '', 'upstream', [],
    "Upstream's daemon API URL. Not used: go-btfs 4.x answers 401 there without a token; orbis probes the " +
    'gateway instead and keeps the API on 127.0.0.1:BTFS_PORT_API.'),
  BTFS_REPO: setting(anyText(), '', 'upstream', [],
    "Upstream's repo path in a login user's home. Not used: orbis keeps the repo at BTFS_REPERTOIRE_REPO, " +
    'owned by its own BTFS_UTILISATEUR.'),
  BTFS_DAEMON_CMD: setting(anyText(), '', 'upstream', [],
    "Upstream's daemon command line, which its scripts eval'd. Not used: orbis runs " +
    '`btfs daemon --chain-id BTFS_CHAINE_ID` itself and never evaluates configuration text.'),
  BTFS_DELAI_DEMARRAGE: setting(anyText(), '', 'upstream', [],
    "Upstream's fixed wait after starting the daemon, in seconds. Not used: orbis waits on a readiness " +
    'probe (a ranged GET of BTFS_HASH_TEST through the gateway) instead.'),
};
