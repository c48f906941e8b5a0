// Commands of one kind, run one at a time and in order. Idle, a lane waits on nothing: a pushed
// command starts at once (in the same workflow task), and nothing stays pending in between. Every
// promise a workflow creates costs CPU and, while pending, memory (the SDK records a stack trace
// per promise for the stack-trace query), and a condition is re-evaluated after every activation.
import { condition } from '@temporalio/workflow';

export interface Lane<C> {
  push(command: C): void;
  readonly idle: boolean;
}

export class CommandLane<C> implements Lane<C> {
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

/**
 * The lane of runs before revision 1 (workflows/revision.ts): a loop that waits on a condition for
 * its next command. Kept unchanged so that those runs replay as recorded.
 */
export class ConditionLane<C> implements Lane<C> {
  private readonly items: C[] = [];
  private busy = false;

  constructor(private readonly run: (command: C) => Promise<void>) {}

  push(command: C): void {
    this.items.push(command);
  }

  get idle(): boolean {
    return this.items.length === 0 && !this.busy;
  }

  start(): void {
    void this.loop();
  }

  private async loop(): Promise<void> {
    for (;;) {
      await condition(() => this.items.length > 0);
      this.busy = true;
      const command = this.items.shift() as C;
      try {
        await this.run(command);
      } finally {
        this.busy = false;
      }
    }
  }
}
