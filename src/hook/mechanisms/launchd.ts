import { fail } from "../../core/diagnostics.js";
import type { ServiceDefinition } from "../../locate/service/gateway-services.js";
import type { ShownCommand } from "../commands.js";
import { modifiedFile, olderRelease, requireFile, requireService, unavailable, type HookDriver } from "../driver.js";
import { shQuote, xmlText } from "../quote.js";
import { HOOK_MARKER, REPATCH_LIMIT_SECONDS, renderShellRepatch, type RepatchTarget } from "../repatch.js";

const PROGRAM_ARGUMENTS = /<key>ProgramArguments<\/key>\s*<array>/;
/** The three arguments insertPlistHook adds, each preceded by the same separator. */
const HOOK_PREFIX = new RegExp(`^(\\r?\\n[ \\t]*|)<string>/bin/sh</string>\\1<string>-c</string>\\1<string>: ${HOOK_MARKER}\\n[^<]*</string>`);

/**
 * The `sh -c` script put in front of the original program arguments. sh gives it the first of
 * them as $0 and the rest as $@, so `exec "$0" "$@"` starts exactly the original command. It is
 * self-contained on purpose: a script file in the state folder could vanish and take the gateway
 * with it. The first line is a no-op that marks the edit.
 */
export function renderLaunchdScript(target: RepatchTarget, limitSeconds = REPATCH_LIMIT_SECONDS.launchd): string {
  return `: ${HOOK_MARKER}
${renderShellRepatch(target, "launchd", limitSeconds)}openclaw_patch_repatch
exec "$0" "$@"`;
}

/**
 * Prefixes ProgramArguments with `/bin/sh -c <script>`, reusing the separator (newline and
 * indentation) that precedes the first existing argument, and leaves every other byte as it was.
 */
export function insertPlistHook(original: Buffer, script: string): Buffer {
  const text = original.toString("latin1");
  if (text.startsWith("bplist")) {
    fail("OCP_HOOK_PLIST_BINARY", "the LaunchAgent plist is in binary form", "convert it with `plutil -convert xml1 <plist>`, or use `--mechanism none`");
  }
  const match = PROGRAM_ARGUMENTS.exec(text);
  if (!match) {
    fail("OCP_HOOK_PLIST_UNRECOGNIZED", "no ProgramArguments array in the LaunchAgent plist", "reinstall the service with `openclaw gateway install --force`, then run the hook install again");
  }
  if (findPlistHook(text) !== undefined) {
    fail("OCP_HOOK_ALREADY_PRESENT", "the LaunchAgent plist already runs the openclaw-patch hook", "run `openclaw-patch hook status`");
  }
  const at = match.index + match[0].length;
  const separator = /^(\r?\n[ \t]*)<string>/.exec(text.slice(at))?.[1] ?? "";
  const inserted = ["/bin/sh", "-c", script].map((arg) => `${separator}<string>${xmlText(arg)}</string>`).join("");
  return Buffer.concat([original.subarray(0, at), Buffer.from(inserted, "utf8"), original.subarray(at)]);
}

/** Undoes insertPlistHook; undefined when the plist carries no hook. */
export function removePlistHook(edited: Buffer): Buffer | undefined {
  const text = edited.toString("latin1");
  const found = findPlistHook(text);
  if (found === undefined) return undefined;
  return Buffer.concat([edited.subarray(0, found.start), edited.subarray(found.end)]);
}

export function hasPlistHook(content: Buffer): boolean {
  return findPlistHook(content.toString("latin1")) !== undefined;
}

function findPlistHook(text: string): { start: number; end: number } | undefined {
  const match = PROGRAM_ARGUMENTS.exec(text);
  if (!match) return undefined;
  const start = match.index + match[0].length;
  const hook = HOOK_PREFIX.exec(text.slice(start));
  return hook ? { start, end: start + hook[0].length } : undefined;
}

/**
 * launchd keeps the job definition it loaded; a changed plist only takes effect after the job is
 * booted out and bootstrapped again, which restarts the gateway.
 */
export function launchdReloadCommands(plist: ServiceDefinition, uid: number | undefined): ShownCommand[] {
  const domain = `gui/${uid ?? "$(id -u)"}`;
  return [
    {
      argv: ["launchctl", "bootout", `${domain}/${plist.name}`],
      display: `launchctl bootout ${domain}/${plist.name}`,
      purpose: "unload the gateway job, since launchd keeps the definition it loaded (stops the gateway)",
      onFailure: "warning",
    },
    {
      argv: ["launchctl", "bootstrap", domain, plist.path],
      display: `launchctl bootstrap ${domain} ${shQuote(plist.path)}`,
      purpose: "load the plist as it is now on disk (starts the gateway again)",
      onFailure: "error",
    },
  ];
}

/**
 * For releases without OPENCLAW_WRAPPER: OpenClaw rewrites the plist on `openclaw update` and
 * `gateway install --force`, which drops the edit (status reports it).
 */
export const launchdDriver: HookDriver<"launchd"> = {
  mechanism: "launchd",
  option({ platform, service, wrapperSupported }) {
    if (platform !== "darwin") return unavailable("launchd", "LaunchAgents exist on macOS only");
    if (service?.kind !== "launchd") return unavailable("launchd", "no OpenClaw gateway LaunchAgent was found");
    return {
      mechanism: "launchd",
      available: true,
      reason: `LaunchAgent ${service.name} found${olderRelease(wrapperSupported)}: its ProgramArguments get a /bin/sh prefix that re-patches, then execs the original command; \`openclaw update\` rewrites the plist and drops the prefix, so re-run \`hook install\` after it (\`hook status\` tells)`,
    };
  },
  // An edit left in the file by a hook whose record is gone is replaced, not stacked; uninstall
  // still restores the bytes as found.
  async plan(ctx, target, { service }) {
    const plist = requireService(service);
    const original = await requireFile(plist.path);
    const reload = launchdReloadCommands(plist, ctx.host.uid);
    return {
      files: [
        modifiedFile(
          plist.path,
          "launchd-plist",
          original,
          insertPlistHook(removePlistHook(original) ?? original, renderLaunchdScript(target)),
          "prefix ProgramArguments with /bin/sh -c <re-patch; exec the original command>",
        ),
      ],
      activation: reload,
      uninstallCommands: { beforeFiles: [], afterFiles: reload },
      instructions: [`\`openclaw update\` and \`openclaw gateway install --force\` rewrite ${plist.path} and drop the hook: run \`openclaw-patch hook install --yes\` after them`],
    };
  },
  edit: { role: "launchd-plist", has: hasPlistHook, remove: removePlistHook },
};
