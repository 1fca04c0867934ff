import type { Command } from 'commander';
import { SettingsError } from '../core/errors.js';
import { TOOLS, type ToolName } from '../settings/settings.js';
import type { ToolDiscovery } from '../tools/adapter.js';
import { discoverTools, TOOL_ADAPTERS } from '../tools/registry.js';
import { EXIT } from './exit-codes.js';

interface ToolsOptions {
  toolPath?: string;
  json?: boolean;
}

/** `modelprof tools [tool] [--tool-path P] [--json]`: which external load tools can run, and their versions. */
export function registerTools(program: Command): void {
  program
    .command('tools')
    .description('List the external load tools (wrk, wrk2, labench): where each was found and its version. Exits 4 when one is missing, 2 when --tool-path names something that is not the tool.')
    .argument('[tool]', `check only this tool (${TOOLS.join(', ')})`)
    .option('--tool-path <paths>', 'TOOL=PATH per tool (wrk2=/opt/wrk2/wrk,labench=/opt/labench), a folder searched before PATH, or with a tool named, its program')
    .option('--json', 'print the list as JSON')
    .action(async (tool: string | undefined, options: ToolsOptions) => {
      const discoveries = tool === undefined ? await discoverTools(options.toolPath) : [await TOOL_ADAPTERS[toolName(tool)].discover(options.toolPath)];
      process.stdout.write(options.json ? `${JSON.stringify(discoveries, null, 2)}\n` : formatDiscoveries(discoveries));
      process.exitCode = discoveries.every((discovery) => discovery.found) ? EXIT.ok : EXIT.toolError;
    });
}

function toolName(given: string): ToolName {
  const tool = given.toLowerCase();
  if (!(TOOLS as readonly string[]).includes(tool)) throw new SettingsError(`tool must be one of ${TOOLS.join(', ')}, got "${given}"`);
  return tool as ToolName;
}

/** One line per tool: name, then where and which version, or why it is missing and how to get it. */
export function formatDiscoveries(discoveries: readonly ToolDiscovery[]): string {
  const width = Math.max(...discoveries.map((discovery) => discovery.tool.length));
  return discoveries
    .map((discovery) => {
      const name = discovery.tool.padEnd(width);
      return discovery.found ? `${name}  ${discovery.path}  ${discovery.version}\n` : `${name}  missing: ${discovery.problem}\n`;
    })
    .join('');
}
