# SPDX-License-Identifier: MIT
"""End-to-end checks of the iommusim command: `formats` and `tables`."""
import os
import re
import subprocess

import pytest

BIN = os.environ.get("IOMMUSIM", "build/iommusim")


def run(*args, check=True):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120)
    if check:
        assert p.returncode == 0, p.stderr
    return p


def formats():
    return [line.split()[0] for line in run("formats").stdout.splitlines()]


def test_formats_lists_every_family():
    names = formats()
    for family in ("x86-64", "vtd-ss", "amdv1", "arm-s1", "arm-s2"):
        assert any(n.startswith(family) for n in names), family


def test_help_on_every_subcommand():
    assert "usage: iommusim" in run("--help").stdout
    for cmd in ("tables", "formats"):
        assert run(cmd, "--help").stdout.startswith("usage: iommusim " + cmd)


def test_unknown_command_and_format_exit_2():
    assert run("no-such-command", check=False).returncode == 2
    p = run("tables", "--format", "no-such-format", check=False)
    assert p.returncode == 2 and "unknown format" in p.stderr


@pytest.mark.parametrize("fmt", ["x86-64-4l", "vtd-ss-4l", "amdv1-m4", "arm-s1-4k", "arm-s2-4k",
                                 "arm-s1-64k", "amdv1-m6", "x86-64-5l"])
def test_tables_walks_translate_and_fault(fmt):
    out = run("tables", "--format", fmt).stdout
    # every map succeeded
    assert "failed" not in out
    maps = re.findall(r"^map (0x[0-9a-f]+) \+(\S+) -> (0x[0-9a-f]+) (rw|r): ok$", out, re.M)
    assert len(maps) >= 2
    # each rw mapping's last word translates to the matching output address
    for iova, size, pa, _ in maps:
        if _ != "rw":
            continue
        mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[size[-1]]
        last = int(iova, 16) + int(size[:-1]) * mult - 8
        want = int(pa, 16) + int(size[:-1]) * mult - 8
        assert f"=> {last:#x} -> {want:#x}" in out, (fmt, size)
    assert "fault permission" in out            # write to the read-only page
    assert "fault not-present" in out           # the unmapped page
    # every walk step names the raw entry value
    assert re.search(r"@0x[0-9a-f]+ = 0x[0-9a-f]{16}", out)


def test_tables_all_formats_deterministic():
    a = run("tables").stdout
    b = run("tables").stdout
    assert a == b
    assert a.count("=== ") == len(formats())
