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
    # plot_layers on a small teacher-student run.
    mlp = os.path.join(d, "n.toml")
    with open(mlp, "w") as f:
        f.write('name = "n"\n[data]\nsource = "teacher"\nn = 10\nm = 2\nnoise = 0.0\n[model]\nkind = "mlp"\n'
                'hidden = [3, 3]\nactivation = "relu"\n[sweep]\nscales = [0.5, 3.0, 100.0]\n[mc]\nparticles = 2048\n')
    subprocess.run([binary, "run", mlp, "--out", h5, "--quiet"], check=True)
    out = subprocess.run([sys.executable, os.path.join(source, "scripts", "plot_layers.py"), h5, "--outdir", d],
                         check=True, capture_output=True, text=True)
    for png in out.stdout.split():
        with open(png, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n", png
    assert out.stdout.split() == [os.path.join(d, "p-layers.png"), os.path.join(d, "p-efficiency.png")], out.stdout
    r = subprocess.run([sys.executable, os.path.join(source, "scripts", "plot_layers.py"), h5, "--run", "p"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "no run 'p' with a layers table" in r.stderr, r.stderr
print("plots: 2 passed, 0 failed")
