#!/usr/bin/env python3
"""What serving a run costs, measured on the real binary (stdlib only, and tmux).

    benches/served.py clients [--pairs 10 --window 5]
        Training samples/s of a detached quick-preset run on 1 training
        thread with no client, and with 3 `spheres attach` dashboards in tmux
        at 10 fps, in alternating windows of equal length. Prints each
        pair's ratio, the median and the range, and the server's counters
        (bytes sent, time in the send path) per client.

    benches/served.py attach RUN [RUN...]
        Time from starting `spheres attach RUN` in tmux to its first full
        frame, and the dashboard's peak resident memory (VmHWM). RUN must be
        served (started with --detach, or resumed with --detach).

    benches/served.py synth DIR --lines 1000000 [--every 11]
        Appends that many StepMetrics records, `--every` steps apart, to
        DIR/metrics.jsonl (a run directory made by a short `spheres run
        --headless`), for `attach` timings on a log far longer than any
        real run writes. A quick-preset run logs about one record per 20
        steps: `--lines 48600 --every 20` after a 28.5k-step run makes the
        log of a 1e6-step run.

Windows alternate so that the host's drift (up to 2x on a shared machine)
hits both sides alike; compare medians, and say how busy the machine was.
"""

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("SPHERES", os.path.join(HERE, "..", "target", "release", "spheres"))


def tmux(sock, *args, check=True):
    return subprocess.run(["tmux", "-L", sock, *args], capture_output=True, text=True, check=check)


def records(run):
    with open(os.path.join(run, "metrics.jsonl")) as f:
        for line in f:
            try:
                yield json.loads(line)
            except ValueError:
                pass


def rate_between(run, t0, t1):
    """Training samples/s between wall times t0 and t1, from the log."""
    steps = [r for r in records(run) if r.get("kind") == "StepMetrics" and t0 <= r["wall"] <= t1]
    if len(steps) < 2:
        return float("nan")
    return (steps[-1]["samples"] - steps[0]["samples"]) / (steps[-1]["wall"] - steps[0]["wall"])


def stats(run):
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.path.join(run, "control.sock"))
    f = s.makefile("rw")
    f.write(json.dumps({"hello": "spheres", "protocol": 1, "read_only": True}) + "\n")
    f.flush()
    f.readline()
    f.write('{"cmd":"Stats"}\n')
    f.flush()
    while True:
        v = json.loads(f.readline())
        if v.get("kind") == "Stats":
            s.close()
            return v


def owner_pid(run):
    with open(os.path.join(run, ".owner")) as f:
        return json.load(f)["pid"]


def clients(args):
    run = os.path.abspath("bench-served-run")
    subprocess.run(["rm", "-rf", run])
    subprocess.run(
        [BIN, "run", "--detach", "--out", run, "--steps", "1000000000",
         "--set", "train.threads=1", "--set", "eval.threads=1", "--set", "run.autosave_min=0"],
        check=True, capture_output=True,
    )
    time.sleep(3)
    sock = "bench-served-%d" % os.getpid()
    ratios, none, three = [], [], []
    try:
        def alone():
            t0 = time.time()
            time.sleep(args.window)
            return rate_between(run, t0, time.time())

        def with_three(last_pair):
            tmux(sock, "-f", "/dev/null", "new-session", "-d", "-s", "c0", "-x", "120", "-y", "36",
                 f"{BIN} attach {run} --fps 10")
            for i in (1, 2):
                tmux(sock, "new-window", "-t", "c0", f"{BIN} attach {run} --fps 10")
            # Let the three replay the history and draw before the window.
            time.sleep(2)
            t0 = time.time()
            time.sleep(args.window)
            r = rate_between(run, t0, time.time())
            got = stats(run) if last_pair else None
            tmux(sock, "kill-server", check=False)
            time.sleep(1)
            return r, got

        for pair in range(args.pairs):
            # The order flips every pair, so a drifting host favours neither.
            last_pair = pair == args.pairs - 1
            if pair % 2 == 0:
                r0 = alone()
                r3, got = with_three(last_pair)
            else:
                r3, got = with_three(last_pair)
                r0 = alone()
            if got:
                last = got
            none.append(r0)
            three.append(r3)
            ratios.append(r3 / r0)
            print(f"pair {pair + 1}: {r0:9.0f} samples/s alone, {r3:9.0f} with 3 clients, ratio {r3 / r0:.3f}",
                  flush=True)
    finally:
        tmux(sock, "kill-server", check=False)
        try:
            os.kill(owner_pid(run), 15)
        except Exception:
            pass
    print(f"median ratio {statistics.median(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f}) "
          f"over {len(ratios)} pairs of {args.window} s windows; "
          f"medians {statistics.median(none):.0f} and {statistics.median(three):.0f} samples/s")
    per = max(last["subscribed"], 1)
    print(f"server counters after {last['subscribed']} client connections: "
          f"{last['sent_bytes'] / per / 1e3:.1f} kB sent per client, "
          f"{last['send_ns'] / per / 1e6:.2f} ms in the logger's send path per client, "
          f"{last['write_ns'] / per / 1e6:.1f} ms in socket writes per client (client threads), "
          f"{last['dropped']} dropped")


def attach(args):
    for run in args.runs:
        lines = sum(1 for _ in open(os.path.join(run, "metrics.jsonl"), "rb"))
        sock = "bench-attach-%d" % os.getpid()
        t0 = time.time()
        tmux(sock, "-f", "/dev/null", "new-session", "-d", "-s", "a", "-x", "120", "-y", "36",
             f"{BIN} attach {run}; sleep 60")
        while True:
            screen = tmux(sock, "capture-pane", "-p", "-t", "a").stdout
            if ("RUNNING" in screen or "PAUSED" in screen) and "loss, whole run" in screen:
                break
            if time.time() - t0 > 120:
                sys.exit(f"no frame within 120 s:\n{screen}")
            time.sleep(0.005)
        t1 = time.time()
        shell = tmux(sock, "display-message", "-p", "-t", "a", "#{pane_pid}").stdout.strip()
        kids = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()
        hwm = "?"
        for k in kids:
            with open(f"/proc/{k}/status") as f:
                for l in f:
                    if l.startswith("VmHWM"):
                        hwm = l.split(":")[1].strip()
        tmux(sock, "kill-server", check=False)
        print(f"{run}: {lines} log lines, first full frame after {t1 - t0:.2f} s, peak resident {hwm}")


def synth(args):
    path = os.path.join(args.dir, "metrics.jsonl")
    step = 0
    for r in records(args.dir):
        if r.get("kind") == "StepMetrics":
            step = max(step, r["step"])
    wall = time.time()
    with open(path, "a") as f:
        for i in range(1, args.lines + 1):
            s = step + i * args.every
            f.write(json.dumps({
                "wall": wall + i * 0.1, "kind": "StepMetrics", "step": s, "samples": s * 50,
                "loss": 0.7 / (1 + i * 1e-3) * (1 + 0.1 * random.random()), "accuracy": 0.99,
                "samples_per_s": 4e4 + 100 * random.random(), "lr": 1e-3, "batch": 50,
                "elapsed_s": i * 0.1,
            }, separators=(",", ":")) + "\n")
    print(f"appended {args.lines} StepMetrics records to {path}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    c = sub.add_parser("clients")
    c.add_argument("--pairs", type=int, default=10)
    c.add_argument("--window", type=float, default=5.0)
    a = sub.add_parser("attach")
    a.add_argument("runs", nargs="+")
    s = sub.add_parser("synth")
    s.add_argument("dir")
    s.add_argument("--lines", type=int, default=1_000_000)
    s.add_argument("--every", type=int, default=11)
    args = p.parse_args()
    {"clients": clients, "attach": attach, "synth": synth}[args.what](args)


if __name__ == "__main__":
    main()
