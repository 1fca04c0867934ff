import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Nginx {
  url: string;
  stop(): void;
}

/** Debian's nginx with one worker answering `return 200`, pinned to `core`: the throughput target. */
export async function startNginx(core: number, port: number): Promise<Nginx> {
  if (spawnSync('nginx', ['-v']).error) throw new Error('nginx is not installed: apt-get install -y nginx-light');
  const folder = mkdtempSync(join(tmpdir(), 'modelprof-bench-nginx-'));
  const config = join(folder, 'nginx.conf');
  writeFileSync(
    config,
    `worker_processes 1;
daemon off;
pid ${folder}/nginx.pid;
error_log ${folder}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:${port};
    location / { return 200 "ok"; }
  }
}
`,
  );
  const child: ChildProcess = spawn('taskset', ['-c', String(core), 'nginx', '-c', config, '-p', folder], { stdio: 'ignore' });
  await waitForPort(port);
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill('SIGTERM') };
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not open port ${port}`);
}
