"""A long fuzzing campaign of the gate, in process: generated manifests through `manifest.load`,
`pipeline.timeline` and `check.run`, and generated sheets through `sheet.read` and `import_sheet`, with
the properties of `tests/support/fuzzing.py` checked on every example.

    nice -n 10 .venv/bin/python benchmarks/fuzz_campaign.py --manifests 100000 --sheets 20000 \\
        --seed 1 --seconds 1800 --log fuzz-findings.jsonl

Examples run in worker processes (`--workers`), each keeping its folders and running example after
example in itself (no process per example: what makes 100,000 affordable). The parent hands out chunks
of example indices and watches each worker: one that reports no progress for `--hang` seconds is
killed, the example it was on is recorded as a hang, and a new worker goes on from the next one; a
worker that dies (a signal, the memory cap) is recorded the same way. Every example is regenerated
exactly from (seed, manifests|sheets, index): `--replay manifests:1234` runs one again and prints it.

Findings go to `--log` as JSON lines (one a finding: category, collage's frame, the example's key, its
input), then one summary line; the summary (counts, time, examples a second, findings by category with
an example each) is printed at the end. `--start` continues a campaign from an index.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing as mp
import os
import queue
import resource
import signal
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _worker(what: str, seed: str, start: int, stop: int, deadline: Any, current: Any, beat: Any,
            out: Any, memory_cap: int, media_every: int) -> None:
    """Examples start..stop of `what`, in this process; progress in `current`/`beat`, findings and the
    counts through `out`."""
    if memory_cap:
        resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))
    from tests.support import fuzzing

    with tempfile.TemporaryDirectory(prefix="collage-fuzz-") as tmp:
        harness = fuzzing.Harness(Path(tmp), media_every=media_every)
        harness.warm()
        kinds: collections.Counter[str] = collections.Counter()
        seconds: collections.Counter[str] = collections.Counter()
        slowest: dict[str, float] = {}
        done = start
        started = time.monotonic()

        def report(index: int) -> None:
            current.value = index
            beat.value = time.time()

        last = time.perf_counter()
        for index, kind, findings in fuzzing.run(harness, what, seed, start, stop, report):
            now = time.perf_counter()
            kinds[kind] += 1
            seconds[kind] += now - last
            slowest[kind] = max(slowest.get(kind, 0.0), now - last)
            last = now
            done = index + 1
            for f in findings:
                out.put(("finding", {"what": what, "seed": seed, "index": index, **asdict(f)}))
            if time.time() > deadline.value:  # out of time, or the campaign stopped: report what was done
                break
        current.value = -1
        out.put(("chunk", {"what": what, "start": start, "done": done, "kinds": dict(kinds),
                           "seconds": dict(seconds), "slowest": slowest, "busy": time.monotonic() - started,
                           "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


class Slot:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.proc: Any = None
        self.current = ctx.Value("q", -1)
        self.beat = ctx.Value("d", 0.0)
        self.chunk: tuple[str, int, int] | None = None

    def start(self, chunk: tuple[str, int, int], args: argparse.Namespace, out: Any, deadline: Any) -> None:
        what, lo, hi = chunk
        self.chunk = chunk
        self.current.value = lo
        self.beat.value = time.time() + 60  # the warm-up loads models first
        self.proc = self.ctx.Process(target=_worker, args=(what, str(args.seed), lo, hi, deadline, self.current,
                                                          self.beat, out, args.memory_cap << 20, args.media_every),
                                     daemon=True)
        self.proc.start()


def campaign(args: argparse.Namespace) -> dict[str, Any]:
    ctx = mp.get_context("spawn")  # workers start clean: no state shared with this process
    out = ctx.Queue()
    started = time.time()
    deadline = ctx.Value("d", started + args.seconds if args.seconds else float("inf"))  # workers read it too
    # Manifest and sheet chunks interleaved in proportion, so that a run out of time has done some of each.
    queued = {what: [(what, lo, min(lo + args.chunk, args.start + count))
                     for lo in range(args.start, args.start + count, args.chunk)]
              for what, count in (("manifests", args.manifests), ("sheets", args.sheets))}
    order = sorted((k / max(1, len(q)), what, k) for what, q in queued.items() for k in range(len(q)))
    chunks: collections.deque[tuple[str, int, int]] = collections.deque(queued[what][k] for _, what, k in order)
    slots = [Slot(ctx) for _ in range(args.workers)]
    findings: list[dict[str, Any]] = []
    by_category: dict[str, dict[str, Any]] = {}
    done = {"manifests": 0, "sheets": 0}
    kinds: collections.Counter[str] = collections.Counter()
    seconds: collections.Counter[str] = collections.Counter()
    slowest: dict[str, float] = {}
    busy, peak = 0.0, 0
    log = open(args.log, "a", encoding="utf-8") if args.log else None  # noqa: SIM115

    def record(finding: dict[str, Any]) -> None:
        findings.append(finding)
        key = f"{finding['category']}{' at ' + finding['where'] if finding['where'] else ''}"
        entry = by_category.setdefault(key, {"count": 0, "first": finding})
        entry["count"] += 1
        if log is not None:
            log.write(json.dumps(finding, ensure_ascii=False) + "\n")
            log.flush()
        if entry["count"] == 1:
            print(f"  new: {key} ({finding['what']}:{finding['index']}, {finding['kind']}: "
                  f"{finding['label'][:100]})", flush=True)

    def drain(block: float = 0.0) -> None:
        nonlocal busy, peak
        while True:
            try:
                tag, body = out.get(timeout=block) if block else out.get_nowait()
            except queue.Empty:
                return
            block = 0.0
            if tag == "finding":
                record(body)
            else:
                done[body["what"]] += body["done"] - body["start"]
                kinds.update({f"{body['what']}/{k}": v for k, v in body["kinds"].items()})
                seconds.update({f"{body['what']}/{k}": v for k, v in body["seconds"].items()})
                for k, v in body["slowest"].items():
                    slowest[f"{body['what']}/{k}"] = max(slowest.get(f"{body['what']}/{k}", 0.0), v)
                busy += body["busy"]
                peak = max(peak, body["peak_rss"])
                for slot in slots:
                    if slot.chunk is not None and slot.chunk[1] == body["start"] and slot.chunk[0] == body["what"]:
                        slot.chunk = None

    def stop(signum: int, frame: object) -> None:  # a campaign stopped early ends as one out of time:
        deadline.value = 0.0  # each worker reports what it did after the example it is on


    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    last_print = time.time()
    while True:
        now = time.time()
        for slot in slots:
            if slot.proc is not None and not slot.proc.is_alive():
                slot.proc.join()
                drain()
                if slot.chunk is not None:  # died without its chunk's report: a crash
                    what, lo, hi = slot.chunk
                    index = slot.current.value if slot.current.value >= 0 else lo
                    record({"what": what, "seed": str(args.seed), "index": index, "category":
                            f"worker died (exit {slot.proc.exitcode})", "detail": "", "where": "", "kind": "?",
                            "label": "", "input": "", "seconds": 0.0})
                    done[what] += index + 1 - lo
                    if index + 1 < hi and now < deadline.value:
                        chunks.appendleft((what, index + 1, hi))
                    slot.chunk = None
                slot.proc = None
            elif slot.proc is not None and slot.current.value >= 0 and now - slot.beat.value > args.hang:
                what, lo, hi = slot.chunk or ("?", 0, 0)
                index = slot.current.value
                os.kill(slot.proc.pid, signal.SIGKILL)
                slot.proc.join()
                drain()
                record({"what": what, "seed": str(args.seed), "index": index, "category":
                        f"hang: no answer in {args.hang:g} s", "detail": "", "where": "", "kind": "?", "label": "",
                        "input": "", "seconds": float(args.hang)})
                done[what] += index + 1 - lo
                if index + 1 < hi and now < deadline.value:
                    chunks.appendleft((what, index + 1, hi))
                slot.chunk, slot.proc = None, None
            if slot.proc is None and chunks and now < deadline.value:
                slot.start(chunks.popleft(), args, out, deadline)
        if all(slot.proc is None for slot in slots) and (not chunks or now >= deadline.value):
            break
        drain(block=1.0)
        if now - last_print > 60:
            last_print = now
            elapsed = now - started
            total = sum(done.values())
            print(f"{elapsed / 60:5.1f} min: {done['manifests']} manifests, {done['sheets']} sheets done "
                  f"(chunks reported), {len(findings)} findings in {len(by_category)} categories", flush=True)
            del total
    drain()
    wall = time.time() - started
    summary = {
        "summary": True, "seed": str(args.seed), "start": args.start, "workers": args.workers,
        "manifests": done["manifests"], "sheets": done["sheets"], "wall_seconds": round(wall, 1),
        "worker_seconds": round(busy, 1),
        "examples_per_second": round((done["manifests"] + done["sheets"]) / wall, 1) if wall else 0,
        "per_kind": {k: {"examples": v, "ms_each": round(1000 * seconds[k] / v, 1), "slowest_s": round(slowest[k], 2)}
                     for k, v in sorted(kinds.items())},
        "peak_rss_mb": peak >> 20, "findings": len(findings),
        "categories": {k: {"count": v["count"], "example": f"{v['first']['what']}:{v['first']['index']}",
                           "kind": v["first"]["kind"], "label": v["first"]["label"][:200],
                           "detail": v["first"]["detail"][:300]}
                       for k, v in sorted(by_category.items(), key=lambda kv: -kv[1]["count"])},
    }
    if log is not None:
        log.write(json.dumps(summary, ensure_ascii=False) + "\n")
        log.close()
    return summary


def replay(key: str, seed: str) -> None:
    from tests.support import fuzzing

    what, _, index = key.partition(":")
    case = fuzzing.regenerate(what, seed, int(index))
    with tempfile.TemporaryDirectory(prefix="collage-fuzz-") as tmp:
        harness = fuzzing.Harness(Path(tmp), media_every=1)
        harness.warm()
        if isinstance(case, fuzzing.Case):
            print(f"{case.kind}: {case.label}\n{case.mutation}\n--- collage.yaml ---\n{case.text(20_000, 400)}\n---")
            found = harness.manifest(case, media=True)
        else:
            print(f"{case.kind}: {case.label}\n{case.name}, mapping {case.mapping}, update {case.update}, keep "
                  f"emails {case.keep_emails}\n--- sheet ---\n"
                  f"{case.data[:20_000].decode('utf-8', errors='backslashreplace')}\n---")
            if case.manifest is not None:
                print(f"--- collage.yaml ---\n{case.manifest.decode('utf-8', errors='backslashreplace')}\n---")
            found = harness.sheet(case)
    for f in found:
        print(f"FINDING {f.line()}")
    if not found:
        print("no finding")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifests", type=int, default=1000, help="manifest examples to run")
    parser.add_argument("--sheets", type=int, default=200, help="sheet examples to run")
    parser.add_argument("--seed", default="1", help="the campaign's seed (any text)")
    parser.add_argument("--start", type=int, default=0, help="the first example's index")
    parser.add_argument("--seconds", type=float, default=0, help="stop after this long (0: no budget)")
    parser.add_argument("--log", help="append findings (and a summary) to this JSON-lines file")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--chunk", type=int, default=500, help="examples a worker runs before reporting")
    parser.add_argument("--hang", type=float, default=120, help="seconds without progress before a worker is killed")
    parser.add_argument("--memory-cap", type=int, default=6144, help="MB of address space a worker may map (0: none)")
    parser.add_argument("--media-every", type=int, default=25, help="also `check` with media every N examples")
    parser.add_argument("--replay", metavar="WHAT:INDEX", help="run one example again and print it")
    args = parser.parse_args()
    if args.replay:
        replay(args.replay, str(args.seed))
        return
    summary = campaign(args)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    print(f"command: nice -n 10 .venv/bin/python benchmarks/fuzz_campaign.py --manifests {args.manifests} --sheets "
          f"{args.sheets} --seed {args.seed} --start {args.start} --workers {args.workers}"
          + (f" --seconds {args.seconds:g}" if args.seconds else ""))


if __name__ == "__main__":
    main()
