"""ctest: scripts/plot_sweep.py draws a real run and refuses a foreign file (exit 2)."""
import os
import subprocess
import sys
import tempfile

binary, source = sys.argv[1], sys.argv[2]
plot = os.path.join(source, "scripts", "plot_sweep.py")
with tempfile.TemporaryDirectory() as d:
    cfg = os.path.join(d, "p.toml")
    with open(cfg, "w") as f:
        f.write('name = "p"\n[data]\nn = 30\nm = 2\n[sweep]\nscales = [0.2, 1.0, 10.0, 1e3]\n[mc]\nparticles = 5000\n')
    h5 = os.path.join(d, "p.h5")
    subprocess.run([binary, "run", cfg, "--out", h5, "--quiet"], check=True)
    out = subprocess.run([sys.executable, plot, h5, "--outdir", d], check=True, capture_output=True, text=True)
    png = os.path.join(d, "p-p.png")
    assert out.stdout.strip() == png, out.stdout
    with open(png, "rb") as f:
        head = f.read(8)
    assert head == b"\x89PNG\r\n\x1a\n", head
    assert os.path.getsize(png) > 20000, os.path.getsize(png)
    bad = os.path.join(d, "bad.h5")
    with open(bad, "w") as f:
        f.write("not hdf5")
    r = subprocess.run([sys.executable, plot, bad], capture_output=True, text=True)
    assert r.returncode == 2 and "cannot open" in r.stderr, (r.returncode, r.stderr)
    r = subprocess.run([sys.executable, plot, h5, "--run", "nope"], capture_output=True, text=True)
    assert r.returncode == 2 and "no run 'nope'" in r.stderr, r.stderr
print("plot_sweep: 1 passed, 0 failed")
