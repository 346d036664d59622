"""Makes bench/results.md from the raw files run-bench.sh leaves in its work directory.

Per config: <c>.peer.json (peer_torch.py --steps), <c>.peer.time / <c>.rnnlab.time / <c>.prep.time
(/usr/bin/time -v), <c>.rnnlab.log (rnnlab --plain output of the config script then `history`),
<c>.prep.log; and sgemm.txt (sgemm_peak output), version.txt (rnnlab --version), data-bench.txt (optional).
Useful FLOPs are computed from the rnnlab config script itself (see flops_per_epoch)."""
import argparse, ast, datetime, json, math, os, platform, re, sys

# Training FLOPs (forward + backward, backward ~ 2x forward) per sample, time step and direction,
# with h units and e inputs. A gate block costs 2*h*(e+h) multiply-adds x2
# (FLOPs) forward; LSTM has 4 blocks, GRU 3, SimpleRNN 1; x3 for forward + backward.
FLOP_COEF = {'lstm': 24, 'gru': 18, 'rnn': 6}
CELL_NAMES = {'LSTM': 'lstm', 'GRU': 'gru', 'SimpleRNN': 'rnn'}
TRAIN_SIZE = {'imdb': 25000, 'sms': 4459}     # training split before validation_split
TEST_SIZE = {'imdb': 25000, 'sms': 1115}      # test split that evaluate runs over
GATED = ('lstm', 'gru')                        # configs held to the 30%-of-sgemm target
TARGET_SPEEDUP, TARGET_SGEMM = 5.0, 0.30
# The second round's share of sgemm (SPEC section 6): LSTM/GRU 60%, SimpleRNN 40%.
TARGET_SGEMM_2 = {'lstm': 0.60, 'gru': 0.60, 'rnn': 0.40}


def read(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def parse_time_v(text):
    """Peak RSS (MB) and wall seconds from /usr/bin/time -v output."""
    rss = re.search(r'Maximum resident set size \(kbytes\): (\d+)', text)
    wall = re.search(r'Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)', text)
    secs = None
    if wall:
        secs = 0.0
        for part in wall.group(1).split(':'):
            secs = secs * 60 + float(part)
    return (int(rss.group(1)) / 1024 if rss else None), secs


def parse_config(path):
    """The recurrent layer, embedding width, sequence length, batch and data set of a config script."""
    cfg = dict(bi=False, cell=None, units=None, emb=None, maxlen=None, batch=None, data=None, val=0.0)
    for line in read(path).splitlines():
        line = line.split('#', 1)[0].strip()
        m = re.match(r'load\s+(\w+)', line)
        if m: cfg['data'] = m.group(1)
        m = re.search(r'maxlen=(\d+)', line)
        if m and line.startswith('pad'): cfg['maxlen'] = int(m.group(1))
        m = re.match(r'add\s+(?:\w+\.)*Embedding\(\s*\w+\s*,\s*(?:output_dim=)?(\d+)', line)
        if m: cfg['emb'] = int(m.group(1))
        m = re.search(r'\b(LSTM|GRU|SimpleRNN)\(\s*(?:units=)?(\d+)', line)
        if m and line.startswith('add') and cfg['cell'] is None:
            cfg['cell'], cfg['units'] = CELL_NAMES[m.group(1)], int(m.group(2))
            cfg['bi'] = 'Bidirectional(' in line
        if line.startswith('fit'):
            m = re.search(r'batch_size=(\d+)', line); cfg['batch'] = int(m.group(1)) if m else 32
            m = re.search(r'validation_split=([\d.]+)', line); cfg['val'] = float(m.group(1)) if m else 0.0
    return cfg


def peer_configs(peer_path):
    """peer_torch.py's CONFIGS dict, read without importing torch."""
    tree = ast.parse(read(peer_path))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', '') == 'CONFIGS':
            return eval(compile(ast.Expression(node.value), peer_path, 'eval'), {'dict': dict, '__builtins__': {}})
    return {}


def check_mirror(name, cfg, peer):
    """Differences between our script and the peer's model in what sets the cost."""
    p = peer.get(name)
    if p is None: return ['peer has no config ' + name]
    diffs = []
    for key, ours, theirs in (('cell', cfg['cell'], p['cell']), ('units', cfg['units'], p['units']),
                              ('emb', cfg['emb'], p['emb']), ('maxlen', cfg['maxlen'], p['maxlen']),
                              ('bidirectional', cfg['bi'], p['bi']), ('batch', cfg['batch'], p['batch']),
                              ('data', cfg['data'], p['data'])):
        if ours != theirs: diffs.append('%s: rnnlab %s, peer %s' % (key, ours, theirs))
    return diffs


def train_samples(cfg):
    """Samples trained per epoch: Keras keeps ceil(n * (1 - validation_split)) for training."""
    n = TRAIN_SIZE[cfg['data']]
    return int(math.ceil(n * (1.0 - cfg['val'])))


def test_samples(cfg):
    """Examples in the test split that `evaluate` runs over."""
    return TEST_SIZE[cfg['data']]


def validation_samples(cfg):
    """Samples of the validation pass that ends each epoch (the rest of the training split)."""
    return TRAIN_SIZE[cfg['data']] - train_samples(cfg)


def flops_per_epoch(cfg):
    """The epoch's training steps (forward + backward) and its validation pass (forward, a third):
    the epoch time history gives holds both."""
    h, e = cfg['units'], cfg['emb']
    dirs = 2 if cfg['bi'] else 1
    per_sample = FLOP_COEF[cfg['cell']] * h * (e + h) * cfg['maxlen'] * dirs
    return per_sample * train_samples(cfg) + per_sample / 3 * validation_samples(cfg)


def parse_sgemm(text):
    """The square-size rate (the ceiling) and every line for the record."""
    ceiling = None
    for line in text.splitlines():
        m = re.match(r'square\s.*?([\d.]+) GFLOP/s', line)
        if m: ceiling = float(m.group(1))
    return ceiling, [l for l in text.splitlines() if l.strip()]


def csv_seconds(text):
    """Steady-state epoch wall seconds from `export history` CSV (column `seconds`): the first epoch
    when the run has one, else the median of the epochs after the first (the first carries one-time
    costs, workspaces and thread start-up, as the peer's 3 warm-up steps do, which it leaves out)."""
    lines = [l for l in text.splitlines() if l.strip()]
    if len(lines) < 2: return None
    names = lines[0].split(',')
    if 'seconds' not in names: return None
    col = names.index('seconds')
    try: secs = [float(l.split(',')[col]) for l in lines[1:]]
    except (ValueError, IndexError): return None
    return median(secs[1:] or secs)


def timed_all(log, command):
    """Seconds of every `time COMMAND` line in rnnlab's output ("time: predict took 0.412 ms")."""
    return [float(m.group(1)) / (1000 if m.group(2) == 'ms' else 1)
            for m in re.finditer(r'^time: %s took ([\d.]+) (ms|s)$' % re.escape(command), log, re.M)]


def timed_seconds(log, command):
    """Seconds of the last `time COMMAND` line in rnnlab's output."""
    found = timed_all(log, command)
    return found[-1] if found else None


def median(values):
    v = sorted(values)
    n = len(v)
    if not n: return None
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def quartiles(values):
    """The first and third quartiles (the medians of the lower and upper halves)."""
    v = sorted(values)
    h = len(v) // 2
    return (median(v[:h]), median(v[-h:])) if h else (None, None)


def history_seconds(log):
    """Epoch wall seconds from rnnlab's `history` table (a column named s/sec/seconds/time)."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        cols = line.split()
        if not cols or cols[0].lower() != 'epoch': continue
        names = [c.lower().strip('()[]') for c in cols]
        for key in ('seconds', 'secs', 'sec', 's', 'time', 'time_s', 'wall_s'):
            if key not in names: continue
            col = names.index(key)
            for row in lines[i + 1:]:
                cells = row.split()
                if len(cells) == len(cols) and cells[0].isdigit():
                    try: return float(cells[col].rstrip('s'))
                    except ValueError: break
    return None


def progress_steps(log):
    """Steps per epoch from a Keras-style progress line `157/157 ...`."""
    steps = re.findall(r'(\d+)/(\d+) (?:\[[^\]]*\] )?- \d+s', log)
    return int(steps[-1][1]) if steps else None


def fmt(x, digits=1):
    if x is None: return '-'
    if x >= 100: return '%.0f' % x
    if x >= 10: return '%.1f' % x if digits else '%.0f' % x
    if x >= 0.1 or x == 0: return ('%.' + str(max(digits, 2)) + 'f') % x
    return '%.3g' % x  # sms_rnn's epochs take hundredths of a second: keep 3 significant digits


def main():
    a = argparse.ArgumentParser()
    a.add_argument('--work', required=True); a.add_argument('--configs', required=True)
    a.add_argument('--threads', type=int, default=2); a.add_argument('--runs', type=int, default=1); a.add_argument('--config-dir', required=True)
    a.add_argument('--peer', required=True); a.add_argument('--out', required=True)
    o = a.parse_args()
    w = lambda name: os.path.join(o.work, name)
    ceiling, sgemm_lines = parse_sgemm(read(w('sgemm.txt')))
    ceiling2, sgemm_lines2 = parse_sgemm(read(w('sgemm2.txt')))
    if ceiling2 and (ceiling is None or ceiling2 > ceiling): ceiling = ceiling2
    peer = peer_configs(o.peer)
    rows, details, warnings, inference = [], [], [], []
    torch_version = None
    for c in o.configs.split():
        cfg = parse_config(os.path.join(o.config_dir, c + '.rnn'))
        masked = c.endswith('_masked')  # mask_zero=True and bucket_by_length=true beside the padded config
        warnings += ['%s: %s' % (c, d) for d in check_mirror(c[:-len('_masked')] if masked else c, cfg, peer)]
        try: pj = json.loads(read(w(c + '.peer.json')).strip().splitlines()[-1])
        except (ValueError, IndexError): pj = {}
        torch_version = pj.get('torch', torch_version)
        peer_s = pj['ms_per_step'] * pj['steps_per_epoch'] / 1000 if 'ms_per_step' in pj else None
        peer_mb, _ = parse_time_v(read(w(c + '.peer.time')))
        log = read(w(c + '.rnnlab.log'))
        suffixes = [''] + ['.%d' % r for r in range(2, o.runs + 1)]
        peaks = [parse_time_v(read(w(c + '.rnnlab%s.time' % x)))[0] for x in suffixes]
        peaks = [p for p in peaks if p]
        rn_mb = max(peaks) if peaks else None
        _, rn_wall = parse_time_v(read(w(c + '.rnnlab.time')))
        _, prep_wall = parse_time_v(read(w(c + '.prep.time')))
        run_s = [csv_seconds(read(w(c + '.history%s.csv' % x))) for x in suffixes]
        run_s = [x for x in run_s if x]
        rn_s, how = median(run_s), 'history'
        if len(run_s) > 1:
            how = 'history, median of %d runs: %s' % (len(run_s), ', '.join(fmt(x) for x in run_s))
        if rn_s is None: rn_s = history_seconds(log)
        if rn_s is None and rn_wall is not None and prep_wall is not None:
            rn_s, how = rn_wall - prep_wall, 'wall-prep'
        flops = flops_per_epoch(cfg)
        if masked:  # only the texts' real steps are computed: count those (pad's share of padding cells)
            pad = re.search(r'^train padded to .*, ([0-9.]+)% padding', log, re.M)
            flops = flops * (1 - float(pad.group(1)) / 100) if pad else None
        gflops = flops / rn_s / 1e9 if rn_s and flops else None
        frac = gflops / ceiling if gflops and ceiling else None
        speedup = peer_s / rn_s if peer_s and rn_s else None
        verdict = []
        if speedup is not None: verdict.append('speed %s' % ('yes' if speedup >= TARGET_SPEEDUP else 'NO'))
        if peer_mb and rn_mb: verdict.append('mem %s' % ('yes' if rn_mb <= peer_mb else 'NO'))
        if cfg['cell'] in GATED and frac is not None:
            verdict.append('sgemm %s' % ('yes' if frac >= TARGET_SGEMM else 'NO'))
        if frac is not None:
            second = TARGET_SGEMM_2[cfg['cell']]
            verdict.append('%d%% %s' % (second * 100, 'yes' if frac >= second else 'NO'))
        if not rn_s: verdict = ['rnnlab did not train (see log)']
        rows.append([c, fmt(peer_s), fmt(rn_s), (fmt(speedup) + 'x') if speedup else '-', fmt(gflops),
                     (fmt(100 * frac) + '%') if frac is not None else '-', fmt(peer_mb, 0), fmt(rn_mb, 0),
                     ', '.join(verdict)])
        steps = progress_steps(log)
        preds = timed_all(log, 'predict')
        pred_s, (pred_q1, pred_q3), eval_s = median(preds), quartiles(preds), timed_seconds(log, 'evaluate')
        acc = re.findall(r'^test: .*accuracy: ([0-9.]+)', log, re.M)
        inference.append([c, '%.3f' % (pred_s * 1e3) if pred_s is not None else '-',
                          '%.3f-%.3f' % (pred_q1 * 1e3, pred_q3 * 1e3) if pred_q1 is not None else '-',
                          ('yes' if pred_s < 1e-3 else 'NO') if pred_s is not None else '-',
                          fmt(eval_s), str(test_samples(cfg)), acc[-1] if acc else '-'])
        details.append([c, '%s%s(%d) e=%d T=%d B=%d' % ('Bi-' if cfg['bi'] else '', cfg['cell'], cfg['units'],
                                                        cfg['emb'], cfg['maxlen'], cfg['batch']),
                        str(train_samples(cfg)), '%.3g' % (flops / 1e12) if flops else '-',
                        fmt(pj.get('ms_per_step')), str(pj.get('steps_per_epoch', '-')), str(steps or '-'),
                        fmt(pj.get('prep_s')), fmt(prep_wall), how])
    cpu = re.search(r'model name\s*:\s*(.*)', read('/proc/cpuinfo'))
    out = []
    out.append('# rnnlab bench results\n')
    out.append('Measured %s on %s (%s, %d online CPUs), %d threads for both sides; peer: PyTorch %s.\n'
               % (datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'), platform.node(),
                  cpu.group(1).strip() if cpu else platform.machine(), os.cpu_count() or 0, o.threads, torch_version))
    version = '; '.join(line.strip() for line in read(w('version.txt')).splitlines() if line.strip())
    if version:
        out.append('`rnnlab --version`: %s.\n' % version)
    out.append('Command: `make bench` (BENCH_THREADS=%d BENCH_CONFIGS="%s"), i.e. `sh bench/run-bench.sh`.\n'
               % (o.threads, o.configs))
    out.append('| config | peer s/epoch | rnnlab s/epoch | speedup | rnnlab GFLOP/s | % of sgemm | peer peak MB | rnnlab peak MB | verdict |')
    out.append('|---|---:|---:|---:|---:|---:|---:|---:|---|')
    out += ['| ' + ' | '.join(r) + ' |' for r in rows]
    out.append('\nTargets (SPEC.md section 6): speedup >= %gx, rnnlab peak memory <= the peer\'s, and for the'
               ' LSTM/GRU configs >= %d%% of the sgemm ceiling; the second round asks LSTM/GRU >= %d%% and SimpleRNN'
               ' >= %d%% (the verdict\'s "60%%" and "40%%").\n' % (TARGET_SPEEDUP, TARGET_SGEMM * 100,
                                                                TARGET_SGEMM_2['lstm'] * 100, TARGET_SGEMM_2['rnn'] * 100))
    out.append('sgemm ceiling: %s GFLOP/s (OpenBLAS sgemm at 2048^3, `sgemm_peak.c` compiled and run in this run'
               ' with OPENBLAS_NUM_THREADS=%d, at the start and at the end of the run; the higher of the two).\n' % (fmt(ceiling), o.threads))
    out.append('```\n' + '\n'.join(sgemm_lines) + ('\nat the end of the run:\n' + '\n'.join(sgemm_lines2) if sgemm_lines2 else '') + '\n```\n')
    out.append('How the figures are taken:\n')
    out.append('- peer s/epoch: `peer_torch.py CONFIG --steps N --threads T` times N training steps after 3 warm-up'
               ' steps; s/epoch = ms/step x steps per epoch (training steps only, no validation pass).')
    out.append('- rnnlab s/epoch: real epochs of `rnnlab --plain --threads T --seed 1 bench/configs/CONFIG.rnn`,'
               ' the median of %d such runs (BENCH_RUNS; the host\'s speed drifts by tens of percent within the'
               ' hour, and each run is the same computation), each' % o.runs + ' read from the epochs\' wall times in rnnlab\'s history (`export history`, column seconds: "history"): the'
               ' epoch itself when the script fits one, else the median of the epochs after the first (sms_rnn fits 5:'
               ' its epochs take milliseconds, so the first one\'s start-up costs would dominate; the peer drops its'
               ' warm-up steps likewise). The epoch time covers the training'
               ' steps and the validation pass over the validation_split part (so it is a conservative figure'
               ' against the peer); where the history gives no time, the wall time of the whole script minus the'
               ' wall time of its data-preparation lines run alone ("wall-prep").')
    out.append('- useful FLOPs per epoch: recurrent layers only, per sample, time step (all maxlen steps) and'
               ' direction: LSTM 24·h·(e+h), GRU 18·h·(e+h), SimpleRNN 6·h·(e+h) (these already count'
               ' forward + backward, backward taken as 2x forward), times the training samples of one epoch,'
               ' plus a third of that per validation sample (the validation pass is forward only, and the epoch\'s'
               ' time holds it);'
               ' for the masked configs (CONFIG_masked), which compute only the texts\' real steps, times the share'
               ' of the training matrix that is not padding (`pad` prints the share that is).'
               ' GFLOP/s = these FLOPs / rnnlab s/epoch.')
    out.append('- peak MB: maximum resident set size from `/usr/bin/time -v` for the whole process (rnnlab: the highest of its runs); both include'
               ' their own data loading and preparation (the peer\'s Python tokenizer, rnnlab\'s load/tokenize/pad).\n')
    out.append('| config | recurrent layer | train samples | TFLOP/epoch (with validation) | peer ms/step | peer steps/epoch |'
               ' rnnlab steps/epoch | peer prep s | rnnlab prep s (wall) | rnnlab s/epoch from |')
    out.append('|---|---|---:|---:|---:|---:|---:|---:|---:|---|')
    out += ['| ' + ' | '.join(r) + ' |' for r in details]
    out.append('\nInference (targets: `predict` on one review under 1 ms, `evaluate` on the test split in a few'
               ' seconds), after the epoch above, timed by rnnlab\'s `time` command: `predict` of one review of 224'
               ' words: the median of the timed calls after one untimed call (which sizes the workspaces), and'
               ' their quartiles; `evaluate` at Keras\'s default batch_size=32. Both in the first run.\n')
    out.append('| config | predict, one review (ms, median) | quartiles (ms) | under 1 ms | evaluate (s) | test examples | test accuracy |')
    out.append('|---|---:|---:|---|---:|---:|---:|')
    out += ['| ' + ' | '.join(r) + ' |' for r in inference]
    if warnings:
        out.append('\nDifferences from the peer\'s model found in the config scripts:\n')
        out += ['- ' + x for x in warnings]
    load = read(w('loadavg.txt')).strip()
    if load:
        out.append('\nLoad average (1, 5, 15 min) during the run; other processes on the machine skew the figures:\n')
        out.append('```\n' + load + '\n```')
    data_bench = read(w('data-bench.txt')).strip()
    if data_bench:
        out.append('\nData pipeline (`make bench-data`):\n')
        out.append('```\n' + data_bench + '\n```')
    text = '\n'.join(out) + '\n'
    with open(o.out, 'w', encoding='utf-8') as f:
        f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
