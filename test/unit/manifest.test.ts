import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CommandNames, ShortcutIds } from '../../src/slack/ids.js';

const root = join(import.meta.dirname, '..', '..');
const manifest = parse(readFileSync(join(root, 'manifest.yml'), 'utf8')) as {
  features: { slash_commands: Array<{ command: string; should_escape?: boolean; usage_hint?: string }>; shortcuts: Array<{ callback_id: string }> };
  oauth_config: { scopes: { bot: string[] } };
  settings: { socket_mode_enabled: boolean; event_subscriptions: { bot_events: string[] } };
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('manifest.yml', () => {
  it("validates against Slack's published manifest schema", () => {
    const schema = JSON.parse(readFileSync(join(root, 'vendor', 'slack-manifest-schema', 'manifest.schema.1.0.0.json'), 'utf8')) as object;
    // The schema uses a non-standard `regex` keyword and the `uri` format: ajv needs strict off.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('declares exactly the slash commands the app handles, each escaping mentions', () => {
    expect(manifest.features.slash_commands.map((c) => c.command).sort()).toEqual(Object.values(CommandNames).sort());
    for (const command of manifest.features.slash_commands) expect(command.should_escape).toBe(true);
  });

  it('declares exactly the shortcuts the app handles', () => {
    expect(manifest.features.shortcuts.map((s) => s.callback_id).sort()).toEqual(Object.values(ShortcutIds).sort());
  });

  it('has a listener for every declared command, shortcut and event', () => {
    const registrations = sourceFiles(join(root, 'src')).map((file) => readFileSync(file, 'utf8')).join('\n');
    const missingCommands = Object.keys(CommandNames).filter((key) => !new RegExp(`registerCommand\\(\\s*app,\\s*CommandNames\\.${key}\\b`).test(registrations));
    const missingShortcuts = Object.keys(ShortcutIds).filter((key) => !new RegExp(`app\\.shortcut\\([^)]*ShortcutIds\\.${key}\\b`).test(registrations));
    const missingEvents = manifest.settings.event_subscriptions.bot_events.filter((event) => !registrations.includes(`app.event('${event}'`));
    expect({ missingCommands, missingShortcuts, missingEvents }).toEqual({ missingCommands: [], missingShortcuts: [], missingEvents: [] });
  });

  it('says why it needs every bot scope', () => {
    const text = readFileSync(join(root, 'manifest.yml'), 'utf8');
    for (const scope of manifest.oauth_config.scopes.bot) {
      const line = text.split('\n').findIndex((l) => l.trim() === `- ${scope}`);
      expect(line, scope).toBeGreaterThan(0);
      expect(text.split('\n')[line - 1]?.trim().startsWith('#'), `comment above ${scope}`).toBe(true);
    }
  });

  it('keeps Socket Mode off by default', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });
});
