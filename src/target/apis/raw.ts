import { SettingsError } from '../../core/errors.js';
import type { ApiAdapter } from './api.js';

/** The seed's behaviour: payload lines are sent as they are and any answer below 400 counts. */
export const raw: ApiAdapter = {
  name: 'raw',
  route(): string {
    throw new SettingsError('--model needs an --api that has a standard route (openai-chat, openai-completions, kserve-v1, kserve-v2, torchserve)');
  },
  bodyFor(): string {
    throw new SettingsError('a workload (--input-tokens, --dataset, --trace) needs an --api other than raw to shape its requests');
  },
  fromPayload: (line: string) => line,
  answerReader: () => undefined,
};
