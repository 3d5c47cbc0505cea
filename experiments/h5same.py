#!/usr/bin/python3
"""h5same.py A.h5 B.h5: are two prunefair results files the same, numbers and provenance
of the numbers, once the wall-clock and the build that wrote them are set aside?

Every dataset is compared byte for byte (so NaN equals NaN, and -0.0 differs from 0.0); in a
compound table the fields that are wall-clock times are skipped. Every attribute is compared
too, except the ones docs/results-schema.md lists as describing the machine, the clock or the
program that wrote the file. Prints one line per object checked that differs, and a summary;
exit status 0 when nothing differs, 1 otherwise, 2 on bad use."""
import sys

import h5py
import numpy as np

# Attributes that describe when, where and by which build a file was written.
CLOCK_AND_BUILD = {"started", "finished", "wall_seconds", "threads", "peak_memory_kb", "host",
                   "program_version", "git_commit", "build_compiler", "build_cflags", "blas",
                   "kernel", "config_file", "SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID",
                   "SLURM_ARRAY_TASK_ID", "SLURM_CLUSTER_NAME"}
# Datasets and compound fields that hold wall-clock times.
TIMINGS = {"/cost/ns_per_window"}
TIMING_FIELDS = {"seconds"}


def objects(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__("/" + name, obj))
    out["/"] = f
    return out


def same_array(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.names:
        if a.dtype.names != b.dtype.names or a.shape != b.shape:
            return False
        return all(same_array(a[n], b[n]) for n in a.dtype.names if n not in TIMING_FIELDS)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def main(path_a, path_b):
    fa, fb = h5py.File(path_a, "r"), h5py.File(path_b, "r")
    oa, ob = objects(fa), objects(fb)
    diffs, checked = [], 0
    for name in sorted(set(oa) | set(ob)):
        if name not in oa or name not in ob:
            diffs.append(f"{name}: only in {'B' if name not in oa else 'A'}")
            continue
        a, b = oa[name], ob[name]
        for key in sorted(set(a.attrs) | set(b.attrs)):
            if key in CLOCK_AND_BUILD and name == "/":
                continue
            checked += 1
            if key not in a.attrs or key not in b.attrs or not same_array(a.attrs[key], b.attrs[key]):
                diffs.append(f"{name} attribute {key} differs")
        if isinstance(a, h5py.Dataset) and name not in TIMINGS:
            checked += 1
            if not same_array(a[()], b[()]):
                diffs.append(f"{name} differs")
    for d in diffs:
        print(d)
    print(f"h5same: {checked} datasets and attributes compared, {len(diffs)} differ")
    return 1 if diffs else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.splitlines()[0], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
