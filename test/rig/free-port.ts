import { createServer } from 'node:net';

/**
 * A loopback port the OS says is free right now. Guessing a random port collided with other test
 * processes' servers on a busy machine (and a health check could then reach the wrong app).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
