import { SettingsError } from '../../core/errors.js';
import { API_NAMES, type ApiAdapter, type ApiName } from './api.js';
import { kserveV1 } from './kserve-v1.js';
import { kserveV2 } from './kserve-v2.js';
import { openAiChat, openAiCompletions } from './openai.js';
import { raw } from './raw.js';
import { torchServe } from './torchserve.js';

const ADAPTERS: Record<ApiName, ApiAdapter> = {
  raw,
  'openai-chat': openAiChat,
  'openai-completions': openAiCompletions,
  'kserve-v1': kserveV1,
  'kserve-v2': kserveV2,
  torchserve: torchServe,
};

export function isApiName(name: string): name is ApiName {
  return (API_NAMES as readonly string[]).includes(name);
}

/** The adapter for `name`; a SettingsError naming `setting` when there is none. */
export function apiAdapter(name: string, setting = '--api'): ApiAdapter {
  if (!isApiName(name)) throw new SettingsError(`${setting} must be one of ${API_NAMES.join(', ')}, got "${name}"`);
  return ADAPTERS[name];
}

/**
 * The URL with the API's standard route for `model`: a base URL (`http://host:8000`, or with a
 * path prefix such as `/serving`) gets the route appended; a URL that already ends with the route
 * is kept. For OpenAI, a base URL ending in `/v1` (the OpenAI SDKs' `base_url` convention) gets
 * only the rest of the route.
 */
export function withModelRoute(url: URL, adapter: ApiAdapter, model: string): URL {
  const route = adapter.route(model);
  const result = new URL(url.href);
  const path = result.pathname.replace(/\/+$/, '');
  if (path.endsWith(route)) return result;
  result.pathname = route.startsWith('/v1/') && path.endsWith('/v1') ? `${path}${route.slice(3)}` : `${path}${route}`;
  return result;
}
