#!/usr/bin/python3
"""`sourcetrace submit` against a real single-node Slurm that this test runs.

The test configures munge, slurmctld and slurmd (Debian's slurm-wlm and
munge) in a temporary folder, on free ports of their own, so that two runs
never collide and nothing in /etc or /run is touched; starts them as root;
and always stops them, and whatever they started, at the end.

Then, on the bundled sample market (deterministic detection):
  1. `submit --dry-run` prints the sbatch commands and the scripts and
     queues nothing;
  2. `submit` runs the nightly chain (ingest, detect over 2 MPI ranks with
     srun, score+targets+export, publish, and a 3-brand export array) to
     completion, and its networks.csv, members.csv and targets.csv are
     byte-equal to those of a plain `sourcetrace run` with the same job
     (none of the three carries a timing column); publish switched
     runs/current to it; each brand's export lists only its brand's networks;
  3. on a generated market large enough that detect runs for seconds: a
     second chain of the same run is refused while the first is queued;
     detect killed with scancel while its ranks run stops the chain (the
     later jobs removed, no communities.h5, no manifest, nothing published),
     and the same chain submitted again completes, skipping ingest by
     digest and running detect again from its start.

It skips (exit 77, reason printed) only where Slurm cannot run here at
all: not root, or the Slurm/munge programs are not installed.

Usage: submit_chain.py SOURCETRACE SOURCE_DIR
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SKIP = 77
DONE_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED",
               "BOOT_FAIL", "DEADLINE"}
BRANDS = ["B018", "B012", "B025"]  # the sample's brands with most evidence
OUTPUTS = ["networks.csv", "members.csv", "targets.csv"]
# The killed chain's market: large enough that detect runs for seconds
# (about 5 s on 2 ranks here), so that scancel hits it while it runs.
KILL_SELLERS = 250000


def log(msg):
    print(msg, flush=True)


def skip(reason):
    log(f"SKIP: {reason}")
    sys.exit(SKIP)


class TestFailure(Exception):
    pass


def check(condition, msg):
    if not condition:
        raise TestFailure(msg)


def free_port(taken):
    """A TCP port nobody listens on now, from the unprivileged range."""
    for _ in range(200):
        port = random.randint(20000, 60000)
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("", port))
            except OSError:
                continue
        return port
    raise TestFailure("no free TCP port found")


class Cluster:
    """munged + slurmctld + slurmd for one machine, all under `root`."""

    def __init__(self, root: Path):
        self.root = root
        self.conf = root / "slurm.conf"
        self.daemons = {}  # name -> Popen
        self.host = socket.gethostname().split(".")[0]

    def env(self, **more):
        env = dict(os.environ)
        env.update(SLURM_CONF=str(self.conf),
                   # OpenMPI refuses root without these (the test runs as root).
                   OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        env.update(more)
        return env

    def start(self):
        r = self.root
        for d in ("munge", "state", "spool", "log"):
            (r / d).mkdir()
        # munged checks that its socket's folders are reachable by everyone.
        os.chmod(r, 0o711)
        os.chmod(r / "munge", 0o711)
        key = r / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        os.chmod(key, 0o400)
        socket_path = r / "munge" / "munge.socket"
        self._daemon("munged", ["munged", "--foreground", "--force", f"--key-file={key}",
                                f"--socket={socket_path}", f"--pid-file={r}/munge/munged.pid",
                                f"--log-file={r}/log/munged.log", f"--seed-file={r}/munge/munged.seed"],
                     env=dict(os.environ))
        self._wait(lambda: socket_path.exists(), 10, "munged did not create its socket")

        ctld_port = free_port(set())
        slurmd_port = free_port({ctld_port})
        cpus = os.cpu_count()
        self.conf.write_text(f"""\
# A one-node cluster for the test only (tests/slurm/submit_chain.py).
ClusterName=sourcetrace-test
SlurmctldHost={self.host}
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={socket_path}
StateSaveLocation={r}/state
SlurmdSpoolDir={r}/spool
SlurmctldPidFile={r}/slurmctld.pid
SlurmdPidFile={r}/slurmd.pid
SlurmctldLogFile={r}/log/slurmctld.log
SlurmdLogFile={r}/log/slurmd.log
# No cgroups: processes tracked by parentage, tasks not bound.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
MpiDefault=none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
# Finished jobs stay visible to scontrol (there is no sacct) for the test.
MinJobAge=900
# scancel: SIGKILL 2 s after SIGTERM (default 30 s).
KillWait=2
InactiveLimit=0
NodeName={self.host} CPUs={cpus} RealMemory=1024 State=UNKNOWN
PartitionName=test Nodes={self.host} Default=YES MaxTime=INFINITE State=UP
""")
        env = self.env()
        self._daemon("slurmctld", ["slurmctld", "-D", "-c", "-f", str(self.conf)], env=env)
        self._daemon("slurmd", ["slurmd", "-D", "-f", str(self.conf)], env=env)
        self._wait(lambda: self.run(["sinfo", "--noheader", "--format=%T"], check=False).strip() == "idle", 30,
                   "the node never became idle in sinfo")
        log(f"slurm: up on {self.host}, slurmctld port {ctld_port}, slurmd port {slurmd_port}, {cpus} CPUs, "
            f"in {r}")

    def _daemon(self, name, argv, env):
        out = open(self.root / "log" / f"{name}.out", "wb")
        self.daemons[name] = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env,
                                              start_new_session=True)

    def _wait(self, ready, seconds, what):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for name, p in self.daemons.items():
                if p.poll() is not None:
                    raise TestFailure(f"{name} exited with {p.returncode}\n{self.logs()}")
            if ready():
                return
            time.sleep(0.2)
        raise TestFailure(f"{what} within {seconds} s\n{self.logs()}")

    def logs(self):
        text = []
        for f in sorted((self.root / "log").glob("*")):
            lines = f.read_text(errors="replace").splitlines()[-15:]
            text.append(f"--- {f.name} (last lines)\n" + "\n".join(lines))
        return "\n".join(text)

    def run(self, argv, check=True):
        p = subprocess.run(argv, env=self.env(), capture_output=True, text=True, timeout=60)
        if check and p.returncode != 0:
            raise TestFailure(f"{' '.join(argv)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
        return p.stdout

    def states(self, job_id):
        """The state of a job, or of each task of an array job."""
        out = self.run(["scontrol", "--oneliner", "show", "job", job_id], check=False)
        return [field.split("=", 1)[1] for line in out.splitlines() for field in line.split()
                if field.startswith("JobState=")]

    def wait_done(self, ids, seconds):
        """Waits until every job in `ids` (stage -> id) has ended; returns stage -> states."""
        deadline = time.monotonic() + seconds
        while True:
            states = {stage: self.states(i) for stage, i in ids.items()}
            if all(s and all(x in DONE_STATES for x in s) for s in states.values()):
                return states
            if time.monotonic() > deadline:
                raise TestFailure(f"the jobs did not end within {seconds} s: {states}\n"
                                  f"{self.run(['squeue'], check=False)}\n{self.logs()}")
            time.sleep(0.3)

    def stop(self):
        """Cancels every job, stops the daemons, and kills whatever they left."""
        if "slurmctld" in self.daemons and self.daemons["slurmctld"].poll() is None:
            self.run(["scancel", "--user=root"], check=False)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and self.run(["squeue", "--noheader"], check=False).strip():
                time.sleep(0.3)
        for name in ("slurmd", "slurmctld", "munged"):
            p = self.daemons.get(name)
            if p is None or p.poll() is not None:
                continue
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        # slurmstepd and job processes are not our children: find them by
        # the SLURM_CONF of this cluster in their environment.
        mark = f"SLURM_CONF={self.conf}".encode()
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit() or int(proc.name) == os.getpid():
                continue
            try:
                if mark in (proc / "environ").read_bytes().split(b"\0"):
                    log(f"slurm: killing leftover process {proc.name}")
                    os.kill(int(proc.name), signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass


def write_plan(path: Path, source: Path, binary: str, work: Path, dataset: Path, brands):
    """A nightly plan for the test's one-node cluster: 2 ranks x 1 thread fit 2 cores."""
    listed = ", ".join(f'"{b}"' for b in brands)
    path.write_text(f"""\
[cluster]
partition = "test"
nodes = 1
ranks = 2
threads = 1
memory = "500M"
time_limit = "00:10:00"
mpi = "pmix"

[paths]
dataset = "{dataset}"
job = "{source}/jobs/default.toml"
run_root = "{work}/nightly"
runs = "{work}/runs"
scripts = "{source}/slurm"
sourcetrace = "{binary}"

[brands]
export = [{listed}]
""")


def submit(cluster, binary, plan, *args):
    p = subprocess.run([binary, "submit", str(plan), *args], env=cluster.env(), capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def submit_chain(cluster, binary, plan, name, stages):
    rc, out, err = submit(cluster, binary, plan, "--name", name)
    check(rc == 0, f"submit --name {name}: exit {rc}\n{out}{err}")
    ids = dict(line.split() for line in out.splitlines())
    check(list(ids) == stages, f"submit printed {out!r}, not one line per stage {stages}")
    log(f"submit {name}: {' '.join(f'{k} {v}' for k, v in ids.items())}")
    return ids


def job_log(run_dir: Path, stage):
    return "\n".join(f.read_text(errors="replace") for f in sorted((run_dir / "logs").glob(f"{stage}-*.out")))


def expect_completed(states, run_dir):
    bad = {stage: s for stage, s in states.items() if any(x != "COMPLETED" for x in s)}
    if bad:
        logs = "\n".join(f"--- {stage}\n{job_log(run_dir, stage)}" for stage in bad)
        raise TestFailure(f"jobs did not complete: {bad}\n{logs}")


def same_outputs(run_dir: Path, reference: Path):
    for name in OUTPUTS:
        a, b = (run_dir / name).read_bytes(), (reference / name).read_bytes()
        check(a == b, f"{run_dir / name} differs from the plain run's {reference / name}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, source = os.path.abspath(sys.argv[1]), Path(sys.argv[2]).resolve()
    if os.geteuid() != 0:
        skip("this test starts slurmctld, slurmd and munged as root (SlurmUser=root); run it as root")
    missing = [p for p in ("munged", "slurmctld", "slurmd", "sbatch", "srun", "squeue", "scontrol", "scancel",
                           "sinfo") if shutil.which(p, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None]
    if missing:
        skip(f"Slurm cannot run here: {', '.join(missing)} not installed (Debian: apt-get install slurm-wlm munge)")
    os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"

    started = time.monotonic()
    # Short and private: munge's socket path must stay under 108 bytes.
    root = Path(tempfile.mkdtemp(prefix="st-slurm-"))
    cluster = Cluster(root)
    ok = False
    plain = generate = None
    try:
        work = root / "out"
        sample = source / "datasets/sample-market"
        # Meanwhile: the plain run to compare with (same job, one process),
        # and a market big enough that detect is still running when killed.
        reference = root / "reference"
        plain = subprocess.Popen([binary, "run", str(sample), "--out", str(reference),
                                  "--job", str(source / "jobs/default.toml")],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        big = root / "big-market"
        generate = subprocess.Popen([binary, "generate", str(big), "--sellers", str(KILL_SELLERS), "--seed", "7"],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        cluster.start()
        plan = root / "nightly.toml"
        write_plan(plan, source, binary, work, sample, BRANDS)
        chain = ["ingest", "detect", "score", "brands", "publish"]

        # 1. --dry-run: the commands and the scripts, nothing queued or created.
        rc, out, err = submit(cluster, binary, plan, "--name", "dry", "--dry-run")
        check(rc == 0, f"submit --dry-run: exit {rc}\n{out}{err}")
        for needle in ("sbatch --parsable", '"--dependency=afterok:${ingest%%;*}"', "--array=0-2", "--ntasks=2",
                       "--cpus-per-task=1", "srun --mpi=", "--stages detect", "#| #SBATCH", "B025"):
            check(needle in out, f"submit --dry-run does not show {needle!r}:\n{out}")
        check("# network ids start a new chain" in out, f"submit --dry-run before any publish chains to a run:\n{out}")
        check(not (work / "nightly/dry").exists(), "submit --dry-run created the run folder")
        check(cluster.run(["squeue", "--noheader"]).strip() == "", "submit --dry-run queued jobs")
        log("dry run: prints the chain and its scripts, submits nothing")

        # 2. The whole chain, compared with the plain run.
        ids = submit_chain(cluster, binary, plan, "chain", chain)
        states = cluster.wait_done(ids, 120)
        run_dir = work / "nightly/chain"
        expect_completed(states, run_dir)
        check(plain.wait(timeout=120) == 0, f"the plain run failed:\n{plain.stdout.read().decode()}")
        same_outputs(run_dir, reference)
        check((run_dir / "manifest.json").exists(), "the chain's run has no manifest.json")
        check(os.path.realpath(work / "runs/current") == str(run_dir), "publish did not point runs/current at the run")
        detect_log = job_log(run_dir, "detect")
        check("on 2 ranks x 1 threads" in detect_log, f"detect did not run on 2 ranks:\n{detect_log}")
        all_networks = (reference / "networks.csv").read_text().splitlines()
        for brand in BRANDS:
            networks = (run_dir / "brands" / brand / "networks.csv").read_text().splitlines()
            check(len(networks) > 1, f"{brand}'s export lists no network")
            check(all(line in all_networks for line in networks), f"{brand}'s networks are not the run's")
            check(all(brand in line for line in networks[1:]), f"{brand}'s export lists other brands' networks")
        log(f"chain: {len(states)} jobs completed in order; networks, members and targets equal the plain run's; "
            f"published; {len(BRANDS)} brand exports")
        # The next night's chain continues the ids of the run just published.
        rc, out, err = submit(cluster, binary, plan, "--name", "next", "--dry-run")
        check(rc == 0 and f"# network ids continue from {run_dir}" in out,
              f"submit --dry-run after a publish does not continue from it:\n{out}{err}")
        score_line = next((l for l in out.splitlines() if l.startswith("score=")), "")
        check(str(run_dir) in score_line, f"the score job is not given the previous run: {score_line!r}")
        runs_dir = str(work / "runs")
        check(any(f" {runs_dir}{end}" in score_line for end in (")", " ", "'")),
              f"the score job is not given the runs folder's feedback journal: {score_line!r}")
        check(f"# reports and verdicts from {runs_dir}/feedback.jsonl" in out,
              f"submit --dry-run does not say where feedback comes from:\n{out}")
        log("next night's dry run: the score job continues the ids of the published run and takes the feedback")

        # 3. detect killed with scancel while it runs; the chain resubmitted.
        check(generate.wait(timeout=120) == 0, f"generate failed:\n{generate.stdout.read().decode()}")
        write_plan(plan, source, binary, work, big, [])
        chain = ["ingest", "detect", "score", "publish"]
        ids = submit_chain(cluster, binary, plan, "killed", chain)
        rc, out, err = submit(cluster, binary, plan, "--name", "killed")
        check(rc == 64 and "still queued or running" in err, f"a second chain of one run was not refused: {rc} {err}")
        deadline = time.monotonic() + 90
        while not cluster.run(["squeue", "--noheader", "--steps", f"--jobs={ids['detect']}"], check=False).strip():
            check(time.monotonic() < deadline, "detect's srun step never started")
            time.sleep(0.1)
        time.sleep(1.0)  # the ranks are past MPI's start, inside detect
        check(cluster.states(ids["detect"]) == ["RUNNING"],
              f"detect ended before it could be killed ({cluster.states(ids['detect'])}): make KILL_SELLERS larger")
        cluster.run(["scancel", ids["detect"]])
        states = cluster.wait_done(ids, 60)
        run_dir = work / "nightly/killed"
        check(states["detect"] == ["CANCELLED"], f"detect was not cancelled: {states}")
        check(all(states[s] == ["CANCELLED"] for s in ("score", "publish")),
              f"the stages after the killed one were not removed: {states}")
        check(not (run_dir / "communities.h5").exists(), "the killed detect left a communities.h5")
        check(not (run_dir / "manifest.json").exists(), "a killed chain left a manifest")
        check(os.path.realpath(work / "runs/current") == str(work / "nightly/chain"), "a killed chain was published")
        log(f"killed: detect cancelled while running; score and publish removed by Slurm; nothing published "
            f"(run folder: {' '.join(sorted(p.name for p in run_dir.iterdir()))})")
        ids = submit_chain(cluster, binary, plan, "killed", chain)
        states = cluster.wait_done(ids, 150)
        expect_completed(states, run_dir)
        ingest_log = job_log(run_dir, "ingest")
        check(ingest_log.count("run: ingest: up to date, skipped") == 1,
              f"ingest was not skipped on resubmission:\n{ingest_log}")
        detect_log = job_log(run_dir, "detect")
        check(detect_log.count("run: detect: runs") == 2, f"detect did not run again:\n{detect_log}")
        score_log = job_log(run_dir, "score")
        check("track: night 1 of the chain" in score_log, f"the run did not continue the published run's ids:\n{score_log}")
        check((run_dir / "manifest.json").exists(), "the resubmitted run has no manifest.json")
        check(os.path.realpath(work / "runs/current") == str(run_dir), "the resubmitted chain was not published")
        log("resubmitted: ingest skipped by digest, detect reran from its start, the run completed and was published")
        ok = True
    except TestFailure as e:
        log(f"FAIL: {e}")
    finally:
        cluster.stop()
        for p in (plain, generate):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
        if ok:
            shutil.rmtree(root, ignore_errors=True)
        else:
            log(f"kept for inspection: {root}")
    log(f"{'passed' if ok else 'failed'} in {time.monotonic() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
