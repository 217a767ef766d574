# orbis lab stand-in for go-btfs 4.1.0, following go-btfs's own source in everything orbis
# touches. Its specification is the source of github.com/bittorrent/go-btfs (master 299483c,
# version.go 4.1.0) and of github.com/bittorrent/go-btfs-config; each behaviour below names the
# file (and function) it comes from. Where this program cannot do what go-btfs does (libp2p,
# leveldb, a blockchain), it says so and does the smallest thing with the same visible effect.
#
# Embedded in a small static launcher (launcher.c) built per architecture, which execs
# `/usr/bin/python3 -c <this program> ARGS...` with BTFS_STANDIN_ARCH set.
#
#   btfs version [-n] [--commit] [--repo] [--all]   core/commands/version.go
#   btfs init [--simple-mode|-sm] [-e] [-p P] ...    cmd/btfs/init.go
#   btfs daemon [--chain-id N] [--init] ...          cmd/btfs/daemon.go
#   btfs config KEY [VALUE] [--json|--bool]          core/commands/config.go
#   btfs config show | sync-simple-mode B | storage-host-enable B
#
# Stand-in knobs (environment; none exists in go-btfs):
#   BTFS_STANDIN_FUNDING_PERIOD  seconds between funding messages (default 20, as the source)
#   BTFS_STANDIN_READY_DELAY     seconds the simple-mode start-up takes before listening
#                                (default 2: the real node builds libp2p, the datastore, ...)
#   BTFS_STANDIN_CONTENT_URL     where content this node lacks is fetched (`<url><CID>`);
#                                default the lab ingest, http://btfs-bootstrap.orbis-lab/btfs/
#                                (stands for the BTFS network: go-btfs fetches over bitswap)
import base64
import errno
import fcntl
import hashlib
import http.server
import json
import os
import re
import secrets
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.error
import urllib.request

# version.go: CurrentVersionNumber. CurrentCommit is set by cmd/btfs/Rules.mk
# (-X ...CurrentCommit=$(git-hash), mk/git.mk) in release builds: the tip of branch release_4.1.0.
VERSION = "4.1.0"
COMMIT = "e8433cff0"
# repo/fsrepo/fsrepo.go: RepoVersion
REPO_VERSION = 10
# go.mod: go 1.23.0 (the release's exact toolchain is not recorded in the source)
GO_VERSION = "go1.23.0"
ARCH = os.environ.get("BTFS_STANDIN_ARCH", "amd64")
DEFAULT_CONTENT_URL = "http://btfs-bootstrap.orbis-lab/btfs/"
CID_RE = re.compile(r"^(Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{58,})$")
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# settlement/swap/vault/init.go: balanceCheckBackoffDuration = 20 * time.Second
FUNDING_PERIOD = 20.0
# go-btfs-config chain.go: bttcChainID, the ChainInfo.ChainId config.Init writes
BTTC_CHAIN_ID = 199


class Failure(Exception):
    """An error go-btfs's main prints as `Error: <message>` on stderr, exiting 1
    (cmd/btfs/main.go: mainRet, printErr)."""


def fail(message):
    raise Failure(message)


# ---------------------------------------------------------------------------- crypto
# Identities are derived as go-btfs derives them, so the peer id, the BTTC (0x) and TRON
# addresses the daemon prints all belong to the key in the config.

def keccak256(data):
    """Keccak-256 (Ethereum's, not NIST SHA3-256, which hashlib has)."""
    rc = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
          0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
          0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
          0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
          0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
          0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
    rot = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56],
           [27, 20, 39, 8, 14]]
    mask = (1 << 64) - 1
    rate = 136
    msg = bytearray(data) + b"\x01"
    while len(msg) % rate:
        msg.append(0)
    msg[-1] |= 0x80
    state = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        for i in range(rate // 8):
            state[i % 5][i // 5] ^= int.from_bytes(msg[off + 8 * i:off + 8 * i + 8], "little")
        for rnd in range(24):
            c = [state[x][0] ^ state[x][1] ^ state[x][2] ^ state[x][3] ^ state[x][4] for x in range(5)]
            d = [c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & mask) for x in range(5)]
            state = [[state[x][y] ^ d[x] for y in range(5)] for x in range(5)]
            b = [[0] * 5 for _ in range(5)]
            for x in range(5):
                for y in range(5):
                    r = rot[x][y]
                    v = state[x][y]
                    b[y][(2 * x + 3 * y) % 5] = ((v << r) | (v >> (64 - r))) & mask if r else v
            state = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
            state[0][0] ^= rc[rnd]
    out = b"".join(state[i % 5][i // 5].to_bytes(8, "little") for i in range(rate // 8))
    return out[:32]


SECP_P = 2 ** 256 - 2 ** 32 - 977
SECP_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SECP_G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
          0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


def secp_mul(k):
    result, addend = None, SECP_G
    while k:
        if k & 1:
            result = secp_add(result, addend)
        addend = secp_add(addend, addend)
        k >>= 1
    return result


def secp_add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % SECP_P == 0:
        return None
    if a == b:
        lam = 3 * a[0] * a[0] * pow(2 * a[1], -1, SECP_P) % SECP_P
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], -1, SECP_P) % SECP_P
    x = (lam * lam - a[0] - b[0]) % SECP_P
    return x, (lam * (a[0] - x) - a[1]) % SECP_P


def b58encode(data):
    value = int.from_bytes(data, "big")
    out = ""
    while value:
        value, rem = divmod(value, 58)
        out = BASE58[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


class Keys:
    def __init__(self, secret):
        self.secret = secret
        x, y = secp_mul(int.from_bytes(secret, "big"))
        compressed = bytes([2 + (y & 1)]) + x.to_bytes(32, "big")
        raw = keccak256(x.to_bytes(32, "big") + y.to_bytes(32, "big"))[12:]
        self.address = raw
        # libp2p crypto.pb: KeyType Secp256k1 = 2; the peer id is the identity multihash of the
        # marshalled public key ("16Uiu2HA..." for secp256k1, go-btfs-config init.go IdentityConfig)
        pub_pb = b"\x08\x02\x12\x21" + compressed
        self.peer_id = b58encode(b"\x00" + bytes([len(pub_pb)]) + pub_pb)
        # config Identity.PrivKey: base64 of the marshalled private key; daemon.go slices [4:]
        self.priv_b64 = base64.b64encode(b"\x08\x02\x12\x20" + secret).decode()
        # TRON base58check: 0x41 + address, double sha256 checksum (go-btfs-common crypto)
        tron = b"\x41" + raw
        self.tron = b58encode(tron + hashlib.sha256(hashlib.sha256(tron).digest()).digest()[:4])

    def checksum_address(self):
        """EIP-55, what go-ethereum's common.Address prints with %v (daemon.go Println)."""
        plain = self.address.hex()
        digest = keccak256(plain.encode()).hex()
        return "0x" + "".join(c.upper() if int(digest[i], 16) >= 8 else c for i, c in enumerate(plain))

    @staticmethod
    def from_config(config):
        identity = config.get("Identity") or {}
        try:
            raw = base64.b64decode(identity.get("PrivKey", ""))
        except ValueError:
            raw = b""
        if len(raw) != 36:
            fail("failed to decode private key: malformed Identity.PrivKey")
        return Keys(raw[4:])


def new_secret():
    while True:
        secret = secrets.token_bytes(32)
        if 0 < int.from_bytes(secret, "big") < SECP_N:
            return secret


# ---------------------------------------------------------------------------- repo

def repo_path(options):
    # go-btfs-config config.go: PathRoot: $BTFS_PATH, else ~/.btfs; cmd/btfs/main.go
    # getRepoPath: the global --config/-c option first.
    if options.get("config"):
        return options["config"]
    return os.environ.get("BTFS_PATH") or os.path.join(os.path.expanduser("~"), ".btfs")


def config_file(repo):
    return os.path.join(repo, "config")  # go-btfs-config config.go: DefaultConfigFile


def is_initialized(repo):
    return os.path.isfile(config_file(repo))


def load_config(repo):
    if not is_initialized(repo):
        # repo/fsrepo/fsrepo.go: NoRepoError
        fail("no BTFS repo found in %s.\nplease run: 'btfs init'" % repo)
    try:
        with open(config_file(repo)) as handle:
            return json.load(handle)
    except ValueError as error:
        fail("failure to decode config: %s" % error)


def write_config(repo, config):
    # go-btfs-config serialize/serialize.go: WriteConfigFile: atomic, 0600, MarshalIndent "  "
    path = config_file(repo)
    temp = path + ".tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps(config, indent=2))
    os.replace(temp, path)


def repo_lock_path(repo):
    return os.path.join(repo, "repo.lock")  # repo/fsrepo/fsrepo.go: LockFile


def take_repo_lock(repo):
    """repo/fsrepo/fsrepo.go: open -> lockfile.Lock (a POSIX fcntl lock, as go4.org/lock takes
    it on Linux), so a real btfs and this stand-in see each other's lock."""
    handle = open(repo_lock_path(repo), "a+")
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def locked_by_other(repo):
    if not os.path.exists(repo_lock_path(repo)):
        return False
    handle = take_repo_lock(repo)
    if handle is None:
        return True
    handle.close()
    return False


# Statestore: go-btfs keeps the chain id in a leveldb at <repo>/statestore under the key
# "ChainIdKey" (chain/statestore.go: GetStateStorePath; chain/utils.go: StoreChainIdToDisk,
# GetChainIdFromDisk). The stand-in has no leveldb: it keeps the same key in a JSON file there.
STATESTORE_FILE = "orbis-standin.json"


def statestore_get(repo, key):
    try:
        with open(os.path.join(repo, "statestore", STATESTORE_FILE)) as handle:
            return json.load(handle).get(key)
    except (FileNotFoundError, ValueError):
        return None


def statestore_put(repo, key, value):
    directory = os.path.join(repo, "statestore")
    os.makedirs(directory, mode=0o755, exist_ok=True)
    path = os.path.join(directory, STATESTORE_FILE)
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (FileNotFoundError, ValueError):
        data = {}
    data[key] = value
    with open(path + ".tmp", "w") as handle:
        json.dump(data, handle)
    os.replace(path + ".tmp", path)


# ---------------------------------------------------------------------------- options

def parse_options(args, spec):
    """go-btfs-cmds cli/parse.go: `--name`, `--name=value`, `-n value`; bool options take no
    value (or `=true|false`); an unknown option is `unknown option "NAME"`. `spec` maps each
    name and alias to (canonical name, kind)."""
    options, rest = {}, []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i + 1:])
            break
        if arg.startswith("-") and arg != "-":
            name, eq, value = arg.lstrip("-").partition("=")
            if name not in spec:
                fail('unknown option "%s"' % name)
            canonical, kind = spec[name]
            if kind is bool:
                if eq:
                    if value.lower() not in ("true", "false"):
                        fail('option "%s": invalid boolean "%s"' % (name, value))
                    options[canonical] = value.lower() == "true"
                else:
                    options[canonical] = True
            else:
                if not eq:
                    if i + 1 >= len(args):
                        fail('missing argument for option "%s"' % name)
                    i += 1
                    value = args[i]
                if kind is int:
                    try:
                        value = int(value)
                    except ValueError:
                        fail('strconv.Atoi: parsing "%s": invalid syntax' % value)
                options[canonical] = value
        else:
            rest.append(arg)
        i += 1
    return options, rest


def spec_of(*entries):
    spec = {}
    for names, kind in entries:
        canonical = names[0]
        for name in names:
            spec[name] = (canonical, kind)
    return spec


# cmd/btfs/root.go (core/commands/root.go): the global options every command accepts
GLOBAL = [(("config", "c"), str), (("debug", "D"), bool), (("help",), bool), (("h",), bool),
          (("local", "L"), bool), (("offline",), bool), (("api",), str), (("encoding", "enc"), str),
          (("timeout",), str), (("stream-channels",), bool), (("upload",), bool)]


# ---------------------------------------------------------------------------- version

def cmd_version(args):
    # core/commands/version.go: VersionCmd and its text encoder
    options, _ = parse_options(args, spec_of(*GLOBAL, (("number", "n"), bool), (("commit",), bool),
                                              (("repo",), bool), (("all",), bool)))
    system = "%s/linux" % ARCH
    if options.get("all"):
        print("go-btfs version: %s-%s" % (VERSION, COMMIT))
        print("Repo version: %d\nSystem version: %s\nGolang version: %s" % (REPO_VERSION, system, GO_VERSION))
        return
    commit = "-" + COMMIT if options.get("commit") else ""
    if options.get("repo"):
        print(REPO_VERSION)
    elif options.get("number"):
        print(VERSION + commit)
    else:
        print("btfs version %s%s" % (VERSION, commit))


# ---------------------------------------------------------------------------- init

# go-btfs-config bootstrap_peers.go: DefaultBootstrapAddresses (the first of them; the
# stand-in never dials any: it has no swarm)
DEFAULT_BOOTSTRAP = [
    "/ip4/63.176.242.235/tcp/4001/p2p/16Uiu2HAmVeJwSMkeaEXEZdDAtxM6mngAALjTPwq4w2suehMVPwA5",
    "/ip4/3.66.98.120/tcp/4001/p2p/16Uiu2HAmVSpShqGg8c7dEuG8qSWZjisx1rxNFwgAAi47HKHHXFr4",
    "/ip4/54.179.164.197/tcp/4001/p2p/16Uiu2HAmVZP7ueF6jkSsMvqPEZgGGEMURtn5MZiz1KGP7FQWvHU8",
]
# go-btfs-config init.go: DefaultSwarmKey (mainnet's private network key)
DEFAULT_SWARM_KEY = ("/key/swarm/psk/1.0.0/\n/base16/\n"
                     "64ef95289a6b998c776927ed6e33ca8c9202ee47df90141d09f5ffeeb64b8a66")
# go-btfs-config profile.go: the profile names `init -p` accepts (their effects on parts of the
# config orbis does not use are not reproduced)
PROFILES = {"server", "local-discovery", "test", "default-networking", "announce-public",
            "default-datastore", "flatfs", "badgerds", "lowpower", "randomports", "storage-host",
            "storage-host-dev", "storage-host-testnet", "storage-repairer", "storage-repairer-dev",
            "storage-repairer-testnet", "storage-client", "storage-client-dev", "storage-client-testnet"}
# Not a BIP39 word list (the stand-in's key is not derived from its mnemonic): only the shape.
WORDS = ("abandon ability able about above absent absorb abstract absurd abuse access accident "
         "account accuse achieve acid acoustic acquire across act action actor actress actual").split()


def default_config(keys, mnemonic, rm_on_unpin):
    """go-btfs-config init.go: Init (and the types it fills), then cmd/btfs/init.go doInit:
    addChainInfo (chain/config/config.go, chain 199), addIdentityInfo. Keys in the order Go
    marshals the Config struct (go-btfs-config config.go). Sections orbis never reads are left
    out (Mounts, Discovery, Routing, Ipns, Services, Pubsub, ...); Swarm is kept, for orbis sets
    Swarm.ResourceMgr.MaxMemory."""
    return {
        "ChainInfo": {
            "ChainId": BTTC_CHAIN_ID,
            "CurrentFactory": "0x763d7858287B9a33F4bE5bb3df0241dACc59BCc7",
            "Endpoint": "https://rpc.bittorrentchain.io/",
        },
        "Identity": {
            "PeerID": keys.peer_id,
            "PrivKey": keys.priv_b64,
            "HexPrivKey": keys.secret.hex(),
            "BttcAddr": keys.checksum_address(),
            "Mnemonic": mnemonic,
        },
        "Datastore": {
            "StorageMax": "10GB",
            "StorageGCWatermark": 90,
            "GCPeriod": "1h",
            "Spec": {"mounts": [
                {"child": {"path": "blocks", "shardFunc": "/repo/flatfs/shard/v1/next-to-last/2",
                           "sync": True, "type": "flatfs"},
                 "mountpoint": "/blocks", "prefix": "flatfs.datastore", "type": "measure"},
                {"child": {"compression": "none", "path": "datastore", "type": "levelds"},
                 "mountpoint": "/", "prefix": "leveldb.datastore", "type": "measure"}],
                "type": "mount"},
            "HashOnRead": False,
            "BloomFilterSize": 0,
        },
        # go-btfs-config init.go: addressesConfig. API, Gateway, RemoteAPI are `Strings`
        # (types.go): one address marshals as a plain string, several as an array.
        "Addresses": {
            "Swarm": ["/ip4/0.0.0.0/tcp/4001", "/ip6/::/tcp/4001",
                      "/ip4/0.0.0.0/udp/4001/quic", "/ip6/::/udp/4001/quic"],
            "Announce": [],
            "NoAnnounce": [],
            "API": "/ip4/127.0.0.1/tcp/5001",
            "Gateway": "/ip4/127.0.0.1/tcp/8080",
            "RemoteAPI": "/ip4/127.0.0.1/tcp/5101",
        },
        "Bootstrap": list(DEFAULT_BOOTSTRAP),
        "Gateway": {
            "HTTPHeaders": {
                "Access-Control-Allow-Headers": ["X-Requested-With", "Range", "User-Agent"],
                "Access-Control-Allow-Methods": ["GET"],
                "Access-Control-Allow-Origin": ["*"],
            },
            "RootRedirect": "",
            "Writable": False,
            "PathPrefixes": [],
            "APICommands": [],
            "NoFetch": False,
            "NoDNSLink": False,
            "PublicGateways": None,
        },
        # go-btfs-config init.go: API.EnableTokenAuth true: the API and the gateway answer 401
        # (core/corehttp/corehttp_interceptor.go)
        "API": {"HTTPHeaders": {}, "EnableTokenAuth": True},
        # go-btfs-config init.go (Swarm: SwarmKey, ConnMgr, EnableAutoRelay) marshalled as swarm.go's
        # SwarmConfig: fields without omitempty appear zero-valued; ResourceMgr's fields are all
        # omitempty (Enabled is a Flag, MaxMemory an *OptionalString), so it starts empty.
        "Swarm": {
            "AddrFilters": None,
            "DisableBandwidthMetrics": False,
            "DisableNatPortMap": False,
            "EnableAutoRelay": True,
            "RelayClient": {},
            "RelayService": {},
            "Transports": {"Network": {}, "Security": {}, "Multiplexers": {}},
            "SwarmKey": DEFAULT_SWARM_KEY,
            "ConnMgr": {"Type": "basic", "LowWater": 10, "HighWater": 900, "GracePeriod": "10s"},
            "ResourceMgr": {},
        },
        "S3CompatibleAPI": {"Address": "127.0.0.1:6001", "Enable": False, "HTTPHeaders": None},
        # go-btfs-config experiments.go + init.go
        "Experimental": {
            "FilestoreEnabled": False, "UrlstoreEnabled": False, "ShardingEnabled": False,
            "GraphsyncEnabled": False, "Libp2pStreamMounting": True, "P2pHttpProxy": False,
            "StrategicProviding": False, "StorageHostEnabled": True, "StorageClientEnabled": True,
            "Analytics": False, "RemoveOnUnpin": rm_on_unpin, "HostsSyncEnabled": False,
            "HostsSyncFlag": True, "HostsSyncMode": "SCORE", "DisableAutoUpdate": False,
            "HostRepairEnabled": False, "HostChallengeEnabled": False, "ReportOnline": False,
            "ReportStatusContract": False, "AcceleratedDHTClient": False,
        },
        # go-btfs-config config.go: Config.SimpleMode; cmd/btfs/init.go doInit sets it from
        # --simple-mode
        "SimpleMode": False,
    }


INIT_SPEC = spec_of(*GLOBAL, (("bits", "b"), int), (("empty-repo", "e"), bool), (("profile", "p"), str),
                    (("key", "k"), str), (("keypath", "kp"), str), (("pass",), str), (("import", "i"), str),
                    (("rm-on-unpin", "r"), bool), (("seed", "s"), str), (("simple-mode", "sm"), bool),
                    (("recovery",), str))


def cmd_init(args):
    # cmd/btfs/init.go: initCmd (options), PreRun, Run -> doInit
    options, _ = parse_options(args, INIT_SPEC)
    repo = repo_path(options)
    if locked_by_other(repo):  # initCmd PreRun: fsrepo.LockedByOtherProcess
        fail("btfs daemon is running. please stop it to run this command")
    do_init(repo, options.get("empty-repo", False), options.get("profile", ""),
            options.get("rm-on-unpin", False), options.get("simple-mode", False))


def do_init(repo, empty, profiles, rm_on_unpin, simple_mode):
    # cmd/btfs/util/keys.go: GenerateKey (default key type BIP39) prints before anything else
    print("Generating TRON key with BIP39 seed phrase...")
    secret = new_secret()
    mnemonic = " ".join(secrets.choice(WORDS) for _ in range(12))
    # cmd/btfs/init.go: doInit
    print("initializing BTFS node at %s" % repo)
    sys.stdout.flush()
    os.makedirs(repo, mode=0o775, exist_ok=True)  # checkWritable
    if is_initialized(repo):  # errRepoExists
        fail("btfs configuration file already exists!\nReinitializing would overwrite your keys.\n")
    # go-btfs-config init.go: IdentityConfig, with the key GenerateKey made ("import" path)
    print("generating btfs node keypair with TRON key...done")
    keys = Keys(secret)
    print("peer identity: %s" % keys.peer_id)
    config = default_config(keys, mnemonic, rm_on_unpin)
    for profile in [p for p in profiles.split(",") if p]:  # applyProfiles
        if profile not in PROFILES:
            fail("invalid configuration profile: %s" % profile)
    # storeChainId: the chain id of the config (199) goes into the statestore at init, simple
    # mode or not
    statestore_put(repo, "ChainIdKey", config["ChainInfo"]["ChainId"])
    config["SimpleMode"] = bool(simple_mode)  # conf.SimpleMode = simpleModeIn
    # repo/fsrepo/fsrepo.go: Init: config, datastore_spec, version
    write_config(repo, config)
    with open(os.path.join(repo, "datastore_spec"), "w") as handle:
        handle.write('{"mounts":[{"mountpoint":"/blocks","path":"blocks","shardFunc":'
                     '"/repo/flatfs/shard/v1/next-to-last/2","type":"flatfs"},{"mountpoint":"/",'
                     '"path":"datastore","type":"levelds"}],"type":"mount"}')
    with open(os.path.join(repo, "version"), "w") as handle:
        handle.write("%d\n" % REPO_VERSION)
    for sub in ("blocks", "datastore", "keystore"):
        os.makedirs(os.path.join(repo, sub), mode=0o755, exist_ok=True)
    if not empty:
        # addDefaultAssets: seeds the init docs and prints how to read them
        print("to get started, enter:\n")
        print("\tbtfs cat /btfs/QmPChd2hVbrJ6bfo3WBcTW4iZnpHm8TEzWkLHmLpXhF68A/readme\n")


# ---------------------------------------------------------------------------- config

# The types of the Config struct's fields the stand-in writes (go-btfs-config), so that
# `btfs config KEY VALUE` refuses what go-btfs refuses: fsrepo.SetConfigKey validates the map
# against the struct (config.FromMap), and a string where a bool/number/list goes fails.
def go_type(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, list):
        return "[]string"
    return None


STRINGS_FIELDS = {"Addresses.API", "Addresses.Gateway", "Addresses.RemoteAPI"}
# go-btfs-config types.go: OptionalString and OptionalInteger decode null as "default", anything
# else with json.Unmarshal into a string or an int64 (an error that names no struct field);
# swarm.go's ResourceMgr.Limits (swarmLimits) accepts only an empty object since 4.x.
OPTIONAL_FIELDS = {"Swarm.ResourceMgr.MaxMemory": "string", "Swarm.ConnMgr.Type": "string",
                   "Swarm.ResourceMgr.MaxFileDescriptors": "int64", "Swarm.ConnMgr.LowWater": "int64",
                   "Swarm.ConnMgr.HighWater": "int64"}
LIMITS_REMOVED = ("The Swarm.ResourceMgr.Limits configuration has been removed and should be empty or not "
                  "present. To set custom libp2p limits, read https://github.com/ipfs/kubo/blob/master/docs/"
                  "libp2p-resource-management.md#user-supplied-override-limits")


def check_type(default, key, value):
    """config.FromMap's json decode error for a value of the wrong type, else None."""
    if key in OPTIONAL_FIELDS:
        want = OPTIONAL_FIELDS[key]
        ok = value is None or (isinstance(value, str) if want == "string"
                               else isinstance(value, int) and not isinstance(value, bool))
        return None if ok else "json: cannot unmarshal %s into Go value of type %s" % (json_kind(value), want)
    if key == "Swarm.ResourceMgr.Limits":
        return None if value in ({}, None, False) else LIMITS_REMOVED
    parts = key.split(".")
    cursor = default
    for part in parts:
        if not isinstance(cursor, dict) or part not in cursor:
            return None
        cursor = cursor[part]
    if key in STRINGS_FIELDS:  # types.go Strings: a string or an array of strings
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return None
        return "json: cannot unmarshal %s into Go value of type string" % json_kind(value)
    want = go_type(cursor)
    if want is None:
        if isinstance(cursor, str) and not isinstance(value, str):
            want = "string"
        else:
            return None
    ok = {"bool": isinstance(value, bool),
          "int64": isinstance(value, int) and not isinstance(value, bool),
          "[]string": isinstance(value, list),
          "string": isinstance(value, str)}[want]
    if ok:
        return None
    owner = "Config" if len(parts) == 1 else parts[-2]
    return "json: cannot unmarshal %s into Go struct field %s.%s of type %s" % (
        json_kind(value), owner, key, want)


def json_kind(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if value is None:
        return "null"
    return "object"


def map_get(config, key):
    # repo/common/common.go: MapGetKV (exact, case-sensitive keys)
    parts = key.split(".")
    cursor = config
    for i, part in enumerate(parts):
        sofar = ".".join(parts[:i])
        if not isinstance(cursor, dict):
            raise KeyError("%s key is not a map" % sofar)
        if part not in cursor:
            raise KeyError("%s key has no attributes" % sofar)
        cursor = cursor[part]
    return cursor


def map_set(config, key, value):
    # repo/common/common.go: MapSetKV (creates missing maps on the way)
    parts = key.split(".")
    cursor = config
    for i, part in enumerate(parts):
        if not isinstance(cursor, dict):
            raise KeyError("%s key is not a map" % ".".join(parts[:i]))
        if i == len(parts) - 1:
            cursor[part] = value
            break
        if cursor.get(part) is None:
            cursor[part] = {}
        cursor = cursor[part]


def human_output(value):
    # go-btfs-config config.go: HumanOutput: a string as is, anything else indented JSON
    if isinstance(value, str):
        return value.strip("\n")
    return json.dumps(value, indent=2)


def cmd_config(args):
    # core/commands/config.go: ConfigCmd
    if args and args[0] in ("show", "sync-simple-mode", "storage-host-enable"):
        sub, args = args[0], args[1:]
    else:
        sub = None
    options, rest = parse_options(args, spec_of(*GLOBAL, (("bool",), bool), (("json",), bool)))
    repo = repo_path(options)
    if sub == "show":
        # configShowCmd: the file, without Identity.PrivKey, Mnemonic and HexPrivKey
        config = load_config(repo)
        identity = config.get("Identity") or {}
        for field in ("PrivKey", "Mnemonic", "HexPrivKey"):
            identity.pop(field, None)
        print(json.dumps(config, indent=2))
        return
    if sub in ("sync-simple-mode", "storage-host-enable"):
        # SyncSimpleModeCmd / storageHostEnableCmd: strconv.ParseBool, then SetSimpleMode /
        # SetConfigStorageHostEnable
        if len(rest) != 1:
            fail('argument "%s" is required' % ("value" if sub == "sync-simple-mode" else "enable"))
        raw = rest[0]
        if raw not in ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"):
            fail('strconv.ParseBool: parsing "%s": invalid syntax' % raw)
        enable = raw in ("1", "t", "T", "TRUE", "true", "True")
        config = load_config(repo)
        if sub == "sync-simple-mode":
            config["SimpleMode"] = enable
            label = "simple mode"
        else:
            config.setdefault("Experimental", {})["StorageHostEnabled"] = enable
            label = "storage-host-enable"
        write_config(repo, config)
        sys.stdout.write("set %s = %s \n    please restart the node to use it!\n" % (label, str(enable).lower()))
        return
    if not rest:
        fail('argument "key" is required')
    if len(rest) > 2:
        fail("expected 2 argument(s), got %d" % len(rest))
    key = rest[0]
    if key.lower() in ("identity", "identity.privkey", "identity.hexprivkey", "identity.mnemonic"):
        fail("cannot show or change %s through API" % key)
    config = load_config(repo)
    if len(rest) == 2:
        raw = rest[1]
        if options.get("json"):
            try:
                value = json.loads(raw)
            except ValueError as error:
                fail("failed to unmarshal json. %s" % error)
        elif options.get("bool"):
            value = raw == "true"
        else:
            value = raw
        # setConfig -> fsrepo.SetConfigKey: set in the map, keep the private key, validate
        # against the struct, write; then read the key back (getConfig)
        private = (config.get("Identity") or {}).get("PrivKey")
        try:
            map_set(config, key, value)
        except KeyError as error:
            fail("failed to set config value: %s (maybe use --json?)" % error.args[0])
        if private is not None:
            config["Identity"]["PrivKey"] = private
        problem = check_type(default_config(Keys(b"\x01" * 32), "", False), key, value)
        if problem:
            fail("failed to set config value: failure to decode config: %s (maybe use --json?)" % problem)
        # UI.Wallet.Initialized true clears the mnemonic
        try:
            if map_get(config, "UI.Wallet.Initialized") is True:
                config["Identity"]["Mnemonic"] = ""
        except KeyError:
            pass
        write_config(repo, config)
        return  # the text encoder prints nothing for a set
    try:
        value = map_get(config, key)
    except KeyError as error:
        fail("failed to get config value: %s" % json.dumps(error.args[0]))
    print(human_output(value))


# ---------------------------------------------------------------------------- daemon

def addresses(value):
    # go-btfs-config types.go: Strings
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def parse_multiaddr(addr, what):
    match = re.match(r"^/(ip4|ip6)/([^/]+)/(tcp|udp)/(\d+)(/quic(-v1)?)?$", addr or "")
    if not match:
        fail("%s: invalid %s address: %s (err: failed to parse multiaddr %s)" % (what, what.lower(), json.dumps(addr), json.dumps(addr)))
    family = socket.AF_INET6 if match.group(1) == "ip6" else socket.AF_INET
    return family, match.group(2), match.group(3), int(match.group(4))


def multiaddr_of(family, host, proto, port, suffix=""):
    return "/%s/%s/%s/%d%s" % ("ip6" if family == socket.AF_INET6 else "ip4", host, proto, port, suffix)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def http_server(addr, handler, what):
    family, host, _, port = parse_multiaddr(addr, what)

    class Bound(Server):
        address_family = family
    try:
        server = Bound((host, port), handler)
    except OSError as error:
        reason = "address already in use" if error.errno == errno.EADDRINUSE else (error.strerror or str(error))
        # cmd/btfs/daemon.go: serveHTTPApi / serveHTTPGateway: manet.Listen(%s) failed
        fail("%s: manet.Listen(%s) failed: listen tcp%s %s:%d: bind: %s" % (
            what, addr, "6" if family == socket.AF_INET6 else "4", host, port, reason))
    bound = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, multiaddr_of(family, host, "tcp", bound)


class Base(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def version_string(self):
        return ""  # Go's net/http sends no Server header

    def send_response(self, code, message=None):
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def log_message(self, fmt, *args):
        pass

    def http_error(self, code, text, extra=None):
        # net/http: Error: text/plain; charset=utf-8, nosniff, the message and a newline
        body = (text + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or []):
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_body(self, code, body, content_type):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        self.route()

    do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_GET


class CoreHttp(Base):
    """core/corehttp/corehttp.go: makeHandler: every server the node runs (API, gateway, remote
    API) passes interceptorBeforeReq first (core/corehttp/corehttp_interceptor.go)."""

    def route(self):
        if self.command == "CONNECT":
            self.send_body(200, b"", "text/plain")
            return
        config = self.state.config
        if (config.get("API") or {}).get("EnableTokenAuth") and not self.token_exempt():
            # tokenCheckInterceptor: nobody has logged in to the dashboard (commands.IsLogin is
            # false), so ErrNotLogin -> 401 "please login", except for OPTIONS
            if self.command != "OPTIONS":
                self.http_error(401, "please login")
                return
        self.serve()

    def token_exempt(self):
        path = self.path.split("?", 1)[0]
        # filterGatewayUrl
        if path.startswith("/btfs/") or path.startswith("/btns/"):
            return True
        # filterUrl
        if path.startswith("/dashboard") or path.startswith("/hostui"):
            return True
        if path in ("/api/v1/id", "/api/v1/config/show", "/api/v1/dashboard/check",
                    "/api/v1/dashboard/set", "/api/v1/dashboard/login", "/api/v1/dashboard/reset"):
            return True
        # filterLocalShellApi: the btfs CLI itself (Host = the API address, Go's user agent)
        api = addresses((self.state.config.get("Addresses") or {}).get("API"))
        if api:
            parts = api[0].split("/")
            api_host = "%s:%s" % (parts[2], parts[4]) if len(parts) > 4 else ""
            agent = self.headers.get("User-Agent", "")
            if self.headers.get("Host") == api_host and agent in ("Go-http-client/1.1", "go-btfs-cmds/http"):
                return True
        # filterP2pSchema
        return self.headers.get("Host") == self.state.peer_id

    def serve_version(self):
        # core/corehttp/gateway.go: VersionOption
        body = ("Commit: %s\nClient Version: go-btfs/%s/%s\n" % (COMMIT, VERSION, COMMIT)).encode()
        self.send_body(200, body, "text/plain; charset=utf-8")


class ApiHandler(CoreHttp):
    def serve(self):
        path = self.path.split("?", 1)[0]
        if path == "/version":
            self.serve_version()
            return
        if path.startswith("/api/v1/"):
            # go-btfs-cmds http/handler.go: the commands API takes POST (OPTIONS for CORS)
            if self.command == "OPTIONS":
                self.send_body(200, b"", "text/plain")
                return
            if self.command != "POST":
                self.http_error(405, "405 - Method Not Allowed")
                return
            if path == "/api/v1/version":  # core/commands/version.go VersionOutput
                out = {"Version": VERSION, "Commit": COMMIT, "Repo": str(REPO_VERSION),
                       "System": "%s/linux" % ARCH, "Golang": GO_VERSION}
                self.send_body(200, (json.dumps(out) + "\n").encode(), "application/json")
                return
            if path == "/api/v1/id":
                out = {"ID": self.state.peer_id, "AgentVersion": "go-btfs/%s/%s" % (VERSION, COMMIT)}
                self.send_body(200, (json.dumps(out) + "\n").encode(), "application/json")
                return
        # Everything else the real API serves (webui, dashboard, commands) is not reproduced.
        self.http_error(501, "not implemented by the orbis lab stand-in for go-btfs")


class Store:
    """The node's blocks: content it does not hold comes "from the network", which in the lab
    is the ingest's /btfs/<CID> (BTFS_STANDIN_CONTENT_URL); then it is kept in the repo."""

    def __init__(self, repo, source):
        self.blocks = os.path.join(repo, "blocks", "orbis-standin")
        os.makedirs(self.blocks, exist_ok=True)
        self.source = source
        self.locks = {}
        self.guard = threading.Lock()

    def get(self, cid):
        path = os.path.join(self.blocks, cid)
        if os.path.exists(path):
            return path
        with self.guard:
            lock = self.locks.setdefault(cid, threading.Lock())
        with lock:
            if os.path.exists(path):
                return path
            try:
                with urllib.request.urlopen(self.source + cid, timeout=30) as response:
                    temp = "%s.%d.part" % (path, threading.get_ident())
                    with open(temp, "wb") as handle:
                        while True:
                            chunk = response.read(1 << 16)
                            if not chunk:
                                break
                            handle.write(chunk)
                    os.replace(temp, path)
                    return path
            except (urllib.error.URLError, OSError, ValueError):
                return None


def parse_range(header, size):
    """Go's net/http parseRange as ServeContent uses it (core/corehttp/gateway/
    handler_unixfs_file.go: serveFile -> ServeContent): one range; None = 416."""
    if not header.startswith("bytes="):
        return None
    spec = header[len("bytes="):].split(",")[0].strip()
    start, sep, end = spec.partition("-")
    start, end = start.strip(), end.strip()
    if not sep or (start == "" and end == ""):
        return None
    if start == "":
        suffix = int(end) if end.isdigit() else -1
        if suffix < 0:
            return None
        if suffix > size:
            suffix = size
        return size - suffix, size - 1
    if not start.isdigit():
        return None
    first = int(start)
    if first >= size:
        return None
    if end == "":
        return first, size - 1
    if not end.isdigit() or int(end) < first:
        return None
    return first, min(int(end), size - 1)


def sniff(path):
    # core/corehttp/gateway/handler_unixfs_file.go: serveFile: mimetype.DetectReader
    with open(path, "rb") as handle:
        head = handle.read(12)
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head[:3] == b"FLV":
        return "video/x-flv"
    return "application/octet-stream"


class GatewayHandler(CoreHttp):
    store = None

    def serve(self):
        path = self.path.split("?", 1)[0]
        if path == "/version":
            self.serve_version()
            return
        # core/corehttp/gateway/handler.go: ServeHTTP: read-only
        if self.command not in ("GET", "HEAD", "OPTIONS"):
            self.http_error(405, "Method %s not allowed: read only access" % self.command,
                            [("Allow", "GET"), ("Allow", "HEAD"), ("Allow", "OPTIONS")])
            return
        match = re.match(r"^/btfs/([^/]+)/?$", path)
        if not match:
            self.http_error(404, "404 page not found")  # Go's ServeMux, nothing else mounted
            return
        cid = match.group(1)
        if not CID_RE.match(cid):
            self.http_error(400, 'invalid path "/btfs/%s": invalid cid: selected encoding not supported' % cid)
            return
        if self.command == "OPTIONS":
            self.send_response(200)
            self.user_headers()
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = self.store.get(cid)
        if path is None:
            self.http_error(504, "failed to resolve /btfs/%s: context deadline exceeded" % cid)
            return
        size = os.path.getsize(path)
        start, end, status = 0, size - 1, 200
        header = self.headers.get("Range")
        if header and size > 0:
            parsed = parse_range(header, size)
            if parsed is None:
                self.http_error(416, "invalid range: failed to overlap", [("Content-Range", "bytes */%d" % size)])
                return
            start, end = parsed
            status = 206
        length = end - start + 1 if size else 0
        self.send_response(status)
        self.user_headers()
        # handler.go: getOrHeadHandler (X-Ipfs-Path), addCacheControlHeaders (Etag, Cache-Control)
        self.send_header("X-Ipfs-Path", "/btfs/" + cid)
        self.send_header("Etag", '"%s"' % cid)
        self.send_header("Cache-Control", "public, max-age=29030400, immutable")
        self.send_header("Content-Type", sniff(path) if size else "text/plain")
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if self.command == "HEAD" or length == 0:
            return
        with open(path, "rb") as handle:
            handle.seek(start)
            left = length
            try:
                while left > 0:
                    chunk = handle.read(min(left, 1 << 16))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    left -= len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass

    def user_headers(self):
        # core/corehttp/gateway.go: GatewayOption: Gateway.HTTPHeaders from the config
        for name, values in ((self.state.config.get("Gateway") or {}).get("HTTPHeaders") or {}).items():
            for value in values or []:
                self.send_header(name, value)


class GuideHandler(Base):
    """guide/guide.go: newServer: while a full node starts (chain, funding), a plain mux on the
    API address serves the host UI and the guide info (no token check: not corehttp)."""

    def route(self):
        path = self.path.split("?", 1)[0]
        if path in ("/hostui", "/api/v1/guide-info"):
            # net/http ServeMux: a subtree pattern redirects its bare path
            self.send_response(301)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path.startswith("/hostui/"):
            # the real one serves the bundled host UI (guide/pkged.go); a placeholder here
            body = b"<!doctype html><title>BTFS</title><p>BTFS host guide (orbis lab stand-in)</p>\n"
            self.send_body(200, body, "text/html; charset=utf-8")
            return
        if path.startswith("/api/v1/guide-info/"):
            self.send_body(200, json.dumps({"info": self.state.guide_info}).encode(), "text/json")
            return
        self.http_error(404, "404 page not found")


class DaemonState:
    config = None
    peer_id = ""
    guide_info = None


# go-humanize bytes.go: bytesSizeTable's names (lower case; "" is bytes)
SIZE_NAMES = {"", "b", "k", "kb", "ki", "kib", "m", "mb", "mi", "mib", "g", "gb", "gi", "gib", "t", "tb",
              "ti", "tib", "p", "pb", "pi", "pib", "e", "eb", "ei", "eib"}


def parse_bytes_error(value):
    """go-humanize ParseBytes's error for a MaxMemory value, or None (None = the default)."""
    if value is None:
        return None
    digits = 0
    for char in value:
        if not (char.isdigit() or char in ".,"):
            break
        digits += 1
    number = value[:digits].replace(",", "")
    try:
        float(number)
    except ValueError:
        return 'strconv.ParseFloat: parsing "%s": invalid syntax' % number
    extra = value[digits:].strip().lower()
    if extra not in SIZE_NAMES:
        return "unhandled size name: %s" % extra
    return None


def sd_notify(message):
    """cmd/btfs/daemon_linux.go: notifyReady / notifyStopping: go-systemd daemon.SdNotify
    (unsetEnvironment false): a datagram to $NOTIFY_SOCKET, '@' meaning the abstract namespace."""
    target = os.environ.get("NOTIFY_SOCKET")
    if not target:
        return
    if target.startswith("@"):
        target = "\0" + target[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(message.encode(), target)
    except OSError:
        pass


DAEMON_SPEC = spec_of(*GLOBAL, (("init",), bool), (("init-config",), str), (("init-profile",), str),
                      (("routing",), str), (("mount",), bool), (("writable",), bool), (("mount-btfs",), str),
                      (("mount-btns",), str), (("unrestricted-api",), bool),
                      (("disable-transport-encryption",), bool), (("enable-gc",), bool),
                      (("manage-fdlimit",), bool), (("migrate",), bool), (("enable-pubsub-experiment",), bool),
                      (("enable-namesys-pubsub",), bool), (("enable-mplex-experiment",), bool), (("hval",), str),
                      (("dc",), bool), (("enable-startup-test",), bool), (("swarm-port",), str),
                      (("deployment-gasPrice",), str), (("chain-id",), str), (("s3-compatible-api",), bool))

SIGNAL_NAMES = {signal.SIGINT: "interrupt", signal.SIGTERM: "terminated", signal.SIGHUP: "hangup"}


def cmd_daemon(args):
    # cmd/btfs/daemon.go: daemonCmd options; daemonFunc
    options, _ = parse_options(args, DAEMON_SPEC)
    repo = repo_path(options)
    out = sys.stdout

    def say(text):
        out.write(text + "\n")
        out.flush()

    # cmd/btfs/util/signal.go: SetupInterruptHandler (SIGHUP, SIGINT, SIGTERM): the first signal
    # cancels the request context, a second one exits at once with -1 (255).
    phase = {"stage": "starting", "count": 0, "servers": [], "lock": None}
    stop = threading.Event()

    def on_signal(signum, frame):
        phase["count"] += 1
        say("InrHandler receive signal: %s" % SIGNAL_NAMES.get(signum, str(signum)))
        if phase["count"] == 1:
            say("Start handle signal")
            # While the vault waits for funds (settlement/swap/vault/init.go: checkBalance runs
            # on context.Background(), chain.InitSettlement is given context.Background()),
            # nothing watches the cancelled context: the daemon keeps waiting.
            if phase["stage"] != "funding":
                stop.set()
        else:
            say("Received another interrupt before graceful shutdown, terminating...")
            os._exit(255)

    for signum in SIGNAL_NAMES:
        signal.signal(signum, on_signal)

    say("Initializing daemon...")
    # printVersion
    say("go-btfs version: %s-%s" % (VERSION, COMMIT))
    say("Repo version: %d" % REPO_VERSION)
    say("System version: %s/linux" % ARCH)
    say("Golang version: %s" % GO_VERSION)

    try:
        # --init: doInit with the defaults, NOT in simple mode (daemon.go passes false)
        if options.get("init") and not is_initialized(repo):
            do_init(repo, False, options.get("init-profile", ""), False, False)
        if not is_initialized(repo):
            load_config(repo)  # NoRepoError
        lock = take_repo_lock(repo)
        if lock is None:
            say("Error:Someone else has the lock;\nWhat causes this error: there is already one daemon "
                "process running in background\nSolution: kill it first and run btfs daemon again.\n"
                "If the user need to start multiple nodes on the same machine, the configuration needs "
                "to be modified to a new place.")
            fail("lock %s: someone else has the lock" % repo_lock_path(repo))
        phase["lock"] = lock
        config = load_config(repo)
        state = DaemonState()
        state.config = config
        keys = Keys.from_config(config)
        state.peer_id = (config.get("Identity") or {}).get("PeerID", keys.peer_id)
        say("Repo location: %s" % repo)
        say("Peer identity: %s" % state.peer_id)
        # fmt.Println("the address of Bttc format is: ", address0x): Println puts a space
        # between its operands, hence two spaces
        say("the address of Bttc format is:  %s" % keys.checksum_address())
        say("the address of Tron format is:  %s" % keys.tron)

        simple = config.get("SimpleMode") is True
        api_addrs = addresses((config.get("Addresses") or {}).get("API"))
        if options.get("api"):
            api_addrs = [options["api"]]
        if not simple:
            # guide.SetServerAddr / SetInfo / StartServer: on the first tcp API address
            state.guide_info = {"btfs_version": VERSION, "host_id": state.peer_id,
                                "bttc_address": keys.checksum_address(), "private_key": keys.secret.hex()}
            family, host, _, port = parse_multiaddr(api_addrs[0], "API")
            GuideHandler.state = state
            guide_addr = "[%s]:%d" % (host, port) if family == socket.AF_INET6 else "%s:%d" % (host, port)
            say("Guide: http://%s/hostui" % guide_addr)
            try:
                guide, _ = http_server(api_addrs[0], GuideHandler, "guide")
                phase["servers"].append(guide)
            except Failure as error:
                say("Start guide server failed: %s" % error)

            # getChainID: statestore chain id vs config vs --chain-id
            chain_id = chain_id_for(options, config, repo)
            # chain.InitChain ... chain.InitSettlement -> vault factory Deploy -> checkBalance
            # (settlement/swap/vault/factory.go, init.go): a new node's address holds no BTT, so
            # it waits, printing every balanceCheckBackoffDuration. The lab has no BTTC chain:
            # the stand-in is a node that reached the chain and was never funded (a real one
            # without internet fails earlier, on the chain endpoint).
            del chain_id
            phase["stage"] = "funding"
            period = float(os.environ.get("BTFS_STANDIN_FUNDING_PERIOD", FUNDING_PERIOD))
            while True:
                say("cannot continue until there is sufficient (30000 Suggested) BTT (for Gas) "
                    "available on 0x%s " % keys.address.hex())
                time.sleep(period)

        # Simple mode: no guide, no chain, no settlement (daemon.go: `if SimpleMode == false`).
        # --chain-id is not even read. What follows is the node's start (core.NewNode).
        # core/node/libp2p/rcmgr.go ResourceManager -> rcmgr_defaults.go createDefaultLimitConfig:
        # Swarm.ResourceMgr.MaxMemory (default: half the machine's RAM) through go-humanize's
        # ParseBytes; a value it cannot read fails the node's construction (daemon.go: "error from
        # node construction", then main.go's "Error: ..."; fx adds its own context in front).
        resource_mgr = ((config.get("Swarm") or {}).get("ResourceMgr") or {})
        if resource_mgr.get("Enabled") is not False and os.environ.get("LIBP2P_RCMGR") not in ("0", "false"):
            problem = parse_bytes_error(resource_mgr.get("MaxMemory"))
            if problem:
                fail(problem)
        delay = float(os.environ.get("BTFS_STANDIN_READY_DELAY", "2"))
        if stop.wait(max(0.0, delay)):
            return shutdown(phase, repo, say, ready=False)

        # printSwarmAddrs: the stand-in only binds the swarm ports (no libp2p) and prints the
        # configured addresses (the real one expands 0.0.0.0 to each interface, sorted).
        swarm = []
        for addr in addresses((config.get("Addresses") or {}).get("Swarm")):
            family, host, proto, port = parse_multiaddr(addr, "Swarm")
            try:
                sock = socket.socket(family, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                sock.bind((host, port))
                if proto == "tcp":
                    sock.listen(16)
            except OSError as error:
                if family == socket.AF_INET6 and error.errno in (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL):
                    continue  # no IPv6 in this host: libp2p skips such an address too
                fail("failed to listen on any addresses: [listen %s %s:%d: bind: %s]"
                     % (proto, host, port, error.strerror))
            phase["servers"].append(sock)
            suffix = addr[len(multiaddr_of(family, host, proto, port)):]
            swarm.append(multiaddr_of(family, host, proto, sock.getsockname()[1], suffix))
        for addr in sorted(swarm):
            say("Swarm listening on %s" % addr)
        for addr in sorted(swarm):
            say("Swarm announcing %s" % addr)

        # serveHTTPApi
        ApiHandler.state = state
        api_bound = []
        for addr in api_addrs:
            server, bound = http_server(addr, ApiHandler, "serveHTTPApi")
            phase["servers"].append(server)
            api_bound.append(bound)
        for bound in api_bound:
            say("API server listening on %s" % bound)
        if api_bound:  # node.Repo.SetAPIAddr: <repo>/api, the first listener's address
            with open(os.path.join(repo, ".api.tmp"), "w") as handle:
                handle.write(api_bound[0])
            os.replace(os.path.join(repo, ".api.tmp"), os.path.join(repo, "api"))

        # serveHTTPGateway
        GatewayHandler.state = state
        GatewayHandler.store = Store(repo, os.environ.get("BTFS_STANDIN_CONTENT_URL", DEFAULT_CONTENT_URL))
        gateway_bound = []
        for addr in addresses((config.get("Addresses") or {}).get("Gateway")):
            server, bound = http_server(addr, GatewayHandler, "serveHTTPGateway")
            phase["servers"].append(server)
            gateway_bound.append(bound)
        for bound in gateway_bound:
            say("Gateway server listening on %s" % bound)

        # serveHTTPRemoteApi, when Addresses.RemoteAPI is set
        remote = addresses((config.get("Addresses") or {}).get("RemoteAPI"))
        if remote:
            if not (config.get("Experimental") or {}).get("Libp2pStreamMounting"):
                fail("serveHTTPRemoteApi: libp2p stream mounting must be enabled")
            for addr in remote:
                server, bound = http_server(addr, ApiHandler, "serveHTTPRemoteApi")
                phase["servers"].append(server)
                say("Remote API server listening on %s" % bound)

        # "The daemon is *finally* ready."
        phase["stage"] = "ready"
        say("Daemon is ready")
        sd_notify("READY=1")
        stop.wait()
        return shutdown(phase, repo, say, ready=True)
    except Failure:
        # daemonFunc's deferred extra line before an error
        say("")
        raise


def shutdown(phase, repo, say, ready):
    if ready:
        # the goroutine watching req.Context: notifyStopping, then the two lines
        sd_notify("STOPPING=1")
        say("Received interrupt signal, shutting down...")
        say("(Hit ctrl-c again to force-shutdown the daemon.)")
    for server in phase["servers"]:
        try:
            if isinstance(server, socket.socket):
                server.close()
            else:
                server.shutdown()
                server.server_close()
        except OSError:
            pass
    try:  # repo/fsrepo/fsrepo.go: Close removes the api file
        os.remove(os.path.join(repo, "api"))
    except OSError:
        pass
    return 0


def chain_id_for(options, config, repo):
    """cmd/btfs/daemon.go: getInputChainID, getChainID."""
    raw = options.get("chain-id")
    input_id = 0
    if raw is not None:
        try:
            input_id = int(raw, 10)
        except ValueError:
            fail('strconv.ParseInt: parsing "%s": invalid syntax' % raw)
    cfg_id = (config.get("ChainInfo") or {}).get("ChainId") or 0
    stored = statestore_get(repo, "ChainIdKey")
    stored = -1 if stored is None else int(stored)  # chain/utils.go: DefaultStoreChainId
    if stored > 0:
        if cfg_id == 0 and not (config.get("ChainInfo") or {}).get("Endpoint"):
            chain_id = stored
        else:
            if stored != cfg_id:
                fail("current chainId=%d is different from config chainId=%d, you can not change chain id "
                     "in config file" % (stored, cfg_id))
            if input_id > 0 and stored != input_id:
                fail("current chainId=%d is different from input chainId=%d, you can not change chain id "
                     "with --chain-id when node start" % (stored, input_id))
            chain_id = stored
    else:
        chain_id = input_id if input_id > 0 else BTTC_CHAIN_ID  # cc.DefaultChain
        # daemon.go: StoreChainIdIfNotExists (after a factory upgrade): stored once
        statestore_put(repo, "ChainIdKey", chain_id)
    return chain_id


# ---------------------------------------------------------------------------- main

def usage():
    print("USAGE\n  btfs - Global p2p merkle-dag filesystem.\n\n  btfs [--config=<config> | -c] [--debug | -D] "
          "[--help] [-h] [--api=<api>] [--offline] [--encoding=<encoding> | --enc] <command> ...\n\n"
          "  (orbis lab stand-in: init, daemon, config, version)")


def main(argv):
    # cmd/btfs/main.go: mainRet: `btfs --version` is `btfs version`; `btfs help X` is `X --help`
    if argv and argv[0] == "--version":
        argv = ["version"] + argv[1:]
    if not argv or argv[0] in ("-h", "--help", "help"):
        usage()
        return 0
    # global options may come before the command (`btfs -c DIR config ...`)
    lead = []
    while argv and argv[0].startswith("-"):
        lead.append(argv[0])
        argv = argv[1:]
        if lead[-1] in ("-c", "--config", "--api", "--encoding", "--enc", "--timeout") and argv:
            lead.append(argv[0])
            argv = argv[1:]
    if not argv:
        usage()
        return 0
    command, rest = argv[0], lead + argv[1:]
    commands = {"version": cmd_version, "init": cmd_init, "daemon": cmd_daemon, "config": cmd_config}
    if command not in commands:
        fail('Unknown Command "%s"\n' % command)
    commands[command](rest)
    return 0


if __name__ == "__main__":
    try:
        code = main(sys.argv[1:])
    except Failure as error:
        sys.stdout.flush()
        sys.stderr.write("Error: %s\n" % error.args[0])
        sys.stderr.flush()
        code = 1
    sys.stdout.flush()
    os._exit(code or 0)
