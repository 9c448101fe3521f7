import { spawnSync } from 'node:child_process';

// A peer that vanishes (power loss, a dropped link) sends neither FIN nor RST: its packets simply
// stop. On loopback that is an nftables rule dropping every packet to and from the peer's port,
// in a table of our own that is removed again; nothing else on the machine is touched.

const NFT_TIMEOUT_MS = 10_000;

function nft(args: string[], input?: string): { ok: boolean; output: string } {
  const result = spawnSync('nft', args, { input, encoding: 'utf8', timeout: NFT_TIMEOUT_MS });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}` };
}

/** Why vanishing peers cannot be simulated here (no nft, no permission), or undefined when they can. */
export function packetDropUnavailableReason(): string | undefined {
  const table = `ocp_probe_${process.pid}`;
  const created = nft(['add', 'table', 'inet', table]);
  if (!created.ok) return `nftables is not usable here (scripts/setup-test-tools.sh installs it; needs root): ${created.output.trim()}`;
  nft(['delete', 'table', 'inet', table]);
  return undefined;
}

/** Drops every loopback packet to or from `port` until the returned function is called. */
export function dropPacketsOfPort(port: number): () => void {
  const table = `ocp_vanish_${port}`;
  const ruleset = [
    `table inet ${table} {`,
    '  chain input { type filter hook input priority -10; policy accept;',
    `    tcp sport ${port} drop`,
    `    tcp dport ${port} drop`,
    '  }',
    '}',
  ].join('\n');
  const added = nft(['-f', '-'], ruleset);
  if (!added.ok) throw new Error(`nft could not add the drop rule for port ${port}: ${added.output.trim()}`);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    nft(['delete', 'table', 'inet', table]);
  };
}
