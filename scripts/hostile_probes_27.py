"""Issue 27's probes, each in a fresh subprocess with a time limit, against the tinygrad_sm on PYTHONPATH.

    PYTHONPATH=. python scripts/hostile_probes_27.py             # this tree
    PYTHONPATH=/path/to/old/tree python scripts/hostile_probes_27.py

Prints one line per probe: the exit status of ``check --file`` (and its last stderr line), or the
exception a loader raised, or the seconds a download took. Only public API that old and new trees
share is used; servers run on 127.0.0.1 inside the probe.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap

SETUP = """
import os, sys, time, struct, zipfile, threading, http.server, subprocess
import numpy as np
os.chdir(sys.argv[1])
def report(text): print(" ".join(str(text).split())[:170])
LAB = '''import numpy as np
wrt = ["x"]
def loss(x): return (x * x).sum()
def derived(x): return 2 * x
def inputs(): return {"x": np.arange(3.0)}
'''
def check(extra, *flags, lab=LAB):
    open("lab.py", "w").write(lab + extra)
    try:
        done = subprocess.run([sys.executable, "-m", "tinygrad_sm", "check", "--file", "lab.py", *flags],
                              capture_output=True, text=True, timeout=25)
    except subprocess.TimeoutExpired:
        return report("TIMEOUT (25 s): no time limit")
    last = (done.stderr.strip().splitlines() or [""])[0]
    verdict = [line for line in done.stdout.splitlines() if "gradients match" in line]
    report(f"exit {done.returncode}; {verdict[-1] if verdict else 'no report'}; {last}")
def raised(call):
    try:
        call(); report("no error")
    except BaseException as e:
        report(f"{type(e).__name__}: {e}")
def server(body):
    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a): pass
    H.do_GET = body
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H); httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}"
"""

PROBES = {
    "derived: sys.exit(0)": 'check("def derived(x):\\n    import sys; sys.exit(0)\\n")',
    "derived: raise SystemExit": 'check("def derived(x):\\n    raise SystemExit\\n")',
    "loss: sys.exit(0)": 'check("def loss(x):\\n    import sys; sys.exit(0)\\n")',
    "derived: os._exit(0)": 'check("def derived(x):\\n    import os; os._exit(0)\\n")',
    "patch passed + print PASS": """check('''
import tinygrad_sm.derivation_report as r
r.DerivationReport.passed = property(lambda self: True)
print("PASS")
def derived(x): return 3 * x
''')""",
    "derived loops": 'check("def derived(x):\\n    while True: pass\\n", "--timeout", "3")',
    "loss loops": 'check("def loss(x):\\n    while True: pass\\n", "--timeout", "3")',
    "module loops": 'check("while True: pass\\n", "--timeout", "3")',
    "lab without wrt": """check('', lab='''import numpy as np
def loss(W, b, x): return ((x @ W.T + b) ** 2).sum()
def derived(W, b, x):
    r = 2 * (x @ W.T + b)
    return r.T @ x, r.sum(axis=0)
def inputs(): return {"W": np.ones((2, 3)), "b": np.zeros(2), "x": np.ones((4, 3))}
''')""",
    "notebook 2: missing 1/n, n = 4": """
import tinygrad_sm as tg, tinygrad_sm.functional as F
from tinygrad_sm import Tensor, analytic
rng = np.random.default_rng(0); labels = np.array([1, 0, 2, 1])
def loss(W, b, a_prev): return F.cross_entropy(a_prev @ W.T + b, labels)
def derived_wrong(W, b, a_prev):
    delta = analytic.softmax(a_prev @ W.T + b) - np.eye(3)[labels]
    return a_prev.T @ delta, delta.sum(axis=0), delta @ W / len(labels)
inputs = (Tensor(rng.standard_normal((3, 4)), name="W"), Tensor(np.zeros(3), name="b"),
          Tensor(rng.standard_normal((4, 4)), name="a_prev"))
report(tg.check_derivation(loss, derived_wrong, *inputs).rows[1].diagnosis)
""",
    "IDX header with 255 dims": """
from tinygrad_sm.data import read_idx
open("h.idx", "wb").write(bytes([0, 0, 8, 255]) + struct.pack(">255I", *([1] * 255)) + b"x")
raised(lambda: read_idx("h.idx"))
""",
    "label file is a folder / FIFO / link to /dev/zero": """
from tinygrad_sm.data import load_fashion_mnist
names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
for kind in ("folder", "fifo", "zero"):
    os.mkdir(kind)
    for name in names[:1] + names[2:]: open(os.path.join(kind, name), "wb").close()
    target = os.path.join(kind, names[1])
    os.mkdir(target) if kind == "folder" else os.mkfifo(target) if kind == "fifo" else os.symlink("/dev/zero", target)
    raised(lambda: load_fashion_mnist(kind))
""",
    "checkpoint with its last 10 bytes cut": """
from tinygrad_sm import nn
m = nn.MLP([3, 4, 2]); nn.save(m, "m.npz"); data = open("m.npz", "rb").read()
open("cut.npz", "wb").write(data[:-10]); raised(lambda: nn.load(m, "cut.npz"))
""",
    "checkpoint format number of 5000 digits": """
from tinygrad_sm import nn
m = nn.MLP([3, 2])
with zipfile.ZipFile("f.npz", "w") as z:
    z.comment = b"tinygrad_sm checkpoint format " + b"9" * 5000
    for k, v in m.state_dict().items():
        with z.open(k + ".npy", "w") as f: np.lib.format.write_array(f, v)
raised(lambda: nn.load(m, "f.npz"))
""",
    "download: headers trickle (deadline 3 s)": """
from tinygrad_sm.data import download_file
def body(self):
    for b in b"HTTP/1.0 200 OK\\r\\nContent-Length: 4\\r\\nX: " + b"a" * 200:
        self.wfile.write(bytes([b])); self.wfile.flush(); time.sleep(0.1)
url = server(body); t = time.monotonic()
try: download_file(url + "/x", "x.bin", "0" * 32, timeout=5, deadline=3)
except Exception as e: report(f"{time.monotonic() - t:.1f} s: {type(e).__name__}")
""",
    "download: slow redirect chain (deadline 3 s)": """
from tinygrad_sm.data import download_file
def body(self):
    time.sleep(1.5); self.send_response(302); self.send_header("Location", self.path + "x")
    self.send_header("Content-Length", "0"); self.end_headers()
url = server(body); t = time.monotonic()
try: download_file(url + "/r", "x.bin", "0" * 32, timeout=5, deadline=3)
except Exception as e: report(f"{time.monotonic() - t:.1f} s: {type(e).__name__}")
""",
    "fused cross-entropy on a (0, 3) batch": """
from tinygrad_sm import Tensor
from tinygrad_sm.functional import softmax_cross_entropy_fused, cross_entropy
raised(lambda: report(f"fused {softmax_cross_entropy_fused(Tensor(np.zeros((0, 3))), np.zeros(0, int)).item()}, "
                      f"composed {cross_entropy(Tensor(np.zeros((0, 3))), np.zeros(0, int)).item()}"))
""",
    "sum(axis=True)": "from tinygrad_sm import Tensor\nraised(lambda: Tensor(np.ones((2, 3))).sum(axis=True))",
    "sum(axis=1.0)": "from tinygrad_sm import Tensor\nraised(lambda: Tensor(np.ones((2, 3))).sum(axis=1.0))",
    "t[[]]": "from tinygrad_sm import Tensor\nraised(lambda: report(Tensor(np.ones((2, 3)))[[]].shape))",
}


def main() -> None:
    import os

    env = dict(os.environ, no_proxy="127.0.0.1", NO_PROXY="127.0.0.1")
    for name, body in PROBES.items():
        with tempfile.TemporaryDirectory() as folder:
            try:
                done = subprocess.run(
                    [sys.executable, "-c", SETUP + textwrap.dedent(body), folder],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
                out = done.stdout.strip() or ("error: " + (done.stderr.strip().splitlines() or ["?"])[-1])
            except subprocess.TimeoutExpired:
                out = "TIMEOUT (60 s)"
        print(f"{name}: " + " / ".join(out.splitlines()))


if __name__ == "__main__":
    main()
