# orbis lab stand-in for go-btfs 4.x: only what orbis relies on, behaving like the real one.
# Embedded in a small static launcher (launcher.c) built per architecture, which execs
# `/usr/bin/python3 -c <this program> ARGS...` with BTFS_STANDIN_ARCH set.
#
#   btfs version [--all | -n]        version (and, with --all, the system it was built for)
#   btfs init [--chain-id N]         create the repo ($BTFS_PATH or ~/.btfs) once; refuse twice
#   btfs daemon [--chain-id N]       gateway 127.0.0.1:8080 (/btfs/<CID>, Range, 401 on /),
#                                    API 127.0.0.1:5001 and remote API 127.0.0.1:5101 (401),
#                                    swarm 0.0.0.0:4001; ready after a few seconds
#   btfs config KEY [VALUE] [--json] / btfs config show
#
# The repo's chain id is fixed by `init --chain-id` or by the first daemon run, like go-btfs
# stores it on first start; a later daemon with another chain id refuses to start.
# Content the node does not hold is fetched from the bootstrap URL (the lab ingest), then
# kept in the repo, so it "comes from the network" as it would for the real node.
import errno
import http.server
import json
import os
import re
import secrets
import signal
import socketserver
import sys
import threading
import time
import urllib.error
import urllib.request

VERSION = "4.1.0-299483c"
REPO_VERSION = 10
ARCH = os.environ.get("BTFS_STANDIN_ARCH", "unknown")
DEFAULT_BOOTSTRAP = "http://btfs-bootstrap.orbis-lab/btfs/"
DEFAULT_READY_DELAY = 3.0
CID_RE = re.compile(r"^(Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{58,})$")
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def fail(message, code=1):
    sys.stderr.write("Error: %s\n" % message)
    sys.exit(code)


def repo_path():
    path = os.environ.get("BTFS_PATH")
    if path:
        return path
    return os.path.join(os.path.expanduser("~"), ".btfs")


def config_path(repo):
    return os.path.join(repo, "config")


def load_config(repo):
    try:
        with open(config_path(repo)) as handle:
            return json.load(handle)
    except FileNotFoundError:
        fail("no btfs repo found in %s.\nplease run: 'btfs init'" % repo)


def save_json(path, value):
    temp = path + ".tmp"
    with open(temp, "w") as handle:
        json.dump(value, handle, indent=2)
        handle.write("\n")
    os.replace(temp, path)


def parse_flags(args, known):
    """--flag value / --flag=value for the flags in `known`; returns (flags, positionals)."""
    flags, rest = {}, []
    i = 0
    while i < len(args):
        arg = args[i]
        name = arg.split("=", 1)[0]
        if name in known:
            if known[name] is bool:
                flags[name] = True
            elif "=" in arg:
                flags[name] = arg.split("=", 1)[1]
            elif i + 1 < len(args):
                i += 1
                flags[name] = args[i]
            else:
                fail("option %s needs a value" % name)
        elif arg.startswith("-") and arg != "-":
            fail("unknown option %s" % arg)
        else:
            rest.append(arg)
        i += 1
    return flags, rest


def chain_id_flag(flags):
    value = flags.get("--chain-id")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        fail("--chain-id must be a number, not %r" % value)


def peer_id():
    # The shape of a secp256k1 libp2p peer id (what go-btfs prints); random, not derived.
    return "16Uiu2HAm" + "".join(secrets.choice(BASE58) for _ in range(44))


# ---------------------------------------------------------------------------- commands

def cmd_version(args):
    flags, _ = parse_flags(args, {"--all": bool, "-n": bool, "--number": bool})
    if flags.get("-n") or flags.get("--number"):
        print(VERSION)
    elif flags.get("--all"):
        print("go-btfs version: %s" % VERSION)
        print("Repo version: %d" % REPO_VERSION)
        print("System version: %s/linux" % ARCH)
        print("Golang version: go1.19.4")
    else:
        print("btfs version %s" % VERSION)


def cmd_init(args):
    flags, _ = parse_flags(args, {"--chain-id": str, "-p": str, "--profile": str})
    repo = repo_path()
    if os.path.exists(config_path(repo)):
        fail("btfs configuration file already exists!\nReinitializing would overwrite your keys.")
    print("initializing BTFS node at %s" % repo)
    for sub in ("", "blocks", "datastore", "keystore"):
        os.makedirs(os.path.join(repo, sub), mode=0o700, exist_ok=True)
    ident = peer_id()
    config = {
        "Identity": {"PeerID": ident, "PrivKey": secrets.token_hex(32), "Mnemonic": " ".join(
            secrets.choice(["abandon", "ability", "able", "about", "above", "absent", "absorb", "abstract",
                            "absurd", "abuse", "access", "accident"]) for _ in range(12))},
        "Addresses": {
            "API": "/ip4/127.0.0.1/tcp/5001",
            "RemoteAPI": "/ip4/127.0.0.1/tcp/5101",
            "Gateway": "/ip4/127.0.0.1/tcp/8080",
            "Swarm": ["/ip4/0.0.0.0/tcp/4001"],
        },
        "Bootstrap": [os.environ.get("BTFS_STANDIN_BOOTSTRAP", DEFAULT_BOOTSTRAP)],
        "ChainInfo": {"ChainId": chain_id_flag(flags)},
        "StandIn": {"ReadyDelaySeconds": DEFAULT_READY_DELAY},
    }
    save_json(config_path(repo), config)
    os.chmod(config_path(repo), 0o600)
    print("generating btfs node keypair...done")
    print("peer identity: %s" % ident)
    print("to get started, enter:\n\n\tbtfs cat /btfs/QmPChd2hVbrJ6bfo3WBcTW4iZnpHm8TEzWkLHmLpXhF68A/readme\n")


def get_path(config, key):
    value = config
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            fail("failed to get config value: key has no attributes")
        value = value[part]
    return value


def cmd_config(args):
    flags, rest = parse_flags(args, {"--json": bool, "--bool": bool})
    repo = repo_path()
    config = load_config(repo)
    if rest == ["show"]:
        print(json.dumps(config, indent=2))
        return
    if len(rest) == 1:
        value = get_path(config, rest[0])
        print(json.dumps(value, indent=2) if isinstance(value, (dict, list)) else value)
        return
    if len(rest) == 2:
        key, raw = rest
        value = raw
        if flags.get("--json"):
            try:
                value = json.loads(raw)
            except ValueError as error:
                fail("failed to unmarshal json. %s" % error)
        elif flags.get("--bool"):
            value = raw == "true"
        parts = key.split(".")
        target = config
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
        save_json(config_path(repo), config)
        return
    fail("usage: btfs config <key> [<value>] [--json] | btfs config show")


# ---------------------------------------------------------------------------- daemon

def tcp_address(multiaddr, what):
    match = re.match(r"^/ip4/([0-9.]+)/tcp/(\d+)$", multiaddr or "")
    if not match:
        fail("invalid %s address %r (expected /ip4/A.B.C.D/tcp/PORT)" % (what, multiaddr))
    return match.group(1), int(match.group(2))


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class Quiet(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "go-btfs/" + VERSION

    def log_message(self, fmt, *args):
        pass

    def send_text(self, code, text, extra=None):
        body = (text + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class ApiHandler(Quiet):
    """go-btfs 4.x protects its API with a token: without one, everything is 401."""

    def answer(self):
        self.send_text(401, "401 - Unauthorized")

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = answer


class Store:
    def __init__(self, repo, bootstrap):
        self.blocks = os.path.join(repo, "blocks")
        self.bootstrap = bootstrap
        self.locks = {}
        self.guard = threading.Lock()

    def lock_for(self, cid):
        with self.guard:
            return self.locks.setdefault(cid, threading.Lock())

    def path(self, cid):
        return os.path.join(self.blocks, cid)

    def get(self, cid):
        """Path of the content, fetched from the network first if this node lacks it."""
        path = self.path(cid)
        if os.path.exists(path):
            return path
        with self.lock_for(cid):
            if os.path.exists(path):
                return path
            for base in self.bootstrap:
                try:
                    with urllib.request.urlopen(base + cid, timeout=30) as response:
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
                    continue
        return None


class GatewayHandler(Quiet):
    store = None

    def do_GET(self):
        self.serve()

    def do_HEAD(self):
        self.serve()

    def serve(self):
        target = self.path.split("?", 1)[0]
        if target in ("/", ""):
            self.send_text(401, "401 - Unauthorized")
            return
        match = re.match(r"^/btfs/([^/]+)/?$", target)
        if not match:
            self.send_text(404, "404 page not found")
            return
        cid = match.group(1)
        if not CID_RE.match(cid):
            self.send_text(400, "invalid path \"/btfs/%s\": invalid cid: selected encoding not supported" % cid)
            return
        path = self.store.get(cid)
        if path is None:
            self.send_text(504, "failed to resolve /btfs/%s: could not find the content on the network" % cid)
            return
        size = os.path.getsize(path)
        start, end = 0, size - 1
        status = 200
        header = self.headers.get("Range")
        if header:
            parsed = parse_range(header, size)
            if parsed is None:
                self.send_text(416, "invalid range", {"Content-Range": "bytes */%d" % size})
                return
            start, end = parsed
            status = 206
        length = end - start + 1 if size else 0
        self.send_response(status)
        self.send_header("Content-Type", sniff(path))
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Etag", '"%s"' % cid)
        self.send_header("X-Btfs-Path", "/btfs/" + cid)
        self.send_header("Cache-Control", "public, max-age=29030400, immutable")
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
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


def parse_range(header, size):
    match = re.match(r"^bytes=(\d*)-(\d*)$", header.strip())
    if not match or (match.group(1) == "" and match.group(2) == ""):
        return None
    if match.group(1) == "":
        suffix = int(match.group(2))
        if suffix == 0:
            return None
        return max(0, size - suffix), size - 1
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) else size - 1
    if start >= size or end < start:
        return None
    return start, min(end, size - 1)


def sniff(path):
    with open(path, "rb") as handle:
        head = handle.read(12)
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head[:3] == b"FLV":
        return "video/x-flv"
    return "application/octet-stream"


class SwarmHandler(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            self.request.sendall(b"\x13/multistream/1.0.0\n")
        except OSError:
            pass


class SwarmServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def listen(server_class, address, handler, what):
    try:
        return server_class(address, handler)
    except OSError as error:
        reason = "address already in use" if error.errno == errno.EADDRINUSE else error.strerror
        fail("%s: manet.Listen(/ip4/%s/tcp/%d) failed: listen tcp4 %s:%d: bind: %s"
             % (what, address[0], address[1], address[0], address[1], reason))


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def cmd_daemon(args):
    flags, _ = parse_flags(args, {"--chain-id": str, "--init": bool, "--enable-gc": bool, "--migrate": bool})
    repo = repo_path()
    if flags.get("--init") and not os.path.exists(config_path(repo)):
        cmd_init(["--chain-id", flags["--chain-id"]] if "--chain-id" in flags else [])
    config = load_config(repo)
    lock = os.path.join(repo, "repo.lock")
    try:
        with open(lock) as handle:
            holder = int(handle.read().strip() or "0")
        if holder and holder != os.getpid() and pid_alive(holder):
            fail("someone else has the lock")
    except (FileNotFoundError, ValueError):
        pass
    with open(lock, "w") as handle:
        handle.write(str(os.getpid()))

    wanted = chain_id_flag(flags)
    stored = (config.get("ChainInfo") or {}).get("ChainId")
    if stored is None:
        stored = wanted if wanted is not None else 199
        config.setdefault("ChainInfo", {})["ChainId"] = stored
        save_json(config_path(repo), config)
    elif wanted is not None and wanted != stored:
        os.unlink(lock)
        fail("current chain id %d is different from the chain id %d this repo was initialised with; "
             "a repo cannot change chain id" % (wanted, stored))

    def stop(signum, frame):
        print("\nReceived interrupt signal, shutting down...")
        print("(Hit ctrl-c again to force-shutdown the daemon.)")
        try:
            os.unlink(lock)
        except OSError:
            pass
        sys.stdout.flush()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    print("Initializing daemon...")
    print("go-btfs version: %s" % VERSION)
    print("Repo version: %d" % REPO_VERSION)
    print("System version: %s/linux" % ARCH)
    print("Golang version: go1.19.4")
    print("Chain id: %d" % stored)
    sys.stdout.flush()

    addresses = config.get("Addresses", {})
    swarm = [listen(SwarmServer, tcp_address(a, "swarm"), SwarmHandler, "serveSwarm")
             for a in addresses.get("Swarm", ["/ip4/0.0.0.0/tcp/4001"])]
    for server, spec in zip(swarm, addresses.get("Swarm", ["/ip4/0.0.0.0/tcp/4001"])):
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print("Swarm listening on %s" % spec)
    sys.stdout.flush()

    # The real daemon takes a while (identity, chain, storage host checks) before its API and
    # gateway answer; a caller must wait for readiness rather than assume it.
    delay = os.environ.get("BTFS_STANDIN_READY_DELAY")
    if delay is None:
        delay = (config.get("StandIn") or {}).get("ReadyDelaySeconds", DEFAULT_READY_DELAY)
    time.sleep(max(0.0, float(delay)))

    bootstrap = config.get("Bootstrap") or [DEFAULT_BOOTSTRAP]
    GatewayHandler.store = Store(repo, bootstrap)
    servers = []
    for key, handler, label in (("API", ApiHandler, "API server"),
                                ("RemoteAPI", ApiHandler, "Remote API server"),
                                ("Gateway", GatewayHandler, "Gateway server")):
        spec = addresses.get(key)
        if not spec:
            continue
        server = listen(Server, tcp_address(spec, key), handler, "serve" + key)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print("%s listening on %s" % (label, spec))
    print("Daemon is ready")
    sys.stdout.flush()
    while True:
        time.sleep(3600)


def usage():
    print("USAGE\n  btfs - Global p2p merkle-dag filesystem. (orbis lab stand-in)\n")
    print("  btfs version [--all]   btfs init [--chain-id N]   btfs daemon [--chain-id N]")
    print("  btfs config <key> [<value>]")


def main(argv):
    if not argv or argv[0] in ("-h", "--help", "help"):
        usage()
        return
    command, rest = argv[0], argv[1:]
    if command == "version" or command == "--version":
        cmd_version(rest)
    elif command == "init":
        cmd_init(rest)
    elif command == "daemon":
        cmd_daemon(rest)
    elif command == "config":
        cmd_config(rest)
    else:
        fail("unknown command \"%s\"\nRun 'btfs help' for usage." % command)


if __name__ == "__main__":
    main(sys.argv[1:])
