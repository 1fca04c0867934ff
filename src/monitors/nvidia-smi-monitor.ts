import { spawn, type ChildProcess } from 'node:child_process';
import { ToolError } from '../core/errors.js';
import type { MeasurementWindow, Monitor, Reading, SampleSink } from './monitor.js';

/** The fields asked of nvidia-smi, in the order parseNvidiaSmiCsv reads them. */
export const NVIDIA_SMI_FIELDS = ['index', 'utilization.gpu', 'memory.used', 'memory.total', 'power.draw'] as const;

const MIB = 1024 * 1024;

/**
 * Parses lines of `nvidia-smi --query-gpu=index,utilization.gpu,memory.used,memory.total,power.draw
 * --format=csv,noheader,nounits` into readings: `gpu.<index>.utilization_percent`,
 * `gpu.<index>.memory_used_bytes`, `gpu.<index>.memory_total_bytes` (nvidia-smi gives MiB),
 * `gpu.<index>.power_watts`. A field the GPU does not support ("[N/A]", "[Not Supported]") is left
 * out. Throws ToolError naming a line that is not such a row.
 */
export function parseNvidiaSmiCsv(text: string): Reading[] {
  const readings: Reading[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(',').map((field) => field.trim());
    const index = fields[0]!;
    if (fields.length !== NVIDIA_SMI_FIELDS.length || !/^\d+$/.test(index)) {
      throw new ToolError(`nvidia-smi printed a line that is not a GPU row: ${line.trim().slice(0, 120)}`);
    }
    const [utilization, memoryUsed, memoryTotal, power] = fields.slice(1).map(parseField);
    const add = (field: string, unit: string, value: number | undefined, scale = 1) => {
      if (value !== undefined) readings.push({ metric: `gpu.${index}.${field}`, unit, value: value * scale });
    };
    add('utilization_percent', '%', utilization);
    add('memory_used_bytes', 'bytes', memoryUsed, MIB);
    add('memory_total_bytes', 'bytes', memoryTotal, MIB);
    add('power_watts', 'W', power);
  }
  return readings;
}

function parseField(field: string): number | undefined {
  if (field.startsWith('[')) return undefined; // [N/A], [Not Supported], [Unknown Error]
  const value = Number(field);
  if (field === '' || Number.isNaN(value)) throw new ToolError(`nvidia-smi printed "${field}" where a number was expected`);
  return value;
}

/**
 * Samples every GPU with one long-running `nvidia-smi ... -lms <interval>`: nvidia-smi keeps its
 * own schedule and prints one row per GPU each time; a batch of rows is stamped when it arrives.
 */
export class NvidiaSmiMonitor implements Monitor {
  readonly name = 'nvidia-smi';
  private child: ChildProcess | undefined;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();

  /** `command`: the nvidia-smi program (PATH's by default). */
  constructor(private readonly command = 'nvidia-smi') {}

  async start(sink: SampleSink, intervalMs: number): Promise<void> {
    const args = [
      `--query-gpu=${NVIDIA_SMI_FIELDS.join(',')}`,
      '--format=csv,noheader,nounits',
      `-lms`,
      String(Math.max(1, Math.round(intervalMs))),
    ];
    const child = spawn(this.command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let pending = '';
    let lastMessage = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const timeMs = Date.now();
      pending += chunk;
      const end = pending.lastIndexOf('\n');
      if (end < 0) return;
      const complete = pending.slice(0, end);
      pending = pending.slice(end + 1);
      try {
        sink.record(timeMs, parseNvidiaSmiCsv(complete));
      } catch (error) {
        // nvidia-smi prints its failures ("couldn't communicate with the NVIDIA driver") on stdout.
        lastMessage = complete.trim().split('\n').pop() ?? '';
        sink.fail((error as Error).message);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      lastMessage = chunk.trim().split('\n').pop() || lastMessage;
    });
    this.exited = new Promise((resolve) => {
      child.on('error', (error: NodeJS.ErrnoException) => {
        sink.fail(error.code === 'ENOENT' ? `${this.command} not found (is an NVIDIA driver installed?)` : error.message);
        resolve();
      });
      child.on('exit', (code, signal) => {
        if (!this.stopping) {
          const how = code !== null ? `with code ${code}` : `on ${signal}`;
          sink.fail(`${this.command} exited ${how}${lastMessage ? `: ${lastMessage}` : ''}`);
        }
        resolve();
      });
    });
    await new Promise<void>((resolve) => {
      child.once('spawn', resolve);
      child.once('error', () => resolve());
    });
  }

  async stop(_window: MeasurementWindow): Promise<void> {
    this.stopping = true;
    this.child?.kill('SIGTERM');
    const stubborn = setTimeout(() => this.child?.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(stubborn);
  }
}
