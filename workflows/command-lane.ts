// Commands of one kind, run one at a time and in order. Idle, a lane waits on nothing: a pushed
// command starts at once (in the same workflow task), and no promise stays pending in between.

export class CommandLane<C> {
  private readonly items: C[] = [];
  private running = false;

  /** `run` settles when the command is done; it handles the failures the lead survives itself. */
  constructor(private readonly run: (command: C) => Promise<void>) {}

  push(command: C): void {
    this.items.push(command);
    if (!this.running) void this.drain();
  }

  get idle(): boolean {
    return !this.running;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let next = this.items.shift(); next !== undefined; next = this.items.shift()) await this.run(next);
    } finally {
      this.running = false;
    }
  }
}
