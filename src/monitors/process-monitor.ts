import { cpus } from 'node:os';
import { IntervalSampler } from './interval-sampler.js';
import type { MeasurementWindow, Monitor, Reading, SampleSink } from './monitor.js';
import { CLOCK_TICKS_PER_SECOND, readProcessTree, type ProcessSnapshot } from './process-tree.js';

/**
 * Watches a local process and all its descendants through /proc (Linux): CPU as % of one core and
 * of the whole machine, summed RSS (pages shared between forked workers count once per process,
 * as in ps), threads and the number of processes in the tree.
 *
 * CPU of a child that exits between two samples loses its last partial interval; a child that
 * appears counts all its CPU time, which it spent since the previous sample.
 */
export class ProcessMonitor implements Monitor {
  readonly name: string;
  private sampler: IntervalSampler | undefined;
  private previous: { atMs: number; cpuTicks: Map<string, number> } | undefined;
  private readonly cores = cpus().length;

  constructor(private readonly pid: number) {
    this.name = `process:${pid}`;
  }

  async start(sink: SampleSink, intervalMs: number): Promise<void> {
    if (process.platform !== 'linux') {
      sink.fail('watching a process needs /proc (Linux)');
      return;
    }
    const tree = await readProcessTree(this.pid);
    if (!tree) {
      sink.fail(`no process with pid ${this.pid}`);
      return;
    }
    this.previous = { atMs: performance.now(), cpuTicks: ticksByProcess(tree) };
    this.sampler = new IntervalSampler(intervalMs, () => this.sample(sink));
    this.sampler.start();
  }

  async stop(_window: MeasurementWindow): Promise<void> {
    await this.sampler?.stop();
  }

  private async sample(sink: SampleSink): Promise<void> {
    const tree = await readProcessTree(this.pid);
    const timeMs = Date.now();
    const atMs = performance.now();
    if (!tree) {
      sink.fail(`process ${this.pid} exited`);
      void this.sampler?.stop();
      return;
    }
    const cpuTicks = ticksByProcess(tree);
    const previous = this.previous!;
    let usedTicks = 0;
    for (const [key, ticks] of cpuTicks) usedTicks += ticks - (previous.cpuTicks.get(key) ?? 0);
    const seconds = (atMs - previous.atMs) / 1000;
    this.previous = { atMs, cpuTicks };
    const cpuPercent = (100 * usedTicks) / CLOCK_TICKS_PER_SECOND / seconds;
    const readings: Reading[] = [
      { metric: 'process.cpu_percent', unit: '%', value: cpuPercent },
      { metric: 'process.cpu_machine_percent', unit: '%', value: cpuPercent / this.cores },
      { metric: 'process.rss_bytes', unit: 'bytes', value: sum(tree, (p) => p.rssBytes) },
      { metric: 'process.threads', unit: 'count', value: sum(tree, (p) => p.threads) },
      { metric: 'process.processes', unit: 'count', value: tree.length },
    ];
    sink.record(timeMs, readings);
  }
}

function ticksByProcess(tree: readonly ProcessSnapshot[]): Map<string, number> {
  return new Map(tree.map((p) => [`${p.pid}@${p.startTicks}`, p.cpuTicks]));
}

function sum(tree: readonly ProcessSnapshot[], value: (p: ProcessSnapshot) => number): number {
  return tree.reduce((total, p) => total + value(p), 0);
}
