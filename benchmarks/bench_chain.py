"""Backward time and memory for a chain of n multiplications: the engine must be linear.

    python benchmarks/bench_chain.py            # chains of 10^3 .. 10^6 ops
    python benchmarks/bench_chain.py --max 5    # up to 10^5

Prints forward and backward seconds, microseconds per op, and the growth of the peak
resident memory, for each chain length. Not part of the test suite: a measurement.
"""

import argparse
import resource
import time

import numpy as np

import tinygrad_np as tg


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(length: int) -> tuple[float, float, float]:
    x = tg.tensor(np.float32(1.0), requires_grad=True)
    start = time.perf_counter()
    y = x
    for _ in range(length):
        y = y * 1.0
    built = time.perf_counter()
    y.backward()
    done = time.perf_counter()
    assert x.grad.item() == 1.0
    return built - start, done - built, peak_rss_mb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=6, help="largest chain is 10^MAX ops (default 6)")
    args = parser.parse_args()
    print(f"{'ops':>9} {'forward s':>10} {'backward s':>11} {'backward µs/op':>15} {'peak RSS MB':>12}")
    for exponent in range(3, args.max + 1):
        length = 10**exponent
        forward, backward, rss = measure(length)
        print(f"{length:>9} {forward:>10.3f} {backward:>11.3f} {backward / length * 1e6:>15.2f} {rss:>12.0f}")


if __name__ == "__main__":
    main()
