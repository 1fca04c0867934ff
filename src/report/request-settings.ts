import type { ReportSettings } from './report.js';

/**
 * What shaped the requests of a run, in words, for the console, the HTML page and the demo:
 * the serving API and model, the workload (generated prompts, a dataset, a trace) or the payload,
 * the goodput objectives and when requests started. Shared so that every surface names the same
 * settings the same way.
 */

/** One [label, value] pair per setting that shaped the requests; those not set are left out (except the payload or workload, always there). */
export function requestSettingRows(settings: ReportSettings): [label: string, value: string][] {
  const rows: [string, string][] = [];
  const api = settings.api;
  if (api) {
    const asked = [api.stream ? 'streamed' : 'not streamed', ...(api.ignoreEos ? ['ignore_eos'] : [])];
    rows.push(['api', `${api.name} (${asked.join(', ')})`]);
    if (api.model !== undefined) rows.push(['model', api.model]);
  } else {
    rows.push(['api', 'raw (the payload as is; answers not checked)']);
  }
  // A generated workload replaces the payload: "none (0 lines)" would say the requests were empty.
  if (api?.workload !== undefined) rows.push(['workload', api.workload]);
  else rows.push(['payload', describePayload(settings.payload)]);
  if (api?.goodput !== undefined) rows.push(['goodput', api.goodput]);
  rows.push(['arrival', describeArrival(settings)]);
  return rows;
}

/**
 * The console's line on what was sent, for runs shaped beyond a payload (an API, a workload,
 * goodput or non-even arrivals); undefined for a raw run with the tool's own plan.
 */
export function requestSettingsLine(settings: ReportSettings): string | undefined {
  if (!settings.api && !settings.arrival) return undefined;
  const shown = requestSettingRows(settings).filter(([label]) => label !== 'arrival' || settings.arrival);
  return shown.map(([label, value]) => `${label} ${value}`).join('; ');
}

function describePayload(payload: ReportSettings['payload']): string {
  if (payload.lines === 0) return 'none (requests without a body)';
  return `${payload.origin} (${payload.lines} line${payload.lines === 1 ? '' : 's'}${payload.lines > 1 ? ', in rotation' : ''})`;
}

function describeArrival(settings: ReportSettings): string {
  const arrival = settings.arrival;
  if (arrival?.kind === 'poisson') return `Poisson at ${settings.rate} req/s (seed ${arrival.seed})`;
  if (arrival?.kind === 'trace') return `the trace's own times${arrival.speedup !== 1 ? `, ${arrival.speedup}x faster` : ''}`;
  if (settings.tool === 'wrk') return 'closed loop: each connection sends when its answer arrives';
  return `even, ${settings.rate} req/s (the ${settings.tool} plan)`;
}
