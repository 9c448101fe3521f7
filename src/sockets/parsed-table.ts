import type { TcpEntry } from "./types.js";

/** What a parser made of one text: the rows it understood and how many TCP-looking rows it had to drop. */
export interface ParsedTable {
  entries: TcpEntry[];
  /** Rows that claimed to be TCP but did not parse; non-zero means the format drifted and counts may be low. */
  rejectedLines: number;
}
