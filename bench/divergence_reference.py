"""Reference solvers for `bench divergence` (DivergenceCommand.cs), run by the bench in a subprocess.

    python3 divergence_reference.py probe
    python3 divergence_reference.py pot X.npy Y.npy EPS STOP_THR MAX_ITER
    python3 divergence_reference.py geomloss X.npy Y.npy EPS SCALING

Uniform weights on both clouds, cost |x - y|^2 (POT's convention). The last line on stdout is one JSON
object; progress goes to stderr. Peak memory is ru_maxrss (KiB on Linux), reported together with the
baseline taken after the imports and after loading the clouds.

Conventions (math.md C1): POT's sinkhorn_log returns log-scalings u, v with P = exp(-M/eps + u_i + v_j);
the potentials of the bench's convention P = a_i b_j exp((f_i + g_j - C_ij)/eps) are f = eps (u - log a),
g = eps (v - log b), and the dual value <a, f> + <b, g> is OT_eps with the KL(P | a x b) penalty, the
quantity whose debiased combination is the bench's S. ot.sinkhorn2 returns <P, M> (the linear cost, no
entropy) in POT 0.8: reported as the cost-convention value.
"""
import contextlib
import json
import resource
import sys
import time


def peak_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def log(message):
    print(message, file=sys.stderr, flush=True)


def probe():
    info = {"python": sys.version.split()[0]}
    for name in ("numpy", "ot", "geomloss"):
        try:
            module = __import__(name)
            info[name] = str(getattr(module, "__version__", "unknown"))
        except Exception as error:  # ImportError, or an install that fails on import (e.g. geomloss without torch)
            info[name] = None
            info[name + "_error"] = f"{type(error).__name__}: {error}"
    print(json.dumps(info))


def pot(x_path, y_path, reg, stop_thr, max_iter, chunk=512):
    import numpy as np
    import ot

    x = np.load(x_path)
    y = np.load(y_path)
    a = np.full(len(x), 1.0 / len(x))
    b = np.full(len(y), 1.0 / len(y))
    baseline = peak_kib()
    terms = []
    for name, p, wp, q, wq in (("ab", x, a, y, b), ("aa", x, a, x, a), ("bb", y, b, y, b)):
        wall0 = time.perf_counter()
        cpu0 = time.process_time()
        cost_matrix = ot.dist(p, q)  # metric 'sqeuclidean': |x - y|^2, an n x m float64 matrix
        dist_seconds = time.perf_counter() - wall0
        # verbose prints 'iteration|L2 error' every 10 iterations on stdout: send it to stderr (progress).
        with contextlib.redirect_stdout(sys.stderr):
            cost, result = ot.sinkhorn2(wp, wq, cost_matrix, reg, method="sinkhorn_log", stopThr=stop_thr,
                                        numItermax=max_iter, log=True, warn=False, verbose=True)
        seconds = time.perf_counter() - wall0
        cpu_seconds = time.process_time() - cpu0
        peak = peak_kib()

        # Not timed: the dual value and the final column-marginal error (L1 and L2), the plan streamed in
        # row chunks so that this check does not raise the peak of the next term.
        u = np.asarray(result["log_u"])
        v = np.asarray(result["log_v"])
        dual = float(wp @ (reg * (u - np.log(wp))) + wq @ (reg * (v - np.log(wq))))
        column = np.zeros(len(q))
        for start in range(0, len(p), chunk):
            block = cost_matrix[start:start + chunk] / -reg
            block += u[start:start + chunk, None]
            block += v[None, :]
            np.exp(block, out=block)
            column += block.sum(axis=0)
        error = column - wq
        errors = [float(e) for e in result["err"]]
        term = {
            "name": name,
            "seconds": seconds,
            "dist_seconds": dist_seconds,
            "cpu_seconds": cpu_seconds,
            "iterations": int(result["niter"]) + 1,
            "converged": bool(errors and errors[-1] < stop_thr),
            "dual": dual,
            "cost": float(cost),
            "marginal_l1": float(np.abs(error).sum()),
            "marginal_l2": float(np.sqrt((error * error).sum())),
            "peak_kib": peak,
        }
        log(f"POT {name}: {seconds:.2f} s (cost matrix {dist_seconds:.2f} s), {term['iterations']} iterations, "
            f"dual {dual!r}, <P, M> {term['cost']!r}, column marginal L1 {term['marginal_l1']:.3e} "
            f"L2 {term['marginal_l2']:.3e}, peak {peak / 1024:.0f} MB")
        terms.append(term)
        del cost_matrix, result, block, column
    print(json.dumps({"status": "ok", "version": ot.__version__, "baseline_kib": baseline, "terms": terms}))


def geomloss(x_path, y_path, reg, scaling):
    # Not exercised on the machine this was written on (no PyTorch there): kept for machines that have it.
    import numpy as np
    import torch
    from geomloss import SamplesLoss

    x = torch.from_numpy(np.load(x_path))
    y = torch.from_numpy(np.load(y_path))
    baseline = peak_kib()
    # GeomLoss's p = 2 cost is |x - y|^2 / 2 with eps = blur^2, and OT_eps(|.|^2) = 2 OT_{eps/2}(|.|^2 / 2):
    # blur = sqrt(eps / 2), and the bench's S is twice GeomLoss's value.
    loss = SamplesLoss("sinkhorn", p=2, blur=(reg / 2) ** 0.5, scaling=scaling, debias=True, backend="tensorized")
    wall0 = time.perf_counter()
    cpu0 = time.process_time()
    value = 2.0 * float(loss(x, y))
    seconds = time.perf_counter() - wall0
    cpu_seconds = time.process_time() - cpu0
    import geomloss as module
    print(json.dumps({"status": "ok", "version": str(getattr(module, "__version__", "unknown")),
                      "baseline_kib": baseline, "peak_kib": peak_kib(), "seconds": seconds,
                      "cpu_seconds": cpu_seconds, "dual": value}))


def main(argv):
    mode = argv[1] if len(argv) > 1 else ""
    if mode == "probe":
        probe()
    elif mode == "pot" and len(argv) == 7:
        pot(argv[2], argv[3], float(argv[4]), float(argv[5]), int(argv[6]))
    elif mode == "geomloss" and len(argv) == 6:
        geomloss(argv[2], argv[3], float(argv[4]), float(argv[5]))
    else:
        log(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
