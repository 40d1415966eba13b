# SPDX-License-Identifier: MIT
"""End-to-end checks of `iommusim replay`, `info` and `walk` on the shipped
traces (traces/demo, traces/vtd) and the malformed corpus (traces/malformed)."""
import glob
import json
import os
import re
import subprocess

import pytest

BIN = os.environ.get("IOMMUSIM", "build/iommusim")
DEMO = sorted(glob.glob("traces/demo/*.trace"))
VTD = sorted(glob.glob("traces/vtd/*.trace"))
MALFORMED = sorted(glob.glob("traces/malformed/*.trace"))
FORGOT = "traces/demo/forgot-invalidation.trace"
NESTED = "traces/demo/nested-pasid-fault.trace"


def run(*args, stdin=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=300,
                          input=stdin)


def test_the_corpora_exist():
    assert len(DEMO) >= 3 and len(VTD) >= 5 and len(MALFORMED) >= 20


@pytest.mark.parametrize("trace", DEMO + VTD)
def test_every_shipped_trace_holds_its_expectations(trace):
    p = run("replay", trace)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    assert "0 failed" in p.stdout


@pytest.mark.parametrize("trace", DEMO + VTD)
def test_every_shipped_trace_agrees_with_the_oracle_or_declares_it(trace):
    p = run("replay", "--check", trace)
    assert p.returncode == 0, p.stderr
    assert "mismatch:" not in p.stderr


@pytest.mark.parametrize("trace", MALFORMED)
def test_a_malformed_trace_stops_with_exit_2_at_its_line(trace):
    with open(trace) as f:
        first = f.readline()
    m = re.match(r"# expect-error: (\d+): (.*)$", first.rstrip("\n"))
    assert m, "first line says the expected error"
    line, fragment = m.group(1), m.group(2)
    p = run("replay", trace)
    assert p.returncode == 2
    msg = p.stderr.splitlines()[0]
    assert msg.startswith(f"{trace}:{line}: "), msg
    assert fragment in msg, msg
    assert p.stdout == ""


@pytest.mark.parametrize("flags", [[], ["--json"], ["--results"], ["--json", "--results"],
                                   ["--check", "--model", "all"]])
def test_two_runs_print_the_same_bytes(flags):
    a = run("replay", *flags, *DEMO, *VTD)
    b = run("replay", *flags, *DEMO, *VTD)
    assert a.returncode == b.returncode
    assert a.stdout == b.stdout and a.stderr == b.stderr
    assert a.stdout


def test_check_names_the_change_and_the_missing_invalidation():
    p = run("replay", "--check", FORGOT)
    assert p.returncode == 0, p.stderr
    err = p.stderr
    assert (f"{FORGOT}:41: check: stale translation: iova 0x1000 was translated to "
            "pa:0x40003000 from the IOTLB; the API state says pa:0x40005000") in err
    assert (f"{FORGOT}:41: check:   line 39 (pt.map) changed the mapping; no hwpt.invalidate "
            "$s1 covering iova 0x1000 after line 39") in err
    assert (f"{FORGOT}:52: check: use-after-unmap: DMA to iova 0x2000, which line 48 "
            "(pt.unmap) unmapped") in err
    assert re.search(r"findings\s+1 stale, 1 use-after-unmap, 0 mismatch", p.stdout)


def test_undeclared_findings_make_exit_1(tmp_path):
    with open(FORGOT) as f:
        body = [l for l in f if not l.startswith("check check.")]
    t = tmp_path / "forgot.trace"
    t.write_text("".join(body))
    p = run("replay", "--check", str(t))
    assert p.returncode == 1
    assert "stale translation" in p.stderr
    # Without --check the same trace holds.
    assert run("replay", str(t)).returncode == 0


def test_a_failed_expectation_exits_1_and_names_the_line(tmp_path):
    t = tmp_path / "x.trace"
    t.write_text("iommusim-trace 1\n"
                 "device.bind $d sid=0x10\nioas.alloc $a\n"
                 "ioas.map $a iova=0x1000 len=4K va=0x9000 prot=r\n"
                 "device.attach $d pt=$a\n"
                 "dma $d r 0x1000 expect=pa:0x1000\n"
                 "dma $d w 0x1000 expect=fault\n")
    p = run("replay", str(t))
    assert p.returncode == 1
    assert p.stderr == f"{t}:6: expected pa:0x1000, got pa:0x9000\n"


def test_errors_exit_2(tmp_path):
    t = tmp_path / "api.trace"
    t.write_text("iommusim-trace 1\nioas.alloc $a\nioas.unmap $a iova=0 len=4K\n")
    p = run("replay", str(t))
    assert p.returncode == 2
    assert p.stderr.startswith(f"{t}:3: ioas.unmap failed: ENOENT")
    p = run("replay", "--model", "smmuv3", str(t))
    assert p.returncode == 2 and "model smmuv3 is not available in this build" in p.stderr
    t.write_text("iommusim-trace 1\nmodel amdvi\n")
    p = run("replay", str(t))
    assert p.returncode == 2 and f"{t}:2: model amdvi is not available in this build" in p.stderr
    assert run("replay", "--set", "no_such_key=1", DEMO[0]).returncode == 2
    assert run("replay", "--bogus", DEMO[0]).returncode == 2
    assert run("replay").returncode == 2
    assert run("replay", "/no/such/file.trace").returncode == 2


def test_model_all_runs_side_by_side_and_names_missing_models():
    p = run("replay", "--model", "all", *DEMO)
    assert p.returncode == 0, p.stderr
    for t in DEMO:
        assert f"== {t}" in p.stdout
    assert "smmuv3: not available in this build" in p.stdout
    assert "amdvi: not available in this build" in p.stdout
    assert re.search(r"^\s+vtd\s*$", p.stdout, re.M)


def test_summary_names_every_figure_of_the_contract():
    p = run("replay", NESTED)
    for row in ("statements", "dma statements", "translations", "faults", "fault 0x71",
                "iotlb hit rate", "walk-cache hit rate", "memory reads per walk",
                "latency mean", "latency p50", "latency p99", "latency max",
                "invalidations (count / cycles)", "expectations"):
        assert re.search(rf"^\s*{re.escape(row)}\s", p.stdout, re.M), row
    assert re.search(r"latency p99\s+\d+ cyc / \d+ ns", p.stdout)
    assert "vtd fault 0x71: SFS.2 first-stage entry not present" in p.stdout


def test_json_is_one_object_with_the_summary():
    p = run("replay", "--json", "--results", *DEMO)
    assert p.returncode == 0
    doc = json.loads(p.stdout)
    assert doc["exit"] == 0
    assert [m["name"] for m in doc["models"]] == ["vtd", "smmuv3", "amdvi"]
    assert len(doc["runs"]) == len(DEMO)
    run0 = next(r for r in doc["runs"] if r["file"] == NESTED)
    s = run0["summary"]
    assert run0["model"] == "vtd" and run0["status"] == "ok"
    assert s["faults_by_code"] == {"0x71": 1}
    assert s["page_requests"] == 1
    assert 0 <= s["iotlb"]["hit_rate"] <= 1
    assert set(s["latency"]["cycles"]) == {"mean", "p50", "p99", "max"}
    assert "p_iotlb_inv" in s["invalidations"] or "iotlb_inv" in s["invalidations"]
    assert len(run0["results"]) == s["dma_requests"]


def test_results_print_one_line_per_request():
    p = run("replay", "--results", "--quiet", NESTED)
    lines = p.stdout.splitlines()
    assert len(lines) == 7
    pat = re.compile(r"^\S+:\d+ vtd unit=\d+ sid=0x[0-9a-f]+ pasid=(none|\d+) [rwxp-]+ "
                     r"0x[0-9a-f]+ len=\d+ type=\w+ -> (pa:0x[0-9a-f]+|fault:0x[0-9a-f]+|queued|stall)"
                     r" iotlb=(hit|miss) reads=\d+ cycles=\d+$")
    for l in lines:
        assert pat.match(l), l
    assert any("type=page_request -> queued" in l for l in lines)


def test_quiet_prints_no_summary_and_stdin_works():
    p = run("replay", "--quiet", DEMO[0])
    assert p.returncode == 0 and p.stdout == ""
    with open(NESTED) as f:
        text = f.read()
    p = run("replay", "-", stdin=text)
    assert p.returncode == 0 and "== -" in p.stdout


def test_set_changes_the_model(tmp_path):
    base = run("replay", "--json", "traces/demo/nic-ring.trace")
    none = run("replay", "--json", "--set", "iotlb_entries=0", "traces/demo/nic-ring.trace")
    hits = lambda p: json.loads(p.stdout)["runs"][0]["summary"]["iotlb"]["hits"]
    assert hits(base) > 0 and hits(none) == 0


def test_info_lists_models_and_keys_with_their_sources():
    p = run("info")
    assert p.returncode == 0
    assert re.search(r"^\s+vtd\s", p.stdout, re.M)
    assert re.search(r"^\s+smmuv3 .*not available in this build", p.stdout, re.M)
    p = run("info", "vtd")
    assert p.returncode == 0
    keys = re.findall(r"^  (\S+) = ", p.stdout, re.M)
    for k in ("cap", "ecap", "ver", "iotlb_entries", "iotlb_lookup", "walk_read", "mode",
              "clock_mhz", "units"):
        assert k in keys, k
    # every key says where its default comes from
    assert p.stdout.count("      source: ") == len(keys)
    assert re.search(r"^  iotlb_lookup = 4 cycles\n.*\n      source: calibrated: pcie-bench",
                     p.stdout, re.M)
    assert run("info", "smmuv3").returncode == 2
    assert run("info", "nothing").returncode == 2


def test_walk_shows_a_guest_table_lookup_step_by_step():
    p = run("walk", "--at", "40", NESTED, "$gpu", "r", "0x7f0000000100", "pasid=1")
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "attached: nested HWPT $s1 (data=vtd_s1)" in out
    # every guest table read: level, entry address, raw value, decoded fields
    reads = re.findall(r"^\s+(PML4E|PDPE|PDE|PTE)\s+\[\s*\d+\] @0x[0-9a-f]+ = 0x[0-9a-f]{16}  P ",
                       out, re.M)
    assert reads == ["PML4E", "PDPE", "PDE", "PTE"]
    assert "=> 0x7f0000000100 -> 0x100100" in out
    assert "the oracle says: pa:0x40100100" in out
    assert re.search(r"counters: .*iotlb\.(hits|misses) \+1", out)
    assert "result: pa:0x40100100" in out
    assert "the model agrees with the API state" in out


def test_walk_of_a_hardware_only_trace_and_its_errors():
    p = run("walk", "traces/vtd/legacy-translate.trace", "bdf=00:02.0", "w", "0x10000")
    assert p.returncode == 0, p.stderr
    assert "result: fault:0x5 (LGN.2 write not permitted)" in p.stdout
    assert run("walk", NESTED, "$nobody", "r", "0x0").returncode == 2
    assert run("walk", NESTED, "$gpu", "q", "0x0").returncode == 2
    assert run("walk", NESTED).returncode == 2


def test_help_on_every_subcommand():
    for cmd in ("replay", "info", "walk"):
        p = run(cmd, "--help")
        assert p.returncode == 0 and p.stdout.startswith("usage: iommusim " + cmd)
    assert "replay" in run("--help").stdout
