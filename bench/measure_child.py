"""Runs a command as a child process and prints its wall time, CPU time and peak RSS as JSON,
taken from the child's own resource usage (wait4), so a Node and a Python child are measured
alike. Usage: python3 measure_child.py command [args...]; the child's stdout is discarded,
its stderr passed through, and a failing child makes this exit with its status."""
import json
import os
import subprocess
import sys
import time

started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
elapsed = time.perf_counter() - started
code = os.waitstatus_to_exitcode(status)
if code != 0:
    sys.exit(code if code > 0 else 1)
print(
    json.dumps(
        {
            "seconds": elapsed,
            "cpuSeconds": usage.ru_utime + usage.ru_stime,
            "peakMiB": usage.ru_maxrss / 1024,  # KiB on Linux
        }
    )
)
