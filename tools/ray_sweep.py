#!/usr/bin/env python3
"""Runs a `balora sweep` grid as Ray Tune trials: one trial per grid point, on as many machines and GPUs as the Ray
cluster has. Needs Ray (`pip install "ray[tune]"` in a venv, e.g. /work/venv-ray); CI never runs it.

  python tools/ray_sweep.py GRID.json --out runs/v2/food-minilm [--asha] [--address auto] [--cpus-per-trial 1]

How it works (the grid file is the same one `balora sweep` runs; balora itself expands it):
  1. `balora sweep GRID --out OUT --plan` lists the points, their status in OUT and, for every point whose references
     (`$best(group).key`) can be resolved from the finished points in OUT, its exact `balora finetune` arguments.
  2. The runnable points go to Ray Tune as one grid of trials. Each trial runs `balora finetune ARGS --out <trial>/run`
     in a subprocess, follows its metrics.jsonl and turns every validation line into a Tune report (metric
     `val_accuracy`, also `val_loss`, `step`, `epoch`), so a scheduler such as ASHA (--asha) can stop a bad trial
     early; the subprocess dies with the trial. A finished trial's last report carries the run folder as its
     checkpoint, so Ray copies it to the storage path (shared disk or cloud) from whichever node ran it.
  3. Each trial's folder is collected into OUT with `balora sweep GRID --out OUT --adopt ID --from FOLDER` (stopped
     and failed trials are recorded as such), and the loop goes back to 1 until no point is runnable: groups whose
     values depend on an earlier group's winner run in a later wave, exactly as in the local runner.
Resumable like the local runner: points already done in OUT are not run again.

Pointing it at a cluster: start Ray on the machines (`ray start --head` on one, `ray start --address HEAD:6379` on the
others), put this checkout (the same path) and a built balora (./balora or a copied CLI folder, --balora) on every
node or use a shared disk, give --storage a shared path or a bucket (s3://…, gs://…) so trial folders reach the
driver, and run this script on the head with --address auto. GPUs: --gpus-per-trial 1 --device cuda (Ray gives each
trial its GPU through CUDA_VISIBLE_DEVICES, and the trial's JVM trains on it).
"""
import argparse
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def balora_cmd(balora):
    return balora.split()


def plan(args):
    out = subprocess.run(balora_cmd(args.balora) + ["sweep", args.grid, "--out", args.out, "--plan"],
                         cwd=args.cwd, capture_output=True, text=True, env=java_env(args))
    if out.returncode != 0:
        sys.exit(f"ray_sweep: balora sweep --plan failed: {out.stderr.strip()}")
    return json.loads(out.stdout)


def java_env(args):
    env = dict(os.environ)
    if args.java_opts:
        env["JAVA_TOOL_OPTIONS"] = (env.get("JAVA_TOOL_OPTIONS", "") + " " + args.java_opts).strip()
    return env


def _die_with_parent():
    # the trial's JVM must not outlive the trial (ASHA stops a trial by ending its worker)
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def trial(config):
    """One grid point: balora finetune in a subprocess, validation lines streamed to Tune as reports."""
    from ray import tune

    point = config["point"]
    trial_dir = tune.get_context().get_trial_dir()
    run_dir = os.path.join(trial_dir, "run")
    if os.path.exists(run_dir):  # a restarted trial (Ray fault tolerance) starts the point again, cleanly
        shutil.rmtree(run_dir)
    env = dict(os.environ)
    if config["java_opts"]:
        env["JAVA_TOOL_OPTIONS"] = (env.get("JAVA_TOOL_OPTIONS", "") + " " + config["java_opts"]).strip()
    cmd = balora_cmd(config["balora"]) + ["finetune"] + point["args"] + ["--out", run_dir]
    if config["device"]:
        cmd += ["--device", config["device"]]
    log = open(os.path.join(trial_dir, "balora.log"), "w")
    proc = subprocess.Popen(cmd, cwd=config["cwd"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=_die_with_parent)
    metrics = os.path.join(run_dir, "metrics.jsonl")
    offset, pending, buf = 0, None, ""
    try:
        while True:
            finished = proc.poll() is not None
            if os.path.exists(metrics):
                with open(metrics, encoding="utf-8") as f:
                    f.seek(offset)
                    chunk = f.read()
                    offset = f.tell()
                buf += chunk
                *lines, buf = buf.split("\n")
                for line in lines:
                    if not line.strip():
                        continue
                    rec = json.loads(line)
                    if rec.get("type") != "eval":
                        continue
                    if pending is not None:
                        tune.report(pending)  # may end this trial (ASHA): the finally below stops the JVM
                    pending = {"val_accuracy": rec["accuracy"], "val_loss": rec.get("loss", float("nan")),
                               "step": rec["step"], "epoch": rec["epoch"], "point": point["id"]}
            if finished:
                break
            time.sleep(config["poll_s"])
        if proc.returncode != 0:
            raise RuntimeError(f"balora finetune exited with {proc.returncode} (see {trial_dir}/balora.log)")
        final = dict(pending or {}, done=True, point=point["id"])
        tune.report(final, checkpoint=tune.Checkpoint.from_directory(run_dir))
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


def adopt(args, pid, folder, status):
    cmd = balora_cmd(args.balora) + ["sweep", args.grid, "--out", args.out, "--adopt", pid, "--adopt-status", status]
    if folder:
        cmd += ["--from", folder]
    r = subprocess.run(cmd, cwd=args.cwd, capture_output=True, text=True, env=java_env(args))
    if r.returncode != 0:
        sys.exit(f"ray_sweep: adopting {pid} failed: {r.stderr.strip()}")


def run_wave(args, points, wave):
    import ray
    from ray import tune
    from ray.tune.schedulers import ASHAScheduler

    scheduler = None
    if args.asha:
        scheduler = ASHAScheduler(time_attr="training_iteration", metric="val_accuracy", mode="max",
                                  max_t=args.asha_max_t, grace_period=args.asha_grace, reduction_factor=args.asha_rf)
    config = {"point": tune.grid_search([{"id": p["id"], "args": p["args"]} for p in points]),
              "balora": args.balora, "cwd": args.cwd, "java_opts": args.java_opts, "poll_s": args.poll_s,
              "device": args.device}
    tuner = tune.Tuner(
        tune.with_resources(trial, {"cpu": args.cpus_per_trial, "gpu": args.gpus_per_trial}),
        param_space=config,
        tune_config=tune.TuneConfig(scheduler=scheduler, max_concurrent_trials=args.max_concurrent or None),
        run_config=tune.RunConfig(name=f"{args.name}-wave{wave}", storage_path=args.storage,
                                  failure_config=tune.FailureConfig(max_failures=args.max_failures), verbose=1))
    results = tuner.fit()
    summary = []
    for r in results:
        pid = r.config["point"]["id"]
        done = bool(r.metrics and r.metrics.get("done"))
        if r.error is not None and not done:
            adopt(args, pid, None, "failed")
            summary.append((pid, "failed", str(r.error).splitlines()[0] if str(r.error) else "error"))
        elif done and r.checkpoint is not None:
            with tempfile.TemporaryDirectory() as tmp:
                folder = r.checkpoint.to_directory(os.path.join(tmp, "run"))
                adopt(args, pid, folder, "done")
            summary.append((pid, "done", f"{r.metrics.get('training_iteration')} reports"))
        else:
            # stopped by the scheduler: its last reports are kept in the Tune results; the folder is not collected
            adopt(args, pid, None, "stopped")
            summary.append((pid, "stopped", f"after {r.metrics.get('training_iteration') if r.metrics else 0} reports"))
        with open(os.path.join(args.out, "ray-trials.jsonl"), "a", encoding="utf-8") as f:
            hist = r.metrics_dataframe
            reports = [] if hist is None else [{k: row[k] for k in ("val_accuracy", "val_loss", "step")}
                                               for _, row in hist.iterrows() if "val_accuracy" in row]
            f.write(json.dumps({"wave": wave, "id": pid, "status": summary[-1][1], "reports": reports}) + "\n")
    return summary


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("grid")
    ap.add_argument("--out", required=True, help="the sweep folder (the same layout as balora sweep --out)")
    ap.add_argument("--balora", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "balora"),
                    help="the balora command, the same path on every node (default: this checkout's ./balora)")
    ap.add_argument("--cwd", default=os.getcwd(), help="where relative data paths of the grid resolve (default: here)")
    ap.add_argument("--address", default=None, help="Ray cluster address (auto, ray://host:10001); default: a local Ray")
    ap.add_argument("--num-cpus", type=int, default=None, help="CPUs of the local Ray (default: all)")
    ap.add_argument("--storage", default=None, help="Tune storage path: a shared folder or s3://… (default: ~/ray_results)")
    ap.add_argument("--name", default="balora-sweep")
    ap.add_argument("--cpus-per-trial", type=float, default=1)
    ap.add_argument("--gpus-per-trial", type=float, default=0)
    ap.add_argument("--max-concurrent", type=int, default=0)
    ap.add_argument("--max-failures", type=int, default=2, help="Ray restarts of a failed trial (default: 2)")
    ap.add_argument("--device", default="", help="balora --device for every trial: cpu | cuda (default: balora's auto)")
    ap.add_argument("--java-opts", default="-Dbalora.threads=1", help="JAVA_TOOL_OPTIONS for every JVM")
    ap.add_argument("--asha", action="store_true", help="ASHA early stopping on val_accuracy")
    ap.add_argument("--asha-grace", type=int, default=1, help="reports before ASHA may stop a trial (default: 1)")
    ap.add_argument("--asha-rf", type=int, default=2, help="ASHA reduction factor (default: 2)")
    ap.add_argument("--asha-max-t", type=int, default=100, help="ASHA max reports per trial (default: 100)")
    ap.add_argument("--groups", default="", help="only the points of these groups (comma-separated)")
    ap.add_argument("--poll-s", type=float, default=1.0)
    args = ap.parse_args(argv)
    args.balora = os.path.abspath(args.balora) if os.path.exists(args.balora) else args.balora
    args.cwd = os.path.abspath(args.cwd)
    args.out = os.path.abspath(args.out)
    args.grid = os.path.abspath(args.grid)
    groups = [g for g in args.groups.split(",") if g]

    import ray
    ray.init(address=args.address, num_cpus=args.num_cpus if args.address is None else None,
             include_dashboard=False, log_to_driver=False)
    wave = 0
    while True:
        p = plan(args)
        todo = [x for x in p["points"] if x["status"] in ("pending", "running") and x["args"] is not None
                and (not groups or x["group"] in groups)]
        if not todo:
            waiting = [x["id"] for x in p["points"] if x["status"] in ("pending", "running")
                       and (not groups or x["group"] in groups)]
            print(f"ray_sweep: nothing runnable; {len(waiting)} point(s) left" + (f" waiting: {waiting}" if waiting else ""))
            break
        wave += 1
        print(f"ray_sweep: wave {wave}: {len(todo)} trial(s): {[x['id'] for x in todo]}")
        for pid, status, note in run_wave(args, todo, wave):
            print(f"ray_sweep:   {pid}: {status} ({note})")
    print(f"ray_sweep: table {os.path.join(args.out, 'sweep.md')}")


if __name__ == "__main__":
    main(sys.argv[1:])
