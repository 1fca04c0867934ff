/** Worker thread entry: holds one copy of the model and scores the jobs the pool posts to it. */
import { parentPort, workerData } from 'node:worker_threads';
import { createModel } from './model.js';
import type { ScoringWorkerData, ScoreJobMessage, ScoreReplyMessage } from './scoring-pool.js';

const port = parentPort;
if (port === null) throw new Error('scoring-worker.js must run as a worker thread');
const model = createModel((workerData as ScoringWorkerData).workFactor);

port.on('message', (job: ScoreJobMessage) => {
  let reply: ScoreReplyMessage;
  try {
    const result = model.predict(new Float64Array(job.features), job.rows);
    // Serialising here keeps the HTTP thread free for big answers.
    reply = { id: job.id, body: JSON.stringify({ result }) };
  } catch (error) {
    reply = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
