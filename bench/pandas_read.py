"""pandas on the benchmark file, once: read_csv, and with --summarize also what a profile
build computes (describe(include='all') and value_counts of every text column). Prints the
in-process times and the peak RSS of the whole process (the same measure as our children)."""
import json
import resource
import sys
import time

import pandas as pd


def max_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


baseline = max_rss_mib()
started = time.perf_counter()
cpu_started = time.process_time()
frame = pd.read_csv(sys.argv[1])
read_seconds = time.perf_counter() - started
if "--summarize" in sys.argv[2:]:
    described = frame.describe(include="all")
    counts = {
        name: frame[name].value_counts() for name in frame.columns if frame[name].dtype == object
    }
elapsed = time.perf_counter() - started
cpu = time.process_time() - cpu_started
print(
    json.dumps(
        {
            "seconds": elapsed,
            "readSeconds": read_seconds,
            "cpuSeconds": cpu,
            "rows": len(frame),
            "baselineMiB": baseline,
            "peakMiB": max_rss_mib(),
            "version": pd.__version__,
        }
    )
)
