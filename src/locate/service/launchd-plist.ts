/**
 * Reads Label and ProgramArguments from an XML property list. Not a general plist parser: launchd
 * job files are flat dictionaries, and these two keys are plain strings / an array of strings.
 */
export type LaunchdPlist =
  | { ok: true; label?: string; programArguments: string[] }
  | { ok: false; reason: string };

export function parseLaunchdPlist(text: string): LaunchdPlist {
  if (text.startsWith("bplist")) {
    return { ok: false, reason: "is a binary plist (convert it with `plutil -convert xml1 <file>` to let it be read)" };
  }
  const xml = text.replace(/<!--[\s\S]*?-->/g, "");
  if (!/<plist[\s>]/.test(xml)) return { ok: false, reason: "is not an XML property list" };

  const label = stringAfterKey(xml, "Label");
  const argsXml = /<key>\s*ProgramArguments\s*<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(xml)?.[1];
  if (argsXml !== undefined) {
    const programArguments = [...argsXml.matchAll(/<string>([\s\S]*?)<\/string>|<string\s*\/>/g)].map((m) =>
      decodeXmlText(m[1] ?? ""),
    );
    return { ok: true, ...(label !== undefined ? { label } : {}), programArguments };
  }
  // A job may name only Program, launchd then runs it without arguments.
  const program = stringAfterKey(xml, "Program");
  if (program !== undefined) return { ok: true, ...(label !== undefined ? { label } : {}), programArguments: [program] };
  return { ok: false, reason: "has no ProgramArguments" };
}

function stringAfterKey(xml: string, key: string): string | undefined {
  const match = new RegExp(`<key>\\s*${key}\\s*</key>\\s*<string>([\\s\\S]*?)</string>`).exec(xml);
  return match?.[1] === undefined ? undefined : decodeXmlText(match[1]);
}

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeXmlText(text: string): string {
  const cdataFree = text.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_whole, body: string) => body.replace(/&/g, "&amp;"));
  return cdataFree.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#x")) return safeCodePoint(Number.parseInt(ref.slice(2), 16)) ?? whole;
    if (ref.startsWith("#")) return safeCodePoint(Number.parseInt(ref.slice(1), 10)) ?? whole;
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

function safeCodePoint(code: number): string | undefined {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}
