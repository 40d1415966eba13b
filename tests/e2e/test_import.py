# SPDX-License-Identifier: MIT
"""End-to-end checks of `iommusim import`: every golden capture under
tests/e2e/import/ imports to its expected trace and summary, the imported
traces replay, and bad input is reported, never fatal.

After a deliberate change to what the importer writes, run
    IMS_REGEN=1 IOMMUSIM=build/iommusim python3 -m pytest tests/e2e/test_import.py
and review the diff of tests/e2e/import/*.trace and *.summary.
"""
import os
import re
import subprocess

import pytest

BIN = os.environ.get("IOMMUSIM", "build/iommusim")
DIR = "tests/e2e/import"
REGEN = os.environ.get("IMS_REGEN") == "1"

# (capture, format, extra arguments, expected trace, model the trace is for)
CASES = [
    ("ftrace_tracefs.txt", "ftrace", [], "ftrace_tracefs.trace", None),
    ("ftrace_tracecmd.txt", "ftrace", [], "ftrace_tracecmd.trace", None),
    ("ftrace_mail.txt", "ftrace", ["--sid", "aa00000.video-codec=0x10"], "ftrace_mail.trace", None),
    ("ftrace_perf.txt", "ftrace", [], "ftrace_perf.trace", None),
    ("ftrace_dma_6.12.txt", "ftrace", [], "ftrace_dma_6.12.trace", None),
    ("ftrace_dma_6.13.txt", "ftrace", [], "ftrace_dma_6.13.trace", None),
    ("ftrace_dma_6.18.txt", "ftrace", [], "ftrace_dma_6.18.trace", None),
    ("ftrace_iommu_vfio.txt", "ftrace", [], "ftrace_iommu_vfio.trace", None),
    ("ftrace_intel.txt", "ftrace", [], "ftrace_intel.trace", None),
    ("ftrace_malformed.txt", "ftrace", [], "ftrace_malformed.trace", None),
    ("qemu_vtd_pid.log", "qemu", [], "qemu_vtd_pid.trace", None),
    ("qemu_vtd_pid.log", "qemu", ["--model", "vtd"], "qemu_vtd_pid.vtd.trace", "vtd"),
    ("qemu_amdvi_plain.log", "qemu", [], "qemu_amdvi_plain.trace", None),
    ("qemu_amdvi_plain.log", "qemu", ["--model", "amdvi"], "qemu_amdvi_plain.amdvi.trace", "amdvi"),
    ("qemu_smmuv3_iso.log", "qemu", [], "qemu_smmuv3_iso.trace", None),
    ("qemu_smmuv3_iso.log", "qemu", ["--model", "smmuv3"], "qemu_smmuv3_iso.smmuv3.trace", "smmuv3"),
    ("qemu_smmuv3_old_pid.log", "qemu", [], "qemu_smmuv3_old_pid.trace", None),
    ("qemu_malformed.log", "qemu", [], "qemu_malformed.trace", None),
]
IDS = [c[3] for c in CASES]


def run(*args, check=True, stdin=None):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120, input=stdin)
    if check:
        assert p.returncode == 0, p.stderr
    return p


def import_case(capture, fmt, extra):
    return run("import", fmt, os.path.join(DIR, capture), *extra)


def golden(name, text):
    path = os.path.join(DIR, name)
    if REGEN:
        with open(path, "w") as f:
            f.write(text)
    with open(path) as f:
        return f.read()


def summary_numbers(stderr):
    m = re.search(r": (\d+) lines, (\d+) events \((\d+) imported, (\d+) unknown\), "
                  r"(\d+) lines skipped, (\d+) statements written", stderr)
    assert m, stderr
    return dict(zip(("lines", "events", "imported", "unknown", "skipped", "statements"),
                    map(int, m.groups())))


@pytest.mark.parametrize("capture,fmt,extra,expected,model", CASES, ids=IDS)
def test_capture_imports_to_its_golden_trace_and_summary(capture, fmt, extra, expected, model):
    p = import_case(capture, fmt, extra)
    assert p.stdout == golden(expected, p.stdout)
    assert p.stderr == golden(expected.replace(".trace", ".summary"), p.stderr)
    n = summary_numbers(p.stderr)
    assert n["statements"] == sum(1 for l in p.stdout.splitlines() if l and not l.startswith("#"))
    assert n["events"] == n["imported"] + n["unknown"]
    assert n["imported"] > 0


@pytest.mark.parametrize("capture,fmt,extra,expected,model", CASES, ids=IDS)
def test_every_statement_names_the_capture_line_it_came_from(capture, fmt, extra, expected, model):
    with open(os.path.join(DIR, capture), errors="replace") as f:
        nlines = len(f.read().splitlines())
    out = import_case(capture, fmt, extra).stdout.splitlines()
    assert out[0] == f"# iommusim import {fmt} {capture}"
    for line in out:
        if not line or line.startswith("#") or line.startswith(("iommusim-trace", "model", "set")):
            continue
        m = re.search(r" # (\d+) (\S.*)$", line)
        assert m, line
        assert 1 <= int(m.group(1)) <= nlines, line
        if line.startswith("dma "):
            assert m.group(2).endswith((" observed", " synthesised")), line


def replay_available():
    return run("replay", "--help", check=False).returncode == 0


def models_available():
    """Models replay can run here: each is tried on an empty trace."""
    return [m for m in ("vtd", "smmuv3", "amdvi")
            if run("replay", "--quiet", "--model", m, "-", check=False,
                   stdin="iommusim-trace 1\n").returncode == 0]


@pytest.mark.parametrize("capture,fmt,extra,expected,model", CASES, ids=IDS)
def test_imported_trace_replays_with_every_expectation_met(capture, fmt, extra, expected, model,
                                                           tmp_path):
    if not replay_available():
        pytest.skip("iommusim replay is not built")
    avail = models_available()
    if model and model not in avail:
        pytest.skip(f"model {model} is not in this build")
    trace = tmp_path / expected
    trace.write_text(import_case(capture, fmt, extra).stdout)
    for m in [model] if model else avail:
        p = run("replay", "--model", m, str(trace), check=False)
        assert p.returncode == 0, f"{m}:\n{p.stdout}\n{p.stderr}"
        assert re.search(r"expectations\s+\d+ checked, 0 failed", p.stdout), p.stdout


def test_the_use_after_unmap_in_the_tracefs_capture_is_found_by_check(tmp_path):
    # The device faulted 6 ms after the driver unmapped the buffer (the
    # capture's io_page_fault): replay --check names the unmap.
    if not replay_available() or "vtd" not in models_available():
        pytest.skip("iommusim replay with the vtd model is not built")
    trace = tmp_path / "t.trace"
    trace.write_text(import_case("ftrace_tracefs.txt", "ftrace", []).stdout)
    p = run("replay", "--check", "--model", "vtd", str(trace), check=False)
    assert "use-after-unmap" in p.stdout + p.stderr


def test_unknown_events_and_malformed_lines_are_reported_but_not_fatal():
    p = import_case("ftrace_malformed.txt", "ftrace", [])
    path = os.path.join(DIR, "ftrace_malformed.txt")
    for line, what in ((4, "map"), (5, "dma_map_page"), (6, "dma_map_page"), (7, "line"),
                       (8, "io_page_fault"), (9, "prq_report"), (10, "unmap"),
                       (12, "dma_map_sg"), (13, "map"), (18, "attach_device_to_domain")):
        assert f"{path}:{line}: malformed {what}: " in p.stderr, (line, p.stderr)
    assert "unknown events: irq_handler_entry 2, irq_handler_exit 1" in p.stderr
    n = summary_numbers(p.stderr)
    assert n["unknown"] == 3 and n["imported"] == 3
    q = import_case("qemu_malformed.log", "qemu", [])
    assert f"{DIR}/qemu_malformed.log:2: malformed vtd_dmar_translate: device number out of range" in q.stderr
    assert "unknown events: kvm_exit 2, virtio_notify 1" in q.stderr


def test_standard_input_and_output_file_give_the_same_trace(tmp_path):
    src = os.path.join(DIR, "ftrace_tracefs.txt")
    with open(src) as f:
        text = f.read()
    a = run("import", "ftrace", src).stdout
    b = run("import", "ftrace", "-", stdin=text).stdout
    out = tmp_path / "o.trace"
    run("import", "ftrace", src, "-o", str(out), "--quiet")
    # Only the first comment names the capture differently.
    assert a.split("\n", 1)[1] == b.split("\n", 1)[1] == out.read_text().split("\n", 1)[1]
    assert run("import", "ftrace", src, "--quiet").stderr == ""


def test_two_imports_are_byte_identical():
    for capture, fmt, extra, _, _ in CASES:
        assert import_case(capture, fmt, extra).stdout == import_case(capture, fmt, extra).stdout


def test_synth_modes_change_only_the_synthesised_dmas():
    src = os.path.join(DIR, "ftrace_dma_6.12.txt")
    sweep = run("import", "ftrace", src).stdout.splitlines()
    first = run("import", "ftrace", src, "--synth", "first").stdout.splitlines()
    none = run("import", "ftrace", src, "--synth", "none").stdout.splitlines()
    assert [l for l in sweep if "synthesised" not in l] == [l for l in none]
    assert [l for l in first if "synthesised" not in l] == none
    assert all(" len=" not in l for l in first if "synthesised" in l)
    assert sum("synthesised" in l for l in sweep) == sum("synthesised" in l for l in first) > 0


def test_bad_arguments_exit_2():
    assert run("import", check=False).returncode == 2
    assert run("import", "pcap", os.path.join(DIR, "ftrace_tracefs.txt"), check=False).returncode == 2
    assert run("import", "ftrace", os.path.join(DIR, "no-such-file"), check=False).returncode == 2
    assert run("import", "qemu", os.path.join(DIR, "qemu_vtd_pid.log"), "--model", "mips",
               check=False).returncode == 2
    assert run("import", "ftrace", "-", "--sid", "x=0x10000", check=False, stdin="").returncode == 2
    assert run("import", "ftrace", "-", "--synth", "all", check=False, stdin="").returncode == 2


def test_help_describes_the_command():
    out = run("import", "--help").stdout
    assert out.startswith("usage: iommusim import ftrace|qemu FILE")
    assert "import" in run("--help").stdout
