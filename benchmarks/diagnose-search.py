#!/usr/bin/env python3
"""Where a SearchPosts search's time goes (a diagnosis, not a figure: see docs/performance.md).

    benchmarks/diagnose-search.py OUT [--statements] [--hold] [--btree] [--benchmark NAME]

Runs SearchBenchmarks.SearchPostsAt200PerSecond (or --benchmark NAME) once in process (short job, one warm-up round;
build Release first) and writes to the folder OUT:
- stdout.log: the run's output, each line with the second it appeared;
- cpu.tsv: every 0.2 s, the CPU ticks (1/100 s) of the benchmark's process (engine and load
  generator) and of its PostgreSQL (postmaster and children), summed over the processes alive
  in two samples in a row;
- rounds.tsv: for each round of 400 searches, the CPU each side spent between the end of the
  round before and the end of this one, per search;
- explain.txt: taken with the engine paused (SIGSTOP) right after the set-up, EXPLAIN (ANALYZE,
  BUFFERS) of the content query of the first searches of the benchmark's mix, as the index runs it
  (and the GIN index's pending list); explain-end.txt the same after the last round.
--btree explains the query as it was before 0015_search_scope_lexemes.sql. With --statements, PostgreSQL logs every statement with its CPU (log_min_duration_statement = 0,
log_statement_stats) from the pause on; statements.txt then sums them by kind, and counts the grain states read (post grains
activated from storage) in each round.
"""
import collections, datetime, glob, os, re, signal, subprocess, sys, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = sys.argv[1]
statements = "--statements" in sys.argv
os.makedirs(out, exist_ok=False)
dll = glob.glob(os.path.join(root, "benchmarks/RseOrleans.Benchmarks/bin/Release/net*/RseOrleans.Benchmarks.dll"))[0]


def postmasters():
    found = {}
    for line in subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout.splitlines()[1:]:
        pid, args = line.strip().split(None, 1)
        m = re.search(r"postgres -D (\S+)", args)
        if m and "/postgres" in args.split()[0]:
            found[int(pid)] = m.group(1)
    return found


def ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (FileNotFoundError, ProcessLookupError):
        return None


def children(ppid):
    result = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == ppid:
                        result.append(int(entry))
            except (FileNotFoundError, ProcessLookupError):
                pass
    return result


def statement_report(path, searches, round_ends, target):
    """PostgreSQL's CPU by statement (parse, bind with its planning, execute), from log_statement_stats;
    and how many grain states were read in each round (post grains activated from storage)."""
    cpu, count, stage, pending, reads = collections.defaultdict(float), collections.Counter(), collections.defaultdict(float), {}, collections.Counter()
    last = None
    for line in open(path, errors="replace"):
        m = re.match(r"(\S+ \S+) UTC \[(\d+)\] LOG:  (PARSE|BIND|EXECUTE|QUERY) (?:MESSAGE )?STATISTICS", line)
        if m:
            pending[m.group(2)] = [m.group(3), None]
            last = m.group(2)
            continue
        m = re.match(r"\s*!\s*([\d.]+) s user, ([\d.]+) s system", line)
        if m and last in pending and pending[last][1] is None:
            pending[last][1] = float(m.group(1)) + float(m.group(2))
            continue
        m = re.match(r"(\S+ \S+) UTC \[(\d+)\] STATEMENT:  (.*)", line)
        if m and m.group(2) in pending and pending[m.group(2)][1] is not None:
            kind = re.sub(r"\d+", "N", m.group(3).strip())[:60]
            st, c = pending.pop(m.group(2))
            cpu[kind] += c
            stage[(kind, st)] += c
            if st in ("EXECUTE", "QUERY"):
                count[kind] += 1
                if kind.startswith("SELECT payload AS PayloadBinary"):
                    at = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc).timestamp()
                    reads[next((i for i, end in enumerate(round_ends) if at <= end), len(round_ends))] += 1
    with open(target, "w") as f:
        total = sum(cpu.values())
        f.write(f"PostgreSQL CPU in statements: {total:.2f} s, {total * 1000 / searches:.2f} ms a search over {searches} searches\n")
        for kind, c in sorted(cpu.items(), key=lambda kv: -kv[1])[:12]:
            parts = ", ".join(f"{st.lower()} {stage[(kind, st)] * 1000 / max(count[kind], 1):.2f}" for st in ("PARSE", "BIND", "EXECUTE", "QUERY") if stage[(kind, st)] > 0)
            f.write(f"{c:7.2f} s {c * 1000 / searches:6.2f} ms a search {count[kind]:6d} runs ({parts} ms a run) {kind}\n")
        f.write("grain states read (activations from storage) by round: " + ", ".join(f"round {i}: {reads[i]}" for i in range(len(round_ends) + 1)) + "\n")
    print(open(target).read())


def explain(name):
    script = subprocess.run([sys.executable, os.path.join(root, "benchmarks/search-queries.py")] + [a for a in sys.argv if a == "--btree"], capture_output=True, text=True).stdout
    pending = "CREATE EXTENSION IF NOT EXISTS pgstattuple; SELECT * FROM pgstatginindex('rse_search_content_document');\n"
    with open(os.path.join(out, name), "w") as f:
        f.write(subprocess.run(psql, input=pending + script, capture_output=True, text=True).stdout)


pg_folder = None
before = set(postmasters())
log = open(os.path.join(out, "raw.log"), "w")
bench = subprocess.Popen(["dotnet", dll, "--filter", "*SearchBenchmarks." + (sys.argv[sys.argv.index("--benchmark") + 1] if "--benchmark" in sys.argv else "SearchPostsAt200PerSecond") + "*", "--job", "short", "--warmupCount", "1", "--inProcess"],
                         stdout=log, stderr=subprocess.STDOUT, cwd=root)
stamped = open(os.path.join(out, "stdout.log"), "w")
cpu = open(os.path.join(out, "cpu.tsv"), "w")
cpu.write("time\tengine_ticks\tpostgres_ticks\n")
seen_lines = 0
postmaster = None
excluded = set()
last = {}
engine_total = pg_total = 0
paused = False
rounds = []  # (time, engine, pg) at each round's end
setup_end = None
log_offset = 0
copied = open(os.path.join(out, "postgres.log"), "wb")
while True:
    alive = bench.poll() is None
    now = time.time()
    with open(os.path.join(out, "raw.log")) as f:
        lines = f.read().splitlines()
    new = lines[seen_lines:]
    seen_lines = len(lines)
    for line in new:
        stamped.write(f"{now:.2f} {line}\n")
    stamped.flush()
    if postmaster is None:
        fresh = [p for p in postmasters() if p not in before]
        if fresh:
            postmaster = fresh[0]
            pg_folder = os.path.dirname(postmasters()[postmaster])
    # CPU: per-process deltas, only for processes present in both samples.
    current = {("e", bench.pid): ticks(bench.pid)}
    if postmaster:
        for p in [postmaster] + children(postmaster):
            if p not in excluded:
                current[("p", p)] = ticks(p)
    for key, value in current.items():
        if value is not None and last.get(key) is not None:
            if key[0] == "e":
                engine_total += value - last[key]
            else:
                pg_total += value - last[key]
    last = current
    cpu.write(f"{now:.2f}\t{engine_total}\t{pg_total}\n")
    if statements and paused and postmaster:
        # The server's folder goes with the process: its log is copied as it grows.
        try:
            with open(os.path.join(pg_folder, "postgres.log"), "rb") as f:
                f.seek(log_offset)
                chunk = f.read()
            log_offset += len(chunk)
            copied.write(chunk)
        except FileNotFoundError:
            pass
    for line in new:
        if "SearchPosts: 400 operations" in line:
            rounds.append((now, engine_total, pg_total, line))
            if len(rounds) == 6 and pg_folder:
                # After the last round (short job: jitting, pilot, warm-up, three rounds), the same
                # EXPLAINs on a warm database, with the engine paused again.
                os.kill(bench.pid, signal.SIGSTOP)
                explain("explain-end.txt")
                last = {}
                os.kill(bench.pid, signal.SIGCONT)
        if line.startswith("// Search:") and not paused:
            paused = True
            setup_end = (now, engine_total, pg_total)
            os.kill(bench.pid, signal.SIGSTOP)
            port = None
            for c in open(os.path.join(pg_folder, "data", "postmaster.pid")).read().splitlines()[3:4]:
                port = c.strip()
            psql = ["psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "rse", "-X", "-q"]
            # The backend of this psql is not the engine's, and lives while the engine is paused:
            # its ticks are left out (only processes alive in two samples in a row count).
            explain("explain.txt")
            with open(os.path.join(out, "statistics.txt"), "w") as f:
                f.write(subprocess.run(psql, input="SELECT relname, n_live_tup, n_mod_since_analyze, last_analyze, last_autoanalyze FROM pg_stat_user_tables WHERE relname = 'rse_search_content'; "
                                       "SELECT most_common_vals, most_common_freqs FROM pg_stats WHERE tablename = 'rse_search_content' AND attname = 'scope';",
                                       capture_output=True, text=True).stdout)
            # --hold: the engine stays paused until OUT/resume exists, for experiments on its database.
            while "--hold" in sys.argv and not os.path.exists(os.path.join(out, "resume")):
                time.sleep(0.5)
            if statements:
                subprocess.run(psql, input="ALTER SYSTEM SET log_min_duration_statement = 0; ALTER SYSTEM SET log_statement_stats = on; "
                               "ALTER SYSTEM SET log_line_prefix = '%m [%p] '; SELECT pg_reload_conf();", capture_output=True, text=True)
            last = {}
            os.kill(bench.pid, signal.SIGCONT)
    if not alive:
        break
    time.sleep(0.2)

copied.close()
if statements:
    statement_report(os.path.join(out, "postgres.log"), len(rounds) * 400, [r[0] for r in rounds], os.path.join(out, "statements.txt"))
with open(os.path.join(out, "rounds.tsv"), "w") as f:
    f.write("round\tseconds\tengine_ms_per_search\tpostgres_ms_per_search\tline\n")
    previous = setup_end
    for i, (t, e, p, line) in enumerate(rounds):
        f.write(f"{i}\t{t - previous[0]:.1f}\t{(e - previous[1]) * 10 / 400:.2f}\t{(p - previous[2]) * 10 / 400:.2f}\t{line.strip()}\n")
        previous = (t, e, p)
print(open(os.path.join(out, "rounds.tsv")).read())
