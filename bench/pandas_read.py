"""pandas read_csv on the benchmark file, once: prints the in-process time and the peak RSS
of the whole process (the same measure as our reader's child process)."""
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
elapsed = time.perf_counter() - started
cpu = time.process_time() - cpu_started
print(
    json.dumps(
        {
            "seconds": elapsed,
            "cpuSeconds": cpu,
            "rows": len(frame),
            "baselineMiB": baseline,
            "peakMiB": max_rss_mib(),
            "version": pd.__version__,
        }
    )
)
