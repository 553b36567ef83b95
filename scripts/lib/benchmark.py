#!/usr/bin/env python3
"""Measures Hailuo Studio's figures inside a private desktop session (see scripts/benchmark.sh).

Start time, memory (the app with every WebKit process, idle and with the Library showing 1,000
generations) next to Debian's Chromium showing the same ui/ as a web page, CPU while 5
generations are polled, and the .deb's size. Standard library only.
"""

import argparse
import ctypes
import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_READY = "return document.body !== null && document.body.dataset.ready === 'true'"
# Read after the fact: the page took this timestamp itself when it set data-ready.
READY_AT = """const mark = performance.getEntriesByName('studio-ready')[0];
return mark ? [performance.timeOrigin, mark.startTime] : null;"""


def say(message):
    print(f"==> {message}", flush=True)


def die(message):
    print(f"benchmark: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


# ---------------------------------------------------------------- processes and /proc


def stat_fields(pid):
    """Fields of /proc/<pid>/stat after the command name (index 0 is field 3, the state)."""
    with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
        text = f.read()
    return text[text.rindex(")") + 2 :].split()


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return "?"


def descendants(root):
    """`root` and every process below it, from the parent links in /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(stat_fields(entry)[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def pss_kib(pid):
    """Proportional set size: shared pages split between the processes that map them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory(root):
    """Total PSS in MiB of `root` and its descendants, and a per-name breakdown."""
    return memory_of(descendants(root))


def memory_of(pids):
    by_name = {}
    for pid in pids:
        kib = pss_kib(pid)
        if kib:
            name = comm(pid)
            count, total = by_name.get(name, (0, 0))
            by_name[name] = (count + 1, total + kib)
    total = sum(kib for _, kib in by_name.values())
    return total / 1024, by_name


def describe(by_name):
    parts = sorted(by_name.items(), key=lambda item: -item[1][1])
    return ", ".join(f"{name}×{count} {kib / 1024:.0f}" for name, (count, kib) in parts)


def cpu_ticks(pids):
    """utime + stime of each process, by pid."""
    ticks = {}
    for pid in pids:
        try:
            fields = stat_fields(pid)
            ticks[pid] = int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return ticks


def started_at(pid):
    """When `pid` was started, as a Unix time in seconds (clock-tick precision, 10 ms)."""
    boot = time.time() - time.clock_gettime(time.CLOCK_BOOTTIME)
    return boot + int(stat_fields(pid)[19]) / CLOCK_TICKS


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, what, timeout=60.0, every=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    die(f"gave up waiting for {what} after {timeout:.0f} s")


def stop(process):
    """Ends a process group we started, and waits for it."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# ---------------------------------------------------------------- WebDriver (tauri-driver)


class DriverHiccup(Exception):
    """A WebDriver request whose connection was dropped before any answer."""


def again(action, what, attempts=3):
    """Repeats an action that is safe to repeat when WebDriver drops its connection."""
    for attempt in range(attempts):
        try:
            return action()
        except DriverHiccup as err:
            say(f"WebDriver dropped a connection ({what}, {err}); trying again")
            time.sleep(1 + attempt)
    die(f"WebDriver kept dropping the connection while {what}")


class Driver:
    """One tauri-driver; every session it opens launches the app afresh."""

    def __init__(self, binary, env, log):
        self.binary = binary
        self.port = free_port()
        native = self.native = free_port()
        self.process = subprocess.Popen(
            ["tauri-driver", "--port", str(self.port), "--native-port", str(native)],
            env=env,
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        # tauri-driver answers before the WebKitWebDriver it starts is listening; a session
        # asked for in between is dropped ("Remote end closed connection").
        wait_for(lambda: listening(self.port) and listening(self.native), "tauri-driver to listen", timeout=30, every=0.1)

    def request(self, method, path, body=None, timeout=120):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as answer:
                return json.loads(answer.read() or b"null").get("value")
        except urllib.error.HTTPError as err:
            die(f"WebDriver {method} {path} failed: {err.code} {err.read()[:500]!r}")
        except (http.client.RemoteDisconnected, ConnectionError) as err:
            # Seen now and then on a loaded machine: WebKitWebDriver drops one connection and
            # answers the next. Callers retry what is safe to repeat.
            raise DriverHiccup(f"{method} {path}: {err}") from err

    def launch(self):
        value = self.request(
            "POST",
            "/session",
            {
                "capabilities": {
                    "alwaysMatch": {
                        "browserName": "wry",
                        "tauri:options": {"application": str(self.binary)},
                    }
                }
            },
        )
        return Session(self, value["sessionId"])

    def app_pid(self):
        for pid in descendants(self.process.pid):
            if comm(pid) == self.binary.name[:15]:
                return pid
        return None

    def close(self):
        stop(self.process)


class Session:
    def __init__(self, driver, session_id):
        self.driver = driver
        self.id = session_id
        self.pid = wait_for(driver.app_pid, "the app's process", timeout=10)

    def js(self, script, *args):
        return again(
            lambda: self.driver.request(
                "POST", f"/session/{self.id}/execute/sync", {"script": script, "args": list(args)}
            ),
            "running a script",
        )

    def js_async(self, script, *args):
        return self.driver.request(
            "POST", f"/session/{self.id}/execute/async", {"script": script, "args": list(args)}
        )

    def invoke(self, command, args):
        """Calls an app command; only for commands that are safe to repeat."""
        return again(lambda: self.invoke_once(command, args), f"calling {command}")

    def invoke_once(self, command, args):
        answer = self.js_async(
            """const [command, args, done] = arguments;
            window.__TAURI__.core.invoke(command, args).then(
                (value) => done({ ok: value === undefined ? null : value }),
                (error) => done({ err: error }));""",
            command,
            args,
        )
        if "err" in answer:
            die(f"{command} failed: {answer['err']}")
        return answer["ok"]

    def answer(self, command, args):
        """The app's answer to a command as `{"ok": value}` or `{"err": error}`; for commands that
        are safe to repeat."""
        return again(
            lambda: self.js_async(
                """const [command, args, done] = arguments;
                window.__TAURI__.core.invoke(command, args).then(
                    (value) => done({ ok: value === undefined ? null : value }),
                    (error) => done({ err: error }));""",
                command,
                args,
            ),
            f"asking {command}",
        )

    def wait(self, script, what, timeout=60):
        return wait_for(lambda: self.js(script), what, timeout=timeout, every=0.1)

    def close(self):
        again(lambda: self.driver.request("DELETE", f"/session/{self.id}"), "closing the app")
        # The app goes with the session; wait until its processes are gone.
        wait_for(lambda: self.driver.app_pid() is None, "the app to exit", timeout=20)


# ---------------------------------------------------------------- measurements


def app_env(base, data_dir, extra=()):
    env = {k: v for k, v in base.items() if not k.startswith("HAILUO_STUDIO_")}
    env["HAILUO_STUDIO_DATA_DIR"] = str(data_dir)
    env.update(dict(extra))
    return env


def start_times(driver, runs):
    """Launches the app `runs` times; each time from exec to the UI's ready mark, in ms."""
    figures = []
    for run in range(runs):
        session = driver.launch()
        exec_at = started_at(session.pid)
        session.wait(PAGE_READY, "the UI to report ready")
        seen_at = time.time()
        page_ms, start_ms = ready_after(session, exec_at)
        seen_ms = (seen_at - exec_at) * 1000
        if not 0 < start_ms <= seen_ms + 20:
            die(f"implausible start time {start_ms:.0f} ms (seen ready after {seen_ms:.0f} ms)")
        say(f"start {run + 1}/{runs}: {start_ms:.0f} ms to ready, of which the page {page_ms:.0f} ms "
            f"(the script saw it at {seen_ms:.0f} ms)")
        figures.append((start_ms, page_ms))
        session.close()
    return figures


def ready_after(session, exec_at):
    """(ms from the page's start to its ready mark, ms from exec to that mark)."""
    answer = session.js(READY_AT)
    if answer is None:
        die("the UI set data-ready but left no 'studio-ready' performance mark (ui/js/main.js)")
    origin, mark = answer
    return mark, origin + mark - exec_at * 1000


def seed_library(library, count, clip, poster):
    """`count` finished generations as the app writes them, each with a video and a poster
    (hard links to one clip and one poster, so seeding is quick and takes no space)."""
    library.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)
    for i in range(count):
        at = (start - timedelta(minutes=i)).isoformat().replace("+00:00", "Z")
        folder = library / f"2026-11-21 bench-{i:05}"
        folder.mkdir()
        os.link(clip, folder / "video.mp4")
        os.link(poster, folder / "poster.jpg")
        record = {
            "schemaVersion": 1,
            "id": str(uuid.uuid4()),
            "request": {
                "provider": "minimax-global",
                "model": "hailuo-2.3",
                "prompt": f"Clip {i:05}: a lighthouse at dusk, take {i}",
                "duration": 6,
                "resolution": "768P",
                "promptOptimizer": True,
                "fastPretreatment": False,
            },
            "taskId": f"bench-{i}",
            "state": "done",
            "history": [{"state": s, "at": at} for s in ("submitting", "queued", "running", "downloading", "done")],
            "createdAt": at,
            "updatedAt": at,
            "video": {"fileName": "video.mp4", "bytes": clip.stat().st_size, "width": 640, "height": 360},
            "posterFile": "poster.jpg",
        }
        (folder / "generation.json").write_text(json.dumps(record))


def make_clip(folder):
    clip, poster = folder / "clip.mp4", folder / "poster.jpg"
    for args in (
        ["-f", "lavfi", "-i", "testsrc=size=640x360:rate=24:duration=3", "-c:v", "libx264",
         "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(clip)],
        ["-i", str(clip), "-frames:v", "1", str(poster)],
    ):
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)
    return clip, poster


def settle(seconds, what):
    say(f"letting {what} settle for {seconds} s")
    time.sleep(seconds)


# Put in front of ui/'s own scripts in Chromium: the same window.__TAURI__ the page uses in the app,
# answering every command with the running app's own answer (relayed by the benchmark through
# WebDriver), so Chromium draws the same screens with the same data. Events never come; the
# generation watch is answered with nothing (the app has no generation in progress). With
# ?view=library it opens the Library once the page is ready, as a click would.
TAURI_STAND_IN = """
window.__TAURI__ = {
  core: {
    invoke(cmd, args) {
      return fetch("/__invoke", { method: "POST", body: JSON.stringify({ cmd, args: args ?? {} }) })
        .then((r) => r.json())
        .then((a) => ("err" in a ? Promise.reject(a.err) : a.ok));
    },
    Channel: class { constructor() { this.onmessage = null; } toJSON() { return "__CHANNEL__:0"; } },
  },
  event: { listen: async () => () => {} },
};
{
  // Opens the asked screen once the page is ready, then tells the benchmark what it shows.
  const view = new URLSearchParams(location.search).get("view");
  const tell = () => {
    const shown = {
      create: document.querySelector("[data-testid=create-screen]") !== null,
      libraryCards: document.querySelectorAll("[data-testid=library-card]").length,
    };
    if (view === "library" ? shown.libraryCards > 0 : shown.create) {
      fetch("/__shown", { method: "POST", body: JSON.stringify(shown) });
    } else {
      setTimeout(tell, 100);
    }
  };
  const open = () => {
    if (document.body?.dataset.ready !== "true") return setTimeout(open, 50);
    if (view === "library") document.querySelector("[data-view=library]").click();
    tell();
  };
  open();
}
"""


class StandInHandler(http.server.SimpleHTTPRequestHandler):
    """Serves ui/ with the stand-in in front of its scripts, and relays /__invoke to the app."""

    answer = None
    commands = {}
    shown = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        if path in ("/", "/index.html"):
            page = (Path(self.directory) / "index.html").read_text(encoding="utf-8")
            page = page.replace("<script", '<script src="/__tauri_stand_in.js"></script>\n  <script', 1)
            return self.send_text(page, "text/html")
        if path == "/__tauri_stand_in.js":
            return self.send_text(TAURI_STAND_IN, "text/javascript")
        return super().do_GET()

    def do_POST(self):
        asked = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/__shown":
            type(self).shown = asked
            return self.send_text("null", "application/json")
        command = asked["cmd"]
        type(self).commands[command] = type(self).commands.get(command, 0) + 1
        # Not relayed: the watch's channel cannot cross, and posters are sent as raw bytes (the
        # seeded library has its posters, so the page has none to save).
        if command in ("watch_generations", "save_poster", "save_last_frame"):
            answer = {"ok": None}
        else:
            answer = type(self).answer(command, asked["args"])
        self.send_text(json.dumps(answer), "application/json")

    def send_text(self, text, kind):
        body = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def chromium_memory(ui_dir, work, settle_s, answer, view):
    """Debian's Chromium showing ui/'s `view` (create or library) from a loopback web server, the
    app's answers behind it, measured once the page says it shows that screen."""
    binary = shutil.which("chromium")
    if binary is None:
        die("chromium is not installed (apt-get install -y chromium)")
    handler_class = type("Handler", (StandInHandler,), {"answer": staticmethod(answer), "commands": {}, "shown": None})
    handler = partial(handler_class, directory=str(ui_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html?view={view}"
    profile = work / f"chromium-profile-{view}"
    log = open(work / f"chromium-{view}.log", "wb")
    process = subprocess.Popen(
        [binary, f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
         "--disable-sync", "--window-size=1200,800", f"--app={url}"]
        # Chromium refuses to run as root without it.
        + (["--no-sandbox"] if os.geteuid() == 0 else []),
        stdout=log,
        stderr=log,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for(lambda: handler_class.shown or process.poll() is not None, f"Chromium to show {view}", 60)
    if process.poll() is not None:
        die(f"Chromium exited: see {work / f'chromium-{view}.log'}")
    settle(settle_s, f"Chromium ({view})")
    # Chromium's crash handler leaves the process tree (a double fork); as the subreaper, this
    # process inherits it, so every Chromium process is below this one.
    names = ("chromium", "chrome_crashpad")
    total, by_name = memory_of([p for p in descendants(os.getpid()) if comm(p) in names])
    stop(process)
    # What outlived the browser (the crash handler) is still ours, below this process.
    for pid in descendants(os.getpid()):
        if comm(pid) in names:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    reap()
    server.shutdown()
    return total, by_name, dict(handler_class.commands), handler_class.shown


def reap():
    """Collects exited orphans handed to this process (see `become_subreaper`)."""
    time.sleep(0.5)
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def become_subreaper():
    """Orphans of the processes started here come back to this process instead of init."""
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


class PollCounter:
    """A loopback relay in front of one emulator host that counts the app's GET requests (polls and
    downloads), so the figure proves generations were really being polled while it was taken."""

    def __init__(self, target_port):
        self.target = target_port
        self.gets = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            client, _ = self.listener.accept()
            upstream = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self.pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self.pipe, args=(upstream, client, False), daemon=True).start()

    def pipe(self, source, sink, count):
        try:
            while chunk := source.recv(65536):
                if count:
                    self.gets += chunk.count(b"GET /")
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def start_emulator(binary, work):
    out = open(work / "emulator.out", "w+")
    process = subprocess.Popen(
        [str(binary), "--stage-seconds", "3600"],
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )

    def printed():
        out.seek(0)
        text = out.read()
        return text if "serving until" in text else None

    text = wait_for(printed, "the emulator to start", timeout=30, every=0.1)
    env, keys = {}, {}
    for line in text.splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export "):].partition("=")
            env[name] = value
        elif line.startswith("# ") and " key: " in line:
            service, _, key = line[2:].partition(" key: ")
            keys[service] = key
    return process, env, keys


def relay(env):
    """Puts a PollCounter in front of every emulator host the app is pointed at."""
    counters, relayed = [], {}
    for name, url in env.items():
        if name.endswith("_BASE_URL") and url.startswith("http://127.0.0.1:"):
            rest = url[len("http://127.0.0.1:"):]
            port, _, path = rest.partition("/")
            counter = PollCounter(int(port))
            counters.append(counter)
            relayed[name] = f"http://127.0.0.1:{counter.port}/{path}".rstrip("/") if path else f"http://127.0.0.1:{counter.port}"
        else:
            relayed[name] = url
    return counters, relayed


# ---------------------------------------------------------------- the run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", required=True, type=Path)
    parser.add_argument("--emulator", required=True, type=Path)
    parser.add_argument("--ui", required=True, type=Path)
    parser.add_argument("--deb", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cpu-seconds", type=int, default=60)
    parser.add_argument("--settle-seconds", type=int, default=10)
    parser.add_argument("--library-size", type=int, default=1000)
    args = parser.parse_args()

    become_subreaper()
    work = Path(tempfile.mkdtemp(prefix="hailuo-benchmark."))
    results = {}
    load_before = os.getloadavg()
    base_env = dict(os.environ)
    emulator, emulator_env, keys = start_emulator(args.emulator, work)
    counters, relayed_env = relay(emulator_env)
    driver_log = open(work / "tauri-driver.log", "wb")
    drivers = []
    try:
        # Keys for the three services, saved once in this session's throwaway keyring, so the app
        # opens on Create (a returning creator) rather than on the welcome screen.
        plain = work / "plain"
        driver = Driver(args.app, app_env(base_env, plain, relayed_env.items()), driver_log)
        drivers.append(driver)
        say(f"first launch in this session (a fresh data folder, welcome screen)")
        session = driver.launch()
        first_exec = started_at(session.pid)
        session.wait(PAGE_READY, "the welcome screen")
        _, first_ms = ready_after(session, first_exec)
        say(f"first launch: {first_ms:.0f} ms to ready")
        for service in ("minimax-global", "openrouter", "linkmodel"):
            session.invoke("save_key", {"provider": service, "key": keys[service]})
        session.close()

        say(f"start time: {args.runs} launches")
        starts = start_times(driver, args.runs)
        results["start"] = (first_ms, starts)

        driver.close()

        say("the app alone (no WebDriver), idle on Create")
        app = launch_alone(args.app, app_env(base_env, plain, relayed_env.items()), work / "app-idle.log")
        try:
            settle(args.settle_seconds, "the app")
            results["idle"] = memory(app.pid)
        finally:
            stop(app)
        # For comparison: WebKitGTK's DMA-BUF renderer, which the app turns off where it finds no
        # GPU (as here, under Xvfb) and which a creator's machine with a GPU keeps.
        say("the same, with WEBKIT_DISABLE_DMABUF_RENDERER=0 (WebKit's DMA-BUF renderer, for comparison)")
        dmabuf = app_env(base_env, plain, [*relayed_env.items(), ("WEBKIT_DISABLE_DMABUF_RENDERER", "0")])
        app = launch_alone(args.app, dmabuf, work / "app-idle-dmabuf.log")
        try:
            settle(args.settle_seconds, "the app")
            results["idle_dmabuf"] = memory(app.pid)
        finally:
            stop(app)

        say(f"seeding a library of {args.library_size} generations")
        clip, poster = make_clip(work)
        many = work / "many"
        seed_library(many / "library", args.library_size, clip, poster)
        driver = Driver(args.app, app_env(base_env, many, relayed_env.items()), driver_log)
        drivers.append(driver)
        session = driver.launch()
        session.wait(PAGE_READY, "the Create screen")
        session.js("document.querySelector('[data-view=library]').click(); return null")
        session.wait(
            f"""return document.querySelector('[data-testid=library-count]')?.dataset.total === '{args.library_size}'
               && document.querySelectorAll('[data-testid=library-card]').length > 0""",
            f"the Library to list {args.library_size} generations",
        )
        cards = session.js("return document.querySelectorAll('[data-testid=library-card]').length")
        say(f"the Library lists {args.library_size} generations ({cards} cards in the page)")
        settle(args.settle_seconds, "the Library")
        results["library"] = memory(session.pid)

        # The same ui/ in Chromium, with this app's answers: Create (as the idle figure shows it)
        # and the Library listing the same 1,000 generations.
        say("Chromium showing ui/ as a web page: Create, with the app's answers")
        results["chromium"] = chromium_memory(args.ui, work, args.settle_seconds, session.answer, "create")
        say("Chromium showing ui/ as a web page: the Library of 1,000, with the app's answers")
        results["chromium_library"] = chromium_memory(
            args.ui, work, args.settle_seconds, session.answer, "library")
        say(f"Chromium's page showed {results['chromium_library'][3]['libraryCards']} Library cards")
        session.close()
        driver.close()

        say("starting 5 generations on the emulator (tasks last an hour)")
        polled = work / "polled"
        driver = Driver(args.app, app_env(base_env, polled, relayed_env.items()), driver_log)
        drivers.append(driver)
        session = driver.launch()
        session.wait(PAGE_READY, "the Create screen")
        # Two services take three generations at once each, so 2 + 2 + 1 are all at the services.
        services = ["minimax-global", "minimax-global", "openrouter", "openrouter", "linkmodel"]
        # A start is not repeated blindly after a dropped connection (it may have been made):
        # the records on disk say how many there are.
        while (made := len(list((polled / "library").glob("*/generation.json")))) < 5:
            try:
                session.invoke_once(
                    "start_generation",
                    {"request": {"provider": services[made], "model": "hailuo-2.3",
                                 "prompt": f"Benchmark {made}: waves at dawn", "duration": 6, "resolution": "768P"}},
                )
            except DriverHiccup as err:
                say(f"WebDriver dropped a connection while starting a generation ({err}); counting again")
                time.sleep(2)
        wait_for(lambda: len(tracked(polled)) == 5, "5 generations with a task id", timeout=60, every=0.5)
        session.close()
        driver.close()

        say("the app alone (no WebDriver), resuming the 5 generations")
        app = launch_alone(args.app, app_env(base_env, polled, relayed_env.items()), work / "app-polled.log")
        try:
            # The first poll of a resumed generation comes 10 s after start.
            settle(15, "the app")
            pids = descendants(app.pid)
            before_gets = sum(c.gets for c in counters)
            before = cpu_ticks(pids)
            begun = time.monotonic()
            time.sleep(args.cpu_seconds)
            elapsed = time.monotonic() - begun
            after = cpu_ticks(pids)
            gets = sum(c.gets for c in counters) - before_gets
            used = sum(after.get(pid, before[pid]) - before[pid] for pid in before) / CLOCK_TICKS
            results["cpu"] = (100 * used / elapsed, elapsed, gets, [comm(p) for p in pids])
            results["polled_memory"] = memory(app.pid)
            still = tracked(polled)
            if len(still) != 5:
                die(f"only {len(still)} of the 5 generations were still being made at the end")
        finally:
            stop(app)
    finally:
        for d in drivers:
            d.close()
        stop(emulator)

    load_after = os.getloadavg()
    report(results, args, load_before, load_after)
    shutil.rmtree(work, ignore_errors=True)


def launch_alone(binary, env, log):
    """The app as a creator starts it: no WebDriver, no automation."""
    output = open(log, "wb")
    return subprocess.Popen(
        [str(binary)], env=env, stdout=output, stderr=output, stdin=subprocess.DEVNULL, start_new_session=True
    )


def tracked(data_dir):
    """Generations in data_dir's library that have a task id and are not finished."""
    found = []
    for record in (data_dir / "library").glob("*/generation.json"):
        g = json.loads(record.read_text())
        if g.get("taskId") and g["state"] in ("queued", "running"):
            found.append(g["id"])
    return found


def report(results, args, load_before, load_after):
    first_ms, starts = results["start"]
    idle, idle_by = results["idle"]
    library, library_by = results["library"]
    chromium, chromium_by, chromium_asked, _ = results["chromium"]
    chromium_library, chromium_library_by, _, library_shown = results["chromium_library"]
    cpu, elapsed, gets, names = results["cpu"]
    polled_mem, _ = results["polled_memory"]
    median = statistics.median(total for total, _ in starts)
    page_median = statistics.median(page for _, page in starts)
    starts = [total for total, _ in starts]
    verdict = lambda ok: "goal met" if ok else "GOAL MISSED"
    print()
    print("Hailuo Studio figures", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    print(f"machine: {os.cpu_count()} cores; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    print(f"start to ready: median {median:.0f} ms of {len(starts)} launches "
          f"(min {min(starts):.0f}, max {max(starts):.0f}; the page's own part {page_median:.0f} ms); "
          f"first launch {first_ms:.0f} ms  "
          f"[{verdict(median < 1000)}: under 1 s]")
    print(f"memory, idle on Create (no WebDriver): {idle:.0f} MiB PSS ({describe(idle_by)})")
    print(f"  the same with WebKit's DMA-BUF renderer (WEBKIT_DISABLE_DMABUF_RENDERER=0; the app's own "
          f"choice only where it finds a GPU): "
          f"{results['idle_dmabuf'][0]:.0f} MiB PSS ({describe(results['idle_dmabuf'][1])})")
    print(f"memory, Library showing {args.library_size} (under WebDriver): {library:.0f} MiB PSS ({describe(library_by)})")
    print(f"memory, Chromium showing Create with the app's answers: {chromium:.0f} MiB PSS ({describe(chromium_by)}); "
          f"it asked {', '.join(sorted(chromium_asked))}")
    print(f"memory, Chromium showing the Library of {args.library_size} ({library_shown['libraryCards']} cards in the page): "
          f"{chromium_library:.0f} MiB PSS ({describe(chromium_library_by)})")
    print(f"  idle app / Chromium on Create: {100 * idle / chromium:.0f}%; "
          f"Library / Chromium's Library: {100 * library / chromium_library:.0f}%  "
          f"[{verdict(idle < chromium / 2 and library < chromium_library / 2)}: under half]")
    print(f"CPU, 5 generations polled: {cpu:.2f}% of one core over {elapsed:.0f} s, "
          f"{gets} GET requests to the services in that time; {len(names)} processes "
          f"({', '.join(sorted(set(names)))}); memory then {polled_mem:.0f} MiB PSS  [{verdict(cpu < 1)}: under 1%]")
    if args.deb and args.deb.is_file():
        size = args.deb.stat().st_size
        built = datetime.fromtimestamp(args.deb.stat().st_mtime, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        print(f".deb: {size / 1e6:.1f} MB ({args.deb.name}, built {built})  [{verdict(size < 15e6)}: under 15 MB]")
    else:
        print(".deb: not built; run bash scripts/build-installers.sh, then this script again")


if __name__ == "__main__":
    main()
