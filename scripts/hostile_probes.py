"""Issue 13's probes, each in a fresh subprocess with a time limit, against the tinygrad_sm on PYTHONPATH.

    PYTHONPATH=. python scripts/hostile_probes.py             # this tree
    PYTHONPATH=/path/to/old/tree python scripts/hostile_probes.py

Prints one line per probe: what came out (the exception and the start of its message, the exit status
and the number of stderr lines, or TIMEOUT). Only the public API both old and new trees have is used.
Downloads go to a server on 127.0.0.1 inside the probe, which stops with it.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap

SETUP = """
import os, sys, io, json, time, zipfile, threading, http.server, hashlib, contextlib
import numpy as np
os.chdir(sys.argv[1])
def report(text): print(" ".join(str(text).split())[:150])
def cli(*argv):
    import subprocess
    done = subprocess.run([sys.executable, "-m", "tinygrad_sm", *argv], capture_output=True, text=True, timeout=60)
    lines = done.stderr.strip().splitlines()
    tb = "traceback" if "Traceback" in done.stderr else "no traceback"
    report(f"exit {done.returncode}, {len(lines)} stderr line(s), {tb}: {lines[-1] if lines else ''} | "
           f"{'trained' if 'epoch' in done.stdout else 'no training'}")
def server(handler_body):
    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a): pass
    H.do_GET = handler_body
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H); httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}"
from tinygrad_sm import nn
"""

PROBES = {
    "nn.load: bad dtype in a later entry": """
m = nn.MLP([3, 4, 2]); s = {k: v + 1 for k, v in m.state_dict().items()}; last = list(s)[-1]
s[last] = np.full(s[last].shape, "x"); before = m.parameters()[0].data.copy()
try: m.load_state_dict(s)
except Exception as e: report(f"{type(e).__name__}; first parameter written: {not np.array_equal(before, m.parameters()[0].data)}")
""",
    "nn.load: complex entry": """
m = nn.MLP([3, 2]); s = m.state_dict(); s["0.bias"] = s["0.bias"] + 1j
with zipfile.ZipFile("c.npz", "w") as z:
    z.comment = b"tinygrad_sm checkpoint format 2"
    for k, v in s.items():
        with z.open(k + ".npy", "w") as f: np.lib.format.write_array(f, v)
try: nn.load(m, "c.npz"); report("loaded (imaginary part dropped)")
except Exception as e: report(f"{type(e).__name__}: {e}")
""",
    "nn.load: 1e300 into float32": """
m = nn.MLP([3, 2]); s = m.state_dict(); s["0.bias"] = np.full(2, 1e300)
with zipfile.ZipFile("c.npz", "w") as z:
    z.comment = b"tinygrad_sm checkpoint format 2"
    for k, v in s.items():
        with z.open(k + ".npy", "w") as f: np.lib.format.write_array(f, v)
try: nn.load(m, "c.npz"); report(f"loaded: bias = {m.layers[0].bias.data}")
except Exception as e: report(f"{type(e).__name__}: {e}")
""",
    "nn.load: 1 GiB extra entry (1 MB file)": """
m = nn.MLP([3, 2])
with zipfile.ZipFile("big.npz", "w", zipfile.ZIP_DEFLATED) as z:
    z.comment = b"tinygrad_sm checkpoint format 2"
    for k, v in m.state_dict().items():
        with z.open(k + ".npy", "w") as f: np.lib.format.write_array(f, v)
    with z.open("extra.npy", "w", force_zip64=True) as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "<f4", "fortran_order": False, "shape": (2**28,)})
        for _ in range(64): f.write(bytes(1 << 24))
import resource; t = time.perf_counter()
try: nn.load(m, "big.npz")
except Exception as e:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    report(f"{type(e).__name__} after {time.perf_counter() - t:.2f} s, max RSS {rss} MB: {e}")
""",
    "nn.load: header claiming 2^32 floats": """
m = nn.MLP([3, 2]); buf = io.BytesIO()
np.lib.format.write_array_header_1_0(buf, {"descr": "<f4", "fortran_order": False, "shape": (2**32,)})
with zipfile.ZipFile("h.npz", "w") as z:
    z.comment = b"tinygrad_sm checkpoint format 2"
    z.writestr("0.weight.npy", buf.getvalue() + bytes(40))
    with z.open("0.bias.npy", "w") as f: np.lib.format.write_array(f, m.state_dict()["0.bias"])
try: nn.load(m, "h.npz")
except Exception as e: report(f"{type(e).__name__}: {e}")
""",
    "nn.load: .npy renamed .npz": """
np.save("a.npy", np.zeros(3)); os.replace("a.npy", "a.npz")
try: nn.load(nn.MLP([3, 2]), "a.npz")
except Exception as e: report(f"{type(e).__name__}: {e}")
""",
    "nn.load: truncated zip": """
m = nn.MLP([3, 2]); nn.save(m, "m.npz"); raw = open("m.npz", "rb").read(); open("t.npz", "wb").write(raw[:len(raw) // 2])
try: nn.load(m, "t.npz")
except Exception as e: report(f"{type(e).__name__}: {e}")
""",
    "nn.load: old checkpoint (np.savez, no version)": """
m = nn.MLP([3, 2]); np.savez("old.npz", **m.state_dict())
try: nn.load(m, "old.npz"); report("loaded")
except Exception as e: report(f"{type(e).__name__}: {e}")
""",
    "read_idx on a FIFO": """
from tinygrad_sm.data import read_idx
os.mkfifo("f.idx")
try: read_idx("f.idx"); report("read")
except Exception as e: report(f"{type(e).__name__}: {e}")
""",
    "IDX float label 0.5 / nan": """
import shutil
from tinygrad_sm.data import write_idx, load_fashion_mnist
sample = os.environ["SAMPLE"]; shutil.copytree(sample, "fm")
for bad in (0.5, float("nan")):
    labels = np.zeros(120, np.float32); labels[5] = bad
    os.remove("fm/t10k-labels-idx1-ubyte.gz"); write_idx("fm/t10k-labels-idx1-ubyte.gz", labels, compress=False)
    try: d = load_fashion_mnist("fm"); report(f"{bad}: loaded, label = {d.y_test[5]}")
    except Exception as e: report(f"{bad}: {type(e).__name__}: {e}")
""",
    "download: 4 s trickle, timeout=2": """
from tinygrad_sm.data import download_file
body = bytes(40)
def get(self):
    self.send_response(200); self.send_header("Content-Length", "40"); self.end_headers()
    for b in body: self.wfile.write(bytes([b])); self.wfile.flush(); time.sleep(0.1)
url = server(get); t = time.perf_counter()
kwargs = {"deadline": 1.0} if "deadline" in download_file.__code__.co_varnames else {}
try: download_file(url + "/x", "x.bin", hashlib.md5(body).hexdigest(), timeout=2, **kwargs); report(f"succeeded after {time.perf_counter() - t:.1f} s")
except Exception as e: report(f"{type(e).__name__} after {time.perf_counter() - t:.1f} s: {e}")
""",
    "download: 300 MB claimed, wrong file": """
from tinygrad_sm.data import download_file
def get(self):
    self.send_response(200); self.send_header("Content-Length", str(300 * 10**6)); self.end_headers()
    chunk = bytes(1 << 20)
    with contextlib.suppress(OSError):
        for _ in range(286): self.wfile.write(chunk)
url = server(get); t = time.perf_counter()
kwargs = {"expected_size": 5148} if "expected_size" in download_file.__code__.co_varnames else {}
try: download_file(url + "/x", "x.bin", "0" * 32, timeout=5, **kwargs)
except Exception as e: report(f"{type(e).__name__} after {time.perf_counter() - t:.1f} s: {e}")
""",
    "download: stall after 100 bytes": """
from tinygrad_sm.data import download_file
def get(self):
    self.send_response(200); self.send_header("Content-Length", "1000"); self.end_headers()
    self.wfile.write(bytes(100)); self.wfile.flush(); time.sleep(3)
url = server(get)
try: download_file(url + "/x", "x.bin", "0" * 32, timeout=0.5)
except Exception as e: report(f"{type(e).__name__}: {e}")
""",
    "download: destination is a folder": """
from tinygrad_sm.data import download_file
os.mkdir("d")
try: download_file("http://127.0.0.1:9/x", "d", "0" * 32, timeout=1)
except Exception as e: report(f"{type(e).__name__}: {e}")
""",
    "viz: name_scope('')": """
from tinygrad_sm import Tensor, viz
from tinygrad_sm.autograd import name_scope
x = Tensor([1.0], requires_grad=True)
with name_scope(""): y = (x * 2).sum()
try: viz.save(viz.draw_graph(y), "e.svg"); report("rendered")
except Exception as e: report(f"{type(e).__name__}: {e}")
""",
    "viz: names of 16,385 / 10^6 characters": """
from tinygrad_sm import Tensor, viz
for n in (16385, 10**6):
    x = Tensor([1.0], requires_grad=True, name="n" * n)
    try: viz.save(viz.draw_graph((x * 2).sum()), "l.svg"); report(f"{n}: rendered")
    except Exception as e: report(f"{n}: {type(e).__name__}: {e}")
""",
    "train --epochs 0": 'cli("train", "--epochs", "0", "--out", "r")',
    "train --lr 0": 'cli("train", "--lr", "0", "--out", "r")',
    "train --epochs -2": 'cli("train", "--epochs", "-2", "--out", "r")',
    "train --batch-size 0": 'cli("train", "--batch-size", "0", "--out", "r")',
    "train --out <existing file>": 'open("f", "w").close(); cli("train", "--epochs", "1", "--out", "f")',
    "train --out /proc/x": 'cli("train", "--epochs", "1", "--out", "/proc/x")',
    "check --batch 3000000": 'cli("check", "--batch", "3000000")',
    "train --model 64-99999999999-10": 'cli("train", "--model", "64-99999999999-10", "--out", "r")',
    "train --model '64- 128-10'": 'cli("train", "--model", "64- 128-10", "--epochs", "1", "--out", "r")',
    "train --model 1_28-10 (digits needs 64-)": 'cli("train", "--model", "6_4-10", "--epochs", "1", "--out", "r")',
    "train --model 784-256-10 (help example)": 'cli("train", "--model", "784-256-10", "--out", "r")',
    "train --data-dir with digits": 'cli("train", "--data-dir", "/nonexistent", "--epochs", "1", "--out", "r")',
    "graph --out <folder>": 'cli("graph", "mlp", "--out", ".")',
    "graph --out ''": 'cli("graph", "mlp", "--out", "")',
    "graph --out /sys/x.svg": 'cli("graph", "mlp", "--out", "/sys/x.svg")',
    "demo --out <file>": 'open("f", "w").close(); cli("demo", "--out", "f")',
    "train --seed -1": 'cli("train", "--seed", "-1", "--out", "r")',
    "(2, 0) logits": """
from tinygrad_sm import Tensor
from tinygrad_sm.functional import cross_entropy
try: cross_entropy(Tensor(np.zeros((2, 0))), np.array([0, 0]))
except Exception as e: report(f"{type(e).__name__}: {e}")
""",
}


def main() -> None:
    import os

    sample = os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "fashion-mnist-sample"
    )
    env = dict(os.environ, SAMPLE=os.environ.get("SAMPLE", sample), no_proxy="127.0.0.1", NO_PROXY="127.0.0.1")
    for name, body in PROBES.items():
        with tempfile.TemporaryDirectory() as folder:
            try:
                done = subprocess.run(
                    [sys.executable, "-c", SETUP + textwrap.dedent(body), folder],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=40,
                    check=False,
                )
                out = done.stdout.strip() or ("error: " + (done.stderr.strip().splitlines() or ["?"])[-1])
            except subprocess.TimeoutExpired:
                out = "TIMEOUT (40 s): blocked"
        print(f"{name}: " + " / ".join(out.splitlines()))


if __name__ == "__main__":
    main()
