import http from 'node:http';
import https from 'node:https';

export interface TextResponse {
  status: number;
  body: string;
}

/**
 * Keeps one connection open to a scraped endpoint, so sampling every second costs one request,
 * not a TCP handshake each time. node:http rather than fetch: fetch refuses some ports (6000,
 * 10080, ...) and URLs with user:password, both of which exporters legitimately use.
 */
export class TextClient {
  private readonly agent: http.Agent;

  constructor(private readonly timeoutMs: number) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  get(url: URL, accept: string): Promise<TextResponse> {
    const headers: Record<string, string> = { accept };
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const password = decodeURIComponent(url.password);
      headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    }
    const isHttps = url.protocol === 'https:';
    const request = isHttps ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { method: 'GET', headers, timeout: this.timeoutMs, ...(isHttps ? {} : { agent: this.agent }) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
