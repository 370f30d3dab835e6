#!/usr/bin/env python3
"""summary.py before/run1,before/run2,before/run3 after/run1,after/run2,after/run3 : medians per figure, before vs after.

Each argument names run folders holding BenchmarkDotNet's *-report.csv files and histograms.txt
(the benchmark's "// ... p50 ..." lines).
"""
import csv, glob, os, re, statistics, sys
from collections import defaultdict

def unit_value(s):
    s = s.replace(',', '').strip()
    m = re.match(r'^([-\d.]+)\s*(ns|μs|us|ms|s|B|KB|MB|GB)?$', s)
    if not m: return None
    v = float(m.group(1)); u = m.group(2) or ''
    scale = {'ns':1e-3,'μs':1,'us':1,'ms':1e3,'s':1e6,'B':1/1024,'KB':1,'MB':1024,'GB':1024*1024,'':1}[u]
    return v*scale

def load(run):
    figs = {}
    for f in glob.glob(f'{run}/*-report.csv'):
        cls = os.path.basename(f).split('.')[2].replace('-report','')
        rows = list(csv.reader(open(f, encoding='utf-8')))
        h = rows[0]; w = h.index('WarmupCount'); m = h.index('Mean')
        for r in rows[1:]:
            key = cls + '.' + r[0] + ''.join(f' [{h[i]}={r[i]}]' for i in range(w+1, m))
            for metric in ('Mean','Median','P95','Allocated','Bytes/user','Stored bytes/user'):
                if metric in h:
                    v = unit_value(r[h.index(metric)])
                    if v is not None: figs[(key, metric)] = v
    hist = defaultdict(list)
    for line in open(f'{run}/histograms.txt', encoding='utf-8', errors='replace'):
        if line.startswith('// ') and ' p50 ' in line:
            name, _, rest = line[3:].partition(':')
            for p, v in re.findall(r'(p50|p90|p99|p99\.9|max) ([\d.]+) ms', rest):
                hist[(name.strip(), p)].append(float(v))
    for k, vs in hist.items(): figs[('// ' + k[0], k[1])] = statistics.median(vs)
    return figs

def medians(runs):
    loaded = [load(r) for r in runs]
    keys = set().union(*loaded)
    return {k: statistics.median([l[k] for l in loaded if k in l]) for k in keys}, loaded

a, al = medians(sys.argv[1].split(','))
b, bl = medians(sys.argv[2].split(',')) if len(sys.argv) > 2 else ({}, [])
for k in sorted(set(a) | set(b)):
    va, vb = a.get(k), b.get(k)
    pct = f'{(vb/va-1)*100:+.1f}%' if va and vb else ''
    unit = 'ms' if k[0].startswith('//') else ('KB' if k[1] == 'Allocated' else ('B' if 'bytes' in k[1] else 'us'))
    fa = f'{va:.3f}' if va is not None else '-'; fb = f'{vb:.3f}' if vb is not None else '-'
    runs_a = ' '.join(f"{l[k]:.3f}" for l in al if k in l)
    print(f'{k[0]} | {k[1]} | {fa} | {fb} | {pct} | {unit} | runs A: {runs_a}')
