/** A FIFO async mutex: `run` calls run one at a time, in the order they were made. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private held = 0;

  get locked(): boolean {
    return this.held > 0;
  }

  async run<T>(work: () => Promise<T> | T): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    this.held++;
    try {
      await previous;
      return await work();
    } finally {
      this.held--;
      release();
    }
  }
}
