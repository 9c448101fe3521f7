/** Line (1-based) and column of offsets in one text, from a table of line starts built once. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(code: string) {
    for (let i = code.indexOf("\n"); i !== -1; i = code.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  at(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.starts[low]! };
  }
}
